package devices

import (
	"flag"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func FuzzParse(f *testing.F) {
	f.Add([]byte(header + "c1,n,d1,dev,AP,,,,\"100.64.0.1, 10.0.0.0/24\",2001:db8::/48,1,1,2,2,\n"))
	f.Add([]byte("# c\n\n" + header + "c1,n,d1,dev,,,,,,,x,,,,\n"))
	f.Add([]byte{0xFF, 0xFE, 'a', 0})
	f.Add([]byte("Circuit ID,sqm\nc1,cake/\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, l := Parse("fuzz.csv", data)
		if file == nil {
			t.Fatal("nil file")
		}
		// Without errors, every circuit must be usable as is.
		if !l.HasErrors() {
			for _, c := range file.Circuits {
				if c.ID == "" || c.DownloadMin > c.DownloadMax || c.UploadMin > c.UploadMax {
					t.Fatalf("accepted an invalid circuit: %+v", c)
				}
			}
		}
	})
}
