package blob

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestPutOpen(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sum, n, err := s.Put(strings.NewReader("hello"), 10)
	if err != nil {
		t.Fatal(err)
	}
	// sha256("hello")
	if sum != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" || n != 5 {
		t.Fatalf("got %s %d", sum, n)
	}
	f, err := s.Open(sum)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "hello" {
		t.Fatalf("read back %q", b)
	}
	if _, _, err := s.Put(strings.NewReader("0123456789x"), 10); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversize: %v", err)
	}
	if _, err := s.Open("../etc/passwd"); err == nil {
		t.Fatal("opened a path that is not a hash")
	}
}
