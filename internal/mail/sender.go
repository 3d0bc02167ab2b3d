package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"regexp"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// Message is one e-mail as the outbox hands it over.
type Message struct {
	// To lists the recipients. go-mail abandons the whole transaction when the relay refuses
	// any one of them, so the outbox should send one recipient per Message: a refused DPO
	// address then neither holds back the owner's copy nor blurs whose delivery failed.
	To      []string
	Subject string
	Text    string // the plain-text body; required
	HTML    string // an optional HTML alternative of the same content
	// Kind names what the message is ("escalation"); it becomes the X-Vigil-Kind header so
	// recipients can filter and Vigil can recognise its own mail coming back.
	Kind string
	// ID, when set, makes the Message-ID <vigil.ID@from-domain>, the same on every attempt, so a
	// relay or mailbox can drop the duplicate left by an attempt whose outcome was unknown.
	// Use the outbox entry's id. Letters, digits, '.', '_' and '-' only.
	ID string
	// InReplyTo, when set, is the Message-ID (without angle brackets) of the message this
	// answers; it becomes In-Reply-To and References so mail clients thread the reply.
	InReplyTo string
	// AutoReply marks a reply sent by a program (Auto-Submitted: auto-replied) rather than a
	// message it generated on its own (auto-generated); both silence auto-responders.
	AutoReply bool
	// Headers adds X-Vigil-* headers (e.g. X-Vigil-Incident). Other names are refused so a
	// caller cannot override the structural or anti-loop headers.
	Headers map[string]string
}

// Sender hands messages to one SMTP relay. It keeps no connection between calls: each Send is
// one complete attempt, which is what the outbox's retry schedule counts. It is safe for
// concurrent use.
type Sender struct {
	cfg  Config
	addr string
}

// NewSender validates cfg and fills its defaults. It does not connect.
func NewSender(cfg Config) (*Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Sender{cfg: cfg, addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))}, nil
}

// Config returns the configuration in use, defaults filled in.
func (s *Sender) Config() Config { return s.cfg }

// Send makes one attempt to hand m to the relay. It returns nil once the relay has accepted the
// message, and otherwise an *Error: check it with IsTemporary before scheduling a retry.
// Cancelling ctx abandons the attempt at once, whatever step it is in.
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return &Error{Stage: StageMessage, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return &Error{Stage: StageConnect, Temporary: true, Err: err}
	}

	// go-mail watches the context only while dialling; after that each command has the
	// Timeout. Closing the socket when ctx ends is what lets a worker shut down, or give up on a
	// relay that stalls mid-transaction, without waiting out every command's timeout.
	var raw net.Conn
	stopWatch := func() bool { return false }
	defer func() { stopWatch() }()
	dial := func(dctx context.Context, network, _ string) (net.Conn, error) {
		d := net.Dialer{Timeout: s.cfg.Timeout}
		c, err := d.DialContext(dctx, network, s.addr)
		if err != nil {
			return nil, err
		}
		raw = c
		stopWatch = context.AfterFunc(ctx, func() { _ = c.Close() })
		if s.cfg.TLS != TLSImplicit {
			return c, nil
		}
		// Implicit TLS is done here rather than by go-mail so that the context watch above sees
		// the raw socket; go-mail's SMTP client recognises the *tls.Conn as encrypted.
		tc := tls.Client(c, s.tlsConfig())
		if err := tc.HandshakeContext(dctx); err != nil {
			return nil, err
		}
		return tc, nil
	}

	client, err := gomail.NewClient(s.cfg.Host, s.clientOptions(dial)...)
	if err != nil {
		return &Error{Stage: StageConnect, Temporary: true, Err: fmt.Errorf("mail: configuring the SMTP client: %w", err)}
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		// go-mail leaves the socket open when TLS, EHLO or AUTH fail.
		if raw != nil {
			_ = raw.Close()
		}
		return s.failure(ctx, StageConnect, err)
	}
	sendErr := client.SendWithSMTPClient(sc, msg)
	// QUIT after the relay took the message changes nothing; its failure is not a failure to
	// send, and reporting one would make the outbox send the message twice.
	_ = client.CloseWithSMTPClient(sc)
	if raw != nil {
		_ = raw.Close()
	}
	if sendErr == nil || msg.IsDelivered() {
		return nil
	}
	return s.failure(ctx, StageData, sendErr)
}

