package api_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/breach"
	"github.com/vigil-ir/vigil/internal/domain"
)

// sharedBreachCases reads ../shared/testdata/breach-cases beside the repository root.
func sharedBreachCases(t *testing.T) map[string]map[string]json.RawMessage {
	t.Helper()
	dir, _ := filepath.Abs(".")
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			t.Skip("no go.mod above the package")
		}
		dir = filepath.Dir(dir)
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "shared", "testdata", "breach-cases", "*.json"))
	if len(files) == 0 {
		t.Skip("shared breach cases not found")
	}
	out := map[string]map[string]json.RawMessage{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c map[string]json.RawMessage
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = c
	}
	return out
}

// createDirect records an incident through the service (the incident's own API shape is
// tested elsewhere) and names it.
func (e *env) createDirect(t *testing.T, name, who string, in domain.Patch) {
	t.Helper()
	p, err := e.svc.Authenticate(context.Background(), e.tokens[who])
	if err != nil {
		t.Fatal(err)
	}
	in.Title = domain.Opt[string]{Set: true, Value: "Breach " + name}
	in.Nature = domain.Opt[string]{Set: true, Value: "Something happened to personal data"}
	inc, err := e.svc.CreateIncident(context.Background(), p, in)
	if err != nil {
		t.Fatal(err)
	}
	e.refs[name] = inc.Ref
}

// lowRiskUK is a breach that needs no notification under UK rules: encrypted, key safe,
// nothing taken.
const lowRiskUK = `{"schema":"vigil.breach-facts/v1","jurisdictions":["UK"],"role":"controller","aware_at":"2026-02-28T09:00:00Z",
	"personal_data":"yes","subjects":{"count":40,"kinds":["customers"],"vulnerable":false},
	"data":{"categories":["basic_identifiers","contact"],"records":40,"volume_per_subject":"single"},
	"confidentiality":{"lost":false,"exposure":"none","exfiltration":"ruled_out"},
	"availability":{"lost":true,"permanent":false,"restored_within_hours":4,"impact_on_subjects":"none"},
	"protection":{"encryption":"state_of_the_art","key_compromised":false},
	"cause":{"malicious":true,"actor":"external","description":"ransomware"},"misuse_observed":false}`

func TestAssessCases(t *testing.T) {
	cases := sharedBreachCases(t)
	if len(cases) < 11 {
		t.Errorf("found %d shared breach cases, want at least 11", len(cases))
	}
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		var table []apiCase
		for name, c := range cases {
			var want struct {
				NotifyAuthority    bool `json:"notify_authority"`
				NotifySubjects     bool `json:"notify_subjects"`
				DocumentInternally bool `json:"document_internally"`
			}
			if err := json.Unmarshal(c["expected"], &want); err != nil {
				t.Fatalf("%s: expected: %v", name, err)
			}
			f, err := breach.DecodeFacts(c["facts"])
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			exact, _ := json.Marshal(breach.Assess(f))
			table = append(table, apiCase{name: name, req: req{method: "POST", path: "/api/v1/assess", as: "handler", body: []byte(c["facts"])}, status: 200,
				fields: map[string]any{"notify_authority": want.NotifyAuthority, "notify_subjects": want.NotifySubjects, "document_internally": want.DocumentInternally},
				after: func(t *testing.T, _ *env, r *response) {
					var got, w any
					_ = json.Unmarshal(r.body, &got)
					_ = json.Unmarshal(exact, &w)
					g, _ := json.Marshal(got)
					ww, _ := json.Marshal(w)
					if string(g) != string(ww) {
						t.Errorf("API decision differs from the engine's:\n got %s\nwant %s", g, ww)
					}
				}})
		}
		table = append(table,
			apiCase{name: "no token", req: req{method: "POST", path: "/api/v1/assess", body: lowRiskUK}, status: 401},
			apiCase{name: "unknown field", req: req{method: "POST", path: "/api/v1/assess", as: "handler", body: `{"jurisdictions":["UK"],"colour":"red"}`},
				status: 400, problem: []string{"colour"}, exact: true},
			apiCase{name: "bad enum", req: req{method: "POST", path: "/api/v1/assess", as: "handler", body: `{"jurisdictions":["UK"],"confidentiality":{"exposure":"everyone"}}`},
				status: 400, problem: []string{"confidentiality.exposure"}, exact: true},
			apiCase{name: "no jurisdictions", req: req{method: "POST", path: "/api/v1/assess", as: "handler", body: `{"personal_data":"yes"}`},
				status: 400, problem: []string{"jurisdictions"}},
			apiCase{name: "not JSON", req: req{method: "POST", path: "/api/v1/assess", as: "handler", body: `{"jurisdictions":`}, status: 400},
		)
		e.run(t, table)
	})
}

