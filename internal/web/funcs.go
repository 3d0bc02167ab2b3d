package web

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/breach"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

func urlEscape(s string) string { return url.QueryEscape(s) }

var statusLabels = map[domain.Status]string{
	domain.StatusNew: "New", domain.StatusTriage: "Triage", domain.StatusInvestigating: "Investigating",
	domain.StatusContained: "Contained", domain.StatusRecovering: "Recovering", domain.StatusResolved: "Resolved",
	domain.StatusClosed: "Closed", domain.StatusNotIncident: "Not an incident", domain.StatusMerged: "Merged",
}

var classLabels = map[domain.TriageClass]string{
	domain.ClassIncident: "Incident", domain.ClassUnknown: "Unknown", domain.ClassVulnerability: "Vulnerability", domain.ClassEvent: "Event",
}

// classHints are the seed 001 §4.2 definitions, shown where handlers choose a class.
var classHints = map[domain.TriageClass]string{
	domain.ClassIncident:      "Events that have a significant probability of compromising information security, including breaches of data protection law.",
	domain.ClassUnknown:       "Not yet possible to allocate; analyse further as soon as possible.",
	domain.ClassVulnerability: "A weakness that, after analysis, clearly compromises information security.",
	domain.ClassEvent:         "After analysis, of no or very minor importance for information security.",
}

var personalLabels = map[domain.Tristate]string{domain.Yes: "Yes", domain.No: "No", domain.Unknown: "Not sure"}

var relationshipLabels = map[domain.Relationship]string{
	domain.RelStaff: "I work here", domain.RelContractor: "I am a contractor", domain.RelSupplier: "I work for a supplier",
	domain.RelPublic: "I am a member of the public", domain.RelAnonymous: "I would rather not say who I am",
}

func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"when": func(t any) string {
			var tt time.Time
			switch v := t.(type) {
			case time.Time:
				tt = v
			case *time.Time:
				if v == nil {
					return "Not known"
				}
				tt = *v
			default:
				return ""
			}
			return tt.In(h.opts.Location).Format("2 January 2006 at 15:04")
		},
		"countdown": func(due time.Time) string { return countdown(due.Sub(h.opts.Now())) },
		"overdue":   func(due time.Time) bool { return h.opts.Now().After(due) },
		"clockState": func(s string) string {
			return map[string]string{"running": "Running", "met": "Met", "missed": "Missed", "not_applicable": "Not applicable"}[s]
		},
		"status":       func(s domain.Status) string { return statusLabels[s] },
		"class":        func(c domain.TriageClass) string { return classLabels[c] },
		"classHint":    func(c domain.TriageClass) string { return classHints[c] },
		"personal":     func(p domain.Tristate) string { return personalLabels[p] },
		"relationship": func(r any) string { return relationshipLabels[domain.Relationship(fmt.Sprint(r))] },
		"classes": func() []domain.TriageClass {
			return []domain.TriageClass{domain.ClassIncident, domain.ClassUnknown, domain.ClassVulnerability, domain.ClassEvent}
		},
		"statuses": func() []domain.Status {
			out := make([]domain.Status, 0, len(domain.Statuses))
			for _, s := range domain.Statuses {
				out = append(out, domain.Status(s))
			}
			return out
		},
		"relationships": func() []domain.Relationship {
			return []domain.Relationship{domain.RelStaff, domain.RelContractor, domain.RelSupplier, domain.RelPublic, domain.RelAnonymous}
		},
		"next":          domain.NextStatuses,
		"lower":         strings.ToLower,
		"examples":      taxonomy.Examples,
		"upper":         strings.ToUpper,
		"rsitLabel":     rsitLabel,
		"icoLabel":      icoLabel,
		"factLabel":     breach.FactLabel,
		"factExemption": breach.ExemptionLabel,
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
		"list3": func(a, b, c string) []string { return []string{a, b, c} },
		"list":  func(s ...string) []string { return s },
		"eq2":   func(a, b any) bool { return a == b },
	}
}

// countdown says how long is left, or how late, in words people read at a glance.
func countdown(d time.Duration) string {
	late := d < 0
	if late {
		d = -d
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var s string
	switch {
	case days > 0:
		s = fmt.Sprintf("%d %s %d %s", days, plural(days, "day"), hours, plural(hours, "hour"))
	case hours > 0:
		s = fmt.Sprintf("%d %s %d %s", hours, plural(hours, "hour"), mins, plural(mins, "minute"))
	default:
		s = fmt.Sprintf("%d %s", mins, plural(mins, "minute"))
	}
	if late {
		return "overdue by " + s
	}
	return s + " left"
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
