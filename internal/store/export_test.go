package store

import (
	"database/sql"
	"io"
	"os"
)

// RawDB exposes the writer pool so tests can act behind Vigil's back.
func RawDB(s *Store) *sql.DB { return s.w }

// CopyFile copies a file (tests restore backups with it).
func CopyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
