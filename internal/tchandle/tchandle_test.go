package tchandle

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Handle
		wantErr bool
	}{
		{"1:3", 0x00010003, false},
		{"1f:ffff", 0x001fffff, false},
		{"0x2:0x10", 0x00020010, false},
		{" 7fff:1 ", 0x7fff0001, false},
		{"13", 0, true},
		{"1:10000", 0, true},
		{"g:1", 0, true},
		{":", 0, true},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("Parse(%q) = %#x, %v; want %#x, err %v", tc.in, uint32(got), err, uint32(tc.want), tc.wantErr)
		}
		if err == nil {
			if back, _ := Parse(got.String()); back != got {
				t.Errorf("String round trip of %#x gave %#x", uint32(got), uint32(back))
			}
		}
	}
	if Make(0x1f, 3) != 0x001f0003 || Handle(0x001f0003).String() != "1f:3" {
		t.Error("Make/String disagree")
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct {
		h           Handle
		text, qdisc string
		major       uint16
		minor       uint16
	}{
		{Make(1, 5), "1:5", "1:", 1, 5},
		{Make(0x7fff, 0), "7fff:0", "7fff:", 0x7fff, 0},
		{Root, "ffff:ffff", "ffff:", 0xffff, 0xffff},
	} {
		if got := tc.h.String(); got != tc.text {
			t.Errorf("%#x String = %q, want %q", uint32(tc.h), got, tc.text)
		}
		if got := string(tc.h.AppendQdisc([]byte("x "))); got != "x "+tc.qdisc {
			t.Errorf("%#x AppendQdisc = %q, want %q", uint32(tc.h), got, "x "+tc.qdisc)
		}
		if tc.h.Major() != tc.major || tc.h.Minor() != tc.minor {
			t.Errorf("%#x = %x:%x, want %x:%x", uint32(tc.h), tc.h.Major(), tc.h.Minor(), tc.major, tc.minor)
		}
	}
}
