//go:build linux || darwin

package snapshot

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The benchmark workspace is generated once into a cache directory outside
// the repository and reused. Its size is tunable for quick runs:
//
//	HEARTH_BENCH_DIR         where to keep it (default: user cache dir/hearth/bench)
//	HEARTH_BENCH_FILES       files tracked (default 20000)
//	HEARTH_BENCH_FILE_BYTES  their mean size (default 10000, so about 200 MB)
//	HEARTH_BENCH_IGNORED     files in the ignored node_modules (default 3000)
func benchWorkspace(b *testing.B) string {
	b.Helper()
	files := envInt("HEARTH_BENCH_FILES", 20000)
	mean := envInt("HEARTH_BENCH_FILE_BYTES", 10000)
	ignored := envInt("HEARTH_BENCH_IGNORED", 3000)
	base := os.Getenv("HEARTH_BENCH_DIR")
	if base == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			b.Fatal(err)
		}
		base = filepath.Join(cache, "hearth", "bench")
	}
	dir := filepath.Join(base, fmt.Sprintf("ws-%d-%d-%d", files, mean, ignored))
	root := filepath.Join(dir, "work")
	done := filepath.Join(dir, "complete")
	if _, err := os.Stat(done); err == nil {
		return root
	}
	os.RemoveAll(dir)
	b.Logf("generating %d files of %d bytes on average in %s", files, mean, root)
	r := rand.New(rand.NewPCG(1, 2))
	write := func(rel string, size int) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, sourceLike(r, size), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	os.MkdirAll(root, 0o755)
	os.WriteFile(filepath.Join(root, ".gitignore"), []byte("node_modules/\n*.log\ndist/\n"), 0o644)
	for i := 0; i < files; i++ {
		write(benchPath(i), mean/2+r.IntN(mean+1))
	}
	for i := 0; i < ignored; i++ {
		write(fmt.Sprintf("node_modules/pkg%d/lib/f%d.js", i%100, i), 2000)
	}
	// Old mtimes, as in a workspace checked out a while ago.
	old := time.Now().Add(-24 * time.Hour)
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return root
}

func benchPath(i int) string {
	return fmt.Sprintf("pkg%02d/mod%02d/file%05d.go", i%20, (i/20)%20, i)
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v >= 0 {
		return v
	}
	return def
}

var words = strings.Fields(`func return if else for range var const type struct interface
	package import err nil ctx string int byte error map slice append len make go defer
	select case switch break continue true false value index result buffer reader writer`)

// sourceLike makes text that compresses about as well as source code.
func sourceLike(r *rand.Rand, size int) []byte {
	var sb strings.Builder
	sb.Grow(size + 80)
	for sb.Len() < size {
		sb.WriteString(strings.Repeat("\t", r.IntN(4)))
		for w := r.IntN(8) + 1; w > 0; w-- {
			sb.WriteString(words[r.IntN(len(words))])
			if r.IntN(3) == 0 {
				fmt.Fprintf(&sb, "%d", r.IntN(1000))
			}
			sb.WriteByte(' ')
		}
		sb.WriteByte('\n')
	}
	return []byte(sb.String()[:size])
}

// shadowGit is a rival's checkpoint repository: GIT_DIR outside the
// workspace, GIT_WORK_TREE the workspace. Automatic gc is off, which is git's
// fastest setting (and leaves its objects loose, as right after a commit).
type shadowGit struct {
	b   *testing.B
	env []string
	dir string
}

