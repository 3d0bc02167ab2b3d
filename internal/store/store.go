// Package store holds all of Vigil's SQL: one Store over database/sql for SQLite (the
// embedded default) and PostgreSQL (for several nodes). Dialect differences stay in this
// package. Every write goes through Write, which groups concurrent writers into one
// transaction (group commit) and never reports success before the commit.
// It enforces no domain rules or authorisation; the service layer does.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver
	_ "modernc.org/sqlite"             // SQLite driver, pure Go
)

// Dialect names the database engine.
type Dialect string

// Supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is returned when a row does not exist.
var ErrNotFound = errors.New("not found")

// ErrVersion is returned when an update's expected version is stale.
var ErrVersion = errors.New("version conflict")

// Options says where the database is.
type Options struct {
	// DatabaseURL is a postgres:// URL; empty means SQLite under DataDir.
	DatabaseURL string
	DataDir     string
	Logger      *slog.Logger
	// MaxBatch caps how many writers share one transaction.
	MaxBatch int
}

// Store is the database. It is safe for concurrent use.
type Store struct {
	dialect Dialect
	w       *sql.DB // writes: one connection on SQLite (SQLite has one writer anyway)
	r       *sql.DB // reads: a pool
	log     *slog.Logger
	path    string // SQLite file

	writes   chan *writeJob
	stop     chan struct{}
	wg       sync.WaitGroup
	maxBatch int

	// The write loop owns wconn and stmts; nothing else touches them.
	wconn *sql.Conn
	stmts map[string]*sql.Stmt
}

// SQLiteFile is the database file's name inside the data directory.
const SQLiteFile = "vigil.db"

// Open connects to the database. It does not migrate; call Migrate.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	s := &Store{log: o.Logger, stop: make(chan struct{}), writes: make(chan *writeJob, 4096), maxBatch: o.MaxBatch, stmts: map[string]*sql.Stmt{}}
	var err error
	if o.DatabaseURL != "" {
		if !strings.HasPrefix(o.DatabaseURL, "postgres://") && !strings.HasPrefix(o.DatabaseURL, "postgresql://") {
			return nil, fmt.Errorf("database URL must start with postgres:// (got %q)", redact(o.DatabaseURL))
		}
		s.dialect = Postgres
		if s.w, err = sql.Open("pgx", o.DatabaseURL); err != nil {
			return nil, fmt.Errorf("opening PostgreSQL: %w", err)
		}
		s.w.SetMaxOpenConns(4)
		s.w.SetMaxIdleConns(4)
		if s.r, err = sql.Open("pgx", o.DatabaseURL); err != nil {
			return nil, fmt.Errorf("opening PostgreSQL: %w", err)
		}
		// As many idle as open: fewer idle made PostgreSQL reconnect constantly under load.
		s.r.SetMaxOpenConns(16)
		s.r.SetMaxIdleConns(16)
		s.r.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		s.dialect = SQLite
		if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("creating data directory: %w", err)
		}
		s.path = filepath.Join(o.DataDir, SQLiteFile)
		// busy_timeout first so the other pragmas wait for a lock rather than fail;
		// synchronous=FULL makes every acknowledged commit survive power loss (the WAL is
		// fsynced at each commit; group commit keeps that affordable). The writer keeps its
		// statement journals in memory (temp_store): written to a temporary file they cost a
		// pwrite per page touched by every insert, a sixth of the write loop's time.
		base := "file:" + (&url.URL{Path: s.path}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
		if s.w, err = sql.Open("sqlite", base+"&_txlock=immediate&_pragma=cache_size(-8000)&_pragma=temp_store(memory)"); err != nil {
			return nil, fmt.Errorf("opening SQLite: %w", err)
		}
		// One connection for the write loop, one for migrations; SQLite's own lock keeps
		// them from writing at once.
		s.w.SetMaxOpenConns(2)
		s.w.SetMaxIdleConns(2)
		s.w.SetConnMaxIdleTime(0)
		s.w.SetConnMaxLifetime(0)
		if s.r, err = sql.Open("sqlite", base+"&_pragma=query_only(1)&_pragma=cache_size(-2000)"); err != nil {
			return nil, fmt.Errorf("opening SQLite: %w", err)
		}
		s.r.SetMaxOpenConns(8)
		s.r.SetMaxIdleConns(8)
		s.r.SetConnMaxIdleTime(time.Minute)
	}
	if err := s.w.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connecting to the database: %w", err)
	}
	s.wg.Add(1)
	go s.writeLoop()
	return s, nil
}

// Dialect reports the engine in use.
func (s *Store) Dialect() Dialect { return s.dialect }

// Path is the SQLite file (empty on PostgreSQL).
func (s *Store) Path() string { return s.path }

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("database not reachable: %w", err)
	}
	return nil
}

// Close waits for queued writes to finish, then closes the connections.
func (s *Store) Close() error {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.wg.Wait()
	var errs []error
	if s.wconn != nil {
		for _, st := range s.stmts {
			st.Close()
		}
		errs = append(errs, s.wconn.Close())
	}
	if s.w != nil {
		if s.dialect == SQLite {
			// Fold the WAL back into the database so the next start reads one file.
			if _, err := s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
				errs = append(errs, err)
			}
		}
		errs = append(errs, s.w.Close())
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	return errors.Join(errs...)
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	return p.Redacted()
}

// micros converts an instant to the stored form.
func micros(t time.Time) int64 { return t.UnixMicro() }

func microsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}
