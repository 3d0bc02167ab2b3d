package main_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/vigil-ir/vigil/internal/storetest"
)

// inbox is a real SMTP server that keeps the Message-ID of everything it receives.
type inbox struct {
	mu  sync.Mutex
	ids []string
}

type inboxSession struct{ in *inbox }

func (s inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s inboxSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s inboxSession) Reset()                               {}
func (s inboxSession) Logout() error                        { return nil }
func (s inboxSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(bufio.NewReader(r))
	if err != nil {
		return err
	}
	s.in.mu.Lock()
	s.in.ids = append(s.in.ids, m.Header.Get("Message-Id"))
	s.in.mu.Unlock()
	return nil
}

func (in *inbox) count() (total, distinct int, dup []string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	seen := map[string]int{}
	for _, id := range in.ids {
		seen[id]++
		if seen[id] == 2 {
			dup = append(dup, id)
		}
	}
	return len(in.ids), len(seen), dup
}

func startInbox(t *testing.T) (*inbox, string) {
	in := &inbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return inboxSession{in}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return in, ln.Addr().String()
}

// TestEscalationsExactlyOnceAcrossNodes runs two vigil serve processes against one
// PostgreSQL database with a real SMTP server, kills one of them mid-run, and checks that
// every escalation (incident clock × threshold × recipient) arrives, and none twice.
func TestEscalationsExactlyOnceAcrossNodes(t *testing.T) {
	db := storetest.NewSchema(t)
	in, smtpAddr := startInbox(t)
	host, port, _ := net.SplitHostPort(smtpAddr)
	env := append(os.Environ(), "VIGIL_SMTP_HOST="+host, "VIGIL_SMTP_PORT="+port, "VIGIL_SMTP_TLS=none", "VIGIL_SMTP_FROM=Vigil <vigil@example.org>")

	if out, code := run(t, "", "migrate", "--database", db); code != 0 {
		t.Fatal(out)
	}
	if out, code := run(t, "Correct-Horse-Battery-9\n", "user", "add", "--database", db, "--email", "dpo@example.org", "--name", "DPO", "--role", "dpo,handler"); code != 0 {
		t.Fatal(out)
	}
	tok, err := exec.Command(bin, "token", "create", "--database", db, "--email", "dpo@example.org", "--name", "t").Output()
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tok))

	start := func() (*exec.Cmd, string) {
		addr := freeAddr(t)
		return serveWith(t, env, "--database", db, "--addr", addr), addr
	}
	a, addrA := start()
	b, _ := start()
	_ = a

	// Incidents whose 72-hour window has already run out: all four thresholds (50, 75, 90,
	// 100 %) fall due at once, one e-mail each to the DPO.
	const incidents = 25
	aware := time.Now().Add(-80 * time.Hour).UTC().Format(time.RFC3339)
	for i := 0; i < incidents; i++ {
		body := fmt.Sprintf(`{"title":"Breach %d","nature":"test","personal_data":"yes","aware_at":%q}`, i, aware)
		req, _ := http.NewRequest("POST", "http://"+addrA+"/api/v1/incidents", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		json.NewDecoder(res.Body).Decode(&got)
		res.Body.Close()
		if res.StatusCode != 201 {
			t.Fatalf("create: %d %v", res.StatusCode, got)
		}
		if i == incidents/2 {
			// Kill one node while both are escalating.
			b.Process.Signal(syscall.SIGKILL)
			b.Wait()
		}
	}
	want := incidents * 4
	deadline := time.Now().Add(60 * time.Second)
	for {
		total, distinct, _ := in.count()
		if distinct >= want {
			// Give stragglers a moment, then check nothing arrived twice.
			time.Sleep(2 * time.Second)
			total, distinct, dup := in.count()
			if distinct != want {
				t.Fatalf("%d distinct escalations, want %d", distinct, want)
			}
			// A node killed between the relay's "250 OK" and recording it can leave one
			// message resent after its lease; it carries the same Message-ID, so a mailbox
			// drops it. Anything more is a fault.
			if total-distinct > 1 {
				t.Fatalf("%d messages for %d escalations; sent twice: %v", total, distinct, dup)
			}
			t.Logf("%d escalations delivered by two nodes, one killed mid-run; %d resent with the same Message-ID", distinct, total-distinct)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d escalations arrived (%d messages)", distinct, want, total)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
