package api

import (
	"net/http"
	"strings"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/download"
	"github.com/vigil-ir/vigil/internal/service"
)

// exportQuery reads the query parameters an export accepts, refusing any other.
func exportQuery(r *http.Request, allowed ...string) (map[string]string, error) {
	ve := &domain.ValidationError{}
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		if !contains(allowed, k) {
			ve.Add(k, "is not a parameter here; use "+strings.Join(allowed, ", "))
			continue
		}
		out[k] = v[0]
	}
	return out, ve.Err()
}

// breachLog answers GET /api/v1/breach-log?from=&to=&format=&tlp=: the breach log as JSON
// (default) or a CSV, XLSX or PDF file.
func (a *API) breachLog(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	q, err := exportQuery(r, "from", "to", "format", "tlp")
	if err != nil {
		badRequest(w, err)
		return
	}
	per, err := service.ParsePeriod(q["from"], q["to"])
	if err != nil {
		badRequest(w, err)
		return
	}
	format := strings.ToLower(q["format"])
	if format == "" {
		format = service.FormatJSON
	}
	dl := download.New(w, service.ContentType(format), "breach-log."+format)
	if _, err := a.svc.ExportBreachLog(r.Context(), p, service.ExportRequest{Period: per, Format: format, Audience: q["tlp"]}, dl); err != nil {
		a.exportFailed(w, r, dl, err)
	}
}

// quarterlyReturn answers GET /api/v1/returns/{quarter}?format=: the return as JSON (default)
// or a CSV, XLSX or PDF file.
func (a *API) quarterlyReturn(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	q, err := exportQuery(r, "format", "tlp")
	if err != nil {
		badRequest(w, err)
		return
	}
	quarter := r.PathValue("quarter")
	format := strings.ToLower(q["format"])
	if format == "" || format == service.FormatJSON {
		ret, err := a.svc.QuarterlyReturn(r.Context(), p, quarter)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, ret)
		return
	}
	dl := download.New(w, service.ContentType(format), "return-"+strings.ToUpper(quarter)+"."+format)
	if _, err := a.svc.ExportReturn(r.Context(), p, service.ExportRequest{Quarter: quarter, Format: format, Audience: q["tlp"]}, dl); err != nil {
		a.exportFailed(w, r, dl, err)
	}
}

func (a *API) exportFailed(w http.ResponseWriter, r *http.Request, dl *download.Writer, err error) {
	if dl.Started() {
		// The status line is gone; the truncated body is all the client will see.
		a.log.Error("export failed while streaming", "path", r.URL.Path, "err", err)
		return
	}
	a.fail(w, r, err)
}
