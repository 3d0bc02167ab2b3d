package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/audit"
	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
)

func etag(inc *domain.Incident) string { return `"` + strconv.Itoa(inc.Version) + `"` }

// readIncident reads and strictly decodes an incident document; on failure the problem
// response is written and ok is false.
func readIncident(w http.ResponseWriter, r *http.Request) (domain.Patch, bool) {
	body, ok := readBody(w, r)
	if !ok {
		return domain.Patch{}, false
	}
	patch, err := DecodeIncident(body)
	if err != nil {
		badRequest(w, err)
		return domain.Patch{}, false
	}
	return patch, true
}

func (a *API) createIncident(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	patch, ok := readIncident(w, r)
	if !ok {
		return
	}
	inc, err := a.svc.CreateIncident(r.Context(), p, patch)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/incidents/"+inc.Ref)
	w.Header().Set("ETag", etag(inc))
	writeJSON(w, http.StatusCreated, inc)
}

func (a *API) getIncident(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	inc, err := a.svc.Incident(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(inc))
	writeJSON(w, http.StatusOK, inc)
}

// ifMatch reads the version the client last saw; changes without one are refused (428) so
// that nobody overwrites a change they never saw.
func ifMatch(w http.ResponseWriter, r *http.Request) (int, bool) {
	im := strings.TrimSpace(r.Header.Get("If-Match"))
	if im == "" {
		writeProblem(w, http.StatusPreconditionRequired, "Version required",
			`Send If-Match with the incident's version (its ETag, e.g. If-Match: "3") so changes by others are not overwritten.`, nil)
		return 0, false
	}
	version, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(im, "W/"), `"`))
	if err != nil {
		writeProblem(w, http.StatusBadRequest, "The request could not be read", "If-Match must be the incident's version, e.g. \"3\".",
			[]domain.FieldError{{Field: "If-Match", Message: "must be a version number"}})
		return 0, false
	}
	return version, true
}

func (a *API) updateIncident(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	version, ok := ifMatch(w, r)
	if !ok {
		return
	}
	patch, ok := readIncident(w, r)
	if !ok {
		return
	}
	inc, err := a.svc.UpdateIncident(r.Context(), p, r.PathValue("ref"), patch, version)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(inc))
	writeJSON(w, http.StatusOK, inc)
}

func (a *API) nameUser(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if err := a.svc.Name(r.Context(), p, r.PathValue("ref"), r.PathValue("email")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// IncidentList is a page of incidents.
type IncidentList struct {
	Items []*domain.Incident `json:"items"`
	Next  string             `json:"next,omitempty"`
}

func (a *API) listIncidents(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	q, err := parseListQuery(r.URL.Query())
	if err != nil {
		badRequest(w, err)
		return
	}
	items, next, err := a.svc.ListIncidents(r.Context(), p, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := IncidentList{Items: items}
	if next != nil {
		out.Next = next.String()
	}
	writeJSON(w, http.StatusOK, out)
}

var listParams = map[string]bool{"status": true, "class": true, "personal_data": true, "owner": true, "reported_after": true,
	"reported_before": true, "q": true, "sort": true, "limit": true, "cursor": true, "exercise": true, "near_miss": true}

// parseListQuery reads list filters; every bad parameter is named.
func parseListQuery(v url.Values) (service.ListQuery, error) {
	var q service.ListQuery
	ve := &domain.ValidationError{}
	for k := range v {
		if !listParams[k] {
			ve.Add(k, "is not a filter; use status, class, personal_data, owner, reported_after, reported_before, exercise, near_miss, q, sort, limit or cursor")
		}
	}
	list := func(name string, allowed []string) []string {
		var out []string
		for _, s := range v[name] {
			for _, part := range strings.Split(s, ",") {
				part = strings.TrimSpace(part)
				if part == "" {
					continue
				}
				if !contains(allowed, part) {
					ve.Add(name, "must be one of "+strings.Join(allowed, ", "))
					return nil
				}
				out = append(out, part)
			}
		}
		return out
	}
	q.Statuses = list("status", domain.Statuses)
	q.Classes = list("class", domain.TriageClasses)
	if pd := list("personal_data", domain.Tristates); len(pd) == 1 {
		q.PersonalData = pd[0]
	} else if len(pd) > 1 {
		ve.Add("personal_data", "give one value")
	}
	q.OwnerEmail = v.Get("owner")
	instantParam := func(name string) *time.Time {
		s := v.Get(name)
		if s == "" {
			return nil
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			ve.Add(name, "must be an RFC 3339 date and time, e.g. 2026-11-20T09:15:00Z")
			return nil
		}
		return &t
	}
	q.ReportedAfter = instantParam("reported_after")
	q.ReportedBefore = instantParam("reported_before")
	boolParam := func(name string) *bool {
		s := v.Get(name)
		if s == "" {
			return nil
		}
		b, err := strconv.ParseBool(s)
		if err != nil {
			ve.Add(name, "must be true or false")
			return nil
		}
		return &b
	}
	q.Exercise = boolParam("exercise")
	q.NearMiss = boolParam("near_miss")
	q.Q = v.Get("q")
	if len(q.Q) > 200 {
		ve.Add("q", "must be 200 characters or fewer")
	}
	q.Sort = v.Get("sort")
	if q.Sort != "" && !contains(store.Sorts, q.Sort) {
		ve.Add("sort", "must be one of "+strings.Join(store.Sorts, ", "))
	}
	q.Limit = 50
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			ve.Add("limit", "must be a whole number from 1 to 200")
		}
		q.Limit = n
	}
	if s := v.Get("cursor"); s != "" {
		c, err := store.ParseCursor(s)
		if err != nil {
			ve.Add("cursor", "is not a cursor this server gave out; start again without it")
		} else {
			q.After = c
		}
	}
	sortFields(ve)
	return q, ve.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// EventList is an incident's record of events.
type EventList struct {
	Items []*audit.Entry `json:"items"`
}

func (a *API) incidentEvents(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	events, err := a.svc.IncidentEvents(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, EventList{Items: events})
}
