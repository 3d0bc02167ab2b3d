package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// relayMode is how the test relay secures its sessions.
type relayMode int

const (
	relayStartTLS relayMode = iota // offers STARTTLS; AUTH only after it
	relayImplicit                  // TLS from the first byte
	relayPlain                     // no TLS at all; AUTH allowed in clear (loopback only)
)

const (
	relayUser     = "vigil-relay"
	relayPassword = "correct horse battery staple"
)

// received is one message as the relay took it.
type received struct {
	helo     string
	authUser string
	tls      bool
	from     string
	to       []string
	data     []byte
}

// relay is a real SMTP server (github.com/emersion/go-smtp) on 127.0.0.1 for the tests. Its
// answers can be set to fail at each step.
type relay struct {
	port int
	pool *x509.CertPool // trusts the relay's self-signed certificate

	// Set before the first Send; read by the server's goroutines.
	requireAuth bool
	mailErr     error
	rcptErr     func(to string) error
	dataErr     error
	dataStarted chan struct{} // if set, closed when DATA begins, which then waits for release
	release     chan struct{}

	mu       sync.Mutex
	sessions int
	mails    []received
}

func (r *relay) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.mails...)
}

func (r *relay) sessionCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sessions
}

// startRelay starts a relay on 127.0.0.1 and stops it when the test ends.
func startRelay(t *testing.T, mode relayMode) *relay {
	t.Helper()
	cert, pool := selfSignedCert(t)
	r := &relay{pool: pool, requireAuth: mode != relayPlain, release: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		r.mu.Lock()
		r.sessions++
		r.mu.Unlock()
		return &relaySession{relay: r, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case relayStartTLS:
		srv.TLSConfig = tlsConfig
	case relayImplicit:
		ln = tls.NewListener(ln, tlsConfig)
	case relayPlain:
		srv.AllowInsecureAuth = true
	}
	r.port = ln.Addr().(*net.TCPAddr).Port
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		// go-smtp's Close misses a listener that Serve has not registered yet (a test that never
		// connects can end that early), and Serve would then wait in Accept for ever.
		_ = ln.Close()
		if err := <-served; err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			t.Errorf("relay: %v", err)
		}
	})
	// Registered after Close, so it runs before it: a DATA handler held by a test lets go first.
	t.Cleanup(func() { close(r.release) })
	return r
}

type relaySession struct {
	relay *relay
	conn  *smtp.Conn
	user  string
	msg   received
}

func (s *relaySession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *relaySession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != relayUser || password != relayPassword {
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error {
	if s.relay.requireAuth && s.user == "" {
		return smtp.ErrAuthRequired
	}
	if s.relay.mailErr != nil {
		return s.relay.mailErr
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.msg = received{helo: s.conn.Hostname(), authUser: s.user, tls: isTLS, from: from}
	return nil
}

func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.relay.rcptErr != nil {
		if err := s.relay.rcptErr(to); err != nil {
			return err
		}
	}
	s.msg.to = append(s.msg.to, to)
	return nil
}

func (s *relaySession) Data(r io.Reader) error {
	if s.relay.dataStarted != nil {
		close(s.relay.dataStarted)
		<-s.relay.release
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.relay.dataErr != nil {
		return s.relay.dataErr
	}
	s.msg.data = data
	s.relay.mu.Lock()
	s.relay.mails = append(s.relay.mails, s.msg)
	s.relay.mu.Unlock()
	return nil
}

func (s *relaySession) Reset()        { s.msg = received{} }
func (s *relaySession) Logout() error { return nil }

// selfSignedCert makes a certificate for 127.0.0.1 and localhost and a pool that trusts it.
func selfSignedCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Vigil test relay"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
