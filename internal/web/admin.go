package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/vigil-ir/vigil/internal/auth"
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
	if !p.Has(auth.RoleAdmin) {
		h.fail(w, r, domain.ErrForbidden)
		return
	}
	notice, err := h.svc.ReportNotice(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "settings", page{Title: "Settings", Form: map[string]string{"notice": notice}, Flash: flashFrom(r)})
}

func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	err := h.svc.SetReportNotice(r.Context(), p, r.PostFormValue("notice"))
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		h.render(w, r, http.StatusUnprocessableEntity, "settings", page{Title: "Settings", Form: map[string]string{"notice": r.PostFormValue("notice")}, Errors: ve.Fields})
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
