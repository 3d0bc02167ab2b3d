package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
)

// decodeStrict decodes a small JSON object into v, naming unknown or mistyped fields.
func decodeStrict(body []byte, v any) error {
	if _, err := decodeObject(body, ""); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: te.Field, Message: "must be " + te.Type.String()}}}
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: strings.Trim(f, `"`), Message: "is not a field here"}}}
	}
	return &domain.ValidationError{Fields: []domain.FieldError{{Field: "body", Message: err.Error()}}}
}

// LinkRequest relates the incident in the path to another.
type LinkRequest struct {
	Ref  string `json:"ref"`
	Kind string `json:"kind"`
}

func (a *API) linkIncident(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req LinkRequest
	if err := decodeStrict(body, &req); err != nil {
		badRequest(w, err)
		return
	}
	inc, err := a.svc.LinkIncidents(r.Context(), p, r.PathValue("ref"), req.Ref, req.Kind)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(inc))
	writeJSON(w, http.StatusOK, inc)
}

// MergeRequest names the incident that the one in the path duplicates.
type MergeRequest struct {
	Into string `json:"into"`
}

func (a *API) mergeIncident(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	version, ok := ifMatch(w, r)
	if !ok {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req MergeRequest
	if err := decodeStrict(body, &req); err != nil {
		badRequest(w, err)
		return
	}
	inc, err := a.svc.MergeIncident(r.Context(), p, r.PathValue("ref"), req.Into, version)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(inc))
	writeJSON(w, http.StatusOK, inc)
}
