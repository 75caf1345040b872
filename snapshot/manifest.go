package snapshot

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// entryKind says what a manifest entry records.
type entryKind uint8

const (
	kindFile    entryKind = 1 // a regular file, content in object hash
	kindLink    entryKind = 2 // a symlink, target in link (never followed)
	kindSkipped entryKind = 3 // a file over the size limit, content not kept
	kindAbsent  entryKind = 4 // a path named in an edit checkpoint that did not exist
)

// entry is one path of a snapshot. The stat fields (mtime, ctime, ino) let
// the next full scan trust the hash without reading the file; mtime is zero
// when the file changed too recently for its stat to be trusted.
type entry struct {
	path  string // workspace-relative, slash-separated
	kind  entryKind
	mode  fs.FileMode // permission bits
	size  int64
	hash  hash
	link  string
	mtime int64
	ctime int64
	ino   uint64
}

// manifest is a snapshot: its Info and its entries sorted by path.
type manifest struct {
	info    Info
	entries []entry
	// base is the snapshot a delta manifest was written against, and depth
	// the number of deltas down to a whole manifest; "" and 0 for a whole
	// one.
	base  string
	depth int
}

// The manifest file is: magic, header (length, bytes, CRC-32), body (length,
// bytes), then a SHA-256 of all that precedes.
// List reads only the header, so it stays fast however big manifests grow;
// everything else verifies the trailing hash.
const manifestMagic = "HEARTH-SNAPSHOT\x01"

func (s *Store) manifestPath(id string) string {
	return filepath.Join(s.dir, "snapshots", id)
}

type encoder struct{ b []byte }

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) str(v string)     { e.uvarint(uint64(len(v))); e.b = append(e.b, v...) }

type decoder struct {
	b   []byte
	err error
}

var errTruncated = errors.New("truncated")

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string { return string(d.bytes(d.uvarint())) }

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errTruncated
	}
	d.b = nil
}

func encodeHeader(info *Info) []byte {
	var e encoder
	e.str(info.ID)
	e.varint(info.CreatedAt.UnixNano())
	e.str(string(info.Kind))
	e.str(info.Label)
	e.str(info.SessionID)
	e.uvarint(uint64(info.Files))
	e.uvarint(uint64(info.Bytes))
	e.uvarint(uint64(len(info.Scope)))
	for _, p := range info.Scope {
		e.str(p)
	}
	e.uvarint(uint64(len(info.Skipped)))
	for _, p := range info.Skipped {
		e.str(p)
	}
	return e.b
}

func decodeHeader(b []byte) (Info, error) {
	d := decoder{b: b}
	var info Info
	info.ID = d.str()
	info.CreatedAt = time.Unix(0, d.varint())
	info.Kind = Kind(d.str())
	info.Label = d.str()
	info.SessionID = d.str()
	info.Files = int(d.uvarint())
	info.Bytes = int64(d.uvarint())
	n := d.uvarint()
	for i := uint64(0); i < n && d.err == nil; i++ {
		info.Scope = append(info.Scope, d.str())
	}
	n = d.uvarint()
	for i := uint64(0); i < n && d.err == nil; i++ {
		info.Skipped = append(info.Skipped, d.str())
	}
	return info, d.err
}

// encodeBody writes entries with each path as the length it shares with the
// previous one plus the rest, which makes a sorted list of paths small.
func encodeBody(entries []entry) []byte {
	e := encoder{b: make([]byte, 0, len(entries)*72)}
	e.uvarint(uint64(len(entries)))
	prev := ""
	for i := range entries {
		en := &entries[i]
		n := 0
		for n < len(prev) && n < len(en.path) && prev[n] == en.path[n] {
			n++
		}
		e.uvarint(uint64(n))
		e.str(en.path[n:])
		prev = en.path
		e.b = append(e.b, byte(en.kind))
		e.uvarint(uint64(en.mode))
		e.uvarint(uint64(en.size))
		switch en.kind {
		case kindFile:
			e.b = append(e.b, en.hash[:]...)
			e.varint(en.mtime)
			e.varint(en.ctime)
			e.uvarint(en.ino)
		case kindLink:
			e.str(en.link)
		}
	}
	return e.b
}

func decodeBody(b []byte) ([]entry, error) {
	d := decoder{b: b}
	n := d.uvarint()
	if n > uint64(len(b)) {
		return nil, errTruncated
	}
	entries := make([]entry, 0, n)
	prev := ""
	for i := uint64(0); i < n && d.err == nil; i++ {
		var en entry
		shared := d.uvarint()
		if shared > uint64(len(prev)) {
			return nil, errTruncated
		}
		en.path = prev[:shared] + d.str()
		prev = en.path
		if !validRel(en.path) {
			return nil, fmt.Errorf("invalid path %q", en.path)
		}
		kb := d.bytes(1)
		if len(kb) == 1 {
			en.kind = entryKind(kb[0])
		}
		en.mode = fs.FileMode(d.uvarint())
		en.size = int64(d.uvarint())
		switch en.kind {
		case kindFile:
			copy(en.hash[:], d.bytes(32))
			en.mtime = d.varint()
			en.ctime = d.varint()
			en.ino = d.uvarint()
		case kindLink:
			en.link = d.str()
		case kindSkipped, kindAbsent:
		default:
			d.fail()
		}
		entries = append(entries, en)
	}
	return entries, d.err
}

func (s *Store) encodeManifest(m *manifest) []byte {
	// The body is not compressed: paths are already prefix-coded and the
	// hashes and stat data do not compress, so zstd saved about a quarter of
	// the size at the cost of most of an incremental snapshot's time.
	if b := s.deltaFor(m); b != nil {
		return b
	}
	m.base, m.depth = "", 0
	return frameManifest(manifestMagic, &m.info, encodeBody(m.entries))
}

