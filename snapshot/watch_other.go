//go:build !linux

package snapshot

import "github.com/hearth-dev/hearth/internal/gitignore"

// watcher is Linux-only (inotify); elsewhere every snapshot walks the
// workspace, stating each file.
type watcher struct{}

func newWatcher() *watcher                                       { return nil }
func (w *watcher) add(full, rel string, ign *gitignore.Stack)    {}
func (w *watcher) known(rel string) bool                         { return false }
func (w *watcher) ancestors(dir string) (*gitignore.Stack, bool) { return nil, false }
func (w *watcher) drain() ([]string, []string, bool)             { return nil, nil, false }
func (w *watcher) close()                                        {}
