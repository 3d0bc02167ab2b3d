package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Timeout bounds one attempt: connecting, sending, and reading the status and the snippet.
// A receiver should acknowledge at once and do its work afterwards.
const Timeout = 10 * time.Second

// SnippetLimit is how much of a response body the delivery log keeps: enough to show an
// error message, too little to fill the database with someone's HTML error page.
const SnippetLimit = 512

// Why Deliver did not deliver; Result.Err wraps one of these or a network error.
var (
	ErrURL     = errors.New("webhook: URL refused")
	ErrRequest = errors.New("webhook: request refused")
	ErrStatus  = errors.New("webhook: receiver answered with a non-2xx status")
)

// Result is the outcome of one attempt, for the delivery log and the retry decision.
type Result struct {
	DeliveryID string
	StatusCode int           // 0 when no response arrived
	Snippet    string        // the start of the response body, valid UTF-8, at most SnippetLimit bytes plus "…"
	Duration   time.Duration // from sending the request to reading the snippet
	// Retry says whether another attempt can succeed: after a network error, a timeout, a 5xx,
	// 429 or 408. Not after other statuses, whose repetition would only repeat the answer, nor
	// when the request was refused before sending.
	Retry bool
	// RetryAfter is the receiver's Retry-After (on 429 or 503), capped at MaxBackoff; 0 when
	// absent. The outbox should wait at least this long, and at least Backoff.
	RetryAfter time.Duration
	Err        error // nil exactly when the receiver answered 2xx
}

// OK reports whether the receiver accepted the delivery.
func (r Result) OK() bool { return r.Err == nil }

// Deliver makes one signed POST of body (a JSON document) to rawURL and reports the outcome.
//
// deliveryID goes in X-Vigil-Delivery and must be the same on every attempt of one delivery
// (the outbox entry's id), so receivers can drop duplicates; when empty a random one is made,
// which defeats that. The request carries X-Vigil-Signature computed with secret at the
// moment of sending, Content-Type application/json, and is bounded by Timeout.
//
// client may be nil, meaning a client from NewClient(PublicOnly). Whatever the client,
// redirects are not followed: a 3xx is reported as a failure without retry, because following
// it would resend the event (or drop its body, for 301/302) to an address nobody configured.
func Deliver(ctx context.Context, client *http.Client, rawURL string, secret []byte, deliveryID string, body []byte) Result {
	if deliveryID == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
		deliveryID = hex.EncodeToString(b)
	}
	res := Result{DeliveryID: deliveryID}
	u, err := checkURL(rawURL)
	if err != nil {
		res.Err = err
		return res
	}
	if err := checkRequest(secret, deliveryID, body); err != nil {
		res.Err = err
		return res
	}

	if client == nil {
		client = defaultClient
	}
	noRedirect := *client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		res.Err = fmt.Errorf("%w: %w", ErrRequest, err)
		return res
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Vigil-Webhook/1")
	req.Header.Set(HeaderDelivery, deliveryID)
	start := time.Now()
	req.Header.Set(HeaderSignature, Sign(secret, start, body))

	resp, err := noRedirect.Do(req)
	if err != nil {
		res.Duration = time.Since(start)
		// Redacted: the delivery log is read by admins, and a URL may hold a password.
		res.Err = fmt.Errorf("webhook: POST %s: %w", u.Redacted(), err)
		// A refused address is configuration, not bad luck: trying again changes nothing.
		res.Retry = !errors.Is(err, ErrForbiddenAddress)
		return res
	}
	defer resp.Body.Close()
	res.StatusCode = resp.StatusCode
	res.Snippet = readSnippet(resp.Body)
	res.Duration = time.Since(start)
	// Drain a little more so the connection can be reused; a receiver that sends more is cut.
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return res
	}
	res.Err = fmt.Errorf("%w: %d %s", ErrStatus, resp.StatusCode, http.StatusText(resp.StatusCode))
	res.Retry = retryableStatus(resp.StatusCode)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		res.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return res
}

// retryableStatus: 5xx is the receiver failing, 429 asks us to slow down, 408 is the receiver
// timing out waiting for our request; every other status would be the same next time.
func retryableStatus(code int) bool {
	return code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout
}

func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrURL, err)
	}
	// url.Parse lower-cases the scheme. Anything but http(s) (file:, ftp:, gopher:) is refused
	// before any connection: the URL comes from an administrator's form.
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: scheme %q is not http or https", ErrURL, u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%w: no host in %q", ErrURL, u.Redacted())
	}
	return u, nil
}

func checkRequest(secret []byte, deliveryID string, body []byte) error {
	if len(secret) == 0 {
		return fmt.Errorf("%w: no signing secret", ErrRequest)
	}
	if len(deliveryID) > 128 || strings.IndexFunc(deliveryID, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return fmt.Errorf("%w: delivery id must be up to 128 printable ASCII characters without spaces", ErrRequest)
	}
	// Receivers are promised JSON; a body that is not is a bug upstream, not worth retrying.
	if !json.Valid(body) {
		return fmt.Errorf("%w: body is not valid JSON", ErrRequest)
	}
	return nil
}

func readSnippet(r io.Reader) string {
	buf, _ := io.ReadAll(io.LimitReader(r, SnippetLimit+1))
	cut := len(buf) > SnippetLimit
	if cut {
		buf = buf[:SnippetLimit]
		// Do not end inside a multi-byte character: drop the bytes of a rune the cut split.
		for i := 0; i < utf8.UTFMax-1 && len(buf) > 0; i++ {
			if r, size := utf8.DecodeLastRune(buf); r != utf8.RuneError || size != 1 {
				break
			}
			buf = buf[:len(buf)-1]
		}
	}
	s := strings.ToValidUTF8(string(buf), "\uFFFD")
	if cut {
		s += "…"
	}
	return s
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), capped
// at MaxBackoff so a receiver cannot park a delivery for days.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(MaxBackoff/time.Second) {
			return MaxBackoff
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, MaxBackoff))
}
