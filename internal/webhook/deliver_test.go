package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

var testSecret = []byte("whsec_0123456789abcdef")

// receiver is a webhook endpoint as a customer would write one: it verifies the signature
// against the raw body and its own clock, and answers 401 when that fails.
type receiver struct {
	secret []byte
	now    func() time.Time

	mu       sync.Mutex
	accepted []delivered
	rejected []error
}

type delivered struct {
	id          string
	contentType string
	body        []byte
	signature   string
}

// snapshot returns what the receiver has accepted and rejected so far.
func (rc *receiver) snapshot() ([]delivered, []error) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivered(nil), rc.accepted...), append([]error(nil), rc.rejected...)
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sig := r.Header.Get(HeaderSignature)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err := Verify(rc.secret, sig, body, rc.now(), DefaultTolerance); err != nil {
		rc.rejected = append(rc.rejected, err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	rc.accepted = append(rc.accepted, delivered{
		id: r.Header.Get(HeaderDelivery), contentType: r.Header.Get("Content-Type"), body: body, signature: sig,
	})
	w.WriteHeader(http.StatusNoContent)
}

func TestDeliverIsVerifiedByTheReceiver(t *testing.T) {
	rc := &receiver{secret: testSecret, now: time.Now}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	body := []byte(`{"event":"clock.escalated","incident":"INC-2025-0042"}`)

	res := Deliver(context.Background(), NewClient(AllowPrivate), srv.URL+"/hooks/vigil", testSecret, "outbox-42", body)
	if !res.OK() || res.Retry {
		t.Fatalf("Deliver: %+v", res)
	}
	if res.StatusCode != http.StatusNoContent || res.DeliveryID != "outbox-42" || res.Duration <= 0 {
		t.Errorf("result %+v", res)
	}
	accepted, rejected := rc.snapshot()
	if len(accepted) != 1 {
		t.Fatalf("receiver accepted %d deliveries (rejected: %v)", len(accepted), rejected)
	}
	got := accepted[0]
	if got.id != "outbox-42" || got.contentType != "application/json" || !bytes.Equal(got.body, body) {
		t.Errorf("receiver got %+v", got)
	}

	// The same signature on another body, or presented later, is refused by the receiver.
	tampered := bytes.Replace(body, []byte("0042"), []byte("0043"), 1)
	if code := post(t, srv.URL, got.signature, tampered); code != http.StatusUnauthorized {
		t.Errorf("tampered body: receiver answered %d, want 401", code)
	}
	rc.mu.Lock()
	rc.now = func() time.Time { return time.Now().Add(DefaultTolerance + time.Minute) }
	rc.mu.Unlock()
	if code := post(t, srv.URL, got.signature, body); code != http.StatusUnauthorized {
		t.Errorf("replayed body: receiver answered %d, want 401", code)
	}
	wantRejections := []error{ErrMismatch, ErrStale}
	_, rejected = rc.snapshot()
	if len(rejected) != len(wantRejections) {
		t.Fatalf("rejections %v, want %v", rejected, wantRejections)
	}
	for i, want := range wantRejections {
		if !errors.Is(rejected[i], want) {
			t.Errorf("rejection %d = %v, want %v", i, rejected[i], want)
		}
	}
}

// post sends body with a given signature, as an attacker replaying a captured request would.
func post(t *testing.T, url, signature string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(HeaderSignature, signature)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestDeliverClassifiesResponses(t *testing.T) {
	tests := []struct {
		status     int
		header     map[string]string
		ok, retry  bool
		retryAfter time.Duration
	}{
		{status: 200, ok: true},
		{status: 202, ok: true},
		{status: 204, ok: true},
		{status: 301, header: map[string]string{"Location": "http://169.254.169.254/"}},
		{status: 400},
		{status: 401},
		{status: 404},
		{status: 410},
		{status: 422},
		{status: 408, retry: true},
		{status: 429, retry: true, header: map[string]string{"Retry-After": "120"}, retryAfter: 2 * time.Minute},
		{status: 429, retry: true, header: map[string]string{"Retry-After": "999999"}, retryAfter: MaxBackoff},
		{status: 500, retry: true},
		{status: 502, retry: true},
		{status: 503, retry: true, header: map[string]string{"Retry-After": "soon"}},
		{status: 504, retry: true},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, "answer from the receiver")
			}))
			defer srv.Close()
			res := Deliver(context.Background(), NewClient(AllowPrivate), srv.URL, testSecret, "d-1", []byte(`{}`))
			if res.OK() != tt.ok || res.Retry != tt.retry || res.RetryAfter != tt.retryAfter || res.StatusCode != tt.status {
				t.Errorf("got ok=%v retry=%v retryAfter=%v status=%d, want ok=%v retry=%v retryAfter=%v status=%d (%v)",
					res.OK(), res.Retry, res.RetryAfter, res.StatusCode, tt.ok, tt.retry, tt.retryAfter, tt.status, res.Err)
			}
			if !tt.ok && !errors.Is(res.Err, ErrStatus) {
				t.Errorf("Err = %v, want ErrStatus", res.Err)
			}
			wantSnippet := "answer from the receiver"
			if tt.status == http.StatusNoContent {
				wantSnippet = "" // a 204 has no body, whatever the handler wrote
			}
			if res.Snippet != wantSnippet {
				t.Errorf("Snippet = %q", res.Snippet)
			}
		})
	}
}

