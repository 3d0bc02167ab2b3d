package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/deadline"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
)

type usersView struct {
	Users    []service.User
	Roles    []auth.Role
	Password string // a new user's one-time password, shown once
	NewEmail string
}

func (h *Handler) users(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.showUsers(w, r, p, usersView{}, nil, http.StatusOK)
}

func (h *Handler) showUsers(w http.ResponseWriter, r *http.Request, p auth.Principal, v usersView, errs []domain.FieldError, status int) {
	users, err := h.svc.Users(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Users, v.Roles = users, auth.AllRoles
	form := map[string]string{}
	if errs != nil {
		for _, k := range []string{"email", "name"} {
			form[k] = r.PostFormValue(k)
		}
	}
	h.render(w, r, status, "users", page{Title: "Users", Data: v, Errors: errs, Form: form, Flash: flashFrom(r)})
}

func rolesFrom(r *http.Request) []auth.Role {
	var out []auth.Role
	for _, s := range r.PostForm["roles"] {
		if rs, err := auth.ParseRoles(s); err == nil {
			out = append(out, rs...)
		}
	}
	return out
}

// inviteUser adds an account with a one-time password for the administrator to pass on.
func (h *Handler) inviteUser(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, err)
		return
	}
	password := auth.GeneratePassword()
	u, err := h.svc.AddUser(r.Context(), p, service.NewUser{Email: strings.TrimSpace(r.PostFormValue("email")), Name: r.PostFormValue("name"),
		Password: password, Roles: rolesFrom(r)})
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Fields {
			if ve.Fields[i].Field == "role" {
				ve.Fields[i] = domain.FieldError{Field: "roles", Message: "Select at least one role"}
			}
		}
		h.showUsers(w, r, p, usersView{}, ve.Fields, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showUsers(w, r, p, usersView{Password: password, NewEmail: u.Email}, nil, http.StatusOK)
}

func (h *Handler) setRoles(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, err)
		return
	}
	err := h.svc.SetRoles(r.Context(), p, r.PathValue("email"), rolesFrom(r), r.PostFormValue("disabled") == "yes")
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		h.showUsers(w, r, p, usersView{}, ve.Fields, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users?done=roles", http.StatusSeeOther)
}

func (h *Handler) settings(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !auth.Can(p, auth.ManageUsers, nil) {
		h.fail(w, r, domain.ErrForbidden)
		return
	}
	h.showSettings(w, r, p, nil, nil, http.StatusOK)
}

type settingsView struct {
	Clocks    service.ClockSettings
	Breach    service.BreachSettings
	Calendars []string
}

func (h *Handler) showSettings(w http.ResponseWriter, r *http.Request, p auth.Principal, form map[string]string, errs []domain.FieldError, status int) {
	notice, err := h.svc.ReportNotice(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cs, err := h.svc.ClockSettings(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	bs, err := h.svc.BreachSettings(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if form == nil {
		var hooks []string
		for _, w := range cs.Webhooks {
			hooks = append(hooks, w.URL+" "+w.Secret)
		}
		var th []string
		for _, t := range cs.Thresholds {
			th = append(th, strconv.Itoa(t))
		}
		form = map[string]string{"notice": notice, "thresholds": strings.Join(th, ", "), "webhooks": strings.Join(hooks, "\n"),
			"subjects_hours": strconv.Itoa(cs.SubjectsHours)}
	}
	h.render(w, r, status, "settings", page{Title: "Settings", Form: form, Errors: errs, Flash: flashFrom(r),
		Data: settingsView{Clocks: cs, Breach: bs, Calendars: deadline.CalendarNames()}})
}

// saveDeadlines changes the deadline settings: jurisdictions, calendar, sector regimes,
// escalation thresholds and webhooks.
func (h *Handler) saveDeadlines(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if !auth.Can(p, auth.ManageUsers, nil) { // refuse before reading the form
		h.fail(w, r, domain.ErrForbidden)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, err)
		return
	}
	form := map[string]string{}
	for _, k := range []string{"thresholds", "webhooks", "subjects_hours"} {
		form[k] = r.PostFormValue(k)
	}
	var errs []domain.FieldError
	cs := service.ClockSettings{}
	cs.Jurisdictions = r.PostForm["jurisdictions"]
	cs.Calendar = r.PostFormValue("calendar")
	cs.NIS2, cs.DORA = r.PostFormValue("nis2") == "yes", r.PostFormValue("dora") == "yes"
	for _, f := range strings.Split(form["thresholds"], ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			errs = append(errs, domain.FieldError{Field: "thresholds", Message: "Enter percentages separated by commas, for example 50, 75, 90, 100"})
			break
		}
		cs.Thresholds = append(cs.Thresholds, n)
	}
	if n, err := strconv.Atoi(strings.TrimSpace(form["subjects_hours"])); err == nil {
		cs.SubjectsHours = n
	} else {
		errs = append(errs, domain.FieldError{Field: "subjects_hours", Message: "Enter a number of hours, for example 72"})
	}
	for _, line := range strings.Split(form["webhooks"], "\n") {
		f := strings.Fields(line)
		switch len(f) {
		case 0:
		case 2:
			cs.Webhooks = append(cs.Webhooks, service.Webhook{URL: f[0], Secret: f[1]})
		default:
			errs = append(errs, domain.FieldError{Field: "webhooks", Message: "Put one webhook on each line: its address, a space, then its secret"})
		}
	}
	if errs == nil {
		err := h.svc.SetClockSettings(r.Context(), p, cs)
		var ve *domain.ValidationError
		if errors.As(err, &ve) {
			for _, f := range ve.Fields {
				field, _, _ := strings.Cut(f.Field, ".")
				errs = append(errs, domain.FieldError{Field: field, Message: f.Message})
			}
		} else if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if errs != nil {
		h.showSettings(w, r, p, form, errs, http.StatusUnprocessableEntity)
		return
	}
	http.Redirect(w, r, "/admin/settings?done=settings", http.StatusSeeOther)
}

func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	err := h.svc.SetReportNotice(r.Context(), p, r.PostFormValue("notice"))
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		h.showSettings(w, r, p, nil, ve.Fields, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/settings?done=settings", http.StatusSeeOther)
}

func (h *Handler) deliveries(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	items, err := h.svc.Deliveries(r.Context(), p, 200)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "deliveries", page{Title: "Delivery log", Data: items})
}

// saveBreachSettings says whether breach notification decisions need an approver's sign-off.
func (h *Handler) saveBreachSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	err := h.svc.SetBreachSettings(r.Context(), p, service.BreachSettings{SignOffRequired: r.PostFormValue("sign_off") == "yes"})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/settings?done=settings", http.StatusSeeOther)
}