func TestBreachAssessmentAndDecision(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		aware := time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC)
		e.createDirect(t, "inc", "handler", domain.Patch{PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes},
			AwareAt: domain.Opt[*time.Time]{Set: true, Value: &aware}})
		path := "/api/v1/incidents/{inc}/breach-assessment"
		decision := "/api/v1/incidents/{inc}/breach-decision"
		clock := func(rule, scope, state string) func(t *testing.T, e *env, r *response) {
			return func(t *testing.T, e *env, _ *response) {
				cs := e.do(t, req{method: "GET", path: "/api/v1/incidents/{inc}/clocks", as: "dpo"})
				for _, c := range cs.items() {
					if c["rule"] == rule && c["scope"] == scope {
						if c["state"] != state {
							t.Errorf("clock %s/%s is %v, want %s", rule, scope, c["state"], state)
						}
						return
					}
				}
				if state != "" {
					t.Errorf("no clock %s/%s in %s", rule, scope, cs.body)
				}
			}
		}
		wrapped := `{"facts":` + lowRiskUK + `,"annex":{"data_tells":"names and e-mail addresses","harms":["emotional_distress"],"worst_case":"spam"},"reason":"backups checked"}`
		e.run(t, []apiCase{
			{name: "nothing yet", req: req{method: "GET", path: path, as: "dpo"}, status: 404},
			{name: "decide before assessing", req: req{method: "POST", path: decision, as: "dpo", body: `{"accept":true}`}, status: 422, problem: []string{"assessment"}},
			{name: "reporter may not assess", req: req{method: "PUT", path: path, as: "reporter", body: lowRiskUK}, status: 404},
			{name: "auditor may not assess", req: req{method: "PUT", path: path, as: "auditor", body: lowRiskUK}, status: 403},
			{name: "bad facts", req: req{method: "PUT", path: path, as: "handler", body: `{"jurisdictions":["XX"]}`}, status: 400, problem: []string{"jurisdictions[0]"}},
			{name: "bad wrapped facts", req: req{method: "PUT", path: path, as: "handler", body: `{"facts":{"jurisdictions":["UK"],"role":"boss"}}`},
				status: 400, problem: []string{"facts.role"}, exact: true},
			{name: "bad annex", req: req{method: "PUT", path: path, as: "handler", body: `{"facts":{"jurisdictions":["UK"]},"annex":{"mood":"bad"}}`},
				status: 400, problem: []string{"annex.mood"}, exact: true},
			{name: "bad harm", req: req{method: "PUT", path: path, as: "handler", body: `{"facts":{"jurisdictions":["UK"]},"annex":{"harms":["boredom"]}}`},
				status: 400, problem: []string{"annex.harms[0]"}, exact: true},
			{name: "wrapper without facts", req: req{method: "PUT", path: path, as: "handler", body: `{"reason":"x"}`}, status: 400, problem: []string{"facts"}},
			{name: "bare facts", req: req{method: "PUT", path: path, as: "handler", body: lowRiskUK}, status: 201,
				fields: map[string]any{"version": 1, "decision.risk": "unlikely", "decision.notify_authority": false, "created_by": email("handler")}},
			{name: "wrapped facts", req: req{method: "PUT", path: path, as: "handler", body: wrapped}, status: 200,
				fields: map[string]any{"version": 2, "decision.obligations.0.jurisdiction": "UK"}},
			{name: "versions", req: req{method: "GET", path: path, as: "auditor"}, status: 200,
				fields: map[string]any{"latest.version": 2, "latest.reason": "backups checked", "latest.annex.data_tells": "names and e-mail addresses",
					"versions.1.version": 1, "versions.1.facts.jurisdictions": []string{"UK"}, "decision_in_force": nil}},
			{name: "the clock runs until decided", req: req{method: "GET", path: "/api/v1/incidents/{inc}/clocks", as: "dpo"}, status: 200,
				after: clock("authority-72h", "UK", "running")},
			{name: "handler may not decide", req: req{method: "POST", path: decision, as: "handler", body: `{"accept":true}`}, status: 403},
			{name: "accept is required", req: req{method: "POST", path: decision, as: "dpo", body: `{}`}, status: 422, problem: []string{"accept"}},
			{name: "override needs a justification", req: req{method: "POST", path: decision, as: "dpo", body: `{"accept":false,"notify_subjects":true}`},
				status: 422, problem: []string{"justification"}},
			{name: "unknown jurisdiction", req: req{method: "POST", path: decision, as: "dpo", body: `{"accept":false,"notify_authority":{"FR":true},"justification":"x"}`},
				status: 422, problem: []string{"notify_authority.FR"}},
			{name: "nothing to approve", req: req{method: "POST", path: decision + "/approval", as: "approver", body: `{"approve":true}`}, status: 422},
			{name: "dpo accepts", req: req{method: "POST", path: decision, as: "dpo", body: `{"accept":true}`}, status: 201,
				fields: map[string]any{"accepted": true, "assessment_version": 2, "notify_authority.UK": false, "approval_state": "pending", "decided_by": email("dpo")},
				after:  clock("authority-72h", "UK", "running")},
			{name: "dpo may not approve", req: req{method: "POST", path: decision + "/approval", as: "dpo", body: `{"approve":true}`}, status: 403},
			{name: "rejection needs a comment", req: req{method: "POST", path: decision + "/approval", as: "approver", body: `{"approve":false}`}, status: 422, problem: []string{"comment"}},
			{name: "approver approves", req: req{method: "POST", path: decision + "/approval", as: "approver", body: `{"approve":true,"comment":"agreed"}`}, status: 200,
				fields: map[string]any{"approval_state": "approved", "approved_by": email("approver"), "approval_comment": "agreed"},
				after:  clock("authority-72h", "UK", "not_applicable")},
			{name: "decision in force", req: req{method: "GET", path: path, as: "dpo"}, status: 200,
				fields: map[string]any{"decision_in_force.approval_state": "approved", "decisions.0.accepted": true}},
			{name: "dpo overrides", req: req{method: "POST", path: decision, as: "dpo",
				body: `{"accept":false,"notify_authority":{"UK":true},"notify_subjects":true,"justification":"the customers include a protected person"}`}, status: 201,
				fields: map[string]any{"accepted": false, "notify_authority.UK": true, "notify_subjects": true, "approval_state": "pending"},
				after:  clock("authority-72h", "UK", "not_applicable")},
			{name: "override visible beside the one in force", req: req{method: "GET", path: path, as: "dpo"}, status: 200,
				fields: map[string]any{"decisions.0.accepted": false, "decisions.0.justification": "the customers include a protected person",
					"decision_in_force.accepted": true, "latest.decision.notify_subjects": false}},
			{name: "override approved", req: req{method: "POST", path: decision + "/approval", as: "approver", body: `{"approve":true}`}, status: 200,
				after: func(t *testing.T, e *env, r *response) {
					clock("authority-72h", "UK", "running")(t, e, r)
					clock("subjects", "", "running")(t, e, r)
				}},
			{name: "events", req: req{method: "GET", path: "/api/v1/incidents/{inc}/events", as: "approver"}, status: 200,
				contains: []string{"breach.assessed", "breach.decided", "breach.decision_approved", "the customers include a protected person"}},
		})
	})
}

func TestBreachDecisionByApproverNeedsAnother(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		e.createDirect(t, "inc", "handler", domain.Patch{})
		e.run(t, []apiCase{
			{name: "assess", req: req{method: "PUT", path: "/api/v1/incidents/{inc}/breach-assessment", as: "approver", body: lowRiskUK}, status: 201},
			{name: "approver decides", req: req{method: "POST", path: "/api/v1/incidents/{inc}/breach-decision", as: "approver", body: `{"accept":true}`}, status: 201},
			{name: "and cannot sign off alone", req: req{method: "POST", path: "/api/v1/incidents/{inc}/breach-decision/approval", as: "approver", body: `{"approve":true}`},
				status: 422, problem: []string{"approve"}},
		})
	})
}
