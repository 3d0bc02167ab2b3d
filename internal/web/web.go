// Package web serves Vigil's server-rendered HTML: the reporting journey, sign-in, the triage
// queue and the incident workspace. Pages follow GOV.UK Design System patterns and work
// without JavaScript. One file per user action; each handler decodes the form, calls the
// service layer (which authorises) and renders a template. It never touches the store.
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/ratelimit"
	"github.com/vigil-ir/vigil/internal/service"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configures the web UI.
type Options struct {
	Logger        *slog.Logger
	PublicReports bool
	// Location is the organisation's time zone for showing instants (Europe/London by default).
	Location *time.Location
	Now      func() time.Time
}

// Handler serves the web UI.
type Handler struct {
	svc     *service.Service
	log     *slog.Logger
	pages   map[string]*template.Template
	opts    Options
	signins *ratelimit.Limiter
}

// New parses the templates and returns the handler.
func New(svc *service.Service, o Options) (*Handler, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Europe/London")
		if err != nil {
			return nil, err
		}
		o.Location = loc
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	h := &Handler{svc: svc, log: o.Logger, opts: o, pages: map[string]*template.Template{}, signins: ratelimit.New(20, 10, o.Now)}
	layout, err := template.New("layout.html").Funcs(h.funcs()).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := path.Base(f)
		if name == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, err
		}
		h.pages[strings.TrimSuffix(name, ".html")] = t
	}
	return h, nil
}

// Register adds the web routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	fileServer := http.StripPrefix("/static/", http.FileServerFS(static))
	mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Assets are embedded in the binary: they change only with a new release.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fileServer.ServeHTTP(w, r)
	}))
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /signin", h.showSignIn)
	mux.HandleFunc("POST /signin", h.signIn)
	mux.Handle("POST /signout", h.staff(h.signOut))
	mux.Handle("GET /account/password", h.staff(h.showPassword))
	mux.Handle("POST /account/password", h.staff(h.changePassword))

	mux.HandleFunc("GET /report", h.reportStart)
	mux.HandleFunc("POST /report", h.reportBegin)
	mux.HandleFunc("GET /report/{step}", h.reportStep)
	mux.HandleFunc("POST /report/{step}", h.reportSave)
	mux.HandleFunc("GET /report/done/{ref}", h.reportDone)
	mux.HandleFunc("GET /status/{token}", h.reporterStatus)
	mux.HandleFunc("POST /status/{token}", h.reporterAddInfo)

	mux.Handle("GET /queue", h.staff(h.queue))
	mux.Handle("GET /incidents/{ref}", h.staff(h.incident))
	mux.Handle("POST /incidents/{ref}/classify", h.staff(h.classify))
	mux.Handle("POST /incidents/{ref}/assign", h.staff(h.assign))
	mux.Handle("GET /incidents/{ref}/status", h.staff(h.confirmStatus))
	mux.Handle("POST /incidents/{ref}/status", h.staff(h.changeStatus))
	mux.Handle("POST /incidents/{ref}/notes", h.staff(h.addNote))
	mux.Handle("POST /incidents/{ref}/attachments", h.staff(h.upload))
	mux.Handle("GET /incidents/{ref}/attachments/{id}", h.staff(h.download))
	mux.Handle("GET /incidents/{ref}/details", h.staff(h.editDetails))
	mux.Handle("POST /incidents/{ref}/details", h.staff(h.saveDetails))
	mux.Handle("POST /incidents/{ref}/links", h.staff(h.link))
	mux.Handle("POST /incidents/{ref}/merge", h.staff(h.merge))
	mux.Handle("POST /incidents/{ref}/notifications", h.staff(h.recordNotification))
	h.registerClassification(mux)
	// Personal-data breach assessment (breach.go, breach_result.go).
	mux.Handle("GET /incidents/{ref}/breach", h.staff(h.breachStart))
	mux.Handle("POST /incidents/{ref}/breach", h.staff(h.breachAnswer))
	mux.Handle("GET /incidents/{ref}/breach/result", h.staff(h.breachResult))
	mux.Handle("POST /incidents/{ref}/breach/decision", h.staff(h.breachDecide))
	mux.Handle("POST /incidents/{ref}/breach/approval", h.staff(h.breachApprove))
	h.registerNotices(mux)
	mux.Handle("GET /dashboard", h.staff(h.dashboard))
	mux.Handle("GET /breach-log", h.staff(h.breachLog))
	mux.Handle("GET /returns", h.staff(h.quarterlyReturn))
	mux.Handle("GET /admin/deliveries", h.staff(h.deliveries))
	mux.Handle("GET /admin/users", h.staff(h.users))
	mux.Handle("POST /admin/users", h.staff(h.inviteUser))
	mux.Handle("POST /admin/users/{email}", h.staff(h.setRoles))
	mux.Handle("GET /admin/settings", h.staff(h.settings))
	mux.Handle("POST /admin/settings", h.staff(h.saveSettings))
	mux.Handle("POST /admin/settings/deadlines", h.staff(h.saveDeadlines))
	mux.Handle("POST /admin/settings/breach", h.staff(h.saveBreachSettings))
	h.registerResponse(mux)
	h.registerQuarantine(mux)
}

