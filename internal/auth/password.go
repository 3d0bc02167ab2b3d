package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters follow RFC 9106 §4 second recommendation (64 MiB, 3 passes) scaled to
// 19 MiB / 2 passes as OWASP's password storage cheat sheet allows, to keep sign-in fast on
// 2-core machines.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
	// MinPasswordLen follows NCSC password guidance: length over complexity rules.
	MinPasswordLen = 12
)

// ErrWeakPassword is returned for passwords that are too short.
var ErrWeakPassword = fmt.Errorf("password must be at least %d characters", MinPasswordLen)

// HashPassword returns an encoded argon2id hash in the PHC string format.
func HashPassword(pw string) (string, error) {
	if len(pw) < MinPasswordLen {
		return "", ErrWeakPassword
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("reading random salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// dummyHash is compared against when the user does not exist, so that unknown and known
// users take the same time (no user enumeration by timing). It is made on first use: at
// package init it cost every start and every CLI command 100 ms of argon2id.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("vigil-dummy-password-for-timing")
	return h
})

// CheckPassword reports whether pw matches the encoded hash. An empty hash (unknown user)
// still costs one argon2id computation.
func CheckPassword(encoded, pw string) bool {
	if encoded == "" {
		checkPassword(dummyHash(), pw)
		return false
	}
	ok, err := checkPassword(encoded, pw)
	return err == nil && ok
}

func checkPassword(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("not an argon2id hash")
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("parsing argon2id parameters: %w", err)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("decoding salt: %w", err)
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("decoding key: %w", err)
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// GeneratePassword returns a random password for first-run administrators and `user add`
// without stdin: 20 characters of base32, about 100 bits.
func GeneratePassword() string {
	b := make([]byte, 13)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms (Go 1.24+)
	return strings.ToLower(base32NoPad.EncodeToString(b))[:20]
}
