package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/clocks"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
)

// ClockList is a list of clocks.
type ClockList struct {
	Items []*clocks.Clock `json:"items"`
}

// listClocks answers GET /api/v1/clocks?due_before=…: running or missed clocks due before
// the instant (default: the next 24 hours), soonest first, on incidents the caller may see.
func (a *API) listClocks(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	ve := &domain.ValidationError{}
	before := time.Now().Add(24 * time.Hour)
	for k := range r.URL.Query() {
		if k != "due_before" && k != "limit" {
			ve.Add(k, "is not a filter; use due_before or limit")
		}
	}
	if s := r.URL.Query().Get("due_before"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			ve.Add("due_before", "must be an RFC 3339 date and time, e.g. 2026-11-20T09:15:00Z")
		}
		before = t
	}
	limit := 200
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			ve.Add("limit", "must be a whole number from 1 to 1000")
		}
		limit = n
	}
	if err := ve.Err(); err != nil {
		badRequest(w, err)
		return
	}
	items, err := a.svc.ClocksDue(r.Context(), p, before, limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ClockList{Items: items})
}

func (a *API) incidentClocks(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	items, err := a.svc.Clocks(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ClockList{Items: items})
}

// NotificationList is an incident's recorded notifications.
type NotificationList struct {
	Items []*store.Notification `json:"items"`
}

func (a *API) recordNotification(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var n service.NewNotification
	if err := decodeStrict(body, &n); err != nil {
		badRequest(w, err)
		return
	}
	rec, err := a.svc.RecordNotification(r.Context(), p, r.PathValue("ref"), n)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, rec)
}

func (a *API) listNotifications(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	items, err := a.svc.Notifications(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NotificationList{Items: items})
}
