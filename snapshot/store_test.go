package snapshot

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestIncrementalSnapshotReadsOnlyChangedFiles(t *testing.T) {
	spec := tree{".gitignore": "skip/\n"}
	for i := 0; i < 50; i++ {
		spec[fmt.Sprintf("d%d/f%d.txt", i%5, i)] = fmt.Sprintf("file %d\n", i)
	}
	spec["skip/big.bin"] = "ignored"
	s, root := newStore(t, spec)
	first := mustFull(t, s, Meta{})
	if first.Files != 51 {
		t.Fatalf("first snapshot has %d files, want 51", first.Files)
	}
	old := time.Now().Add(-time.Hour)
	for _, p := range []string{"d0/f0.txt", "d1/f1.txt"} {
		write(root, p, "changed\n", 0o644)
		os.Chtimes(filepath.Join(root, p), old, old)
	}
	before := filesRead.Load()
	second := mustFull(t, s, Meta{})
	if n := filesRead.Load() - before; n != 2 {
		t.Errorf("incremental snapshot read %d files, want 2", n)
	}
	// A fresh Store (another process) loads the cache from disk, once the
	// first has closed and so written its pointer to the newest one.
	s.Close()
	s2, err := Open(s.dir, root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	before = filesRead.Load()
	third, err := s2.Full(context.Background(), Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if n := filesRead.Load() - before; n != 0 {
		t.Errorf("snapshot of an unchanged workspace read %d files, want 0", n)
	}
	d, err := s2.Diff(context.Background(), first.ID, third.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(d, "diff --git") != 2 {
		t.Errorf("diff first..third:\n%s\nwant the two changed files", d)
	}
	if second.Files != 51 || third.Bytes != second.Bytes {
		t.Errorf("second %+v third %+v", second, third)
	}
}

func TestSizeLimitRecordsSkipped(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, tree{"small.txt": "ok\n", "big.bin": strings.Repeat("x", 2000)})
	s, err := Open(t.TempDir(), root, Options{MaxFileBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	info := mustFull(t, s, Meta{})
	if info.Files != 1 || strings.Join(info.Skipped, ",") != "big.bin" {
		t.Fatalf("info %+v, want 1 file and big.bin skipped", info)
	}
	got, _ := s.Get(info.ID)
	if strings.Join(got.Skipped, ",") != "big.bin" {
		t.Errorf("Get lost the skipped list: %+v", got)
	}
	// A restore leaves the skipped file alone.
	write(root, "big.bin", "now small", 0o644)
	if _, err := s.Restore(context.Background(), info.ID, nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "big.bin")); string(b) != "now small" {
		t.Errorf("big.bin = %q", b)
	}
}

func TestListGetAndIDs(t *testing.T) {
	s, _ := newStore(t, tree{"a": "a\n"})
	a := mustFull(t, s, Meta{Label: "one", SessionID: "s"})
	b := mustFull(t, s, Meta{Label: "two"})
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID || list[1].Label != "one" || list[1].SessionID != "s" {
		t.Fatalf("List = %+v, want two, then one", list)
	}
	suffix := a.ID[strings.LastIndexByte(a.ID, '-')+1:]
	for _, q := range []string{a.ID, suffix} {
		if got, err := s.Get(q); err != nil || got.ID != a.ID {
			t.Errorf("Get(%q) = %v, %v", q, got.ID, err)
		}
	}
	if _, err := s.Get("2"); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("Get of an ambiguous prefix: %v", err)
	}
	if _, err := s.Get("../x"); err == nil {
		t.Error("Get accepted a path")
	}
}

// fakeClock returns times a minute apart.
func fakeClock() func() time.Time {
	var n atomic.Int64
	start := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Minute) }
}

func TestPruneKeepsRecentSessionsAndBudget(t *testing.T) {
	for _, packed := range []bool{false, true} {
		t.Run(map[bool]string{false: "loose", true: "packed"}[packed], func(t *testing.T) {
			defer setPackThreshold(packed)()
			testPrune(t)
		})
	}
}