func newShadowGit(b *testing.B, root string) *shadowGit {
	dir := b.TempDir()
	g := &shadowGit{b: b, dir: dir, env: append(os.Environ(), "GIT_DIR="+dir, "GIT_WORK_TREE="+root,
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=h", "GIT_AUTHOR_EMAIL=h@h", "GIT_COMMITTER_NAME=h", "GIT_COMMITTER_EMAIL=h@h")}
	g.run("init", "-q")
	g.run("config", "gc.auto", "0")
	return g
}

func (g *shadowGit) run(args ...string) {
	cmd := exec.Command("git", args...)
	cmd.Env = g.env
	if out, err := cmd.CombinedOutput(); err != nil {
		g.b.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func (g *shadowGit) checkpoint() {
	g.run("add", "-A")
	g.run("commit", "-q", "--allow-empty", "--no-verify", "-m", "checkpoint")
}

// cpuClock measures the CPU time (user and system) of the timed parts only,
// this process's for Hearth and its children's for git: on a shared machine
// it is steadier than wall time.
type cpuClock struct {
	who   int
	start time.Duration
	total time.Duration
}

func newCPUClock(children bool) *cpuClock {
	c := &cpuClock{who: syscall.RUSAGE_SELF}
	if children {
		c.who = syscall.RUSAGE_CHILDREN
	}
	return c
}

func (c *cpuClock) now() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(c.who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (c *cpuClock) begin() { c.start = c.now() }
func (c *cpuClock) end()   { c.total += c.now() - c.start }

func (c *cpuClock) report(b *testing.B) {
	b.ReportMetric(float64(c.total.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

func dirBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// change20 rewrites 20 random tracked files.
func change20(b *testing.B, root string, r *rand.Rand) {
	files := envInt("HEARTH_BENCH_FILES", 20000)
	for k := 0; k < 20; k++ {
		p := filepath.Join(root, benchPath(r.IntN(files)))
		if err := os.WriteFile(p, sourceLike(r, 10000), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

func openBench(b *testing.B, root string) *Store {
	s, err := Open(filepath.Join(b.TempDir(), "state"), root, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkSnapshot compares Hearth with a shadow git repository on the same
// workspace: go test ./snapshot -run '^$' -bench Snapshot -benchtime 3x
func BenchmarkSnapshot(b *testing.B) {
	root := benchWorkspace(b)
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git is not installed")
	}
	ctx := context.Background()
	var hearthStore, gitStore int64

	b.Run("first/hearth", func(b *testing.B) {
		cpu := newCPUClock(false)
		defer cpu.report(b)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			dir := filepath.Join(b.TempDir(), "state")
			b.StartTimer()
			cpu.begin()
			s, err := Open(dir, root, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Full(ctx, Meta{}); err != nil {
				b.Fatal(err)
			}
			cpu.end()
			b.StopTimer()
			s.Close()
			hearthStore = dirBytes(dir)
			os.RemoveAll(dir)
		}
	})
	b.Run("first/git", func(b *testing.B) {
		cpu := newCPUClock(true)
		defer cpu.report(b)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			g := newShadowGit(b, root)
			b.StartTimer()
			cpu.begin()
			g.checkpoint()
			cpu.end()
			b.StopTimer()
			gitStore = dirBytes(g.dir)
			os.RemoveAll(g.dir)
		}
	})
	b.Run("incremental/hearth", func(b *testing.B) {
		s := openBench(b, root)
		defer s.Close()
		if _, err := s.Full(ctx, Meta{}); err != nil {
			b.Fatal(err)
		}
		r := rand.New(rand.NewPCG(3, 4))
		cpu := newCPUClock(false)
		defer cpu.report(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			change20(b, root, r)
			b.StartTimer()
			cpu.begin()
			if _, err := s.Full(ctx, Meta{}); err != nil {
				b.Fatal(err)
			}
			cpu.end()
		}
	})
	// Without the watcher (a one-shot CLI run, or not Linux) every file is
	// stated, and only changed ones are read.
	b.Run("incremental/hearth-nowatch", func(b *testing.B) {
		s := openBench(b, root)
		defer s.Close()
		s.noWatch = true
		if _, err := s.Full(ctx, Meta{}); err != nil {
			b.Fatal(err)
		}
		r := rand.New(rand.NewPCG(11, 12))
		cpu := newCPUClock(false)
		defer cpu.report(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			change20(b, root, r)
			b.StartTimer()
			cpu.begin()
			if _, err := s.Full(ctx, Meta{}); err != nil {
				b.Fatal(err)
			}
			cpu.end()
		}
	})
	b.Run("incremental/git", func(b *testing.B) {
		g := newShadowGit(b, root)
		g.checkpoint()
		r := rand.New(rand.NewPCG(5, 6))
		cpu := newCPUClock(true)
		defer cpu.report(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			change20(b, root, r)
			b.StartTimer()
			cpu.begin()
			g.checkpoint()
			cpu.end()
		}
	})
	b.Run("checkpoint/hearth", func(b *testing.B) {
		s := openBench(b, root)
		defer s.Close()
		r := rand.New(rand.NewPCG(7, 8))
		files := envInt("HEARTH_BENCH_FILES", 20000)
		cpu := newCPUClock(false)
		defer cpu.report(b)
		b.ResetTimer()
		cpu.begin()
		for i := 0; i < b.N; i++ {
			if _, err := s.Checkpoint(ctx, []string{benchPath(r.IntN(files))}, Meta{}); err != nil {
				b.Fatal(err)
			}
		}
		cpu.end()
	})
	b.Run("store-size", func(b *testing.B) {
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(float64(hearthStore)/1e6, "hearth-MB")
		b.ReportMetric(float64(gitStore)/1e6, "git-MB")
	})
}

// BenchmarkObjectEncoding measures what compression costs a first snapshot.
func BenchmarkObjectEncoding(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	data := sourceLike(r, 10000)
	for _, compress := range []bool{false, true} {
		b.Run(fmt.Sprintf("compress=%v", compress), func(b *testing.B) {
			s := openBench(b, b.TempDir())
			defer s.Close()
			s.compress = compress
			b.SetBytes(int64(len(data)))
			var n int
			for i := 0; i < b.N; i++ {
				n = len(s.encodeObject(data))
			}
			b.ReportMetric(float64(n)/float64(len(data)), "ratio")
		})
	}
}
