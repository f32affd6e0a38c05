// Package geoip gives a remote address its autonomous system (number and
// name), country, city and coordinates, read from MaxMind DB files: the
// ASN database the build makes from the pinned open data and the DB-IP
// lite city databases it ships (see README "IP data"). A missing or
// unreadable file is not fatal: lookups return what the other files know
// and Problems says what is missing, so lqosd can raise a warning and run.
package geoip

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Info is what is known about one address. Zero values mean unknown.
type Info struct {
	ASN    uint32
	ASName string
	// Country is the ISO 3166-1 alpha-2 code.
	Country string
	City    string
	// Lat and Lon are valid when HasLocation.
	Lat, Lon    float64
	HasLocation bool
}

// Options name the files to open.
type Options struct {
	ASN  string
	City []string
	// CacheSize bounds the address cache (entries per generation; default
	// 65536). Two generations are kept, so up to twice this many addresses
	// are answered without touching the files.
	CacheSize int
}

// File describes one database file, for the About box and warnings.
type File struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"` // "asn" or "city"
	Loaded bool   `json:"loaded"`
	// Error is why the file is not used ("" when loaded).
	Error string `json:"error,omitempty"`
	// DatabaseType is the file's own name for its content.
	DatabaseType string    `json:"database_type,omitempty"`
	IPVersion    int       `json:"ip_version,omitempty"`
	Built        time.Time `json:"built,omitzero"`
	Bytes        int64     `json:"bytes,omitempty"`
}

type reader struct {
	r      *maxminddb.Reader
	v4only bool
	nested bool // GeoIP2 layout (city.names.en, location.latitude)
	// records caches decoded records by their offset in the file: many
	// networks share one record (one AS, one city).
	mu      sync.Mutex
	records map[uintptr]Info
}

// DB answers lookups. It is safe for concurrent use.
type DB struct {
	asn   *reader
	city  []*reader
	files []File
	size  int

	mu         sync.Mutex
	cur, old   map[netip.Addr]Info
	hits, miss atomic.Uint64
	errs       atomic.Uint64
}

// Open opens the files it can; it never fails. See Problems.
func Open(o Options) *DB {
	db := &DB{size: o.CacheSize}
	if db.size <= 0 {
		db.size = 65536
	}
	db.cur = make(map[netip.Addr]Info, 1024)
	if o.ASN != "" {
		r, f := openFile(o.ASN, "asn")
		db.asn = r
		db.files = append(db.files, f)
	} else {
		db.files = append(db.files, File{Kind: "asn", Error: "no ASN database configured"})
	}
	for _, p := range o.City {
		r, f := openFile(p, "city")
		if r != nil {
			db.city = append(db.city, r)
		}
		db.files = append(db.files, f)
	}
	if len(o.City) == 0 {
		db.files = append(db.files, File{Kind: "city", Error: "no city database configured"})
	}
	return db
}

// probe addresses every useful database answers: a corrupt data section
// shows up as a decode error here rather than on every lookup.
var probes = []netip.Addr{netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("2001:4860:4860::8888")}

func openFile(path, kind string) (*reader, File) {
	f := File{Path: path, Kind: kind}
	st, err := os.Stat(path)
	if err != nil {
		f.Error = describe(err)
		return nil, f
	}
	f.Bytes = st.Size()
	r, err := maxminddb.Open(path)
	if err != nil {
		f.Error = "not a readable MaxMind DB file: " + err.Error()
		return nil, f
	}
	m := r.Metadata
	f.DatabaseType, f.IPVersion = m.DatabaseType, int(m.IPVersion)
	f.Built = time.Unix(int64(m.BuildEpoch), 0).UTC()
	rd := &reader{r: r, v4only: m.IPVersion == 4, records: map[uintptr]Info{}}
	t := strings.ToLower(m.DatabaseType)
	rd.nested = strings.Contains(t, "geoip2") || strings.Contains(t, "geolite2") || strings.HasPrefix(t, "dbip-")
	for _, a := range probes {
		if rd.v4only && !a.Is4() {
			continue
		}
		var err error
		if kind == "asn" {
			_, err = rd.asn(a)
		} else {
			_, err = rd.city(a)
		}
		if err != nil {
			r.Close()
			f.Error = "corrupt: " + err.Error()
			return nil, f
		}
	}
	f.Loaded = true
	return rd, f
}

func describe(err error) string {
	if errors.Is(err, os.ErrNotExist) {
		return "file not found"
	}
	return err.Error()
}

// Files lists the configured files and whether each is in use.
func (db *DB) Files() []File { return append([]File(nil), db.files...) }

// Problems are one line per file that could not be used (nil when all are).
func (db *DB) Problems() []string {
	var out []string
	for _, f := range db.files {
		if !f.Loaded {
			what := "ASN and AS names"
			if f.Kind == "city" {
				what = "countries, cities and coordinates"
			}
			if f.Path == "" {
				out = append(out, fmt.Sprintf("%s (%s are not shown)", f.Error, what))
			} else {
				out = append(out, fmt.Sprintf("%s database %s: %s (%s are not shown)", f.Kind, f.Path, f.Error, what))
			}
		}
	}
	return out
}

