package web

import (
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
)

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := h.principal(r); ok {
		http.Redirect(w, r, "/queue", http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "home", page{Title: "Report and manage security incidents", Data: h.opts.PublicReports})
}

// safeNext keeps redirects after sign-in on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/queue"
	}
	return next
}

func (h *Handler) showSignIn(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "signin", page{Title: "Sign in", Form: map[string]string{"next": safeNext(r.URL.Query().Get("next"))}})
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	form := map[string]string{"email": strings.TrimSpace(r.PostFormValue("email")), "next": safeNext(r.PostFormValue("next"))}
	pg := page{Title: "Sign in", Form: form}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if !h.signins.Allow(host) {
		pg.Errors = []domain.FieldError{{Field: "email", Message: "Too many attempts from your network. Wait a few minutes and try again"}}
		h.render(w, r, http.StatusTooManyRequests, "signin", pg)
		return
	}
	if form["email"] == "" || r.PostFormValue("password") == "" {
		if form["email"] == "" {
			pg.Errors = append(pg.Errors, domain.FieldError{Field: "email", Message: "Enter your e-mail address"})
		}
		if r.PostFormValue("password") == "" {
			pg.Errors = append(pg.Errors, domain.FieldError{Field: "password", Message: "Enter your password"})
		}
		h.render(w, r, http.StatusUnprocessableEntity, "signin", pg)
		return
	}
	secret, _, err := h.svc.SignIn(r.Context(), form["email"], r.PostFormValue("password"))
	switch {
	case errors.Is(err, service.ErrBadCredentials):
		pg.Errors = []domain.FieldError{{Field: "email", Message: "Enter a correct e-mail address and password"}}
		h.render(w, r, http.StatusUnauthorized, "signin", pg)
		return
	case errors.Is(err, service.ErrLocked):
		pg.Errors = []domain.FieldError{{Field: "email", Message: "You have tried too many times. Wait 15 minutes and try again"}}
		h.render(w, r, http.StatusTooManyRequests, "signin", pg)
		return
	case err != nil:
		h.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookieName(r), Value: secret, Path: "/", HttpOnly: true, Secure: isHTTPS(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(service.SessionAbsolute.Seconds())})
	http.Redirect(w, r, form["next"], http.StatusSeeOther)
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if _, secret, ok := h.principal(r); ok {
		if err := h.svc.SignOut(r.Context(), p, secret); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookieName(r), Value: "", Path: "/", HttpOnly: true, Secure: isHTTPS(r), MaxAge: -1})
	h.render(w, r, http.StatusOK, "signedout", page{Title: "You have signed out", User: &auth.Principal{}})
}

func (h *Handler) showPassword(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	h.render(w, r, http.StatusOK, "password", page{Title: "Change your password", BackLink: "/queue"})
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	pg := page{Title: "Change your password", BackLink: "/queue"}
	if r.PostFormValue("new") != r.PostFormValue("confirm") {
		pg.Errors = []domain.FieldError{{Field: "confirm", Message: "The new passwords do not match"}}
		h.render(w, r, http.StatusUnprocessableEntity, "password", pg)
		return
	}
	err := h.svc.ChangePassword(r.Context(), p, r.PostFormValue("current"), r.PostFormValue("new"))
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		pg.Errors = ve.Fields
		h.render(w, r, http.StatusUnprocessableEntity, "password", pg)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookieName(r), Value: "", Path: "/", HttpOnly: true, Secure: isHTTPS(r), MaxAge: -1})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
