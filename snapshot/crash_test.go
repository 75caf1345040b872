package snapshot

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hearth-dev/hearth/internal/atomicfile"
)

const crashFiles = 40

// crashContent is version v of file i: a line repeated, so that a torn write
// shows as a file that is not exactly some version.
func crashContent(i, v int) []byte {
	line := fmt.Sprintf("file %d version %d\n", i, v)
	return []byte(strings.Repeat(line, 200+i*50))
}

// validCrashContent reports whether b is exactly one version of file i.
func validCrashContent(i int, b []byte) bool {
	nl := strings.IndexByte(string(b), '\n')
	if nl < 0 {
		return false
	}
	var fi, v int
	if _, err := fmt.Sscanf(string(b[:nl+1]), "file %d version %d\n", &fi, &v); err != nil || fi != i {
		return false
	}
	return string(b) == string(crashContent(i, v))
}

// TestCrashHelper is the process TestCrashLeavesStoreConsistent kills: it
// edits the workspace (atomically, like an editor) and snapshots, restores
// and prunes as fast as it can.
func TestCrashHelper(t *testing.T) {
	if os.Getenv(helperEnv) != "crash" {
		t.Skip("helper process only")
	}
	root := os.Getenv("ROOT")
	s, err := Open(os.Getenv("STATE"), root, Options{KeepSessions: 6})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	seed, _ := strconv.ParseUint(os.Getenv("SEED"), 10, 64)
	// Every other run packs what it stores, so kills hit both paths.
	setPackThreshold(seed%2 == 0)
	r := rand.New(rand.NewPCG(seed, 1))
	fmt.Println("ready")
	for v := int(seed) * 1000; ; v++ {
		for k := 0; k < 5; k++ {
			i := r.IntN(crashFiles)
			p := filepath.Join(root, fmt.Sprintf("d%d", i%4), fmt.Sprintf("f%d", i))
			if r.IntN(4) == 0 {
				os.Remove(p)
			} else {
				os.MkdirAll(filepath.Dir(p), 0o755)
				atomicfile.WriteFile(p, crashContent(i, v), 0o644)
			}
		}
		switch r.IntN(4) {
		case 0:
			s.Checkpoint(ctx, []string{fmt.Sprintf("d%d/f%d", r.IntN(4), r.IntN(crashFiles))}, Meta{})
		case 1, 2:
			s.Full(ctx, Meta{})
		case 3:
			if list, _ := s.List(); len(list) > 0 {
				s.Restore(ctx, list[r.IntN(len(list))].ID, nil)
			}
			s.Prune(ctx)
		}
	}
}

// TestCrashLeavesStoreConsistent kills a snapshotting, restoring, pruning
// process at random moments, then checks that the store verifies (every
// listed manifest's objects exist and match), that no temporary file
// survives the next Open, and that every workspace file is one whole version.
func TestCrashLeavesStoreConsistent(t *testing.T) {
	if testing.Short() {
		t.Skip("takes ~10 s")
	}
	root, state := t.TempDir(), filepath.Join(t.TempDir(), "state")
	deadline := time.Now().Add(8 * time.Second)
	kills := 0
	for iter := 1; time.Now().Before(deadline); iter++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
		cmd.Env = append(os.Environ(), helperEnv+"=crash", "STATE="+state, "ROOT="+root, fmt.Sprintf("SEED=%d", iter))
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper said %q", line)
		}
		time.Sleep(time.Duration(rand.IntN(60)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		kills++

		s, err := Open(state, root, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Verify(context.Background()); err != nil {
			t.Fatalf("after kill %d the store is inconsistent: %v", iter, err)
		}
		if tmp, _ := os.ReadDir(filepath.Join(s.dir, "tmp")); len(tmp) > 0 {
			t.Fatalf("after kill %d, Open left %d temporary files", iter, len(tmp))
		}
		if _, err := s.List(); err != nil {
			t.Fatalf("after kill %d: %v", iter, err)
		}
		s.Close()
		for i := 0; i < crashFiles; i++ {
			p := filepath.Join(root, fmt.Sprintf("d%d", i%4), fmt.Sprintf("f%d", i))
			b, err := os.ReadFile(p)
			if err == nil && !validCrashContent(i, b) {
				t.Fatalf("after kill %d, %s is torn (%d bytes)", iter, p, len(b))
			}
		}
	}
	t.Logf("%d kills", kills)
}