func TestDeliverRetriesNetworkFailures(t *testing.T) {
	closedURL := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		url := "http://" + ln.Addr().String()
		ln.Close()
		return url
	}
	hangUp := func(t *testing.T) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close() // no status line at all
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	stall := func(t *testing.T) string {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The server notices a client hanging up only once the body has been read.
			_, _ = io.Copy(io.Discard, r.Body)
			select { // answers only when the client gives up, or the test ends
			case <-r.Context().Done():
			case <-release:
			}
		}))
		t.Cleanup(srv.Close)
		t.Cleanup(func() { close(release) }) // runs first
		return srv.URL
	}
	tests := []struct {
		name    string
		url     func(t *testing.T) string
		timeout time.Duration
		cause   error
	}{
		{"connection refused", closedURL, 0, nil},
		{"connection closed without an answer", hangUp, 0, nil},
		{"no answer in time", stall, 100 * time.Millisecond, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			res := Deliver(ctx, NewClient(AllowPrivate), tt.url(t), testSecret, "d-1", []byte(`{}`))
			if res.OK() || !res.Retry || res.StatusCode != 0 {
				t.Fatalf("got %+v, want a failure to retry with no status", res)
			}
			if tt.cause != nil && !errors.Is(res.Err, tt.cause) {
				t.Errorf("Err = %v, want %v", res.Err, tt.cause)
			}
		})
	}
}