// Wrap adds the headers and cross-origin protection every page needs.
func Wrap(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			// No inline script or style anywhere: everything comes from /static.
			hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
				"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
			hd.Set("X-Frame-Options", "DENY")
		}
		next.ServeHTTP(w, r)
	}))
}

type principalKey struct{}

// Session cookie names. Over HTTPS the __Host- prefix pins the cookie to this host, path /
// and Secure; plain HTTP (a laptop trying Vigil on 127.0.0.1) cannot hold Secure cookies.
const (
	secureCookie = "__Host-vigil"
	plainCookie  = "vigil_session"
)

func isHTTPS(r *http.Request) bool { return r.TLS != nil }

func sessionCookieName(r *http.Request) string {
	if isHTTPS(r) {
		return secureCookie
	}
	return plainCookie
}

func (h *Handler) principal(r *http.Request) (auth.Principal, string, bool) {
	c, err := r.Cookie(sessionCookieName(r))
	if err != nil {
		return auth.Principal{}, "", false
	}
	p, err := h.svc.SessionPrincipal(r.Context(), c.Value)
	if err != nil {
		if !errors.Is(err, domain.ErrUnauthorized) {
			h.log.Error("reading session", "err", err)
		}
		return auth.Principal{}, "", false
	}
	return p, c.Value, true
}

type staffHandler func(w http.ResponseWriter, r *http.Request, p auth.Principal)

// staff requires a signed-in user; authorisation of each action stays in the service.
func (h *Handler) staff(next staffHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _, ok := h.principal(r)
		if !ok {
			http.Redirect(w, r, "/signin?next="+urlEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)), p)
	})
}

// page is what every template receives.
type page struct {
	Title    string
	User     *auth.Principal
	Errors   []domain.FieldError
	Flash    string
	Data     any
	ErrorFor map[string]string
	Form     map[string]string
	BackLink string
}

// IsAdmin says whether to show administration links.
func (p page) IsAdmin() bool { return p.User != nil && p.User.Has(auth.RoleAdmin) }

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, pg page) {
	t, ok := h.pages[name]
	if !ok {
		h.serverError(w, r, errors.New("no template "+name))
		return
	}
	if pg.User == nil {
		if p, ok := r.Context().Value(principalKey{}).(auth.Principal); ok {
			pg.User = &p
		}
	}
	pg.ErrorFor = map[string]string{}
	for _, e := range pg.Errors {
		if _, dup := pg.ErrorFor[e.Field]; !dup {
			pg.ErrorFor[e.Field] = e.Message
		}
	}
	if len(pg.Errors) > 0 {
		pg.Title = "Error: " + pg.Title
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, "layout.html", pg); err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sorry, there is a problem with the service</title></head>` +
		`<body><main><h1>Sorry, there is a problem with the service</h1><p>Nothing was saved. Try again later.</p></main></body></html>`))
}

// fail shows the right page for a service error: validation problems go back to the form.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, domain.ErrNotFound):
		h.render(w, r, http.StatusNotFound, "notfound", page{Title: "Page not found"})
	case errors.Is(err, domain.ErrForbidden):
		h.render(w, r, http.StatusForbidden, "forbidden", page{Title: "You cannot do this"})
	case errors.Is(err, domain.ErrConflict):
		h.render(w, r, http.StatusConflict, "conflict", page{Title: "Someone else changed this incident", BackLink: r.URL.Path})
	default:
		h.serverError(w, r, err)
	}
}
