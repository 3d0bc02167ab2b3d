package intake

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/vigil-ir/vigil/internal/mailparse"
	"github.com/vigil-ir/vigil/internal/service"
)

// Mailbox is what the poller needs from the service: intake, plus the lease and the saved
// position that let nodes sharing a database poll one mailbox one at a time and resume
// where the last poll stopped.
type Mailbox interface {
	Receiver
	LeaseMailbox(ctx context.Context, mailbox, owner string, lease time.Duration) (service.MailboxState, bool, error)
	SaveMailbox(ctx context.Context, mailbox string, st service.MailboxState) error
	QuarantineOversized(ctx context.Context, in service.InboundMail, size int64) (*service.IntakeResult, error)
}

// IMAPOptions configure the poller.
type IMAPOptions struct {
	// URL names the server, user and mailbox: imaps://user@host:993/INBOX (implicit TLS) or
	// imap://user@host/INBOX (STARTTLS, required). imap://…?tls=none speaks in clear and is
	// allowed only to a loopback address (tests, a local bridge).
	URL      string
	Password string
	Kind     string // the intake kind of everything in the mailbox
	// Processed is the folder processed messages are moved to; empty leaves them in place,
	// marked \Seen and $VigilProcessed.
	Processed string
	Limits    mailparse.Limits
	Every     time.Duration // 0 means a minute
	Batch     int           // messages per poll; 0 means 50
	TLSConfig *tls.Config   // RootCAs for tests; verification is never turned off
	Owner     string        // lease owner; default host name and process id
	Logger    *slog.Logger
}

// processedFlag marks messages when no Processed folder is set.
const processedFlag = imap.Flag("$VigilProcessed")

// Poller reads an IMAP mailbox into intake.
type Poller struct {
	m       Mailbox
	o       IMAPOptions
	u       *url.URL
	mailbox string // the server mailbox name
	key     string // user@host/mailbox, the name of its saved state
}

// NewPoller checks o.
func NewPoller(m Mailbox, o IMAPOptions) (*Poller, error) {
	u, err := url.Parse(o.URL)
	if err != nil {
		return nil, fmt.Errorf("IMAP URL: %w", err)
	}
	if u.Scheme != "imap" && u.Scheme != "imaps" {
		return nil, fmt.Errorf("IMAP URL %q must start with imaps:// or imap://", redactURL(u))
	}
	if u.User == nil || u.User.Username() == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("IMAP URL %q must name the user and host: imaps://user@host/INBOX", redactURL(u))
	}
	if _, has := u.User.Password(); has {
		return nil, errors.New("put the IMAP password in VIGIL_IMAP_PASSWORD, not in the URL")
	}
	if u.Query().Get("tls") == "none" && (u.Scheme != "imap" || !loopback(u.Hostname())) {
		return nil, fmt.Errorf("IMAP without TLS is allowed only to a loopback address, not %q", u.Hostname())
	}
	if o.Kind != service.IntakeIncident && o.Kind != service.IntakePhishing {
		return nil, fmt.Errorf("IMAP intake kind %q must be incident or phishing", o.Kind)
	}
	if o.Every <= 0 {
		o.Every = time.Minute
	}
	if o.Batch <= 0 {
		o.Batch = 50
	}
	if o.Limits.MaxSize <= 0 {
		o.Limits.MaxSize = service.IntakeLimits.MaxSize
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Owner == "" {
		host, _ := os.Hostname()
		o.Owner = fmt.Sprintf("%s/%d", host, os.Getpid())
	}
	mailbox := strings.TrimPrefix(u.Path, "/")
	if mailbox == "" {
		mailbox = "INBOX"
	}
	return &Poller{m: m, o: o, u: u, mailbox: mailbox, key: u.User.Username() + "@" + u.Host + "/" + mailbox}, nil
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

func redactURL(u *url.URL) string { return u.Redacted() }

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) {
	t := time.NewTicker(p.o.Every)
	defer t.Stop()
	for {
		if n, err := p.Poll(ctx); err != nil && ctx.Err() == nil {
			p.o.Logger.Error("polling the intake mailbox", "mailbox", p.key, "err", err)
		} else if n > 0 {
			p.o.Logger.Info("intake mailbox read", "mailbox", p.key, "messages", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Poll reads the messages that arrived since the last poll, up to a batch, and returns how
// many it took in. Each message is recorded before it is moved or flagged, and the position
// is saved after; a crash in between makes the next poll offer the message again, which
// the service recognises by its Message-ID.
func (p *Poller) Poll(ctx context.Context) (int, error) {
	// The lease outlasts a poll comfortably; another node takes over only once it ran out.
	st, ok, err := p.m.LeaseMailbox(ctx, p.key, p.o.Owner, 2*p.o.Every+time.Minute)
	if err != nil || !ok {
		return 0, err
	}
	c, err := p.dial()
	if err != nil {
		return 0, err
	}
	defer c.Close()
	// The client does not watch ctx; closing the connection is what stops a stalled command.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.Login(p.u.User.Username(), p.o.Password).Wait(); err != nil {
		return 0, fmt.Errorf("IMAP login as %s: %w", p.u.User.Username(), err)
	}
	sel, err := c.Select(p.mailbox, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("IMAP select %s: %w", p.mailbox, err)
	}
	if sel.UIDValidity != st.UIDValidity {
		// UIDs of another validity mean nothing here (RFC 9051 §2.3.1.1): start over; the
		// Message-ID dedupe keeps already recorded messages from being recorded twice.
		st = service.MailboxState{UIDValidity: sel.UIDValidity}
	}
	criteria := &imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(st.LastUID + 1), Stop: 0}}}}
	if p.o.Processed == "" {
		criteria.NotFlag = []imap.Flag{processedFlag}
	}
	found, err := c.UIDSearch(criteria, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("IMAP search: %w", err)
	}
	uids := slices.DeleteFunc(found.AllUIDs(), func(u imap.UID) bool { return uint32(u) <= st.LastUID })
	slices.Sort(uids)
	n := 0
	for _, uid := range uids[:min(len(uids), p.o.Batch)] {
		if err := p.take(ctx, c, uid); err != nil {
			_ = p.m.SaveMailbox(ctx, p.key, st)
			return n, err
		}
		st.LastUID = uint32(uid)
		n++
	}
	if err := p.m.SaveMailbox(ctx, p.key, st); err != nil {
		return n, err
	}
	return n, c.Logout().Wait()
}

