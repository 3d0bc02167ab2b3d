package webhook

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A value computed outside Go (Python's hmac module): if this changes, every receiver breaks.
func TestSignKnownAnswer(t *testing.T) {
	body := []byte(`{"event":"clock.escalated","incident":"INC-2025-0042"}`)
	got := Sign([]byte("whsec_test"), time.Unix(1700000000, 0), body)
	want := "t=1700000000,v1=78e0ff078e3554f8cb3d15425e545124ace93b9d9117a7c360b6a7a56140174b"
	if got != want {
		t.Fatalf("Sign = %q\nwant   %q", got, want)
	}
}

func TestVerify(t *testing.T) {
	secret := []byte("s3cret")
	oldSecret := []byte("previous")
	body := []byte(`{"event":"clock.escalated"}`)
	signedAt := time.Unix(1700000000, 0)
	sig := Sign(secret, signedAt, body)
	v1 := sig[strings.Index(sig, "v1="):]
	oldV1 := Sign(oldSecret, signedAt, body)[len("t=1700000000,"):]

	tests := []struct {
		name   string
		secret []byte
		header string
		body   []byte
		now    time.Time
		want   error // nil for success
	}{
		{"valid", secret, sig, body, signedAt.Add(time.Minute), nil},
		{"valid at the edge of the tolerance", secret, sig, body, signedAt.Add(DefaultTolerance), nil},
		{"clock of the receiver slightly behind", secret, sig, body, signedAt.Add(-time.Minute), nil},
		{"tampered body", secret, sig, []byte(`{"event":"clock.escalated","x":1}`), signedAt, ErrMismatch},
		{"body with a trailing newline", secret, sig, append(body, '\n'), signedAt, ErrMismatch},
		{"wrong secret", []byte("guess"), sig, body, signedAt, ErrMismatch},
		{"timestamp moved, signature kept", secret, "t=1700000300," + v1, body, signedAt, ErrMismatch},
		{"replayed after the tolerance", secret, sig, body, signedAt.Add(DefaultTolerance + time.Second), ErrStale},
		{"from the future", secret, sig, body, signedAt.Add(-DefaultTolerance - time.Second), ErrStale},
		{"secret rotation: old and new signatures", secret, sig + "," + oldV1, body, signedAt, nil},
		{"secret rotation: only the old one", secret, "t=1700000000," + oldV1, body, signedAt, ErrMismatch},
		{"unknown scheme ignored", secret, "t=1700000000,v0=abc," + v1, body, signedAt, nil},
		{"spaces after commas", secret, "t=1700000000, " + v1, body, signedAt, nil},
		{"empty header", secret, "", body, signedAt, ErrNoSignature},
		{"no v1", secret, "t=1700000000", body, signedAt, ErrNoSignature},
		{"no timestamp", secret, v1, body, signedAt, ErrMalformed},
		{"two timestamps", secret, "t=1700000000,t=1700000000," + v1, body, signedAt, ErrMalformed},
		{"timestamp not a number", secret, "t=yesterday," + v1, body, signedAt, ErrMalformed},
		{"v1 not hex", secret, "t=1700000000,v1=zz", body, signedAt, ErrMalformed},
		{"v1 too short", secret, "t=1700000000,v1=abcd", body, signedAt, ErrMalformed},
		{"not key=value", secret, "garbage", body, signedAt, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secret, tt.header, tt.body, tt.now, 0)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyHonoursTolerance(t *testing.T) {
	secret, body := []byte("k"), []byte(`{}`)
	signedAt := time.Unix(1700000000, 0)
	sig := Sign(secret, signedAt, body)
	if err := Verify(secret, sig, body, signedAt.Add(2*time.Minute), time.Minute); !errors.Is(err, ErrStale) {
		t.Errorf("2 minutes late with 1 minute tolerance: %v, want ErrStale", err)
	}
	if err := Verify(secret, sig, body, signedAt.Add(20*time.Minute), time.Hour); err != nil {
		t.Errorf("20 minutes late with 1 hour tolerance: %v", err)
	}
}
