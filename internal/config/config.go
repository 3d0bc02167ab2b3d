// Package config holds Vigil's typed configuration: flags, VIGIL_* environment variables and
// defaults, in that order of precedence. It validates; it does not open anything.
package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// Config is what every command needs to find its state, plus what serve needs to listen.
type Config struct {
	Addr    string
	BaseURL string
	// WebhooksPrivate lets webhooks go to private and loopback addresses (receivers inside
	// the organisation's network); off by default so a webhook cannot reach internal services.
	WebhooksPrivate bool
	DataDir         string
	DatabaseURL     string
	PublicReports   bool
	LogLevel        string
	// SchemeDir holds the organisation's own severity scheme files.
	SchemeDir string
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// BindStorage adds --data and --database, which every command that touches state takes.
func (c *Config) BindStorage(fs *pflag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", env("VIGIL_DATA", "./vigil-data"), "data directory: SQLite database and files (env VIGIL_DATA)")
	fs.StringVar(&c.DatabaseURL, "database", env("VIGIL_DATABASE", ""), "postgres://… URL to use PostgreSQL instead of the embedded SQLite (env VIGIL_DATABASE)")
	fs.StringVar(&c.LogLevel, "log-level", env("VIGIL_LOG_LEVEL", "info"), "debug, info, warn or error (env VIGIL_LOG_LEVEL)")
}

// BindServe adds the flags of vigil serve.
func (c *Config) BindServe(fs *pflag.FlagSet) {
	c.BindStorage(fs)
	fs.StringVar(&c.Addr, "addr", env("VIGIL_ADDR", "127.0.0.1:8080"), "address to listen on (env VIGIL_ADDR)")
	pub, _ := strconv.ParseBool(env("VIGIL_PUBLIC_REPORTS", "true"))
	fs.BoolVar(&c.PublicReports, "public-reports", pub, "accept reports without signing in at POST /api/v1/reports (env VIGIL_PUBLIC_REPORTS)")
	fs.StringVar(&c.SchemeDir, "schemes", env("VIGIL_SCHEMES", ""), "directory of the organisation's own severity scheme files (*.json), loaded with the built-in ones (env VIGIL_SCHEMES)")
	fs.StringVar(&c.BaseURL, "base-url", env("VIGIL_BASE_URL", ""), "Vigil's address as users reach it, for links in e-mails (env VIGIL_BASE_URL; default http://ADDR)")
	priv, _ := strconv.ParseBool(env("VIGIL_WEBHOOKS_ALLOW_PRIVATE", "false"))
	fs.BoolVar(&c.WebhooksPrivate, "webhooks-allow-private", priv, "allow webhooks to private and loopback addresses (env VIGIL_WEBHOOKS_ALLOW_PRIVATE)")
}

// Validate checks the combination of settings.
func (c *Config) Validate() error {
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return fmt.Errorf("--database must be a postgres:// URL; leave it empty for the embedded database")
	}
	if c.DatabaseURL == "" && strings.TrimSpace(c.DataDir) == "" {
		return fmt.Errorf("--data must name a directory")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level must be debug, info, warn or error")
	}
	return nil
}