func (p *Poller) dial() (*imapclient.Client, error) {
	host := p.u.Host
	if p.u.Port() == "" {
		port := "143"
		if p.u.Scheme == "imaps" {
			port = "993"
		}
		host = net.JoinHostPort(p.u.Hostname(), port)
	}
	tc := p.o.TLSConfig
	if tc == nil {
		tc = &tls.Config{}
	}
	tc = tc.Clone()
	tc.ServerName, tc.MinVersion = p.u.Hostname(), tls.VersionTLS12
	opts := &imapclient.Options{TLSConfig: tc, Dialer: &net.Dialer{Timeout: 30 * time.Second}}
	var c *imapclient.Client
	var err error
	switch {
	case p.u.Scheme == "imaps":
		c, err = imapclient.DialTLS(host, opts)
	case p.u.Query().Get("tls") == "none":
		c, err = imapclient.DialInsecure(host, opts)
	default:
		c, err = imapclient.DialStartTLS(host, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("IMAP connect to %s: %w", host, err)
	}
	return c, nil
}

// take fetches one message, records it and moves or flags it.
func (p *Poller) take(ctx context.Context, c *imapclient.Client, uid imap.UID) error {
	set := imap.UIDSetNum(uid)
	sizes, err := c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil || len(sizes) != 1 {
		return fmt.Errorf("IMAP fetch size of %d: %w", uid, err)
	}
	in := service.InboundMail{Kind: p.o.Kind, Recipient: p.u.User.Username(), Limits: p.o.Limits}
	section := &imap.FetchItemBodySection{Peek: true}
	oversized := sizes[0].RFC822Size > p.o.Limits.MaxSize
	if oversized {
		section.Specifier = imap.PartSpecifierHeader
	}
	msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil || len(msgs) != 1 {
		return fmt.Errorf("IMAP fetch of %d: %w", uid, err)
	}
	in.Raw = msgs[0].FindBodySection(section)
	var res *service.IntakeResult
	if oversized {
		res, err = p.m.QuarantineOversized(ctx, in, sizes[0].RFC822Size)
	} else {
		res, err = p.m.ReceiveMail(ctx, in)
	}
	if err != nil {
		return err
	}
	p.o.Logger.Info("e-mail taken in", "mailbox", p.key, "uid", uid, "outcome", res.Outcome, "ref", res.Ref, "reason", res.Reason)
	if p.o.Processed != "" {
		if _, err := c.Move(set, p.o.Processed).Wait(); err != nil {
			return fmt.Errorf("IMAP move of %d to %s: %w", uid, p.o.Processed, err)
		}
		return nil
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen, processedFlag}}, nil).Close(); err != nil {
		return fmt.Errorf("IMAP flag of %d: %w", uid, err)
	}
	return nil
}