func TestDeliverRefusesBeforeSending(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	tests := []struct {
		name   string
		url    string
		secret []byte
		id     string
		body   string
		want   error
	}{
		{"file URL", "file:///etc/passwd", testSecret, "d", `{}`, ErrURL},
		{"ftp URL", "ftp://" + srv.Listener.Addr().String() + "/", testSecret, "d", `{}`, ErrURL},
		{"javascript URL", "javascript:alert(1)", testSecret, "d", `{}`, ErrURL},
		{"relative URL", "/hooks/vigil", testSecret, "d", `{}`, ErrURL},
		{"no host", "https:///hooks", testSecret, "d", `{}`, ErrURL},
		{"unparseable URL", "http://[::1", testSecret, "d", `{}`, ErrURL},
		{"no secret", srv.URL, nil, "d", `{}`, ErrRequest},
		{"body not JSON", srv.URL, testSecret, "d", `event=escalated`, ErrRequest},
		{"delivery id with a line break", srv.URL, testSecret, "d\r\nX-Evil: 1", `{}`, ErrRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Deliver(context.Background(), NewClient(AllowPrivate), tt.url, tt.secret, tt.id, []byte(tt.body))
			if !errors.Is(res.Err, tt.want) || res.Retry {
				t.Errorf("got Err=%v Retry=%v, want %v without retry", res.Err, res.Retry, tt.want)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the receiver got %d requests that should have been refused", n)
	}
}

func TestDeliverDoesNotFollowRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer target.Close()
	srv := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer srv.Close()
	// srv.Client() follows redirects; Deliver must not, whatever client it is given.
	for name, client := range map[string]*http.Client{"own client": NewClient(AllowPrivate), "caller's client": srv.Client()} {
		res := Deliver(context.Background(), client, srv.URL, testSecret, "d-1", []byte(`{}`))
		if res.OK() || res.Retry || res.StatusCode != http.StatusTemporaryRedirect {
			t.Errorf("%s: got %+v, want a 307 failure without retry", name, res)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
}

func TestDeliverGeneratesADeliveryID(t *testing.T) {
	rc := &receiver{secret: testSecret, now: time.Now}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	res := Deliver(context.Background(), NewClient(AllowPrivate), srv.URL, testSecret, "", []byte(`[]`))
	accepted, _ := rc.snapshot()
	if !res.OK() || len(res.DeliveryID) != 32 || len(accepted) != 1 || accepted[0].id != res.DeliveryID {
		t.Fatalf("got %+v, receiver %+v", res, accepted)
	}
}

func TestDeliverTruncatesTheSnippet(t *testing.T) {
	// 'é' is two bytes, so the cut at SnippetLimit falls inside one when the page starts with 'x'.
	page := "x" + strings.Repeat("é", 4000) + "\xff"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, page)
	}))
	defer srv.Close()
	res := Deliver(context.Background(), NewClient(AllowPrivate), srv.URL, testSecret, "d-1", []byte(`{}`))
	if !utf8.ValidString(res.Snippet) || strings.ContainsRune(res.Snippet, utf8.RuneError) {
		t.Errorf("snippet is not clean UTF-8: %q", res.Snippet)
	}
	if !strings.HasSuffix(res.Snippet, "…") || len(res.Snippet) > SnippetLimit+len("…") || len(res.Snippet) < SnippetLimit-utf8.UTFMax {
		t.Errorf("snippet of %d bytes, want about %d ending with …", len(res.Snippet), SnippetLimit)
	}
	if !res.Retry || res.StatusCode != 500 {
		t.Errorf("got %+v", res)
	}
}

func TestPublicOnlyClientRefusesLocalAddresses(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	for _, client := range []*http.Client{NewClient(PublicOnly), nil} {
		res := Deliver(context.Background(), client, srv.URL, testSecret, "d-1", []byte(`{}`))
		if !errors.Is(res.Err, ErrForbiddenAddress) || res.Retry {
			t.Errorf("got Err=%v Retry=%v, want ErrForbiddenAddress without retry", res.Err, res.Retry)
		}
	}
	// By name as well as by address: the check is on the address dialled.
	localhost := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	if res := Deliver(context.Background(), nil, localhost, testSecret, "d-1", []byte(`{}`)); !errors.Is(res.Err, ErrForbiddenAddress) {
		t.Errorf("localhost: Err = %v, want ErrForbiddenAddress", res.Err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the local server got %d requests", n)
	}
}

func TestPublic(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"93.184.215.14", true},
		{"8.8.8.8", true},
		{"2606:4700:4700::1111", true},
		{"127.0.0.1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"100.64.0.1", false},
		{"0.0.0.0", false},
		{"255.255.255.255", false},
		{"224.0.0.1", false},
		{"::1", false},
		{"::", false},
		{"fe80::1", false},
		{"fd00:ec2::254", false}, // cloud metadata over IPv6
		{"::ffff:10.0.0.1", false},
		{"64:ff9b::a00:1", false},
		{"2002:a00:1::", false},
	}
	for _, tt := range tests {
		if got := public(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("public(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"90", 90 * time.Second},
		{"7200", MaxBackoff},
		{"Fri, 14 Mar 2025 09:35:00 GMT", 5 * time.Minute},
		{"Fri, 14 Mar 2025 09:00:00 GMT", 0}, // in the past
		{"Sat, 15 Mar 2025 09:30:00 GMT", MaxBackoff},
		{"tomorrow", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.v, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}
