package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/vigil-ir/vigil/internal/approval"
)

// TestResponseAPI walks the response endpoints; every answer is checked against the OpenAPI
// document by e.do. Closing waits for another person's approval (202) and for the review.
func TestResponseAPI(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		if err := e.svc.SetApprovalSettings(context.Background(), e.svc.System(), approval.Settings{Require: map[approval.Kind]bool{approval.CloseIncident: true}}); err != nil {
			t.Fatal(err)
		}
		body := minimal("Ransomware on the file server")
		body["class"] = "incident"
		body["ico_type"] = "ransomware"
		e.create(t, "r", "handler", body)
		e.patch(t, "r", "handler", map[string]any{"status": "triage"})
		e.patch(t, "r", "handler", map[string]any{"status": "resolved"})
		ref := e.refs["r"]
		inc := "/api/v1/incidents/" + ref

		closing := e.do(t, req{method: "PATCH", path: inc, as: "handler", header: map[string]string{"If-Match": `"3"`}, body: map[string]any{"status": "closed"}})
		if closing.status != http.StatusAccepted || closing.str("kind") != "close_incident" || closing.str("state") != "pending" {
			t.Fatalf("close: %d %s", closing.status, closing.body)
		}
		if r := e.do(t, req{method: "GET", path: inc, as: "handler"}); r.str("status") != "resolved" {
			t.Fatalf("held close changed the status to %s", r.str("status"))
		}
		id := strconv.FormatInt(int64(closing.get("id").(float64)), 10)

		e.run(t, []apiCase{
			{req: req{method: "POST", path: inc + "/actions", as: "handler", body: map[string]any{"kind": "containment", "title": "Isolate the server", "owner": "dpo@example.org", "status": "done", "effectiveness": "effective"}},
				status: 201, fields: map[string]any{"kind": "containment", "owner": "dpo@example.org", "overdue": false}},
			{req: req{method: "POST", path: inc + "/actions", as: "handler", body: map[string]any{"kind": "oops", "title": ""}}, status: 422, problem: []string{"kind", "title"}},
			{req: req{method: "POST", path: inc + "/actions", as: "auditor", body: map[string]any{"kind": "containment", "title": "x"}}, status: 403},
			{req: req{method: "GET", path: inc + "/actions", as: "auditor"}, status: 200},
			{req: req{method: "PUT", path: inc + "/response-assessment", as: "dpo", body: map[string]any{"risk": "Service outage", "inform": "Board, clients"}}, status: 200,
				fields: map[string]any{"risk": "Service outage"}},
			{req: req{method: "GET", path: inc + "/playbook-tasks", as: "handler"}, status: 200},
			{req: req{method: "GET", path: "/api/v1/playbooks", as: "handler"}, status: 200},
			{req: req{method: "GET", path: "/api/v1/approvals", as: "approver"}, status: 200, fields: map[string]any{"can_decide": true}},
			{req: req{method: "POST", path: "/api/v1/approvals/" + id + "/decision", as: "handler", body: map[string]any{"approve": true}}, status: 403},
			{req: req{method: "POST", path: "/api/v1/approvals/" + id + "/decision", as: "approver", body: map[string]any{"approve": false}}, status: 422, problem: []string{"comment"}},
			{req: req{method: "POST", path: "/api/v1/approvals/" + id + "/decision", as: "approver", body: map[string]any{"approve": true, "comment": "Agreed"}}, status: 200,
				fields: map[string]any{"state": "approved"}},
			{req: req{method: "GET", path: inc, as: "handler"}, status: 200, fields: map[string]any{"status": "resolved"}},
			{req: req{method: "PUT", path: inc + "/review", as: "handler", body: map[string]any{"asset_register_reviewed": true, "policies_reviewed": true,
				"training_reviewed": true, "went_well": "Backups held", "went_badly": "Patch was late", "completed": true}}, status: 200, fields: map[string]any{"completed": true}},
			{req: req{method: "GET", path: inc, as: "handler"}, status: 200, fields: map[string]any{"status": "closed"}},
			{req: req{method: "GET", path: inc + "/people-matters", as: "handler"}, status: 403},
			{req: req{method: "PUT", path: inc + "/people-matters", as: "approver", body: map[string]any{"support": "Counselling offered"}}, status: 200},
			{req: req{method: "GET", path: inc + "/people-matters", as: "approver"}, status: 200},
			{req: req{method: "POST", path: inc + "/approvals", as: "handler", body: map[string]any{"kind": "public_statement", "summary": "Statement on the outage"}}, status: 202,
				fields: map[string]any{"kind": "public_statement", "state": "pending"}},
			{req: req{method: "GET", path: inc + "/approvals", as: "handler"}, status: 200},
			{req: req{method: "GET", path: "/api/v1/actions", as: "dpo"}, status: 200},
		})
		tasks := e.do(t, req{method: "GET", path: inc + "/playbook-tasks", as: "handler"})
		items := tasks.items()
		if len(items) == 0 || items[0]["playbook"] != "ransomware" {
			t.Fatalf("ransomware checklist: %s", tasks.body)
		}
		task := strconv.FormatInt(int64(items[0]["id"].(float64)), 10)
		if r := e.do(t, req{method: "PUT", path: inc + "/playbook-tasks/" + task, as: "handler", body: map[string]any{"done": true}}); r.status != 200 || r.get("done") != true {
			t.Fatalf("tick: %d %s", r.status, r.body)
		}
	})
}
