package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
)

// Problem is an RFC 9457 problem details document. Errors lists each bad field.
type Problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail,omitempty"`
	Errors []domain.FieldError `json:"errors,omitempty"`
}

func writeProblem(w http.ResponseWriter, status int, title, detail string, fields []domain.FieldError) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Problem{Type: "about:blank", Title: title, Status: status, Detail: detail, Errors: fields})
}

// fail maps an error to a problem response. Users get a safe message; the cause goes to the log.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *domain.ValidationError
	var held *service.ApprovalPending
	switch {
	case errors.As(err, &held):
		// Not a failure: the change waits for an approver and nothing changed yet.
		writeJSON(w, http.StatusAccepted, held.Approval)
	case errors.As(err, &ve):
		writeProblem(w, http.StatusUnprocessableEntity, "Some fields need correcting", ve.Error(), ve.Fields)
	case errors.Is(err, domain.ErrNotFound):
		writeProblem(w, http.StatusNotFound, "Not found", "There is nothing here, or you may not see it.", nil)
	case errors.Is(err, domain.ErrForbidden):
		writeProblem(w, http.StatusForbidden, "Not allowed", "Your role does not allow this.", nil)
	case errors.Is(err, domain.ErrUnauthorized):
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
		writeProblem(w, http.StatusUnauthorized, "Sign in required", "Send an API token as Authorization: Bearer <token>.", nil)
	case errors.Is(err, domain.ErrConflict):
		writeProblem(w, http.StatusPreconditionFailed, "Changed by someone else", "The incident has changed since you read it; read it again and reapply your change.", nil)
	default:
		a.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeProblem(w, http.StatusInternalServerError, "Something went wrong", "Nothing was changed. Try again; if it keeps failing, tell your administrator.", nil)
	}
}

// badRequest answers malformed requests (bad JSON, wrong types) with 400 naming the fields.
func badRequest(w http.ResponseWriter, err error) {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		writeProblem(w, http.StatusBadRequest, "The request could not be read", ve.Error(), ve.Fields)
		return
	}
	writeProblem(w, http.StatusBadRequest, "The request could not be read", err.Error(), nil)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store") // incident data must not linger in caches
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Debug("writing response", "err", err)
	}
}
