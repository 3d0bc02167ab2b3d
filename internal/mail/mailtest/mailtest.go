// Package mailtest runs a real SMTP server (github.com/emersion/go-smtp) on 127.0.0.1 that
// keeps every message it accepts, for tests outside internal/mail that send through
// mail.Sender. It speaks plain SMTP without AUTH: use it with mail.TLSNone.
package mailtest

import (
	"bytes"
	"errors"
	"io"
	"log"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"net"

	"github.com/emersion/go-smtp"
)

// Message is one message as the server accepted it.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Server is a running test relay.
type Server struct {
	Port int
	// Refuse lists recipients the server answers "550 no such mailbox", a permanent failure.
	// Set it before the first message.
	Refuse map[string]bool

	mu   sync.Mutex
	msgs []Message
}

// Messages returns what the server has accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		_ = ln.Close() // Close misses a listener Serve has not registered yet
		if err := <-served; err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			t.Errorf("mailtest: %v", err)
		}
	})
	return s
}

type session struct {
	s   *Server
	msg Message
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.msg = Message{From: from}
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if x.s.Refuse[to] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	x.msg.To = append(x.msg.To, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.msg.Data = data
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, x.msg)
	x.s.mu.Unlock()
	return nil
}

func (x *session) Reset()        { x.msg = Message{} }
func (x *session) Logout() error { return nil }

// Parts reads an accepted message: its headers and its text/plain and text/html parts,
// decoded, with CRLF line ends turned into LF.
func Parts(t testing.TB, data []byte) (netmail.Header, map[string]string) {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("mailtest: reading message: %v", err)
	}
	out := map[string]string{}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("mailtest: Content-Type: %v", err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		b, _ := io.ReadAll(m.Body)
		out[mt] = strings.ReplaceAll(string(b), "\r\n", "\n")
		return m.Header, out
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return m.Header, out
		}
		if err != nil {
			t.Fatalf("mailtest: %v", err)
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, err := io.ReadAll(p) // multipart.Part undoes quoted-printable itself
		if err != nil {
			t.Fatalf("mailtest: %v", err)
		}
		out[pt] = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
}
