package snapshot

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// A scan that stores more than a few new contents appends them to one pack
// file instead of creating a file per object: creating tens of thousands of
// small files is what makes a shadow git repository slow. Contents are
// grouped into chunks of about chunkSize, each compressed as a whole, which
// costs less per byte than compressing files one by one and shares what
// similar files have in common. A pack is objects/pack/<name>.pack (the
// chunks, each a tag byte and raw or zstd bytes) and <name>.idx (records
// sorted by hash: chunk offset and length, offset and length inside the
// chunk, and the object's share of the stored bytes). Both are written under
// tmp/ and renamed, the pack first: a pack is visible once its index is.
// Packs are never changed; Prune deletes those no snapshot uses and turns
// the live objects of mostly dead ones into loose objects.

// packThreshold is the number of new objects from which a scan packs them
// (a variable so that tests can drive small workspaces through packs).
var packThreshold = 8

const (
	chunkSize = 1 << 20
	minChunk  = 32 << 10 // below this, compression loses too much
	idxRecord = 32 + 8 + 4 + 4 + 4 + 4
)

type packLoc struct {
	pack     string // name without extension
	chunkOff int64
	chunkLen uint32
	objOff   uint32
	objLen   uint32
	cost     uint32 // the object's share of the chunk's stored bytes
}

// packIndex maps hashes to their place in the packs that exist.
type packIndex struct {
	mu    sync.Mutex
	byObj map[hash]packLoc    // guarded by mu
	packs map[string]bool     // loaded pack names; guarded by mu
	files map[string]*os.File // open pack files; guarded by mu
	// The last chunk read, since a restore reads its files in path order
	// and neighbours share chunks. Guarded by mu; the bytes are never changed.
	lastPack  string
	lastOff   int64
	lastChunk []byte
}

func (s *Store) packDir() string { return filepath.Join(s.dir, "objects", "pack") }

// lookupPacked finds h in the packs. With reload, a miss first loads the
// indexes of packs that appeared since the last look (another process's); a
// check that only avoids storing a duplicate need not pay for that.
func (s *Store) lookupPacked(h hash, reload bool) (packLoc, bool) {
	px := &s.packs
	px.mu.Lock()
	defer px.mu.Unlock()
	if loc, ok := px.byObj[h]; ok || (!reload && px.byObj != nil) {
		return loc, ok
	}
	s.loadPackIndexesLocked()
	loc, ok := px.byObj[h]
	return loc, ok
}

// loadPackIndexesLocked syncs the in-memory index with the pack directory.
func (s *Store) loadPackIndexesLocked() {
	px := &s.packs
	if px.byObj == nil {
		px.byObj, px.packs, px.files = map[hash]packLoc{}, map[string]bool{}, map[string]*os.File{}
	}
	ents, err := os.ReadDir(s.packDir())
	if err != nil {
		return
	}
	present := map[string]bool{}
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".idx")
		if !ok {
			continue
		}
		present[name] = true
		if px.packs[name] {
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.packDir(), e.Name()))
		if err != nil || len(data)%idxRecord != 0 {
			continue // corrupt: its objects read as missing
		}
		be := binary.BigEndian
		for i := 0; i < len(data); i += idxRecord {
			var h hash
			copy(h[:], data[i:i+32])
			r := data[i+32:]
			px.byObj[h] = packLoc{pack: name, chunkOff: int64(be.Uint64(r)), chunkLen: be.Uint32(r[8:]),
				objOff: be.Uint32(r[12:]), objLen: be.Uint32(r[16:]), cost: be.Uint32(r[20:])}
		}
		px.packs[name] = true
	}
	// Forget packs another process pruned.
	for name := range px.packs {
		if !present[name] {
			delete(px.packs, name)
			if f := px.files[name]; f != nil {
				f.Close()
				delete(px.files, name)
			}
			for h, loc := range px.byObj {
				if loc.pack == name {
					delete(px.byObj, h)
				}
			}
		}
	}
}

// readPacked returns the content of object h from its pack, unverified.
func (s *Store) readPacked(h hash) ([]byte, error) {
	loc, ok := s.lookupPacked(h, true)
	if !ok {
		return nil, os.ErrNotExist
	}
	chunk, err := s.readChunk(loc)
	if err != nil {
		return nil, err
	}
	if uint64(loc.objOff)+uint64(loc.objLen) > uint64(len(chunk)) {
		return nil, errCorrupt
	}
	return chunk[loc.objOff : loc.objOff+loc.objLen], nil
}

