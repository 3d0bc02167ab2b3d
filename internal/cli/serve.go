package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/config"
	"github.com/vigil-ir/vigil/internal/mail"
	"github.com/vigil-ir/vigil/internal/notify"
	"github.com/vigil-ir/vigil/internal/scheduler"
	"github.com/vigil-ir/vigil/internal/server"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/webhook"
)

func newServeCmd() *cobra.Command {
	var cfg config.Config
	var intakeCfg config.Intake
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run Vigil: web UI and API on --addr, state in --data (or --database)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			log := newLogger(cmd.ErrOrStderr(), cfg.LogLevel)
			svc, st, err := open(ctx, &cfg, log)
			if err != nil {
				return err
			}
			defer func() {
				if err := st.Close(); err != nil {
					log.Error("closing database", "err", err)
				}
			}()
			email, password, err := svc.Bootstrap(ctx)
			if err != nil {
				return fmt.Errorf("creating the first administrator: %w", err)
			}
			out := cmd.OutOrStdout()
			if addr := os.Getenv("VIGIL_PPROF_ADDR"); addr != "" {
				// Profiling for performance work, on its own (loopback) address only.
				go func() {
					mux := http.NewServeMux()
					mux.HandleFunc("/debug/pprof/", pprof.Index)
					mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
					log.Info("profiling enabled", "addr", addr, "err", http.ListenAndServe(addr, mux))
				}()
			}
			d, err := deliverer(svc, &cfg, log)
			if err != nil {
				return err
			}
			// Background work (intake, scheduler) stops when the server does, for whatever
			// reason: a signal, or a listener that could not start (address in use), which
			// would otherwise leave the process waiting for a signal. Wait for it before the
			// database closes.
			var wg sync.WaitGroup
			bg, cancel := context.WithCancel(ctx)
			defer wg.Wait()
			defer cancel()
			// E-mail intake starts first: when its settings are wrong nothing is running yet.
			if err := startIntake(bg, &wg, svc, &intakeCfg, log); err != nil {
				return err
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				scheduler.Run(bg, svc, d, scheduler.Options{Logger: log})
			}()
			return server.Serve(ctx, cfg.Addr, server.Handler(svc, log, cfg.PublicReports), 30*time.Second, func(a net.Addr) {
				log.Info("vigil is listening", "addr", a.String(), "database", string(st.Dialect()))
				if email != "" {
					fmt.Fprintf(out, "\nVigil is ready at http://%s\n\nFirst start: an administrator was created.\n  e-mail:   %s\n  password: %s\n"+
						"This password is shown only now. For the API, create a token:\n  vigil token create --email %s --name my-script\n\n",
						a.String(), email, password, email)
				}
			})
		},
	}
	cfg.BindServe(cmd.Flags())
	intakeCfg.BindIntake(cmd.Flags())
	return cmd
}

func newMigrateCmd() *cobra.Command {
	var cfg config.Config
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Create or update the database schema (serve does this on start too)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, st, err := open(cmd.Context(), &cfg, nil)
			if err != nil {
				return err
			}
			defer st.Close()
			fmt.Fprintln(cmd.OutOrStdout(), "database schema is up to date")
			return nil
		},
	}
	cfg.BindStorage(cmd.Flags())
	return cmd
}

// withService runs fn with an open service and closes it afterwards.
func withService(ctx context.Context, cfg *config.Config, fn func(*service.Service) error) error {
	svc, st, err := open(ctx, cfg, newLogger(os.Stderr, "warn"))
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(svc)
}

// deliverer sends escalations: e-mail through the relay in VIGIL_SMTP_* (kept queued and
// retried while none is configured) and signed webhooks.
func deliverer(svc *service.Service, cfg *config.Config, log *slog.Logger) (*notify.Deliverer, error) {
	var sender *mail.Sender
	mc, err := mail.ConfigFromEnv()
	switch {
	case errors.Is(err, mail.ErrNotConfigured):
		log.Warn("no SMTP relay configured: escalation e-mails stay queued until VIGIL_SMTP_HOST is set")
	case err != nil:
		return nil, err
	default:
		if sender, err = mail.NewSender(mc); err != nil {
			return nil, err
		}
	}
	base := cfg.BaseURL
	if base == "" {
		base = "http://" + cfg.Addr
	}
	policy := webhook.PublicOnly
	if cfg.WebhooksPrivate {
		policy = webhook.AllowPrivate
	}
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return nil, err
	}
	return &notify.Deliverer{Mail: sender, BaseURL: base, Location: loc, HTTP: webhook.NewClient(policy), Secret: svc.WebhookSecret}, nil
}
