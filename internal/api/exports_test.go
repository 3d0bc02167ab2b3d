package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/document/documenttest"
)

func TestBreachLogAndReturnEndpoints(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		e.create(t, "lost", "handler", map[string]any{"title": "@SUM(1+1) lost laptop", "nature": "Laptop lost", "personal_data": "yes"})
		e.create(t, "other", "handler", map[string]any{"title": "Port scan", "nature": "Scan", "personal_data": "no"})
		e.run(t, []apiCase{
			{name: "dpo reads the log as JSON", req: req{method: "GET", path: "/api/v1/breach-log", as: "dpo"}, status: 200},
			{name: "a handler may not", req: req{method: "GET", path: "/api/v1/breach-log", as: "handler"}, status: 403},
			{name: "no token", req: req{method: "GET", path: "/api/v1/breach-log"}, status: 401},
			{name: "bad date", req: req{method: "GET", path: "/api/v1/breach-log?from=2026-13-01", as: "dpo"}, status: 400, problem: []string{"from"}},
			{name: "unknown parameter", req: req{method: "GET", path: "/api/v1/breach-log?since=2026-01-01", as: "dpo"}, status: 400, problem: []string{"since"}},
			{name: "unknown format", req: req{method: "GET", path: "/api/v1/breach-log?format=doc", as: "auditor"}, status: 422, problem: []string{"format"}},
			{name: "return as JSON", req: req{method: "GET", path: "/api/v1/returns/2026Q1", as: "auditor"}, status: 200},
			{name: "bad quarter", req: req{method: "GET", path: "/api/v1/returns/2026-1", as: "auditor"}, status: 422, problem: []string{"quarter"}},
			{name: "a reporter may not read the return", req: req{method: "GET", path: "/api/v1/returns/2026Q1", as: "reporter"}, status: 403},
		})
		r := e.do(t, req{method: "GET", path: "/api/v1/breach-log", as: "dpo"})
		if entries, _ := r.get("entries").([]any); len(entries) != 1 || r.str("entries.0.ref") != e.refs["lost"] {
			t.Errorf("JSON log %s, want only %s", r.body, e.refs["lost"])
		}
		r = e.do(t, req{method: "GET", path: "/api/v1/breach-log?format=CSV", as: "auditor"})
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(r.header.Get("Content-Disposition"), `filename=breach-log.csv`) || !strings.Contains(string(r.body), "'@SUM(1+1) lost laptop") {
			t.Errorf("CSV: %d %v %s", r.status, r.header, r.body)
		}
		r = e.do(t, req{method: "GET", path: "/api/v1/breach-log?format=pdf&from=2026-01-01&to=2026-12-31", as: "approver"})
		if r.status != 200 || !bytes.HasPrefix(r.body, []byte("%PDF")) || !strings.Contains(documenttest.PDFText(t, r.body), e.refs["lost"]) {
			t.Errorf("PDF: %d, %d bytes", r.status, len(r.body))
		}
		r = e.do(t, req{method: "GET", path: "/api/v1/returns/2026q1?format=xlsx", as: "admin"})
		if r.status != 200 {
			t.Fatalf("XLSX return: %d %s", r.status, r.body)
		}
		rows := documenttest.XLSXRows(t, r.body, "Return 2026Q1")
		if len(rows) < 3 || rows[1][1] != "Incidents" || rows[1][2] != "2" || rows[3][1] != "Personal data breaches" || rows[3][2] != "1" {
			t.Errorf("return rows %q", rows)
		}
		r = e.do(t, req{method: "GET", path: "/api/v1/returns/2026Q1", as: "dpo"})
		if r.get("incidents") != float64(2) {
			t.Errorf("return JSON %s", r.body)
		}
	})
}
