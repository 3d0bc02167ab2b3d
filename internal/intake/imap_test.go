package intake_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/vigil-ir/vigil/internal/blob"
	"github.com/vigil-ir/vigil/internal/intake"
	"github.com/vigil-ir/vigil/internal/mailparse"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// selfSigned is a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

type imapEnv struct {
	addr string
	pool *x509.CertPool
}

// startIMAP runs an in-memory IMAP server (STARTTLS, and MOVE when move is true) with user
// vigil and the folders INBOX and Processed.
func startIMAP(t *testing.T, move bool) *imapEnv {
	t.Helper()
	cert, pool := selfSigned(t)
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("vigil", "secret")
	for _, name := range []string{"INBOX", "Processed"} {
		if err := user.Create(name, nil); err != nil {
			t.Fatal(err)
		}
	}
	mem.AddUser(user)
	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}
	if move {
		caps[imap.CapMove] = struct{}{}
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:      caps,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		Logger:    discardLogger{},
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return &imapEnv{addr: l.Addr().String(), pool: pool}
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// client is a second, independent IMAP client: the test's view of the mailbox.
func (e *imapEnv) client(t *testing.T) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialStartTLS(e.addr, &imapclient.Options{TLSConfig: &tls.Config{RootCAs: e.pool}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login("vigil", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *imapEnv) deliver(t *testing.T, raw []byte) {
	t.Helper()
	c := e.client(t)
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

func (e *imapEnv) count(t *testing.T, mailbox string) (all, processed int) {
	t.Helper()
	c := e.client(t)
	if _, err := c.Select(mailbox, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	flagged, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{"$VigilProcessed"}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return len(found.AllUIDs()), len(flagged.AllUIDs())
}

func newIMAPService(t testing.TB, st *store.Store) *service.Service {
	t.Helper()
	blobs, err := blob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(context.Background(), st, service.Options{Blobs: blobs})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestIMAPPoller(t *testing.T) {
	tests := []struct {
		name      string
		move      bool   // server offers MOVE (else the client copies, flags \Deleted, expunges)
		processed string // folder, or "" to flag in place
	}{
		{"move", true, "Processed"},
		{"copy and expunge", false, "Processed"},
		{"flag in place", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				srv := startIMAP(t, tt.move)
				svc := newIMAPService(t, st)
				poller := func(owner string) *intake.Poller {
					p, err := intake.NewPoller(svc, intake.IMAPOptions{URL: "imap://vigil@" + srv.addr + "/INBOX", Password: "secret",
						Kind: service.IntakeIncident, Processed: tt.processed, TLSConfig: &tls.Config{RootCAs: srv.pool}, Owner: owner, Limits: mailparse.Limits{MaxSize: 32 << 10}})
					if err != nil {
						t.Fatal(err)
					}
					return p
				}
				srv.deliver(t, message("fay@example.net", "Tailgating at the side door", "Someone followed me in.", "Message-ID: <door-1@example.net>"))
				srv.deliver(t, message("gil@example.net", "Huge scan", strings.Repeat(strings.Repeat("x", 70)+"\r\n", 600), "Message-ID: <scan-1@example.net>"))
				p := poller("node-a")
				if n, err := p.Poll(ctx); err != nil || n != 2 {
					t.Fatalf("first poll took %d: %v", n, err)
				}
				list, _, _ := svc.ListIncidents(ctx, svc.System(), service.ListQuery{})
				if len(list) != 1 || list[0].Title != "Tailgating at the side door" || list[0].Channel != "email" {
					t.Fatalf("incidents = %+v", list)
				}
				q, _ := svc.Quarantine(ctx, svc.System(), 10)
				if len(q) != 1 || q[0].Reason != mailparse.ReasonTooLarge || q[0].Size <= 32<<10 {
					t.Errorf("quarantine = %+v, want the oversized scan", q)
				}
				inbox, flagged := srv.count(t, "INBOX")
				done, _ := srv.count(t, "Processed")
				if tt.processed != "" && (inbox != 0 || done != 2) {
					t.Errorf("INBOX %d, Processed %d; want 0 and 2", inbox, done)
				}
				if tt.processed == "" && (inbox != 2 || flagged != 2) {
					t.Errorf("INBOX %d with %d flagged; want 2 and 2", inbox, flagged)
				}

				// Another node sharing the database waits for the lease.
				srv.deliver(t, message("hal@example.net", "Phishing call", "A caller asked for my password.", "Message-ID: <call-1@example.net>"))
				if n, err := poller("node-b").Poll(ctx); err != nil || n != 0 {
					t.Errorf("a second node polled during the lease: %d, %v", n, err)
				}
				// After a restart (a new poller, the same database) only the new message is read.
				if n, err := poller("node-a").Poll(ctx); err != nil || n != 1 {
					t.Fatalf("poll after restart took %d: %v", n, err)
				}
				if list, _, _ := svc.ListIncidents(ctx, svc.System(), service.ListQuery{}); len(list) != 2 {
					t.Errorf("incidents after restart = %d, want 2", len(list))
				}
				if n, err := poller("node-a").Poll(ctx); err != nil || n != 0 {
					t.Errorf("an idle poll took %d: %v", n, err)
				}
			})
		})
	}
}

func TestIMAPURLChecks(t *testing.T) {
	svc := (*service.Service)(nil)
	for _, u := range []string{
		"http://vigil@mail.example.org/INBOX",
		"imaps://mail.example.org/INBOX",
		"imaps://vigil:pw@mail.example.org/INBOX",
		"imap://vigil@mail.example.org/INBOX?tls=none",
		"imaps://vigil@127.0.0.1/INBOX?tls=none",
	} {
		if _, err := intake.NewPoller(svc, intake.IMAPOptions{URL: u, Kind: service.IntakeIncident}); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	if _, err := intake.NewPoller(svc, intake.IMAPOptions{URL: "imaps://vigil@mail.example.org/INBOX", Kind: "spam"}); err == nil {
		t.Error("an unknown kind accepted")
	}
}
