package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vigil-ir/vigil/internal/audit"
)

// ErrClosed is returned for writes submitted after Close.
var ErrClosed = errors.New("store is closed")

type writeJob struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

// Tx is a write transaction shared by a batch of writers. Its methods hold the SQL.
type Tx struct {
	s     *Store
	tx    *sql.Tx
	ctx   context.Context
	heads map[int64]*head
	// ftsFrom is the lowest incident id inserted in this transaction (SQLite): the batch is
	// added to the full-text index in one statement just before commit.
	ftsFrom int64
	// refs keeps reference counters claimed in this transaction: the first claim locks the
	// counter row, later ones count in memory, and the row is written once at commit.
	refs map[refKey]*refCounter
}

type refKey struct {
	org  int64
	year int
}

type refCounter struct{ last, stored int64 }

type head struct {
	seq   int64
	hash  string
	dirty bool
}

// Write runs fn in a write transaction and returns once that transaction is committed (or
// has failed). Concurrent calls are grouped into one transaction to share its commit; if
// any fn in a group fails, the group is rolled back and each fn re-run alone, so one bad
// write never fails another. fn may therefore run more than once and must touch nothing
// outside the transaction.
func (s *Store) Write(ctx context.Context, fn func(*Tx) error) error {
	j := &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case <-s.stop:
		return ErrClosed
	case s.writes <- j:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the caller must learn whether
	// the write committed, and the writer skips jobs whose context ended before they ran.
	return <-j.done
}

func (s *Store) writeLoop() {
	defer s.wg.Done()
	for {
		var first *writeJob
		select {
		case first = <-s.writes:
		case <-s.stop:
			// Drain what was queued before Close so nobody waits forever.
			for {
				select {
				case j := <-s.writes:
					s.runBatch([]*writeJob{j})
				default:
					return
				}
			}
		}
		batch := []*writeJob{first}
	fill:
		for len(batch) < s.maxBatch {
			select {
			case j := <-s.writes:
				batch = append(batch, j)
			default:
				break fill
			}
		}
		s.runBatch(batch)
	}
}

func (s *Store) runBatch(batch []*writeJob) {
	live := batch[:0]
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.done <- err
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		return
	}
	err := s.runTx(live)
	if err == nil {
		for _, j := range live {
			j.done <- nil
		}
		return
	}
	if len(live) == 1 {
		live[0].done <- err
		return
	}
	for _, j := range live {
		j.done <- s.runTx([]*writeJob{j})
	}
}

// jobError marks an error returned by a job's own function, as opposed to the database.
type jobError struct{ err error }

func (e *jobError) Error() string { return e.err.Error() }
func (e *jobError) Unwrap() error { return e.err }

func (s *Store) runTx(jobs []*writeJob) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = s.runTxOnce(jobs)
		if !retryable(err) {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	var je *jobError
	if errors.As(err, &je) {
		return je.err
	}
	return err
}

