package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/vigil-ir/vigil/internal/blob"
	"github.com/vigil-ir/vigil/internal/config"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
)

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // validated by config.Validate
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// open connects to the configured database, brings its schema up to date and returns the
// service. Every command that touches state goes through here, so a fresh data directory
// just works.
func open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*service.Service, *store.Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	if log == nil {
		log = newLogger(os.Stderr, cfg.LogLevel)
	}
	st, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	if len(applied) > 0 {
		log.Info("database schema updated", "migrations", applied)
	}
	// Attachments live beside the SQLite file; with PostgreSQL the data directory must be
	// shared by all nodes (or attachments wait for database/S3 blob storage).
	blobs, err := blob.New(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	svc, err := service.New(ctx, st, service.Options{Logger: log, Blobs: blobs, SchemeDir: cfg.SchemeDir})
	if err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("starting: %w", err)
	}
	return svc, st, nil
}
