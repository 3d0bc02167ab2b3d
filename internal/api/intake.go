package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/download"
	"github.com/vigil-ir/vigil/internal/stix"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// incidentObservables answers GET /api/v1/incidents/{ref}/observables: JSON, or with
// ?format=stix a STIX 2.1 bundle. ?tlp= is the highest marking the caller will pass on
// (default amber); observables marked above it are left out and counted.
func (a *API) incidentObservables(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	q := r.URL.Query()
	audience := "amber"
	if v := q.Get("tlp"); v != "" {
		l, ok := taxonomy.NormaliseTLP(v)
		if !ok {
			a.fail(w, r, &domain.ValidationError{Fields: []domain.FieldError{{Field: "tlp", Message: "must be clear, green, amber, amber+strict or red"}}})
			return
		}
		audience = l
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "stix" {
		a.fail(w, r, &domain.ValidationError{Fields: []domain.FieldError{{Field: "format", Message: "must be json or stix"}}})
		return
	}
	res, err := a.svc.ObservablesOf(r.Context(), p, r.PathValue("ref"), audience)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if format != "stix" {
		writeJSON(w, http.StatusOK, res)
		return
	}
	b, err := stix.NewBundle(res.Observables)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("X-Vigil-Withheld", strconv.Itoa(res.Withheld))
	w.Header().Set("Content-Type", "application/stix+json;version=2.1")
	w.Header().Set("Cache-Control", "no-store")
	if err := json.NewEncoder(w).Encode(b); err != nil {
		a.log.Debug("writing response", "err", err)
	}
}

// QuarantineList is the e-mails intake refused, newest first.
type QuarantineList struct {
	Items []*store.Quarantined `json:"items"`
}

func (a *API) quarantine(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	items, err := a.svc.Quarantine(r.Context(), p, limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if items == nil {
		items = []*store.Quarantined{}
	}
	writeJSON(w, http.StatusOK, QuarantineList{Items: items})
}

// quarantinedRaw answers GET /api/v1/intake/quarantine/{id}/raw: the refused message as
// received, as a download (never rendered: it may be hostile).
func (a *API) quarantinedRaw(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.fail(w, r, domain.ErrNotFound)
		return
	}
	q, f, err := a.svc.OpenQuarantined(r.Context(), p, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer f.Close()
	if _, err := io.Copy(download.New(w, "message/rfc822", fmt.Sprintf("quarantine-%d.eml", q.ID)), f); err != nil {
		a.log.Debug("writing response", "err", err)
	}
}
