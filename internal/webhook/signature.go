// Package webhook delivers Vigil's events to receivers' HTTP endpoints: it signs a JSON body,
// makes one POST, and says whether another attempt makes sense and when.
//
// It owns one attempt and the signature scheme (which receivers implement, so it must not
// change without a new version tag). It must not queue, retry, store or decide what is sent:
// the durable outbox calls Deliver once per attempt, records the Result in the delivery log
// and schedules the next attempt with Backoff.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery.
const (
	// HeaderSignature carries "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">". The
	// timestamp is signed with the body so a captured request cannot be replayed later, and
	// named versions leave room for another scheme and for several v1 values while a receiver
	// rotates its secret.
	HeaderSignature = "X-Vigil-Signature"
	// HeaderDelivery names the delivery, the same on every attempt, so a receiver can discard
	// the duplicate of an attempt whose response was lost.
	HeaderDelivery = "X-Vigil-Delivery"
)

// DefaultTolerance is how far a signature's timestamp may be from the receiver's clock.
const DefaultTolerance = 5 * time.Minute

// Verification failures; Verify wraps one of them.
var (
	ErrNoSignature = errors.New("webhook: no signature")
	ErrMalformed   = errors.New("webhook: malformed signature header")
	ErrMismatch    = errors.New("webhook: signature does not match the body")
	ErrStale       = errors.New("webhook: signature timestamp outside the tolerance")
)

// Sign returns the X-Vigil-Signature value for body sent at t with secret.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks header (an X-Vigil-Signature value) against body and secret, and that its
// timestamp lies within tolerance of now either way (DefaultTolerance when tolerance is not
// positive). It is what a receiver runs, and the reference for receivers in other languages:
// compute HMAC-SHA256(secret, t + "." + raw body), compare it in constant time with each v1,
// and refuse old timestamps.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if strings.TrimSpace(header) == "" {
		return ErrNoSignature
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var ts string
	var sigs [][]byte
	for _, field := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok {
			return fmt.Errorf("%w: field %q is not key=value", ErrMalformed, field)
		}
		switch k {
		case "t":
			if ts != "" {
				return fmt.Errorf("%w: more than one timestamp", ErrMalformed)
			}
			ts = v
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				return fmt.Errorf("%w: v1 is not a hex SHA-256 HMAC", ErrMalformed)
			}
			sigs = append(sigs, sig)
		}
		// Other keys are later schemes; a receiver that knows only v1 skips them.
	}
	if ts == "" {
		return fmt.Errorf("%w: no timestamp", ErrMalformed)
	}
	if len(sigs) == 0 {
		return fmt.Errorf("%w: no v1 signature", ErrNoSignature)
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q: %w", ErrMalformed, ts, err)
	}
	want := mac(secret, ts, body)
	matched := false
	for _, sig := range sigs {
		// hmac.Equal takes time independent of where the values differ, so response timing
		// does not reveal how much of a forged signature was right.
		if hmac.Equal(sig, want) {
			matched = true
		}
	}
	if !matched {
		return ErrMismatch
	}
	// Checked after the signature, so the timestamp compared is one Vigil wrote.
	if age := now.Sub(time.Unix(unix, 0)); age > tolerance || age < -tolerance {
		return fmt.Errorf("%w: signed %v ago, tolerance %v", ErrStale, age.Round(time.Second), tolerance)
	}
	return nil
}
