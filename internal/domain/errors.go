package domain

import (
	"errors"
	"strings"
)

// Sentinel errors the service layer returns and the API maps to status codes.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	// ErrConflict means the caller's version is stale (a lost update was prevented).
	ErrConflict     = errors.New("version conflict")
	ErrUnauthorized = errors.New("not signed in")
)

// FieldError names one bad field in plain words; Field is a JSON path such as "reporter.relationship".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError carries every problem found in one input, so the user can fix them all at once.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records a problem with a field.
func (e *ValidationError) Add(field, msg string) { e.Fields = append(e.Fields, FieldError{field, msg}) }

// Err returns nil when nothing was added, so callers can `return v.Err()`.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}
