package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Intake is the e-mail intake of vigil serve: the built-in SMTP receiver, the IMAP poller
// and the limits on what either accepts. Its environment variables are VIGIL_INTAKE_* and
// VIGIL_IMAP_*, apart from VIGIL_SMTP_*, which configure the outgoing relay.
type Intake struct {
	SMTPAddr  string
	Addresses []string // kind=address pairs
	// TLSCert and TLSKey are PEM files; with them the receiver offers STARTTLS.
	TLSCert, TLSKey string
	MaxBytes        int64
	MaxDepth        int
	MaxParts        int

	IMAPURL       string
	IMAPPassword  string // from VIGIL_IMAP_PASSWORD only: a flag would show in the process list
	IMAPKind      string
	IMAPProcessed string
	IMAPEvery     time.Duration
}

// BindIntake adds the intake flags of vigil serve.
func (c *Intake) BindIntake(fs *pflag.FlagSet) {
	fs.StringVar(&c.SMTPAddr, "smtp-addr", env("VIGIL_INTAKE_SMTP_ADDR", ""), "address for the built-in SMTP receiver of reports, e.g. 127.0.0.1:2525; off when empty (env VIGIL_INTAKE_SMTP_ADDR)")
	var addrs []string
	if v := env("VIGIL_INTAKE_ADDRESSES", ""); v != "" {
		addrs = strings.Split(v, ",")
	}
	fs.StringArrayVar(&c.Addresses, "intake-address", addrs, "intake address as KIND=ADDRESS, KIND incident or phishing; repeat for several (env VIGIL_INTAKE_ADDRESSES, comma-separated)")
	fs.StringVar(&c.TLSCert, "smtp-tls-cert", env("VIGIL_INTAKE_TLS_CERT", ""), "PEM certificate (chain) for STARTTLS on the SMTP receiver (env VIGIL_INTAKE_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "smtp-tls-key", env("VIGIL_INTAKE_TLS_KEY", ""), "PEM private key for --smtp-tls-cert (env VIGIL_INTAKE_TLS_KEY)")
	fs.Int64Var(&c.MaxBytes, "intake-max-bytes", envInt64("VIGIL_INTAKE_MAX_BYTES", 20<<20), "largest e-mail taken in, in bytes (env VIGIL_INTAKE_MAX_BYTES)")
	fs.IntVar(&c.MaxDepth, "intake-max-depth", int(envInt64("VIGIL_INTAKE_MAX_DEPTH", 8)), "deepest MIME nesting taken in (env VIGIL_INTAKE_MAX_DEPTH)")
	fs.IntVar(&c.MaxParts, "intake-max-parts", int(envInt64("VIGIL_INTAKE_MAX_PARTS", 100)), "most MIME parts in one e-mail (env VIGIL_INTAKE_MAX_PARTS)")
	fs.StringVar(&c.IMAPURL, "imap-url", env("VIGIL_IMAP_URL", ""), "IMAP mailbox to poll for reports, imaps://USER@HOST[:993]/INBOX or imap://… (STARTTLS); password in VIGIL_IMAP_PASSWORD (env VIGIL_IMAP_URL)")
	fs.StringVar(&c.IMAPKind, "imap-kind", env("VIGIL_IMAP_KIND", "incident"), "what the IMAP mailbox receives: incident or phishing (env VIGIL_IMAP_KIND)")
	fs.StringVar(&c.IMAPProcessed, "imap-processed", env("VIGIL_IMAP_PROCESSED", "Vigil/Processed"), "folder processed messages are moved to; empty flags them in place (env VIGIL_IMAP_PROCESSED)")
	every, _ := time.ParseDuration(env("VIGIL_IMAP_EVERY", "1m"))
	fs.DurationVar(&c.IMAPEvery, "imap-every", every, "how often to poll the IMAP mailbox (env VIGIL_IMAP_EVERY)")
	c.IMAPPassword = os.Getenv("VIGIL_IMAP_PASSWORD")
}

// Validate checks the intake settings.
func (c *Intake) Validate() error {
	if c.SMTPAddr != "" && len(c.Addresses) == 0 {
		return fmt.Errorf("--smtp-addr needs at least one --intake-address (e.g. incident=security@example.org)")
	}
	// The raw message is kept as an attachment, so it cannot be larger than one (20 MB).
	if c.MaxBytes < 1<<10 || c.MaxBytes > 20<<20 || c.MaxDepth < 1 || c.MaxParts < 1 {
		return fmt.Errorf("--intake-max-bytes must be 1024 to 20971520 (20 MB) and --intake-max-depth and --intake-max-parts at least 1")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--smtp-tls-cert and --smtp-tls-key go together")
	}
	if c.IMAPURL != "" && c.IMAPPassword == "" {
		return fmt.Errorf("--imap-url needs the password in VIGIL_IMAP_PASSWORD")
	}
	if c.IMAPEvery < time.Second {
		return fmt.Errorf("--imap-every must be at least 1s")
	}
	return nil
}

func envInt64(name string, def int64) int64 {
	if n, err := strconv.ParseInt(env(name, ""), 10, 64); err == nil {
		return n
	}
	return def
}