// failure classifies err, reporting a cancelled or expired ctx as the cause: it closed the
// socket, so the error go-mail saw ("use of closed network connection") would mislead.
func (s *Sender) failure(ctx context.Context, stage Stage, err error) error {
	e := classify(stage, err)
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		e.Err = fmt.Errorf("%w (%w)", cerr, err)
		e.Temporary = true
	}
	return e
}

func (s *Sender) tlsConfig() *tls.Config {
	return &tls.Config{
		ServerName: s.cfg.Host,
		RootCAs:    s.cfg.RootCAs,
		MinVersion: tls.VersionTLS12,
	}
}

func (s *Sender) clientOptions(dial gomail.DialContextFunc) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(s.tlsConfig()),
		// A fresh connection needs no NOOP to prove it is alive.
		gomail.WithoutNoop(),
	}
	switch s.cfg.TLS {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSStartTLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default: // TLSImplicit is done by the dialler; TLSNone is plain.
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.cfg.HELO))
	}
	if s.cfg.Username != "" {
		// The first of these the relay offers. PLAIN and LOGIN are refused by go-mail's SMTP
		// client on an unencrypted connection to anything but localhost, so a relay that drops
		// STARTTLS under the opportunistic policy gets no password.
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(s.cfg.Username),
			gomail.WithPassword(s.cfg.Password),
		)
	}
	return opts
}

var (
	idPattern         = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	kindPattern       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)
	vigilHeaderSuffix = regexp.MustCompile(`^[A-Za-z0-9-]{1,40}$`)
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidMessage}, args...)...)
}

// build checks m and turns it into a go-mail message with Vigil's headers.
func (s *Sender) build(m Message) (*gomail.Msg, error) {
	if len(m.To) == 0 {
		return nil, invalid("no recipients")
	}
	to := make([]*netmail.Address, 0, len(m.To))
	for _, r := range m.To {
		a, err := netmail.ParseAddress(r)
		if err != nil {
			return nil, invalid("recipient %q: %w", r, err)
		}
		to = append(to, a)
	}
	if strings.TrimSpace(m.Subject) == "" {
		return nil, invalid("empty subject")
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, invalid("subject contains a line break")
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, invalid("empty plain-text body")
	}
	if !kindPattern.MatchString(m.Kind) {
		return nil, invalid("kind %q must be a short lower-case word such as escalation", m.Kind)
	}
	if m.ID != "" && !idPattern.MatchString(m.ID) {
		return nil, invalid("id %q may hold only letters, digits, '.', '_' and '-'", m.ID)
	}

	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	from := s.cfg.From
	msg.FromMailAddress(&from)
	msg.ToMailAddress(to...)
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageIDWithValue(s.messageID(m.ID))
	// RFC 3834 §5: marks the mail as sent by a program so that auto-responders (out-of-office,
	// vacation) do not answer it; Exchange ignores that and needs its own header.
	auto := "auto-generated"
	if m.AutoReply {
		auto = "auto-replied"
	}
	msg.SetGenHeader("Auto-Submitted", auto)
	if m.InReplyTo != "" {
		if strings.ContainsAny(m.InReplyTo, "<>\r\n ") {
			return nil, invalid("in-reply-to %q is not a bare Message-ID", m.InReplyTo)
		}
		msg.SetGenHeader(gomail.HeaderInReplyTo, "<"+m.InReplyTo+">")
		msg.SetGenHeader(gomail.HeaderReferences, "<"+m.InReplyTo+">")
	}
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetGenHeader("X-Vigil-Kind", m.Kind)
	for name, value := range m.Headers {
		suffix, ok := cutPrefixFold(name, "X-Vigil-")
		if !ok || !vigilHeaderSuffix.MatchString(suffix) || strings.EqualFold(suffix, "Kind") {
			return nil, invalid("header %q: only X-Vigil-* headers other than X-Vigil-Kind may be added", name)
		}
		if strings.ContainsAny(value, "\r\n") {
			return nil, invalid("header %q contains a line break", name)
		}
		msg.SetGenHeader(gomail.Header("X-Vigil-"+suffix), value)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// messageID is the part between < and > of the Message-ID, under the From domain (RFC 5322
// §3.6.4 asks for a unique left part and a domain the sender controls).
func (s *Sender) messageID(id string) string {
	if id == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
		id = hex.EncodeToString(b)
	}
	return "vigil." + id + "@" + s.cfg.fromDomain()
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}
