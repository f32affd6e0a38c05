package configedit

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// rows10k is a ShapedDevices.csv of 10,000 circuits under the example's AP_A.
func rows10k() []DeviceRow {
	rows := make([]DeviceRow, 10000)
	for i := range rows {
		rows[i] = DeviceRow{CircuitID: fmt.Sprint("c", i), CircuitName: fmt.Sprint("Circuit ", i), DeviceID: fmt.Sprint("d", i), DeviceName: "dev",
			ParentNode: "AP_A", IPv4: fmt.Sprintf("100.%d.%d.%d", 64+i/65536, i/256%256, i%256), DownloadMin: 0.1, UploadMin: 0.1, DownloadMax: 0.2, UploadMax: 0.2}
	}
	return rows
}

// BenchmarkDevicesPage10k: what one page load of the devices editor costs
// on the server at 10k rows (parse the file, search, slice a page).
func BenchmarkDevicesPage10k(b *testing.B) {
	data := EncodeRows(rows10k())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		rows, _ := DeviceRows(data)
		n := 0
		for _, r := range rows {
			if MatchRow(r, "circuit 99") {
				n++
			}
		}
	}
}

// BenchmarkDevicesSave10k: one row edited in a 10k-row file, validated like
// `libreqos validate` (planner included) and written with a backup.
func BenchmarkDevicesSave10k(b *testing.B) {
	st := install(b)
	p, _ := st.Path(DevicesFile)
	data := EncodeRows(rows10k())
	os.WriteFile(p, data, 0o644)
	os.WriteFile(filepath.Join(filepath.Dir(p), "lqos_overrides.json"), []byte("{}"), 0o644)
	for b.Loop() {
		doc, _ := st.Read(DevicesFile)
		rows, _ := DeviceRows(doc.Data)
		r := rows[5000]
		r.DownloadMax += 0.1
		rows, _ = ApplyDeviceOp(rows, DeviceOp{Op: "update", DeviceID: r.DeviceID, Row: r})
		if _, err := st.Save(DevicesFile, doc.Version, EncodeRows(rows), "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
