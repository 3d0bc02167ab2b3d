package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the SQLite database to path while the server may be
// running: VACUUM INTO reads one snapshot and produces a compact, self-contained file.
// PostgreSQL deployments use pg_dump instead.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != SQLite {
		return errors.New("backup is for the embedded SQLite database; use pg_dump for PostgreSQL")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file name", abs)
	}
	if _, err := s.w.ExecContext(ctx, "VACUUM INTO $1", abs); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// (On the writer pool: the readers are query_only, which refuses VACUUM. It reads one
	// snapshot and does not block the write loop under WAL.)
	// VACUUM INTO does not fsync the new file; make the copy durable before reporting success.
	f, err := os.Open(abs)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: syncing copy: %w", err)
	}
	return nil
}
