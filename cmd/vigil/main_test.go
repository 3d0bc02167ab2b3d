package main_test

// These tests drive the real vigil binary as an operator would: build it, start it, kill it.

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vigil-bin")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "vigil")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building vigil: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func run(t *testing.T, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("vigil %v: %v", args, err)
	}
	return out.String(), 0
}

// setup makes a data directory with an admin and returns an API token.
func setup(t *testing.T, data string) string {
	t.Helper()
	if out, code := run(t, "Correct-Horse-Battery-9\n", "user", "add", "--data", data, "--email", "ops@example.org", "--name", "Ops", "--role", "admin,handler"); code != 0 {
		t.Fatalf("user add: %s", out)
	}
	cmd := exec.Command(bin, "token", "create", "--data", data, "--email", "ops@example.org", "--name", "test")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	tok := strings.TrimSpace(string(out))
	if !strings.HasPrefix(tok, "vgl_") || strings.Contains(tok, "\n") {
		t.Fatalf("token create must print only the token, got %q", out)
	}
	return tok
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serve starts vigil serve on a data directory and waits for /readyz.
func serve(t *testing.T, data, addr string) *exec.Cmd {
	t.Helper()
	return serveWith(t, nil, "--data", data, "--addr", addr)
}

// serveWith starts vigil serve with these flags (and env, when not nil), waiting for /readyz.
func serveWith(t *testing.T, env []string, flags ...string) *exec.Cmd {
	t.Helper()
	var addr string
	for i, f := range flags {
		if f == "--addr" && i+1 < len(flags) {
			addr = flags[i+1]
		}
	}
	cmd := exec.Command(bin, append([]string{"serve"}, flags...)...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; i < 200; i++ {
		if r, err := http.Get("http://" + addr + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return cmd
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("vigil serve did not become ready")
	return nil
}

func create(client *http.Client, addr, token, title string) (string, error) {
	body := fmt.Sprintf(`{"title":%q,"nature":"Durability test","personal_data":"unknown"}`, title)
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/incidents", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 201 {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	var inc struct{ Ref string }
	if err := json.NewDecoder(resp.Body).Decode(&inc); err != nil {
		return "", err
	}
	return inc.Ref, nil
}

// TestAcknowledgedSurvivesKill9: every incident acknowledged with 201 is there after the
// server is killed mid-load and restarted, and the record of events is intact.
func TestAcknowledgedSurvivesKill9(t *testing.T) {
	data := t.TempDir()
	token := setup(t, data)
	addr := freeAddr(t)
	srv := serve(t, data, addr)

	var mu sync.Mutex
	acked := map[string]bool{}
	var n atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for c := 0; c < 16; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ref, err := create(client, addr, token, fmt.Sprintf("client %d incident %d", c, i))
				if err != nil {
					continue // the server died under us: not acknowledged, not expected
				}
				mu.Lock()
				acked[ref] = true
				mu.Unlock()
				n.Add(1)
			}
		}(c)
	}
	for n.Load() < 300 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.Wait()
	close(stop)
	wg.Wait()

	serve(t, data, addr)
	for ref := range acked {
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/incidents/"+ref, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("acknowledged incident %s lost after kill -9 (status %d)", ref, resp.StatusCode)
		}
	}
	t.Logf("%d acknowledged incidents all present after kill -9", len(acked))
	if out, code := run(t, "", "audit", "verify", "--data", data); code != 0 {
		t.Fatalf("audit verify after kill -9: exit %d: %s", code, out)
	}
}

// TestGracefulShutdownDrains: SIGTERM lets the server finish and exit 0.
func TestGracefulShutdownDrains(t *testing.T) {
	data := t.TempDir()
	token := setup(t, data)
	addr := freeAddr(t)
	srv := serve(t, data, addr)
	if _, err := create(http.DefaultClient, addr, token, "before shutdown"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatalf("serve exited badly after SIGTERM: %v", err)
	}
	// A clean stop checkpoints the WAL into the database file.
	if fi, err := os.Stat(filepath.Join(data, "vigil.db-wal")); err == nil && fi.Size() > 0 {
		t.Errorf("WAL left with %d bytes after a clean stop", fi.Size())
	}
}

// TestFirstStartPrintsSignIn: an empty data directory gets an organisation and an
// administrator, and serve prints how to sign in.
func TestFirstStartPrintsSignIn(t *testing.T) {
	data := t.TempDir()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", addr)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	var email, password string
	deadline := time.After(10 * time.Second)
	lines := make(chan string)
	go func() {
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for password == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("serve stopped before printing sign-in details")
			}
			f := strings.Fields(l)
			if len(f) == 2 && f[0] == "e-mail:" {
				email = f[1]
			}
			if len(f) == 2 && f[0] == "password:" {
				password = f[1]
			}
		case <-deadline:
			t.Fatal("no sign-in details printed")
		}
	}
	if email == "" || len(password) < 12 {
		t.Fatalf("email %q password %q", email, password)
	}
	// The printed account works: it can be given a token.
	if out, code := run(t, "", "token", "create", "--data", data, "--email", email, "--name", "first"); code != 0 || !strings.HasPrefix(out, "vgl_") {
		t.Fatalf("token for first admin: exit %d %s", code, out)
	}
}

// TestAuditVerifyCatchesTampering: an entry edited behind Vigil's back (guard dropped) makes
// vigil audit verify exit non-zero naming the entry.
func TestAuditVerifyCatchesTampering(t *testing.T) {
	data := t.TempDir()
	setup(t, data) // user.created and token.created entries
	if out, code := run(t, "", "audit", "verify", "--data", data); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("intact chain: exit %d: %s", code, out)
	}
	db, err := sql.Open("sqlite", filepath.Join(data, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1"); err == nil {
		t.Fatal("the guard let an UPDATE through")
	}
	for _, q := range []string{"DROP TRIGGER audit_events_no_update", "UPDATE audit_events SET actor = 'mallory' WHERE seq = 1"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	out, code := run(t, "", "audit", "verify", "--data", data)
	if code == 0 || !strings.Contains(out, "entry 1") {
		t.Fatalf("tampered chain: exit %d: %s", code, out)
	}
}

// TestBackupWhileServing: a backup taken while serving restores and verifies.
func TestBackupWhileServing(t *testing.T) {
	data := t.TempDir()
	token := setup(t, data)
	addr := freeAddr(t)
	serve(t, data, addr)
	for i := 0; i < 20; i++ {
		if _, err := create(http.DefaultClient, addr, token, fmt.Sprintf("incident %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "backup.db")
	if out, code := run(t, "", "backup", file, "--data", data); code != 0 {
		t.Fatalf("backup: %s", out)
	}
	restored := t.TempDir()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, "vigil.db"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := run(t, "", "audit", "verify", "--data", restored)
	if code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("verify restored backup: exit %d: %s", code, out)
	}
}

// TestServeExitsWhenItCannotListen: an address already in use ends serve with an error
// naming it, rather than leaving the process waiting for a signal with its background work
// running.
func TestServeExitsWhenItCannotListen(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cmd := exec.Command(bin, "serve", "--data", t.TempDir(), "--addr", l.Addr().String())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(out.String(), "address already in use") {
			t.Fatalf("serve on a taken address: err %v, output %s", err, out.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("serve did not exit when it could not listen: %s", out.String())
	}
}
