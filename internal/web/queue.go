package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/clocks"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
)

// openStatuses are the statuses the triage queue shows unless asked otherwise.
var openStatuses = []string{string(domain.StatusNew), string(domain.StatusTriage), string(domain.StatusInvestigating),
	string(domain.StatusContained), string(domain.StatusRecovering)}

type queueView struct {
	Items     []*domain.Incident
	Next2     map[int64]*clocks.Clock
	Counts    map[string]int
	Cap       int
	Next      string
	Query     url.Values
	Assignees []service.Assignee
	// Overdue counts each listed incident's overdue actions; Mine are the user's open actions.
	Overdue map[int64]int
	Mine    []*domain.Action
}

// queue is the triage queue: open incidents in the seed 001 §4.2 priority order, then age.
func (h *Handler) queue(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v := r.URL.Query()
	q := service.ListQuery{}
	q.Sort = store.SortPriority
	q.Limit = 50
	q.Statuses = openStatuses
	if s := v.Get("status"); s != "" && s != "open" {
		q.Statuses = []string{s}
	}
	if s := v.Get("status"); s == "all" {
		q.Statuses = nil
	}
	if c := v.Get("class"); c != "" {
		q.Classes = []string{c}
	}
	q.PersonalData = v.Get("personal_data")
	q.OwnerEmail = v.Get("owner")
	q.Q = v.Get("q")
	if v.Get("near_miss") == "yes" {
		t := true
		q.NearMiss = &t
	}
	if d := v.Get("since"); d != "" {
		if t, err := time.ParseInLocation("2006-01-02", d, h.opts.Location); err == nil {
			q.ReportedAfter = &t
		}
	}
	if c := v.Get("after"); c != "" {
		if cur, err := store.ParseCursor(c); err == nil {
			q.After = cur
		}
	}
	items, next, err := h.svc.ListIncidents(r.Context(), p, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The counts are statistics: exercises are listed (labelled) but not counted.
	countQ := service.StatisticsOnly(q)
	countQ.Classes, countQ.After = nil, nil
	counts, err := h.svc.CountIncidents(r.Context(), p, countQ)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	assignees, err := h.svc.Assignees(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	next2, err := h.svc.NextDeadlines(r.Context(), items)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	view := queueView{Items: items, Next2: next2, Counts: counts, Cap: store.CountCap, Query: v, Assignees: assignees}
	if view.Overdue, err = h.svc.OverdueActions(r.Context(), items); err == nil {
		view.Mine, err = h.svc.MyActions(r.Context(), p)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if next != nil {
		nv := url.Values{}
		for k, vals := range v {
			nv[k] = vals
		}
		nv.Set("after", next.String())
		view.Next = "/queue?" + nv.Encode()
	}
	h.render(w, r, http.StatusOK, "queue", page{Title: "Triage queue", Data: view, Flash: flashFrom(r)})
}

func flashFrom(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "assigned":
		return "The investigating officer has been changed."
	case "classified":
		return "The classification has been saved."
	case "status":
		return "The status has been changed."
	case "note":
		return "Your note has been added."
	case "attached":
		return "The file has been attached."
	case "details":
		return "The details have been saved."
	case "linked":
		return "The incidents have been linked."
	case "merged":
		return "The incident has been merged."
	case "invited":
		return "The user has been added."
	case "roles":
		return "The user's roles have been saved."
	case "settings":
		return "The settings have been saved."
	case "notified":
		return "The notification has been recorded."
	case "approval":
		return "Sent for approval. The status changes when an approver approves it."
	}
	return ""
}

type dashboardView struct {
	Overdue, Soon, Later []*clocks.Clock
}

// dashboard shows the running clocks: overdue, due in the next 24 hours, and later.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	now := h.opts.Now()
	cl, err := h.svc.ClocksDue(r.Context(), p, now.AddDate(1, 0, 0), 500)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var v dashboardView
	for _, c := range cl {
		switch {
		case c.DueAt.Before(now):
			v.Overdue = append(v.Overdue, c)
		case c.DueAt.Before(now.Add(24 * time.Hour)):
			v.Soon = append(v.Soon, c)
		default:
			v.Later = append(v.Later, c)
		}
	}
	h.render(w, r, http.StatusOK, "dashboard", page{Title: "Deadlines", Data: v})
}
