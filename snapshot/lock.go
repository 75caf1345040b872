package snapshot

import (
	"context"
	"fmt"
	"time"
)

// lockHook, set only by tests, sees every acquisition and release.
var lockHook func(held bool)

// lock serialises an operation with every other one on the same state
// directory: the mutex orders this Store's goroutines, the file lock other
// Stores and processes (a second Hearth window, the CLI). It returns the
// function that releases both.
func (s *Store) lock(ctx context.Context) (func(), error) {
	s.mu.Lock()
	ok, err := s.flock.TryLockContext(ctx, 2*time.Millisecond)
	if err != nil || !ok {
		s.mu.Unlock()
		if err == nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("snapshot: waiting for the store lock: %w", err)
	}
	s.cleanTmp()
	if lockHook != nil {
		lockHook(true)
	}
	return func() {
		if lockHook != nil {
			lockHook(false)
		}
		s.flock.Unlock()
		s.mu.Unlock()
	}, nil
}
