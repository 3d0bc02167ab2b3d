// Package service is Vigil's application layer: every use case (report, create, update, list,
// read the record of events, manage users and tokens) as a method that checks authorisation
// through auth.Can, applies domain rules, and writes the change and its record-of-events entry
// in one transaction. HTTP handlers and CLI commands call it; it never speaks HTTP.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vigil-ir/vigil/internal/audit"
	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/blob"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// Service holds the dependencies of the use cases.
type Service struct {
	store *store.Store
	now   func() time.Time
	log   *slog.Logger
	orgID int64
	// touched throttles last-used updates of API tokens on this node.
	touched sync.Map
	// tokens remembers recently checked API tokens (tokencache.go).
	tokens tokenCache
	blobs  *blob.Store
	// schemes are the severity schemes: Vigil's own plus the organisation's (Options.SchemeDir).
	schemes *taxonomy.Schemes
}

// Options configures a Service.
type Options struct {
	Now    func() time.Time // injected clock; time.Now when nil
	Logger *slog.Logger
	Blobs  *blob.Store // where attachments go; nil disables them
	// SchemeDir holds the organisation's own severity scheme files (*.json), loaded at start
	// next to the built-in ones; a scheme with a built-in's id replaces it.
	SchemeDir string
}

// New returns a Service over st, bound to the deployment's organisation (created if needed).
func New(ctx context.Context, st *store.Store, o Options) (*Service, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	org, _, err := st.DefaultOrg(ctx, "My organisation")
	if err != nil {
		return nil, err
	}
	schemes, err := loadSchemes(o.SchemeDir)
	if err != nil {
		return nil, err
	}
	return &Service{store: st, now: o.Now, log: o.Logger, orgID: org.ID, blobs: o.Blobs, schemes: schemes}, nil
}

// System is the principal for CLI administration and background jobs.
func (s *Service) System() auth.Principal {
	return auth.Principal{Kind: auth.KindSystem, OrgID: s.orgID}
}

// Ready reports whether the database answers.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ping(ctx) }

// entry starts a record-of-events entry for p.
func (s *Service) entry(p auth.Principal, action string, inc *domain.Incident, data any) *audit.Entry {
	e := &audit.Entry{OrgID: s.orgID, At: s.now(), ActorID: p.UserID, Actor: p.Label(), Action: action, Data: audit.Data(data)}
	if inc != nil {
		e.IncidentID, e.Ref = inc.ID, inc.Ref
	}
	return e
}

// mapErr turns store errors into the domain's sentinels so callers need not import store.
func mapErr(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w", domain.ErrNotFound)
	case errors.Is(err, store.ErrVersion):
		return fmt.Errorf("%w", domain.ErrConflict)
	}
	return err
}

// VerifyAudit walks the record of events; the error names the first broken entry.
func (s *Service) VerifyAudit(ctx context.Context, p auth.Principal) (int64, error) {
	if !auth.Can(p, auth.VerifyAudit, nil) {
		return 0, domain.ErrForbidden
	}
	return s.store.VerifyChain(ctx)
}

// Backup writes a consistent copy of the database and records the export.
func (s *Service) Backup(ctx context.Context, p auth.Principal, path string) error {
	if !auth.Can(p, auth.VerifyAudit, nil) {
		return domain.ErrForbidden
	}
	// The export is recorded first so the copy itself contains the entry that made it.
	if err := s.store.Write(ctx, func(tx *store.Tx) error {
		return tx.Append(s.entry(p, "export.backup", nil, map[string]string{"file": path}))
	}); err != nil {
		return err
	}
	return s.store.Backup(ctx, path)
}

// loadSchemes reads the built-in severity schemes and every *.json scheme file in dir. A
// file that does not validate stops the start with an error naming file, line and field:
// an invalid scheme never replaces a valid one, and nobody grades against a scheme that
// silently failed to load.
func loadSchemes(dir string) (*taxonomy.Schemes, error) {
	set := taxonomy.Builtin()
	if dir == "" {
		return set, nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("severity schemes: %w", err)
	}
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			return nil, fmt.Errorf("severity schemes: %w", err)
		}
		_, err = set.Load(r, f)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("severity scheme %s: %w", f, err)
		}
	}
	return set, nil
}
