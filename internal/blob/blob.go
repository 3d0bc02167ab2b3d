// Package blob keeps files (evidence, attachments) content-addressed by SHA-256 in a
// directory: the same file stored twice takes the space once, and a file's name proves its
// content. It knows nothing of incidents or permissions.
package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// ErrTooLarge is returned when a file exceeds the size limit.
var ErrTooLarge = errors.New("file is too large")

// Store is a directory of blobs.
type Store struct{ dir string }

// New uses dir, creating it if needed.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating blob directory: %w", err)
	}
	return &Store{dir: dir}, nil
}

var hexSHA = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *Store) path(sum string) string { return filepath.Join(s.dir, sum[:2], sum) }

// Put stores up to max bytes from r and returns their SHA-256 and size. The file is synced
// before Put returns, so a recorded attachment never points at a missing blob.
func (s *Store) Put(r io.Reader, max int64) (string, int64, error) {
	tmp, err := os.CreateTemp(s.dir, ".upload-*")
	if err != nil {
		return "", 0, fmt.Errorf("storing file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, max+1))
	if err != nil {
		return "", 0, fmt.Errorf("storing file: %w", err)
	}
	if n > max {
		return "", 0, ErrTooLarge
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("storing file: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if err := os.MkdirAll(filepath.Dir(s.path(sum)), 0o700); err != nil {
		return "", 0, fmt.Errorf("storing file: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path(sum)); err != nil {
		return "", 0, fmt.Errorf("storing file: %w", err)
	}
	if d, err := os.Open(filepath.Dir(s.path(sum))); err == nil {
		_ = d.Sync() // make the rename durable
		d.Close()
	}
	return sum, n, nil
}

// Open returns the blob with this SHA-256.
func (s *Store) Open(sum string) (*os.File, error) {
	if !hexSHA.MatchString(sum) {
		return nil, fmt.Errorf("not a SHA-256: %q", sum)
	}
	return os.Open(s.path(sum))
}