// writeManifest makes the snapshot visible: objects are all in place before,
// and the rename is atomic, so a reader sees the whole snapshot or none.
func (s *Store) writeManifest(m *manifest) error {
	if err := s.writeStateFile(s.manifestPath(m.info.ID), s.encodeManifest(m)); err != nil {
		return fmt.Errorf("snapshot: writing manifest: %w", err)
	}
	return nil
}

// parseHeaderPrefix decodes the header from the start of a manifest file.
func parseHeaderPrefix(b []byte) (Info, []byte, error) {
	if !bytes.HasPrefix(b, []byte(manifestMagic)) && !bytes.HasPrefix(b, []byte(manifestDeltaMagic)) {
		return Info{}, nil, errors.New("not a snapshot manifest")
	}
	d := decoder{b: b[len(manifestMagic):]}
	h := d.bytes(d.uvarint())
	sum := d.bytes(4)
	if d.err != nil {
		return Info{}, nil, errTruncated
	}
	if binary.BigEndian.Uint32(sum) != crc32.ChecksumIEEE(h) {
		return Info{}, nil, errors.New("header checksum mismatch")
	}
	info, err := decodeHeader(h)
	for _, sc := range info.Scope {
		if sc != "" && !validRel(sc) {
			return info, nil, fmt.Errorf("invalid scope %q", sc)
		}
	}
	return info, d.b, err
}

// readInfo reads only a manifest's header.
func (s *Store) readInfo(id string) (Info, error) {
	f, err := os.Open(s.manifestPath(id))
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	buf := make([]byte, 16<<10)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return Info{}, err
	}
	info, _, herr := parseHeaderPrefix(buf[:n])
	if herr == errTruncated && n == len(buf) {
		// A header longer than the first read (many skipped files).
		all, err := os.ReadFile(s.manifestPath(id))
		if err != nil {
			return Info{}, err
		}
		info, _, herr = parseHeaderPrefix(all)
	}
	if herr != nil {
		return Info{}, fmt.Errorf("snapshot %s: %w", id, herr)
	}
	return info, nil
}

// loadManifest reads and verifies a manifest, following delta bases.
func (s *Store) loadManifest(id string) (*manifest, error) {
	return s.loadChain(id, nil, 0)
}

// listIDs returns the ids of all visible snapshots.
func (s *Store) listIDs() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(s.dir, "snapshots"))
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(ents))
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") && e.Type().IsRegular() {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

// List returns every snapshot, newest first. A manifest whose header cannot
// be read is left out, and reported in the error along with the rest.
func (s *Store) List() ([]Info, error) {
	ids, err := s.listIDs()
	if err != nil {
		return nil, err
	}
	infos := make([]Info, 0, len(ids))
	var errs []error
	for _, id := range ids {
		info, err := s.readInfo(id)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) { // pruned meanwhile
				errs = append(errs, err)
			}
			continue
		}
		infos = append(infos, info)
	}
	sortInfos(infos)
	return infos, errors.Join(errs...)
}

func sortInfos(infos []Info) {
	sort.Slice(infos, func(i, j int) bool {
		a, b := infos[i], infos[j]
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.After(b.CreatedAt)
		}
		return a.ID > b.ID
	})
}

// Get returns the snapshot with the given id, a unique prefix of one, or the
// unique random part after its "-".
func (s *Store) Get(id string) (Info, error) {
	full, err := s.resolve(id)
	if err != nil {
		return Info{}, err
	}
	return s.readInfo(full)
}

func (s *Store) resolve(id string) (string, error) {
	if id == "" || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") {
		return "", fmt.Errorf("snapshot: invalid id %q", id)
	}
	if _, err := os.Lstat(s.manifestPath(id)); err == nil {
		return id, nil
	}
	ids, err := s.listIDs()
	if err != nil {
		return "", err
	}
	var found []string
	for _, x := range ids {
		if strings.HasPrefix(x, id) || strings.HasSuffix(x, "-"+id) {
			found = append(found, x)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("snapshot: no snapshot %q", id)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("snapshot: %q is ambiguous (%d snapshots match)", id, len(found))
}

// validRel reports whether p is a clean workspace-relative path outside
// .git. Manifests are checked with it, so that a tampered state directory
// cannot make a restore write outside the workspace or into git's data.
func validRel(p string) bool {
	if p == "" || p[0] == '/' || strings.ContainsRune(p, '\\') && filepath.Separator == '\\' {
		return false
	}
	for len(p) > 0 {
		part := p
		if i := strings.IndexByte(p, '/'); i >= 0 {
			part, p = p[:i], p[i+1:]
			if p == "" {
				return false
			}
		} else {
			p = ""
		}
		if part == "" || part == "." || part == ".." || part == ".git" {
			return false
		}
	}
	return true
}

// covers reports whether a scope list speaks for path p.
func covers(scope []string, p string) bool {
	for _, s := range scope {
		if s == "" || p == s || (strings.HasPrefix(p, s) && p[len(s)] == '/') {
			return true
		}
	}
	return false
}

// find returns the entry for p, or nil.
func (m *manifest) find(p string) *entry {
	i := sort.Search(len(m.entries), func(i int) bool { return m.entries[i].path >= p })
	if i < len(m.entries) && m.entries[i].path == p {
		return &m.entries[i]
	}
	return nil
}

// summarize fills the counts of info from the entries.
func (m *manifest) summarize() {
	m.info.Files, m.info.Bytes, m.info.Skipped = 0, 0, nil
	for i := range m.entries {
		switch e := &m.entries[i]; e.kind {
		case kindFile, kindLink:
			m.info.Files++
			m.info.Bytes += e.size
		case kindSkipped:
			m.info.Skipped = append(m.info.Skipped, e.path)
		}
	}
}
