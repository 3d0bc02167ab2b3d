package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

var base32NoPad = base32.StdEncoding.WithPadding(base32.NoPadding)

// TokenPrefix marks Vigil API tokens so secret scanners can recognise leaked ones.
const TokenPrefix = "vgl_"

// NewSecret returns a random secret with the given prefix (API tokens, reporters' status
// tokens). 32 random bytes make guessing hopeless, so a fast hash suffices for storage.
func NewSecret(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return prefix + strings.ToLower(base32NoPad.EncodeToString(b))
}

// HashSecret is how secrets are stored: SHA-256, hex. Only the hash is kept, so a database
// leak does not leak working tokens.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
