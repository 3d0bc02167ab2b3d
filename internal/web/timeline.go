package web

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigil-ir/vigil/internal/audit"
)

var actionLabels = map[string]string{
	"incident.created":        "Recorded",
	"incident.updated":        "Changed",
	"incident.viewed":         "Viewed (restricted incident)",
	"people_matters.updated":  "People matters updated",
	"approval.requested":      "Approval requested",
	"approval.approved":       "Approved",
	"approval.rejected":       "Approval rejected",
	"action.added":            "Action recorded",
	"action.updated":          "Action updated",
	"response.assessed":       "Assessment saved",
	"review.saved":            "Review saved",
	"review.waived":           "Review waived",
	"playbook.started":        "Playbook checklist started",
	"playbook.task_ticked":    "Checklist updated",
	"incident.linked":         "Linked to another incident",
	"incident.merged":         "Merged into another incident",
	"incident.merge_received": "A duplicate was merged into this incident",
	"incident.access_granted": "Added to the need-to-know list",
	"note.added":              "Note added",
	"attachment.added":        "File attached",
	"attachment.downloaded":   "File downloaded",
}

// timelineEntry is one line of the record of events in words (seed 001 annex four).
type timelineEntry struct {
	*audit.Entry
	What    string
	Details []string
}

func describe(es []*audit.Entry) []timelineEntry {
	out := make([]timelineEntry, 0, len(es))
	for _, e := range es {
		te := timelineEntry{Entry: e, What: actionLabels[e.Action]}
		if te.What == "" {
			te.What = e.Action
		}
		var data struct {
			Changes []struct {
				Field  string `json:"field"`
				Before any    `json:"before"`
				After  any    `json:"after"`
			} `json:"changes"`
			Reason string `json:"reason"`
			Kind   string `json:"kind"`
			Ref    string `json:"ref"`
			Name   string `json:"name"`
			SHA256 string `json:"sha256"`
		}
		_ = json.Unmarshal(e.Data, &data) // entries of other shapes simply add no details
		for _, c := range data.Changes {
			te.Details = append(te.Details, fmt.Sprintf("%s: %s → %s", strings.ReplaceAll(c.Field, "_", " "), show(c.Before), show(c.After)))
		}
		if data.Reason != "" {
			te.Details = append(te.Details, "Reason: "+data.Reason)
		}
		switch e.Action {
		case "note.added":
			kinds := map[string]string{"internal": "internal", "to_reporter": "to the reporter", "from_reporter": "from the reporter"}
			te.What = "Note added (" + kinds[data.Kind] + ")"
		case "incident.linked", "incident.merge_received":
			te.Details = append(te.Details, data.Ref)
		case "attachment.added", "attachment.downloaded":
			te.Details = append(te.Details, data.Name+" (SHA-256 "+data.SHA256+")")
		}
		out = append(out, te)
	}
	return out
}

func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case string:
		if x == "" {
			return "none"
		}
		if len(x) > 120 {
			return x[:117] + "…"
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
