package snapshot

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"strings"
)

// A whole-workspace snapshot usually differs from the previous one in a few
// files, so its manifest is written as a delta: the id of its base (the
// previous whole-workspace snapshot), the paths removed and the entries
// added or changed. Reading it reads the chain of bases down to a whole
// manifest. The file is a manifest with manifestDeltaMagic, the same header
// and trailer, and a body of: base id, depth (bases down to a whole
// manifest), the removed paths, then the changed entries coded as a body.
// Prune keeps every base a kept snapshot needs.
const manifestDeltaMagic = "HEARTH-SNAPSHOT\x02"

const (
	// maxDeltaDepth bounds the chain a read has to follow: the snapshot
	// after that many deltas is written whole again.
	maxDeltaDepth = 16
	// A delta is written only while it is smaller than this fraction of
	// the entries (1/deltaFraction), since past that it saves little.
	deltaFraction = 8
)

// diffEntries returns the entries of cur not in base exactly as they are
// there (stat data included), and the paths of base that cur lacks; both
// lists are path-sorted.
func diffEntries(base, cur []entry) (changed []entry, removed []string) {
	i, j := 0, 0
	for i < len(base) || j < len(cur) {
		// Most entries are the very same (their path strings shared), which
		// the equality test sees at once; ordering strings costs more.
		if i < len(base) && j < len(cur) && base[i].path == cur[j].path {
			if base[i] != cur[j] {
				changed = append(changed, cur[j])
			}
			i++
			j++
			continue
		}
		switch {
		case j == len(cur) || i < len(base) && base[i].path < cur[j].path:
			removed = append(removed, base[i].path)
			i++
		default:
			changed = append(changed, cur[j])
			j++
		}
	}
	return changed, removed
}

// applyDelta returns base's entries minus removed, with changed merged in.
func applyDelta(base []entry, changed []entry, removed []string) []entry {
	kept := base
	if len(removed) > 0 {
		kept = make([]entry, 0, len(base))
		r := 0
		for _, e := range base {
			for r < len(removed) && removed[r] < e.path {
				r++
			}
			if r < len(removed) && removed[r] == e.path {
				continue
			}
			kept = append(kept, e)
		}
	}
	return mergeEntries(kept, changed)
}

// deltaFor returns the delta manifest file of m against the cached
// whole-workspace manifest, or nil when m should be written whole. The
// caller holds the lock, so the base cannot be pruned meanwhile.
func (s *Store) deltaFor(m *manifest) []byte {
	base := s.cache
	if base == nil || base.depth >= maxDeltaDepth || len(m.info.Scope) != 1 || m.info.Scope[0] != "" {
		return nil
	}
	changed, removed := diffEntries(base.entries, m.entries)
	if (len(changed)+len(removed))*deltaFraction > len(m.entries) {
		return nil
	}
	if _, err := os.Lstat(s.manifestPath(base.info.ID)); err != nil {
		return nil
	}
	var body encoder
	body.str(base.info.ID)
	body.uvarint(uint64(base.depth + 1))
	body.uvarint(uint64(len(removed)))
	for _, p := range removed {
		body.str(p)
	}
	body.b = append(body.b, encodeBody(changed)...)
	m.base, m.depth = base.info.ID, base.depth+1
	return frameManifest(manifestDeltaMagic, &m.info, body.b)
}

// frameManifest puts magic, header, body and trailing hash together.
func frameManifest(magic string, info *Info, body []byte) []byte {
	var e encoder
	e.b = make([]byte, 0, len(magic)+len(body)+256)
	e.b = append(e.b, magic...)
	h := encodeHeader(info)
	e.uvarint(uint64(len(h)))
	e.b = append(e.b, h...)
	e.b = binary.BigEndian.AppendUint32(e.b, crc32.ChecksumIEEE(h))
	e.uvarint(uint64(len(body)))
	e.b = append(e.b, body...)
	sum := sha256.Sum256(e.b)
	return append(e.b, sum[:]...)
}

// loadChain reads and verifies manifest id, following delta bases; memo,
// when not nil, keeps what was read for later calls. depth counts the
// deltas followed so far, so that a tampered chain cannot loop.
func (s *Store) loadChain(id string, memo map[string]*manifest, depth int) (*manifest, error) {
	if m := memo[id]; m != nil {
		return m, nil
	}
	b, err := os.ReadFile(s.manifestPath(id))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("snapshot: no snapshot %s", id)
		}
		return nil, err
	}
	if len(b) < sha256.Size || sha256.Sum256(b[:len(b)-sha256.Size]) != hash(b[len(b)-sha256.Size:]) {
		return nil, fmt.Errorf("snapshot: manifest of %s is corrupt", id)
	}
	info, rest, err := parseHeaderPrefix(b[:len(b)-sha256.Size])
	if err != nil {
		return nil, fmt.Errorf("snapshot: manifest of %s: %w", id, err)
	}
	d := decoder{b: rest}
	body := d.bytes(d.uvarint())
	if d.err != nil {
		return nil, fmt.Errorf("snapshot: manifest of %s is truncated", id)
	}
	m := &manifest{info: info}
	if !bytes.HasPrefix(b, []byte(manifestDeltaMagic)) {
		if m.entries, err = decodeBody(body); err != nil {
			return nil, fmt.Errorf("snapshot: manifest of %s: %w", id, err)
		}
	} else if err := s.resolveDelta(m, body, memo, depth); err != nil {
		return nil, fmt.Errorf("snapshot: manifest of %s: %w", id, err)
	}
	if memo != nil {
		memo[id] = m
	}
	return m, nil
}

// resolveDelta fills m's entries from a delta body and its base.
func (s *Store) resolveDelta(m *manifest, body []byte, memo map[string]*manifest, depth int) error {
	d := decoder{b: body}
	m.base = d.str()
	m.depth = int(d.uvarint())
	n := d.uvarint()
	if d.err != nil || n > uint64(len(body)) {
		return errTruncated
	}
	removed := make([]string, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		p := d.str()
		if len(removed) > 0 && p <= removed[len(removed)-1] {
			return errors.New("removed paths out of order")
		}
		removed = append(removed, p)
	}
	if d.err != nil {
		return errTruncated
	}
	changed, err := decodeBody(d.b)
	if err != nil {
		return err
	}
	if m.base == "" || strings.ContainsAny(m.base, `/\`) || strings.HasPrefix(m.base, ".") || m.base == m.info.ID {
		return fmt.Errorf("invalid base %q", m.base)
	}
	if m.depth < 1 || m.depth > maxDeltaDepth || depth >= maxDeltaDepth {
		return fmt.Errorf("delta chain too long at base %s", m.base)
	}
	base, err := s.loadChain(m.base, memo, depth+1)
	if err != nil {
		return fmt.Errorf("base %s: %w", m.base, err)
	}
	for i := 1; i < len(changed); i++ {
		if changed[i-1].path >= changed[i].path {
			return errors.New("changed entries out of order")
		}
	}
	m.entries = applyDelta(base.entries, changed, removed)
	// The header's counts were taken from the whole list when it was
	// written: a delta applied to the wrong base shows here.
	files, bytes := m.info.Files, m.info.Bytes
	m.summarize()
	if m.info.Files != files || m.info.Bytes != bytes {
		return fmt.Errorf("delta does not match its base %s", m.base)
	}
	return nil
}
