package api_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/blob"
	"github.com/vigil-ir/vigil/internal/server"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// withBlobs serves the API from a service over the env's store that has a blob store for
// evidence (the env's own service has none); it returns where that service is put.
func withBlobs(t *testing.T, svc **service.Service) envOptions {
	return envOptions{handler: func(e *env) http.Handler {
		blobs, err := blob.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if *svc, err = service.New(context.Background(), e.st, service.Options{Now: e.clock.Now, Blobs: blobs}); err != nil {
			t.Fatal(err)
		}
		return handlerOf(t, server.Handler(*svc, nil, false))
	}}
}

// takeInPhish records the testdata phishing report, naming its incident "phish", and a
// message with no header, which is quarantined.
func takeInPhish(t *testing.T, e *env, svc *service.Service) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "mailparse", "testdata", "messages", "phish-attached.eml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.ReceiveMail(context.Background(), service.InboundMail{Raw: raw, Kind: service.IntakePhishing, Recipient: "phishing@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	e.refs["phish"] = res.Ref
	if _, err := svc.ReceiveMail(context.Background(), service.InboundMail{Raw: []byte("no header at all"), Kind: service.IntakeIncident, Recipient: "security@example.org"}); err != nil {
		t.Fatal(err)
	}
}

func TestObservablesAndQuarantine(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var svc *service.Service
		e := newEnv(t, st, withBlobs(t, &svc))
		takeInPhish(t, e, svc)
		tests := []struct {
			name, path, as string
			status         int
			check          func(t *testing.T, r *response)
		}{
			{"json", "/api/v1/incidents/{phish}/observables", "handler", 200, func(t *testing.T, r *response) {
				doc := r.doc.(map[string]any)
				if doc["reports"] != float64(1) || len(doc["observables"].([]any)) < 10 || doc["withheld"] != float64(0) {
					t.Errorf("body = %s", r.body)
				}
			}},
			{"green audience", "/api/v1/incidents/{phish}/observables?tlp=green", "handler", 200, func(t *testing.T, r *response) {
				doc := r.doc.(map[string]any)
				if len(doc["observables"].([]any)) != 0 || doc["withheld"].(float64) < 10 {
					t.Errorf("body = %s", r.body)
				}
			}},
			{"stix", "/api/v1/incidents/{phish}/observables?format=stix", "auditor", 200, func(t *testing.T, r *response) {
				if !strings.HasPrefix(r.header.Get("Content-Type"), "application/stix+json;version=2.1") || !strings.Contains(string(r.body), `"pattern":"[url:value = 'https://login.evil.test/reset?u=alice']"`) {
					t.Errorf("%s\n%s", r.header.Get("Content-Type"), r.body)
				}
			}},
			{"bad format", "/api/v1/incidents/{phish}/observables?format=xml", "handler", 422, nil},
			{"reporter may not see it", "/api/v1/incidents/{phish}/observables", "reporter", 404, nil},
			{"no token", "/api/v1/incidents/{phish}/observables", "", 401, nil},
			{"quarantine for admins", "/api/v1/intake/quarantine", "admin", 200, func(t *testing.T, r *response) {
				items := r.doc.(map[string]any)["items"].([]any)
				if len(items) != 1 || items[0].(map[string]any)["reason"] != "malformed" {
					t.Errorf("body = %s", r.body)
				}
			}},
			{"quarantine not for handlers", "/api/v1/intake/quarantine", "handler", 403, nil},
			{"a quarantined message as received", "/api/v1/intake/quarantine/1/raw", "admin", 200, func(t *testing.T, r *response) {
				if string(r.body) != "no header at all" || r.header.Get("Content-Type") != "message/rfc822" || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
					t.Errorf("%v %q", r.header, r.body)
				}
			}},
			{"not for handlers either", "/api/v1/intake/quarantine/1/raw", "handler", 403, nil},
			{"no such message", "/api/v1/intake/quarantine/99/raw", "admin", 404, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do(t, req{method: "GET", path: tt.path, as: tt.as})
				if r.status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
				}
				if tt.check != nil {
					tt.check(t, r)
				}
			})
		}
	})
}