func testPrune(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	writeTree(t, root, tree{"f": "start\n"})
	s, err := Open(t.TempDir(), root, Options{KeepSessions: 2, MaxStoreBytes: -1, Now: fakeClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	snap := func(content, session string) string {
		write(root, "f", content, 0o644)
		return mustFull(t, s, Meta{SessionID: session}).ID
	}
	a1 := snap("only in session a\n", "a")
	a2 := snap("also only in a\n", "a")
	b1 := snap("session b\n", "b")
	n1 := snap("no session\n", "")
	c1 := snap("session c\n", "c")
	c2 := snap("session c again\n", "c")
	res, err := s.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := s.List()
	var ids []string
	for _, info := range list {
		ids = append(ids, info.ID)
	}
	if strings.Join(ids, ",") != strings.Join([]string{c2, c1, n1}, ",") {
		t.Errorf("kept %v, want the two newest sessions: %v", ids, []string{c2, c1, n1})
	}
	if res.Objects != 3 || len(res.Removed) != 3 {
		t.Errorf("prune %+v, want 3 snapshots (%s %s %s) and their 3 objects removed", res, a1, a2, b1)
	}
	if err := s.Verify(ctx); err != nil {
		t.Fatal(err)
	}

	// A budget drops the oldest snapshots, never the newest.
	root2 := t.TempDir()
	s2, err := Open(t.TempDir(), root2, Options{KeepSessions: -1, MaxStoreBytes: 250 << 10, Now: fakeClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	var made []string
	for i := 0; i < 4; i++ {
		b := make([]byte, 100<<10)
		rand.Read(b) // incompressible
		os.WriteFile(filepath.Join(root2, "blob"), b, 0o644)
		made = append(made, mustFull(t, s2, Meta{}).ID)
	}
	res, err = s2.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	list, _ = s2.List()
	if len(list) != 2 || list[0].ID != made[3] || list[1].ID != made[2] || res.StoreBytes > 250<<10 {
		t.Errorf("kept %d snapshots (%+v), want the newest 2 under the budget", len(list), res)
	}
	if _, err := s2.Restore(ctx, made[2], nil); err != nil {
		t.Fatal(err)
	}
}

func TestLockSerialisesGoroutines(t *testing.T) {
	ctx := context.Background()
	s1, root := newStore(t, baseTree)
	s2, err := Open(s1.dir, root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	var inside, overlaps atomic.Int32
	lockHook = func(held bool) {
		if held {
			if inside.Add(1) > 1 {
				overlaps.Add(1)
			}
			time.Sleep(time.Millisecond) // widen the window a race would need
		} else {
			inside.Add(-1)
		}
	}
	defer func() { lockHook = nil }()
	first := mustFull(t, s1, Meta{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g, s := range []*Store{s1, s2, s1} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				var err error
				switch (g + i) % 3 {
				case 0:
					_, err = s.Full(ctx, Meta{})
				case 1:
					_, err = s.Restore(ctx, first.ID, nil)
				case 2:
					_, err = s.Checkpoint(ctx, []string{"README.md"}, Meta{})
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if overlaps.Load() > 0 {
		t.Fatalf("%d operations overlapped", overlaps.Load())
	}
	if err := s1.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

// helperEnv selects a helper mode when this test binary is re-executed.
const helperEnv = "HEARTH_SNAPSHOT_HELPER"

// TestLockHelper holds the store lock for another process until told to let go.
func TestLockHelper(t *testing.T) {
	if os.Getenv(helperEnv) != "lock" {
		t.Skip("helper process only")
	}
	s, err := Open(os.Getenv("STATE"), os.Getenv("ROOT"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := s.lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("locked")
	bufio.NewReader(os.Stdin).ReadString('\n')
	unlock()
}

func TestLockSerialisesProcesses(t *testing.T) {
	s, root := newStore(t, baseTree)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelper$")
	cmd.Env = append(os.Environ(), helperEnv+"=lock", "STATE="+s.dir, "ROOT="+root)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "locked\n" {
		t.Fatalf("helper said %q", line)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, err := s.Full(ctx, Meta{})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Full while another process holds the lock: %v, want a timeout", err)
	}
	stdin.Write([]byte("go\n"))
	if _, err := s.Full(context.Background(), Meta{}); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
}

func TestPruneKeepsTheBaseOfIncrementalScans(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	writeTree(t, root, tree{"f": "x\n", "g": "y\n"})
	s, err := Open(t.TempDir(), root, Options{KeepSessions: 1, Now: fakeClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	full := mustFull(t, s, Meta{SessionID: "old"})
	old := mustFull(t, s, Meta{SessionID: "old"})
	cp, err := s.Checkpoint(ctx, []string{"f"}, Meta{SessionID: "new"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	list, _ := s.List()
	if len(list) != 2 || list[0].ID != cp.ID || list[1].ID != old.ID {
		t.Fatalf("kept %+v, want the new session's checkpoint and the newest full snapshot (not %s)", list, full.ID)
	}
	before := filesRead.Load()
	mustFull(t, s, Meta{})
	if n := filesRead.Load() - before; n != 0 {
		t.Errorf("the full snapshot after prune read %d files, want 0", n)
	}
}