func (s *Store) runTxOnce(jobs []*writeJob) error {
	ctx := context.Background()
	if s.wconn == nil {
		c, err := s.w.Conn(ctx)
		if err != nil {
			return fmt.Errorf("connecting writer: %w", err)
		}
		s.wconn = c
	}
	sqlTx, err := s.wconn.BeginTx(ctx, nil)
	if err != nil {
		s.dropWriter()
		return fmt.Errorf("beginning write: %w", err)
	}
	tx := &Tx{s: s, tx: sqlTx, ctx: ctx, heads: map[int64]*head{}, refs: map[refKey]*refCounter{}}
	for _, j := range jobs {
		tx.ctx = j.ctx
		if err := j.fn(tx); err != nil {
			sqlTx.Rollback()
			return &jobError{err}
		}
	}
	tx.ctx = ctx
	for _, flush := range []func() error{tx.flushHeads, tx.flushRefs, tx.flushFTS} {
		if err := flush(); err != nil {
			sqlTx.Rollback()
			return err
		}
	}
	if err := sqlTx.Commit(); err != nil {
		s.dropWriter()
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// dropWriter forgets the writer connection and its statements after a failure, so the next
// batch starts on a fresh connection (e.g. after a PostgreSQL restart).
func (s *Store) dropWriter() {
	for q, st := range s.stmts {
		st.Close()
		delete(s.stmts, q)
	}
	if s.wconn != nil {
		s.wconn.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck // marks the connection for disposal
		s.wconn.Close()
		s.wconn = nil
	}
}

// retryable reports PostgreSQL serialisation failures and deadlocks, which another attempt cures.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// stmt returns a statement prepared once and bound to this transaction, so hot writes skip
// SQL parsing. It is prepared on the writer pool, not on the write loop's *sql.Conn:
// database/sql re-prepares a Conn's statements in every transaction, but reuses a pool
// statement on each connection it has been prepared on. Only the write loop calls it.
func (tx *Tx) stmt(query string) (*sql.Stmt, error) {
	st, ok := tx.s.stmts[query]
	if !ok {
		var err error
		st, err = tx.s.w.PrepareContext(tx.ctx, query)
		if err != nil {
			return nil, fmt.Errorf("preparing %q: %w", query, err)
		}
		tx.s.stmts[query] = st
	}
	return tx.tx.StmtContext(tx.ctx, st), nil
}

func (tx *Tx) exec(query string, args ...any) (sql.Result, error) {
	st, err := tx.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(tx.ctx, args...)
}

func (tx *Tx) queryRow(query string, args ...any) *sql.Row {
	st, err := tx.stmt(query)
	if err != nil {
		// sql.Row cannot carry our error; fall back to an unprepared query, which reports it.
		return tx.tx.QueryRowContext(tx.ctx, query, args...)
	}
	return st.QueryRowContext(tx.ctx, args...)
}

// Append adds e to its organisation's record of events, chained to the entry before it.
// Within one transaction the chain head is kept in memory and written back at commit.
func (tx *Tx) Append(e *audit.Entry) error {
	h, ok := tx.heads[e.OrgID]
	if !ok {
		q := "SELECT seq, hash FROM audit_heads WHERE org_id = $1"
		if tx.s.dialect == Postgres {
			// Serialise appenders across nodes: the chain has one order.
			q += " FOR UPDATE"
		}
		h = &head{}
		err := tx.queryRow(q, e.OrgID).Scan(&h.seq, &h.hash)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := tx.exec("INSERT INTO audit_heads(org_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (org_id) DO NOTHING", e.OrgID, audit.Genesis); err != nil {
				return fmt.Errorf("starting record of events: %w", err)
			}
			err = tx.queryRow(q, e.OrgID).Scan(&h.seq, &h.hash)
		}
		if err != nil {
			return fmt.Errorf("reading record-of-events head: %w", err)
		}
		tx.heads[e.OrgID] = h
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if len(e.Data) == 0 {
		e.Data = audit.Data(nil)
	}
	e.Seal(h.seq, h.hash)
	if _, err := tx.exec(`INSERT INTO audit_events(org_id, seq, at, actor_id, actor, action, incident_id, ref, data, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.OrgID, e.Seq, micros(e.At), e.ActorID, e.Actor, e.Action, e.IncidentID, e.Ref, string(e.Data), e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("appending to record of events: %w", err)
	}
	h.seq, h.hash, h.dirty = e.Seq, e.Hash, true
	return nil
}

func (tx *Tx) flushHeads() error {
	for org, h := range tx.heads {
		if !h.dirty {
			continue
		}
		if _, err := tx.exec("UPDATE audit_heads SET seq = $1, hash = $2 WHERE org_id = $3", h.seq, h.hash, org); err != nil {
			return fmt.Errorf("updating record-of-events head: %w", err)
		}
	}
	return nil
}

// flushFTS indexes the incidents inserted in this transaction. One INSERT ... SELECT per
// batch keeps FTS5's pending terms in memory until commit.
func (tx *Tx) flushFTS() error {
	if tx.ftsFrom == 0 {
		return nil
	}
	from := tx.ftsFrom
	tx.ftsFrom = 0
	if _, err := tx.exec("INSERT INTO incidents_fts(rowid, title, nature, systems) SELECT id, title, nature, systems FROM incidents WHERE id >= $1", from); err != nil {
		return fmt.Errorf("indexing incidents for search: %w", err)
	}
	return nil
}

func (tx *Tx) flushRefs() error {
	for k, c := range tx.refs {
		if c.last == c.stored {
			continue
		}
		if _, err := tx.exec("UPDATE ref_counters SET last = $1 WHERE org_id = $2 AND year = $3", c.last, k.org, k.year); err != nil {
			return fmt.Errorf("saving reference counter: %w", err)
		}
	}
	return nil
}