func (s *Store) readChunk(loc packLoc) ([]byte, error) {
	px := &s.packs
	px.mu.Lock()
	if px.lastChunk != nil && px.lastPack == loc.pack && px.lastOff == loc.chunkOff {
		c := px.lastChunk
		px.mu.Unlock()
		return c, nil
	}
	f := px.files[loc.pack]
	if f == nil {
		var err error
		if f, err = os.Open(filepath.Join(s.packDir(), loc.pack+".pack")); err != nil {
			px.mu.Unlock()
			return nil, err
		}
		px.files[loc.pack] = f
	}
	px.mu.Unlock()
	buf := make([]byte, loc.chunkLen)
	if _, err := f.ReadAt(buf, loc.chunkOff); err != nil {
		return nil, errCorrupt // a truncated pack
	}
	chunk, err := s.decodeObject(buf)
	if err != nil {
		return nil, err
	}
	px.mu.Lock()
	px.lastPack, px.lastOff, px.lastChunk = loc.pack, loc.chunkOff, chunk
	px.mu.Unlock()
	return chunk, nil
}

// closePacks closes the open pack files.
func (s *Store) closePacks() {
	px := &s.packs
	px.mu.Lock()
	defer px.mu.Unlock()
	for name, f := range px.files {
		f.Close()
		delete(px.files, name)
	}
	px.lastChunk = nil
}

// packWriter collects new objects into one pack.
type packWriter struct {
	s    *Store
	mu   sync.Mutex
	f    *os.File         // guarded by mu
	off  int64            // end of the pack file; guarded by mu
	recs map[hash]packLoc // guarded by mu
	cur  []byte           // the chunk being filled; guarded by mu
	objs []hash           // the objects in cur; guarded by mu
	err  error            // guarded by mu
	// chunkMax is where a chunk is cut: chunkSize for a large scan, less
	// for a small one, so that the hashing workers compress their chunks in
	// parallel instead of one compressing everything at the end. Set before
	// the first put.
	chunkMax int
}

func (s *Store) newPackWriter() (*packWriter, error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "pack-*")
	if err != nil {
		return nil, err
	}
	return &packWriter{s: s, f: f, recs: map[hash]packLoc{}, chunkMax: chunkSize}, nil
}

// put adds data unless the store or this pack already has it.
func (w *packWriter) put(h hash, data []byte) error {
	if _, err := os.Lstat(w.s.objectPath(h)); err == nil {
		return nil
	}
	if _, ok := w.s.lookupPacked(h, false); ok {
		return nil
	}
	w.mu.Lock()
	if _, dup := w.recs[h]; dup || w.err != nil {
		w.mu.Unlock()
		return w.err
	}
	w.recs[h] = packLoc{objOff: uint32(len(w.cur)), objLen: uint32(len(data))}
	w.cur = append(w.cur, data...)
	w.objs = append(w.objs, h)
	if len(w.cur) < w.chunkMax {
		w.mu.Unlock()
		return nil
	}
	chunk, objs := w.cur, w.objs
	w.cur, w.objs = nil, nil
	w.mu.Unlock()
	return w.flush(chunk, objs)
}

// flush compresses a full chunk (in parallel with other workers) and
// appends it to the pack.
func (w *packWriter) flush(chunk []byte, objs []hash) error {
	if len(chunk) == 0 {
		return nil
	}
	enc := w.s.encodeObject(chunk)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if _, err := w.f.Write(enc); err != nil {
		w.err = err
		return err
	}
	for _, h := range objs {
		loc := w.recs[h]
		loc.chunkOff, loc.chunkLen = w.off, uint32(len(enc))
		loc.cost = uint32(uint64(loc.objLen) * uint64(len(enc)) / uint64(len(chunk)))
		w.recs[h] = loc
	}
	w.off += int64(len(enc))
	return nil
}

