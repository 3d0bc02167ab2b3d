// Package storetest gives tests a fresh, migrated store on every engine available: SQLite
// always, and PostgreSQL when VIGIL_TEST_POSTGRES_URL is set (each store in a schema of its
// own, dropped afterwards). One suite, both engines.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/vigil-ir/vigil/internal/store"
)

// PostgresURL is the test database, or "" when PostgreSQL is not available.
func PostgresURL() string { return os.Getenv("VIGIL_TEST_POSTGRES_URL") }

// Open returns a migrated store on the named engine ("sqlite" or "postgres"), closed at cleanup.
func Open(t testing.TB, engine string) *store.Store {
	t.Helper()
	ctx := context.Background()
	o := store.Options{DataDir: t.TempDir()}
	if engine == "postgres" {
		o.DatabaseURL = NewSchema(t)
	}
	st, err := store.Open(ctx, o)
	if err != nil {
		t.Fatalf("open %s store: %v", engine, err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", engine, err)
	}
	return st
}

// NewSchema creates an empty PostgreSQL schema and returns a URL whose search_path points
// at it; the schema is dropped at cleanup. It skips the test without PostgreSQL.
func NewSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	if base == "" {
		t.Skip("VIGIL_TEST_POSTGRES_URL not set: PostgreSQL part skipped")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "vt_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Engines lists the engine names to run a suite on.
func Engines() []string {
	if PostgresURL() != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// Each runs fn as a subtest on a fresh store of every available engine. Without
// PostgreSQL the postgres subtest is reported as skipped, so the gap is visible.
func Each(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			fn(t, Open(t, engine))
		})
	}
}
