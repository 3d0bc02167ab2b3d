// Package api serves Vigil's REST API under /api/v1: JSON in and out, bearer-token
// authentication, RFC 9457 problems. Handlers are thin: they decode, call the service layer
// (which authorises), and encode. They never touch the store.
package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/ratelimit"
	"github.com/vigil-ir/vigil/internal/service"
)

// API is the /api/v1 handler set.
type API struct {
	svc           *service.Service
	log           *slog.Logger
	publicReports bool
	reports       *ratelimit.Limiter
}

// Options configures the API.
type Options struct {
	Logger *slog.Logger
	// PublicReports enables POST /api/v1/reports without a token.
	PublicReports bool
	// ReportsPerMinute limits unauthenticated reports per client address.
	ReportsPerMinute int
	Now              func() time.Time
}

// New returns the API.
func New(svc *service.Service, o Options) *API {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ReportsPerMinute <= 0 {
		o.ReportsPerMinute = 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &API{svc: svc, log: o.Logger, publicReports: o.PublicReports, reports: ratelimit.New(o.ReportsPerMinute, o.ReportsPerMinute, o.Now)}
}

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/openapi.json", serveOpenAPI)
	mux.HandleFunc("POST /api/v1/reports", a.submitReport)
	mux.HandleFunc("GET /api/v1/reports/{token}", a.reportStatus)
	mux.Handle("POST /api/v1/incidents", a.authed(a.createIncident))
	mux.Handle("GET /api/v1/incidents", a.authed(a.listIncidents))
	mux.Handle("GET /api/v1/incidents/{ref}", a.authed(a.getIncident))
	mux.Handle("PATCH /api/v1/incidents/{ref}", a.authed(a.updateIncident))
	mux.Handle("GET /api/v1/incidents/{ref}/events", a.authed(a.incidentEvents))
	mux.Handle("PUT /api/v1/incidents/{ref}/access/{email}", a.authed(a.nameUser))
	mux.Handle("POST /api/v1/incidents/{ref}/links", a.authed(a.linkIncident))
	mux.Handle("POST /api/v1/incidents/{ref}/merge", a.authed(a.mergeIncident))
	mux.Handle("GET /api/v1/incidents/{ref}/clocks", a.authed(a.incidentClocks))
	mux.Handle("GET /api/v1/incidents/{ref}/notifications", a.authed(a.listNotifications))
	mux.Handle("POST /api/v1/incidents/{ref}/notifications", a.authed(a.recordNotification))
	mux.Handle("GET /api/v1/clocks", a.authed(a.listClocks))
	mux.Handle("GET /api/v1/incidents/{ref}/observables", a.authed(a.incidentObservables))
	mux.Handle("GET /api/v1/intake/quarantine", a.authed(a.quarantine))
	mux.Handle("GET /api/v1/intake/quarantine/{id}/raw", a.authed(a.quarantinedRaw))
	a.registerClassification(mux)
	a.registerNotices(mux)
	mux.Handle("POST /api/v1/assess", a.authed(a.assess))
	mux.Handle("PUT /api/v1/incidents/{ref}/breach-assessment", a.authed(a.saveAssessment))
	mux.Handle("GET /api/v1/incidents/{ref}/breach-assessment", a.authed(a.getAssessment))
	mux.Handle("POST /api/v1/incidents/{ref}/breach-decision", a.authed(a.decideBreach))
	mux.Handle("POST /api/v1/incidents/{ref}/breach-decision/approval", a.authed(a.approveBreach))
	a.registerResponse(mux)
	mux.Handle("GET /api/v1/breach-log", a.authed(a.breachLog))
	mux.Handle("GET /api/v1/returns/{quarter}", a.authed(a.quarterlyReturn))
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, "Not found", "No such API endpoint: "+r.Method+" "+r.URL.Path, nil)
	})
}

type principalKey struct{}

// authedHandler receives the authenticated principal.
type authedHandler func(w http.ResponseWriter, r *http.Request, p auth.Principal)

// authed authenticates the bearer token; authorisation itself happens in the service.
func (a *API) authed(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			a.fail(w, r, domain.ErrUnauthorized)
			return
		}
		p, err := a.svc.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)), p)
	})
}

// readBody reads a size-limited body; oversize is 413, the rest of decoding is the caller's.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.HasSuffix(strings.SplitN(ct, ";", 2)[0], "+json") {
		writeProblem(w, http.StatusUnsupportedMediaType, "Send JSON", "Content-Type must be application/json.", nil)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		writeProblem(w, http.StatusRequestEntityTooLarge, "Too large", "The request body must be 1 MiB or smaller.", []domain.FieldError{{Field: "body", Message: "is larger than 1 MiB"}})
		return nil, false
	}
	if err != nil {
		writeProblem(w, http.StatusBadRequest, "The request could not be read", "The body could not be read.", nil)
		return nil, false
	}
	return body, true
}

// clientIP is the peer address. X-Forwarded-For is not trusted: a reverse proxy in front of
// Vigil should enforce its own limits.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
