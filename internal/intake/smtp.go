// Package intake takes incident and phishing reports in by e-mail: a built-in SMTP receiver
// (github.com/emersion/go-smtp) and an IMAP mailbox poller (github.com/emersion/go-imap/v2).
// Both hand each raw message to service.ReceiveMail and acknowledge it (SMTP 250, the IMAP
// move) only once the service has durably recorded what became of it.
package intake

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/vigil-ir/vigil/internal/mailparse"
	"github.com/vigil-ir/vigil/internal/service"
)

// Receiver is what the SMTP server and the IMAP poller hand messages to.
type Receiver interface {
	ReceiveMail(ctx context.Context, in service.InboundMail) (*service.IntakeResult, error)
}

// Addresses maps intake addresses (lower case) to intake kinds.
type Addresses map[string]string

// ParseAddresses reads "kind=address" pairs (kind incident or phishing).
func ParseAddresses(pairs []string) (Addresses, error) {
	out := Addresses{}
	for _, p := range pairs {
		for _, item := range strings.Split(p, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			kind, addr, ok := strings.Cut(item, "=")
			kind = strings.TrimSpace(kind)
			if !ok || (kind != service.IntakeIncident && kind != service.IntakePhishing) {
				return nil, fmt.Errorf("intake address %q must be incident=ADDRESS or phishing=ADDRESS", item)
			}
			a, err := mail.ParseAddress(strings.TrimSpace(addr))
			if err != nil {
				return nil, fmt.Errorf("intake address %q: %w", item, err)
			}
			out[strings.ToLower(a.Address)] = kind
		}
	}
	return out, nil
}

// SMTPOptions configure the receiver.
type SMTPOptions struct {
	Addresses Addresses
	Limits    mailparse.Limits // MaxSize also bounds DATA (552 beyond it)
	Domain    string           // the name in the greeting
	// TLSConfig, when set, offers STARTTLS, so reports cross the network encrypted from
	// servers that support it (most do).
	TLSConfig *tls.Config
	Logger    *slog.Logger
}

// NewSMTPServer returns a receiver that accepts mail for the intake addresses only.
// Recipients it does not know are refused at RCPT (550), a message larger than the limit
// at DATA (552), and a message is accepted (250) only after the service recorded it; a
// failure to record answers 451, so the sending server tries again later.
func NewSMTPServer(r Receiver, o SMTPOptions) *smtp.Server {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Limits.MaxSize <= 0 {
		o.Limits.MaxSize = service.IntakeLimits.MaxSize
	}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{r: r, o: &o}, nil
	}))
	s.Domain = o.Domain
	if s.Domain == "" {
		s.Domain = "localhost"
	}
	s.TLSConfig = o.TLSConfig
	s.MaxMessageBytes = o.Limits.MaxSize
	s.MaxRecipients = 10
	s.ReadTimeout = 2 * time.Minute
	s.WriteTimeout = 2 * time.Minute
	return s
}

type session struct {
	r      Receiver
	o      *SMTPOptions
	to     string
	kind   string
	bounce bool
}

func (s *session) Reset()        { s.to, s.kind, s.bounce = "", "", false }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.bounce = from == ""
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	kind, ok := s.o.Addresses[strings.ToLower(strings.TrimSpace(to))]
	if !ok {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such intake address here"}
	}
	// A message to several intake addresses is taken in once; phishing wins, because a
	// reporter who also wrote to the phishing address said what it is.
	if s.kind == "" || kind == service.IntakePhishing {
		s.to, s.kind = strings.ToLower(to), kind
	}
	return nil
}

func (s *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return se // 552 from the size limit
		}
		if errors.Is(err, smtp.ErrTooLongLine) {
			return &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 5, 2}, Message: "Line too long (RFC 5321 allows 1000 octets)"}
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Reading the message failed"}
	}
	// The sending server waits on this answer; a minute is far longer than recording takes.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := s.r.ReceiveMail(ctx, service.InboundMail{Raw: buf.Bytes(), Kind: s.kind, Recipient: s.to, Bounce: s.bounce, Limits: s.o.Limits})
	if err != nil {
		s.o.Logger.Error("e-mail intake failed; the sender will retry", "to", s.to, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Could not record the message now; try again later"}
	}
	s.o.Logger.Info("e-mail taken in", "to", s.to, "outcome", res.Outcome, "ref", res.Ref, "reason", res.Reason)
	return nil
}

// ServeSMTP runs srv on l until ctx ends, then lets sessions in progress finish (up to 30
// seconds) so a message being recorded is answered.
func ServeSMTP(ctx context.Context, srv *smtp.Server, l net.Listener) error {
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			_ = srv.Close()
		}
		<-done
		return nil
	}
}
