package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/download"
	"github.com/vigil-ir/vigil/internal/service"
)

// CanReadRegisters says whether to show the breach log and quarterly return in the navigation.
func (p page) CanReadRegisters() bool {
	return p.User != nil && auth.Can(*p.User, auth.ReadBreachLog, nil)
}

// errStop ends the on-screen listing once a page is full.
var errStop = errors.New("page full")

// onScreen caps the rows the breach log page shows; the downloads carry every entry.
const onScreen = 200

type breachLogView struct {
	Entries   []*service.BreachLogEntry
	More      bool
	Period    string
	Downloads []downloadLink
}

type downloadLink struct{ Label, Href string }

func downloads(path string, q url.Values) []downloadLink {
	var out []downloadLink
	for _, f := range []struct{ format, label string }{{"csv", "CSV"}, {"xlsx", "Excel (XLSX)"}, {"pdf", "PDF"}} {
		v := url.Values{}
		for k, vs := range q {
			if k != "format" {
				v[k] = vs
			}
		}
		v.Set("format", f.format)
		out = append(out, downloadLink{"Download " + f.label, path + "?" + v.Encode()})
	}
	return out
}

// dateField joins a GOV.UK date input (prefix-day, -month, -year) into YYYY-MM-DD; a field
// left wholly empty is "", a partly filled one is an error naming the first input.
func dateField(q url.Values, prefix, label string) (string, *domain.FieldError) {
	d, m, y := strings.TrimSpace(q.Get(prefix+"-day")), strings.TrimSpace(q.Get(prefix+"-month")), strings.TrimSpace(q.Get(prefix+"-year"))
	if d == "" && m == "" && y == "" {
		return "", nil
	}
	var dd, mm, yy int
	_, e1 := fmt.Sscan(d, &dd)
	_, e2 := fmt.Sscan(m, &mm)
	_, e3 := fmt.Sscan(y, &yy)
	if e1 != nil || e2 != nil || e3 != nil || yy < 1000 || yy > 9999 {
		return "", &domain.FieldError{Field: prefix + "-day", Message: label + " must be a real date, for example 1 7 2026"}
	}
	return fmt.Sprintf("%04d-%02d-%02d", yy, mm, dd), nil
}

// breachLog shows the breach log for a period, or sends it as a file when format is given.
func (h *Handler) breachLog(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	q := r.URL.Query()
	var errs []domain.FieldError
	from, fe := dateField(q, "from", "The start of the period")
	if fe != nil {
		errs = append(errs, *fe)
	}
	to, te := dateField(q, "to", "The end of the period")
	if te != nil {
		errs = append(errs, *te)
	}
	per, err := service.ParsePeriod(from, to)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			msg := f.Message
			if strings.Contains(msg, "not a date") {
				msg = map[string]string{"from": "The start of the period", "to": "The end of the period"}[f.Field] + " must be a real date, for example 1 7 2026"
			}
			errs = append(errs, domain.FieldError{Field: f.Field + "-day", Message: msg})
		}
	}
	form := map[string]string{}
	for _, k := range []string{"from-day", "from-month", "from-year", "to-day", "to-month", "to-year"} {
		form[k] = q.Get(k)
	}
	if format := strings.ToLower(q.Get("format")); format != "" && len(errs) == 0 {
		dl := download.New(w, service.ContentType(format), "breach-log."+format)
		if _, err := h.svc.ExportBreachLog(r.Context(), p, service.ExportRequest{Period: per, Format: format}, dl); err != nil {
			h.exportFailed(w, r, dl, err)
		}
		return
	}
	v := breachLogView{Period: per.Describe(), Downloads: downloads("/breach-log", q)}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
		v.Downloads = nil
	} else {
		err := h.svc.BreachLog(r.Context(), p, per, "amber", func(e *service.BreachLogEntry) error {
			if len(v.Entries) == onScreen {
				v.More = true
				return errStop
			}
			v.Entries = append(v.Entries, e)
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, r, status, "breach_log", page{Title: "Breach log", Data: v, Errors: errs, Form: form})
}

type returnView struct {
	Return    *service.Return
	Downloads []downloadLink
}

// quarterlyReturn shows the quarterly return for ?quarter=2026Q3, or sends it as a file.
func (h *Handler) quarterlyReturn(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	q := r.URL.Query()
	quarter := strings.TrimSpace(q.Get("quarter"))
	if quarter == "" {
		now := h.opts.Now().UTC()
		quarter = fmt.Sprintf("%dQ%d", now.Year(), (int(now.Month())-1)/3+1)
	}
	form := map[string]string{"quarter": quarter}
	if format := strings.ToLower(q.Get("format")); format != "" {
		dl := download.New(w, service.ContentType(format), "return-"+strings.ToUpper(quarter)+"."+format)
		if _, err := h.svc.ExportReturn(r.Context(), p, service.ExportRequest{Quarter: quarter, Format: format}, dl); err != nil {
			h.exportFailed(w, r, dl, err)
		}
		return
	}
	ret, err := h.svc.QuarterlyReturn(r.Context(), p, quarter)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		h.render(w, r, http.StatusUnprocessableEntity, "quarterly_return", page{Title: "Quarterly return", Errors: ve.Fields, Form: form, Data: returnView{}})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := url.Values{"quarter": {ret.Quarter}}
	h.render(w, r, http.StatusOK, "quarterly_return", page{Title: "Quarterly return " + ret.Quarter, Form: form,
		Data: returnView{Return: ret, Downloads: downloads("/returns", v)}})
}

// exportFailed answers an export that failed before sending anything with the usual page;
// once bytes are out, it can only log.
func (h *Handler) exportFailed(w http.ResponseWriter, r *http.Request, dl *download.Writer, err error) {
	if dl.Started() {
		h.log.Error("export failed while streaming", "path", r.URL.Path, "err", err)
		return
	}
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		http.Error(w, ve.Error(), http.StatusUnprocessableEntity)
		return
	}
	h.fail(w, r, err)
}