// HasASN and HasCity report whether any file of that kind is in use.
func (db *DB) HasASN() bool  { return db.asn != nil }
func (db *DB) HasCity() bool { return len(db.city) > 0 }

// Close releases the files.
func (db *DB) Close() error {
	if db.asn != nil {
		db.asn.r.Close()
	}
	for _, r := range db.city {
		r.r.Close()
	}
	return nil
}

// Stats are the cache's counters.
type Stats struct {
	Hits, Misses, Errors uint64
	Cached               int
}

// Stats returns the cache counters.
func (db *DB) Stats() Stats {
	db.mu.Lock()
	n := len(db.cur) + len(db.old)
	db.mu.Unlock()
	return Stats{Hits: db.hits.Load(), Misses: db.miss.Load(), Errors: db.errs.Load(), Cached: n}
}

// Lookup returns what the files know about a (cached).
func (db *DB) Lookup(a netip.Addr) Info {
	a = a.Unmap()
	db.mu.Lock()
	if in, ok := db.cur[a]; ok {
		db.mu.Unlock()
		db.hits.Add(1)
		return in
	}
	if in, ok := db.old[a]; ok {
		db.put(a, in)
		db.mu.Unlock()
		db.hits.Add(1)
		return in
	}
	db.mu.Unlock()
	db.miss.Add(1)
	in := db.lookup(a)
	db.mu.Lock()
	db.put(a, in)
	db.mu.Unlock()
	return in
}

// put adds to the current generation; a full generation becomes the old
// one, so the addresses in use stay cached and the rest age out.
func (db *DB) put(a netip.Addr, in Info) {
	if len(db.cur) >= db.size {
		db.old, db.cur = db.cur, make(map[netip.Addr]Info, db.size)
	}
	db.cur[a] = in
}

func (db *DB) lookup(a netip.Addr) Info {
	var out Info
	if !a.IsValid() || !a.IsGlobalUnicast() || a.IsPrivate() {
		return out
	}
	if db.asn != nil && !(db.asn.v4only && !a.Is4()) {
		in, err := db.asn.asn(a)
		if err != nil {
			db.errs.Add(1)
		}
		out.ASN, out.ASName = in.ASN, in.ASName
	}
	for _, r := range db.city {
		if r.v4only && !a.Is4() {
			continue
		}
		in, err := r.city(a)
		if err != nil {
			db.errs.Add(1)
			continue
		}
		if in.Country == "" && !in.HasLocation {
			continue
		}
		out.Country, out.City, out.Lat, out.Lon, out.HasLocation = in.Country, in.City, in.Lat, in.Lon, in.HasLocation
		break
	}
	return out
}

type asnRecord struct {
	Number uint32 `maxminddb:"autonomous_system_number"`
	Org    string `maxminddb:"autonomous_system_organization"`
}

type flatCity struct {
	City    string  `maxminddb:"city"`
	Country string  `maxminddb:"country_code"`
	Lat     float64 `maxminddb:"latitude"`
	Lon     float64 `maxminddb:"longitude"`
}

type nestedCity struct {
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	Location struct {
		Lat *float64 `maxminddb:"latitude"`
		Lon *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
}

// record decodes the record a points at, once per record.
func (r *reader) record(a netip.Addr, decode func(res maxminddb.Result) (Info, error)) (Info, error) {
	res := r.r.Lookup(a)
	if err := res.Err(); err != nil {
		return Info{}, err
	}
	if !res.Found() {
		return Info{}, nil
	}
	off := res.Offset()
	r.mu.Lock()
	in, ok := r.records[off]
	r.mu.Unlock()
	if ok {
		return in, nil
	}
	in, err := decode(res)
	if err != nil {
		return Info{}, err
	}
	r.mu.Lock()
	if len(r.records) >= 1<<20 {
		clear(r.records) // bound: a city file has millions of records
	}
	r.records[off] = in
	r.mu.Unlock()
	return in, nil
}

func (r *reader) asn(a netip.Addr) (Info, error) {
	return r.record(a, func(res maxminddb.Result) (Info, error) {
		var rec asnRecord
		if err := res.Decode(&rec); err != nil {
			return Info{}, err
		}
		return Info{ASN: rec.Number, ASName: rec.Org}, nil
	})
}

func (r *reader) city(a netip.Addr) (Info, error) {
	return r.record(a, func(res maxminddb.Result) (Info, error) {
		if r.nested {
			var rec nestedCity
			if err := res.Decode(&rec); err != nil {
				return Info{}, err
			}
			in := Info{Country: rec.Country.ISOCode, City: rec.City.Names["en"]}
			if rec.Location.Lat != nil && rec.Location.Lon != nil {
				in.Lat, in.Lon, in.HasLocation = *rec.Location.Lat, *rec.Location.Lon, true
			}
			return in, nil
		}
		var rec flatCity
		if err := res.Decode(&rec); err != nil {
			return Info{}, err
		}
		in := Info{Country: rec.Country, City: rec.City, Lat: rec.Lat, Lon: rec.Lon}
		in.HasLocation = rec.Lat != 0 || rec.Lon != 0
		return in, nil
	})
}
