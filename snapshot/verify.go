package snapshot

import (
	"context"
	"errors"
	"fmt"
)

// Verify checks the whole store: every manifest reads back and every object
// it references exists and matches its hash. It returns all problems found.
func (s *Store) Verify(ctx context.Context) error {
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	ids, err := s.listIDs()
	if err != nil {
		return err
	}
	var errs []error
	checked := map[hash]error{}
	for _, id := range ids {
		m, err := s.loadManifest(id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range m.entries {
			if e.kind != kindFile {
				continue
			}
			err, seen := checked[e.hash]
			if !seen {
				if err = ctxErr(ctx); err != nil {
					return err
				}
				_, err = s.readObject(e.hash, e.path)
				checked[e.hash] = err
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("snapshot %s: %w", id, err))
			}
		}
	}
	return errors.Join(errs...)
}
