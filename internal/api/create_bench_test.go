package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/storetest"
)

// BenchmarkCreateIncident measures the server side of a durable creation: the whole
// handler (token check, strict decoding, validation, suggestion, insert, record of events,
// clocks, group commit), called in process with 32 concurrent requests per core and no
// network or load generator. 1e9 / ns/op is creations per second of wall time.
//
//	go test ./internal/api -run '^$' -bench CreateIncident -benchtime 20000x
func BenchmarkCreateIncident(b *testing.B) {
	body := []byte(`{"title":"Laptop stolen from a car","nature":"A work laptop was taken from a parked car overnight","systems":"LT-0042","people":"clients","personal_data":"yes","discovery":"the owner reported it"}`)
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			e := newEnv(b, storetest.Open(b, engine), envOptions{})
			auth := "Bearer " + e.tokens["handler"]
			// A clock that jumps a second per reading would expire the token cache on every
			// request; a microsecond keeps instants distinct and the cache meaningful.
			e.clock.mu.Lock()
			e.clock.step = time.Microsecond
			e.clock.mu.Unlock()
			b.SetParallelism(32)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r := httptest.NewRequest("POST", "/api/v1/incidents", bytes.NewReader(body))
					r.Header.Set("Authorization", auth)
					r.Header.Set("Content-Type", "application/json")
					w := httptest.NewRecorder()
					e.handler.ServeHTTP(w, r)
					if w.Code != http.StatusCreated {
						b.Fatalf("create: %d %s", w.Code, w.Body)
					}
				}
			})
		})
	}
}
