package mail

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"os"
	"strconv"
	"strings"
	"time"
)

// TLSPolicy says how the connection to the relay is secured.
type TLSPolicy string

const (
	// TLSStartTLS upgrades a plain connection with STARTTLS and fails when the relay does not
	// offer it. It is the default: credentials and escalations never cross a network in clear.
	TLSStartTLS TLSPolicy = "starttls"
	// TLSStartTLSOpportunistic uses STARTTLS when offered and sends in clear otherwise. It exists
	// for relays on the same host or private network that offer no TLS; the SMTP library still
	// refuses to send a password over a clear connection to anything but localhost.
	TLSStartTLSOpportunistic TLSPolicy = "starttls-opportunistic"
	// TLSImplicit speaks TLS from the first byte (SMTPS, usually port 465).
	TLSImplicit TLSPolicy = "tls"
	// TLSNone never encrypts. Allowed only towards a loopback address, where the test relays live.
	TLSNone TLSPolicy = "none"
)

// DefaultTimeout bounds each network step of an attempt (dial, each SMTP command, the data).
const DefaultTimeout = 30 * time.Second

// ErrNotConfigured is returned by ConfigFromEnv when VIGIL_SMTP_HOST is unset, so the caller can
// run without e-mail (and say so) rather than fail to start.
var ErrNotConfigured = errors.New("mail: VIGIL_SMTP_HOST is not set; outbound e-mail is off")

// ErrInvalidConfig wraps every validation failure of a Config.
var ErrInvalidConfig = errors.New("mail: invalid SMTP configuration")

// Config describes the relay Vigil hands its mail to.
type Config struct {
	Host     string
	Port     int // 0 means the usual port for TLS: 587, 465 for TLSImplicit, 25 for TLSNone
	Username string
	Password string
	From     netmail.Address // the envelope sender and From header; its domain names Message-IDs
	TLS      TLSPolicy       // empty means TLSStartTLS
	Timeout  time.Duration   // 0 means DefaultTimeout
	HELO     string          // name sent in EHLO; empty means the machine's host name
	// RootCAs verifies the relay's certificate; nil means the system's roots. Tests put their
	// self-signed certificate here; no option turns verification off.
	RootCAs *x509.CertPool
}

// String describes c for logs with the password left out, so printing a Config with %v or
// %+v cannot leak it.
func (c Config) String() string {
	pw := ""
	if c.Password != "" {
		pw = "(set)"
	}
	return fmt.Sprintf("smtp://%s@%s (tls=%s, from=%s, password %s, timeout=%v, helo=%q)",
		c.Username, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), c.TLS, c.From.Address, orNone(pw), c.Timeout, c.HELO)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// ConfigFromEnv reads VIGIL_SMTP_HOST, VIGIL_SMTP_PORT, VIGIL_SMTP_USERNAME,
// VIGIL_SMTP_PASSWORD, VIGIL_SMTP_FROM, VIGIL_SMTP_TLS and the optional VIGIL_SMTP_HELO and
// VIGIL_SMTP_TIMEOUT (a Go duration such as 20s). It returns ErrNotConfigured when
// VIGIL_SMTP_HOST is unset or empty, and an error wrapping ErrInvalidConfig naming the variable
// at fault otherwise.
func ConfigFromEnv() (Config, error) {
	return configFromLookup(os.Getenv)
}

func configFromLookup(getenv func(string) string) (Config, error) {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	var c Config
	c.Host = get("VIGIL_SMTP_HOST")
	if c.Host == "" {
		return Config{}, ErrNotConfigured
	}
	if p := get("VIGIL_SMTP_PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return Config{}, fmt.Errorf("%w: VIGIL_SMTP_PORT %q is not a number", ErrInvalidConfig, p)
		}
		c.Port = n
	}
	c.Username = get("VIGIL_SMTP_USERNAME")
	// The password is taken as is: leading or trailing spaces may be part of it.
	c.Password = getenv("VIGIL_SMTP_PASSWORD")
	from := get("VIGIL_SMTP_FROM")
	if from == "" {
		return Config{}, fmt.Errorf("%w: VIGIL_SMTP_FROM is not set (e.g. \"Vigil <vigil@example.org>\")", ErrInvalidConfig)
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return Config{}, fmt.Errorf("%w: VIGIL_SMTP_FROM %q is not an e-mail address: %w", ErrInvalidConfig, from, err)
	}
	c.From = *addr
	c.TLS = TLSPolicy(strings.ToLower(get("VIGIL_SMTP_TLS")))
	c.HELO = get("VIGIL_SMTP_HELO")
	if t := get("VIGIL_SMTP_TIMEOUT"); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil {
			return Config{}, fmt.Errorf("%w: VIGIL_SMTP_TIMEOUT %q is not a duration such as 30s: %w", ErrInvalidConfig, t, err)
		}
		c.Timeout = d
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c.withDefaults(), nil
}

// Validate checks a Config as written by a person; the messages name the environment variable
// that sets each field.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	if c.Host == "" {
		return bad("VIGIL_SMTP_HOST is empty")
	}
	if strings.ContainsAny(c.Host, " /:@") && net.ParseIP(c.Host) == nil {
		return bad("VIGIL_SMTP_HOST %q must be a host name or IP address, without port or scheme", c.Host)
	}
	if c.Port < 0 || c.Port > 65535 {
		return bad("VIGIL_SMTP_PORT %d is outside 1-65535", c.Port)
	}
	if (c.Username == "") != (c.Password == "") {
		return bad("VIGIL_SMTP_USERNAME and VIGIL_SMTP_PASSWORD must be set together")
	}
	if c.From.Address == "" {
		return bad("VIGIL_SMTP_FROM is empty")
	}
	if _, err := netmail.ParseAddress(c.From.Address); err != nil {
		return bad("VIGIL_SMTP_FROM address %q: %w", c.From.Address, err)
	}
	if strings.ContainsAny(c.From.Name, "\r\n") {
		return bad("VIGIL_SMTP_FROM display name contains a line break")
	}
	switch c.TLS {
	case "", TLSStartTLS, TLSStartTLSOpportunistic, TLSImplicit:
	case TLSNone:
		if !isLoopback(c.Host) {
			return bad("VIGIL_SMTP_TLS=none is allowed only for a relay on a loopback address, not %q; use starttls-opportunistic for a local relay without TLS", c.Host)
		}
	default:
		return bad("VIGIL_SMTP_TLS %q must be starttls, starttls-opportunistic, tls or none", c.TLS)
	}
	if c.Timeout < 0 {
		return bad("VIGIL_SMTP_TIMEOUT must be positive")
	}
	if strings.ContainsAny(c.HELO, " \t\r\n") {
		return bad("VIGIL_SMTP_HELO %q must be a single host name", c.HELO)
	}
	return nil
}

// withDefaults fills the fields whose zero value means "the usual".
func (c Config) withDefaults() Config {
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	if c.Port == 0 {
		switch c.TLS {
		case TLSImplicit:
			c.Port = 465
		case TLSNone:
			c.Port = 25
		default:
			c.Port = 587 // submission (RFC 6409), where STARTTLS and AUTH are expected
		}
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// fromDomain is the part of the From address after the last @, used to scope Message-IDs.
func (c Config) fromDomain() string {
	at := strings.LastIndexByte(c.From.Address, '@')
	return c.From.Address[at+1:]
}