// finish makes the pack visible (or removes it when empty or on error).
func (w *packWriter) finish(failed bool) error {
	if !failed {
		w.mu.Lock()
		chunk, objs := w.cur, w.objs
		w.cur, w.objs = nil, nil
		w.mu.Unlock()
		if err := w.flush(chunk, objs); err != nil {
			failed = true
		}
	}
	tmp := w.f.Name()
	err := w.f.Close()
	if failed || w.err != nil || err != nil || len(w.recs) == 0 {
		os.Remove(tmp)
		if w.err != nil {
			return w.err
		}
		return err
	}
	hs := make([]hash, 0, len(w.recs))
	for h := range w.recs {
		hs = append(hs, h)
	}
	sort.Slice(hs, func(i, j int) bool { return string(hs[i][:]) < string(hs[j][:]) })
	idx := make([]byte, 0, len(hs)*idxRecord)
	be := binary.BigEndian
	for _, h := range hs {
		r := w.recs[h]
		idx = append(idx, h[:]...)
		idx = be.AppendUint64(idx, uint64(r.chunkOff))
		idx = be.AppendUint32(idx, r.chunkLen)
		idx = be.AppendUint32(idx, r.objOff)
		idx = be.AppendUint32(idx, r.objLen)
		idx = be.AppendUint32(idx, r.cost)
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	name := hex.EncodeToString(rnd[:])
	if err := os.MkdirAll(w.s.packDir(), 0o700); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, filepath.Join(w.s.packDir(), name+".pack")); err != nil {
		os.Remove(tmp)
		return err
	}
	return w.s.writeStateFile(filepath.Join(w.s.packDir(), name+".idx"), idx)
}

// objectSize returns the stored size of object h, or -1 when it is missing.
func (s *Store) objectSize(h hash) int64 {
	if fi, err := os.Lstat(s.objectPath(h)); err == nil {
		return fi.Size()
	}
	if loc, ok := s.lookupPacked(h, true); ok {
		return int64(loc.cost)
	}
	return -1
}

// prunePacks deletes packs with no live object and rewrites packs whose live
// objects are less than half of them into loose objects. It returns the
// number of dead objects dropped and the bytes freed.
func (s *Store) prunePacks(live map[hash]int) (int, int64, error) {
	px := &s.packs
	px.mu.Lock()
	s.loadPackIndexesLocked()
	type stat struct {
		liveN, deadN int
		liveB, deadB int64
		liveObjs     []hash
	}
	stats := map[string]*stat{}
	for h, loc := range px.byObj {
		st := stats[loc.pack]
		if st == nil {
			st = &stat{}
			stats[loc.pack] = st
		}
		if live[h] > 0 {
			st.liveN++
			st.liveB += int64(loc.cost)
			st.liveObjs = append(st.liveObjs, h)
		} else {
			st.deadN++
			st.deadB += int64(loc.cost)
		}
	}
	px.mu.Unlock()
	var n int
	var freed int64
	// A pack renamed into place by a process killed before its index was.
	if ents, err := os.ReadDir(s.packDir()); err == nil {
		for _, e := range ents {
			if name, ok := strings.CutSuffix(e.Name(), ".pack"); ok && stats[name] == nil {
				if _, err := os.Lstat(filepath.Join(s.packDir(), name+".idx")); errors.Is(err, os.ErrNotExist) {
					os.Remove(filepath.Join(s.packDir(), e.Name()))
				}
			}
		}
	}
	for name, st := range stats {
		if st.deadN == 0 || (st.liveN > 0 && st.deadB < st.liveB) {
			continue
		}
		// Copy the live objects out first, so that a kill leaves them twice
		// rather than nowhere.
		for _, h := range st.liveObjs {
			data, err := s.readObject(h, "a packed file")
			if err != nil {
				return n, freed, fmt.Errorf("snapshot: repacking: %w", err)
			}
			if err := s.writeStateFile(s.objectPath(h), s.encodeObject(data)); err != nil {
				return n, freed, err
			}
		}
		if err := os.Remove(filepath.Join(s.packDir(), name+".idx")); err != nil {
			return n, freed, err
		}
		os.Remove(filepath.Join(s.packDir(), name+".pack"))
		n += st.deadN
		freed += st.deadB
		px.mu.Lock()
		s.loadPackIndexesLocked()
		px.mu.Unlock()
	}
	return n, freed, nil
}
