package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// registerClassification adds the classification routes.
func (a *API) registerClassification(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/severity-schemes", a.authed(a.severitySchemes))
}

// SeverityScheme is a severity category scheme as the API shows it: what a client needs
// to grade an incident (PATCH severity with the scheme's ID and a category ID) or to ask
// its users the guided questions.
type SeverityScheme struct {
	ID              string              `json:"id"`
	Name            string              `json:"name"`
	Version         string              `json:"version"`
	Source          string              `json:"source"`
	Note            string              `json:"note"`
	Example         bool                `json:"example"`
	Categories      []taxonomy.Category `json:"categories"`
	Questions       []taxonomy.Question `json:"questions"`
	NotifyAtOrAbove int                 `json:"notify_csirt_at_or_above"`
	CSIRT           *taxonomy.Contact   `json:"csirt"`
}

func (a *API) severitySchemes(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	list, err := a.svc.SeveritySchemes(p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]SeverityScheme, 0, len(list))
	for _, s := range list {
		out = append(out, SeverityScheme{ID: s.ID, Name: s.Name, Version: s.Version, Source: s.Source, Note: s.Note, Example: s.Example,
			Categories: s.Categories, Questions: s.Questions, NotifyAtOrAbove: s.NotifyAtOrAbove, CSIRT: s.CSIRT})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

// members decodes a nested object for field, adding a problem and returning nil when it is
// not one.
func members(raw json.RawMessage, field, want string, v *domain.ValidationError) map[string]json.RawMessage {
	m, err := decodeObject(raw, field)
	if err != nil {
		var ve *domain.ValidationError
		if errors.As(err, &ve) && ve.Fields[0].Message != "must be a JSON object" {
			v.Add(field, ve.Fields[0].Message)
		} else {
			v.Add(field, want)
		}
		return nil
	}
	return m
}

// decodeSeverity reads {"scheme", "category", "rank"}; null removes the grade.
func decodeSeverity(raw json.RawMessage, p *domain.Patch, v *domain.ValidationError) {
	if isNull(raw) {
		p.Severity = domain.Opt[*domain.Severity]{Set: true}
		return
	}
	m := members(raw, "severity", "must be an object with scheme and category, or null", v)
	if m == nil {
		return
	}
	var sev domain.Severity
	ok := true
	for name, mv := range m {
		switch name {
		case "scheme", "category":
			var s string
			if isNull(mv) || json.Unmarshal(mv, &s) != nil {
				v.Add("severity."+name, "must be text")
				ok = false
			} else if name == "scheme" {
				sev.Scheme = s
			} else {
				sev.Category = s
			}
		case "rank":
			if isNull(mv) || json.Unmarshal(mv, &sev.Rank) != nil || sev.Rank < 1 {
				v.Add("severity.rank", "must be a whole number, 1 or more")
				ok = false
			}
		default:
			v.Add("severity."+name, "is not a field of a severity")
			ok = false
		}
	}
	for name, got := range map[string]string{"scheme": sev.Scheme, "category": sev.Category} {
		if _, sent := m[name]; !sent && got == "" {
			v.Add("severity."+name, "is required")
			ok = false
		}
	}
	if ok {
		p.Severity = domain.Opt[*domain.Severity]{Set: true, Value: &sev}
	}
}

// decodeImpact reads {"confidentiality": {"affected", "note"}, ...}; impacts left out stay
// as they are.
func decodeImpact(raw json.RawMessage, p *domain.Patch, v *domain.ValidationError) {
	m := members(raw, "impact", "must be an object with confidentiality, integrity and availability", v)
	if m == nil {
		return
	}
	for name, mv := range m {
		var dst *domain.Opt[domain.ImpactNote]
		switch name {
		case "confidentiality":
			dst = &p.Impact.Confidentiality
		case "integrity":
			dst = &p.Impact.Integrity
		case "availability":
			dst = &p.Impact.Availability
		default:
			v.Add("impact."+name, "is not an impact; use confidentiality, integrity or availability")
			continue
		}
		field := "impact." + name
		nm := members(mv, field, "must be an object with affected and note", v)
		if nm == nil {
			continue
		}
		var n domain.ImpactNote
		ok := true
		if _, sent := nm["affected"]; !sent {
			v.Add(field+".affected", "is required")
			ok = false
		}
		for k, kv := range nm {
			switch k {
			case "affected":
				if isNull(kv) || json.Unmarshal(kv, &n.Affected) != nil {
					v.Add(field+".affected", "must be true or false")
					ok = false
				}
			case "note":
				if !isNull(kv) && json.Unmarshal(kv, &n.Note) != nil {
					v.Add(field+".note", "must be text")
					ok = false
				}
			default:
				v.Add(field+"."+k, "is not a field of an impact")
				ok = false
			}
		}
		if ok {
			*dst = domain.Opt[domain.ImpactNote]{Set: true, Value: n}
		}
	}
}
