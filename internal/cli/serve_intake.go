package cli

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/vigil-ir/vigil/internal/config"
	"github.com/vigil-ir/vigil/internal/intake"
	"github.com/vigil-ir/vigil/internal/mailparse"
	"github.com/vigil-ir/vigil/internal/service"
)

// startIntake starts the SMTP receiver and the IMAP poller that are configured; both stop
// with ctx and are waited for through wg. Everything that can fail is done before either
// starts, so an error leaves nothing running.
func startIntake(ctx context.Context, wg *sync.WaitGroup, svc *service.Service, c *config.Intake, log *slog.Logger) error {
	if err := c.Validate(); err != nil {
		return err
	}
	limits := mailparse.Limits{MaxSize: c.MaxBytes, MaxDepth: c.MaxDepth, MaxParts: c.MaxParts}
	var poller *intake.Poller
	if c.IMAPURL != "" {
		var err error
		if poller, err = intake.NewPoller(svc, intake.IMAPOptions{URL: c.IMAPURL, Password: c.IMAPPassword, Kind: c.IMAPKind,
			Processed: c.IMAPProcessed, Every: c.IMAPEvery, Limits: limits, Logger: log}); err != nil {
			return err
		}
	}
	if c.SMTPAddr != "" {
		addrs, err := intake.ParseAddresses(c.Addresses)
		if err != nil {
			return err
		}
		o := intake.SMTPOptions{Addresses: addrs, Limits: limits, Logger: log}
		if c.TLSCert != "" {
			cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
			if err != nil {
				return fmt.Errorf("e-mail intake TLS: %w", err)
			}
			o.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		}
		l, err := net.Listen("tcp", c.SMTPAddr)
		if err != nil {
			return fmt.Errorf("e-mail intake: %w", err)
		}
		log.Info("e-mail intake listening", "addr", l.Addr().String(), "addresses", len(addrs), "starttls", o.TLSConfig != nil)
		srv := intake.NewSMTPServer(svc, o)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := intake.ServeSMTP(ctx, srv, l); err != nil {
				log.Error("e-mail intake stopped", "err", err)
			}
		}()
	}
	if poller != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			poller.Run(ctx)
		}()
	}
	return nil
}
