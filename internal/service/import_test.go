package service_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/vigil-ir/vigil/internal/veris/veristest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/csvimport"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// The VERIS Community Database (© Verizon, CC BY-SA 4.0) sits in the shared datasets beside
// the checkout; veristest reads the VERIS schema from there too.
const vcdbZip = "../../../shared/datasets/vcdb/vcdb.json.zip"

// exportVERIS exports every incident the system principal may under o and validates each.
func exportVERIS(t *testing.T, svc *service.Service, sch *jsonschema.Schema, o service.ExportOptions) (map[string]json.RawMessage, *service.ExportResult) {
	t.Helper()
	out := map[string]json.RawMessage{}
	o.Format = "veris"
	res, err := svc.ExportIncidents(context.Background(), svc.System(), o, func(it store.Sourced) error {
		doc, err := svc.VERIS(it)
		if err != nil {
			return err
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			return err
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: exported VERIS does not validate: %v", it.Ref, err)
		}
		out[it.Ref] = doc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, res
}

// TestImportVCDB imports the whole VCDB into SQLite, imports it again (nothing created or
// changed, no duplicates), and exports it as VERIS: every record validates against the
// schema and keeps its incident id.
func TestImportVCDB(t *testing.T) {
	if _, err := os.Stat(vcdbZip); err != nil {
		t.Skipf("VCDB not available (%v): the shared datasets must sit beside the checkout", err)
	}
	sch := veristest.Schema(t)
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	svc := newService(t, st, &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)})
	first, err := svc.ImportVERIS(ctx, svc.System(), vcdbZip, service.ImportOptions{})
	if err != nil {
		t.Fatalf("import: %v (rejected %v)", err, first)
	}
	// 8,553 records, of which two repeat an earlier record's identifiers.
	if first.Created != 8551 || first.Unchanged+first.Updated != 2 || len(first.Rejected) != 0 || len(first.Warnings) != 2 {
		t.Fatalf("first import: %+v", first)
	}
	again, err := svc.ImportVERIS(ctx, svc.System(), vcdbZip, service.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || again.Updated != 0 || again.Unchanged != 8553 {
		t.Fatalf("second import changed something: %+v", again)
	}
	docs, res := exportVERIS(t, svc, sch, service.ExportOptions{})
	if res.Written != 8551 || len(docs) != 8551 {
		t.Fatalf("exported %d (%d docs), want 8551", res.Written, len(docs))
	}
	ids := map[string]bool{}
	for _, d := range docs {
		var v struct {
			ID   string `json:"incident_id"`
			Plus struct {
				Master string `json:"master_id"`
			} `json:"plus"`
		}
		if err := json.Unmarshal(d, &v); err != nil {
			t.Fatal(err)
		}
		ids[v.ID+"/"+v.Plus.Master] = true
	}
	if len(ids) != 8551 {
		t.Errorf("%d distinct VERIS ids exported, want 8551", len(ids))
	}
}

// verisRecord writes one small VERIS record to a JSON Lines file.
func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const twoRecords = `{"incident_id":"r1","security_incident":"Confirmed","summary":"Laptop stolen.","action":{"physical":{"variety":["Theft"]}},"attribute":{"confidentiality":{"data_disclosure":"Potentially","data":[{"variety":"Personal"}]}},"timeline":{"incident":{"year":2019,"month":4,"day":2}}}
{"incident_id":"r2","security_incident":"Suspected","summary":"Odd logins.","action":{"hacking":{"variety":["Use of stolen creds"]}},"timeline":{"incident":{"year":2020}}}
`

// TestImportIdempotentAndAudited runs on both engines: import, re-import with one record
// changed (one update, with the changed fields in the record of events), and the rules on
// who may import and export.
func TestImportIdempotentAndAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := newService(t, st, &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)})
		path := writeFile(t, "r.jsonl", twoRecords)
		res, err := svc.ImportVERIS(ctx, svc.System(), path, service.ImportOptions{})
		if err != nil || res.Created != 2 {
			t.Fatalf("import: %+v %v", res, err)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(twoRecords, "Odd logins.", "Odd logins from abroad.", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		res, err = svc.ImportVERIS(ctx, svc.System(), path, service.ImportOptions{})
		if err != nil || res.Created != 0 || res.Updated != 1 || res.Unchanged != 1 {
			t.Fatalf("re-import: %+v %v", res, err)
		}
		items, _, err := svc.ListIncidents(ctx, svc.System(), service.ListQuery{Filter: store.Filter{Limit: 10}})
		if err != nil || len(items) != 2 {
			t.Fatalf("%d incidents after two imports (%v)", len(items), err)
		}
		var updated *domain.Incident
		for _, inc := range items {
			if inc.Title == "Odd logins from abroad." {
				updated = inc
			}
		}
		if updated == nil || updated.Version != 2 || updated.Exercise {
			t.Fatalf("updated incident: %+v", updated)
		}
		events, err := svc.IncidentEvents(ctx, svc.System(), updated.Ref)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.Action != "incident.imported" || !strings.Contains(string(last.Data), `"field":"title"`) || !strings.Contains(string(last.Data), `"source_id":"r2"`) {
			t.Errorf("last event %s %s", last.Action, last.Data)
		}

		admin := auth.Principal{Kind: auth.KindUser, UserID: 99, OrgID: svc.System().OrgID, Roles: []auth.Role{auth.RoleAdmin}}
		handler := auth.Principal{Kind: auth.KindUser, UserID: 98, OrgID: svc.System().OrgID, Roles: []auth.Role{auth.RoleHandler}}
		reporter := auth.Principal{Kind: auth.KindUser, UserID: 97, OrgID: svc.System().OrgID, Roles: []auth.Role{auth.RoleReporter}}
		for _, tc := range []struct {
			name     string
			p        auth.Principal
			imp, exp bool
		}{{"admin", admin, true, true}, {"handler", handler, false, true}, {"reporter", reporter, false, false}} {
			_, err := svc.ImportVERIS(ctx, tc.p, path, service.ImportOptions{})
			if got := !errors.Is(err, domain.ErrForbidden); got != tc.imp {
				t.Errorf("%s may import: %v (err %v)", tc.name, got, err)
			}
			_, err = svc.ExportIncidents(ctx, tc.p, service.ExportOptions{Format: "veris"}, func(store.Sourced) error { return nil })
			if got := !errors.Is(err, domain.ErrForbidden); got != tc.exp {
				t.Errorf("%s may export: %v (err %v)", tc.name, got, err)
			}
		}
	})
}

// TestExportWithholds checks the audience controls: TLP above the audience and restricted
// incidents are withheld and counted, and the export is in the record of events.
func TestExportWithholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sch := veristest.Schema(t)
		svc := newService(t, st, &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)})
		mk := func(title, tlp string, restricted bool) {
			inc, err := svc.CreateIncident(ctx, svc.System(), domain.Patch{Title: set(title), Nature: set("What happened: " + title),
				TLP: set(tlp), Restricted: set(restricted), RSITClass: set("fraud"), RSITType: set("phishing")})
			if err != nil {
				t.Fatal(err)
			}
			_ = inc
		}
		mk("green one", "green", false)
		mk("red one", "red", false)
		mk("restricted one", "amber", true)
		for _, tc := range []struct {
			o                          service.ExportOptions
			written, withTLP, withRest int
		}{
			{service.ExportOptions{}, 1, 1, 1},
			{service.ExportOptions{TLP: "TLP:RED", IncludeRestricted: true}, 3, 0, 0},
			{service.ExportOptions{TLP: "clear"}, 0, 2, 1},
		} {
			_, res := exportVERIS(t, svc, sch, tc.o)
			if res.Written != tc.written || res.WithheldTLP != tc.withTLP || res.WithheldRestricted != tc.withRest {
				t.Errorf("%+v: %+v", tc.o, res)
			}
		}
	})
}

func set[T any](v T) domain.Opt[T] { return domain.Opt[T]{Set: true, Value: v} }

// TestImportCSV imports the example breach log: all or nothing when a row is bad, the good
// rows with Partial, rejected rows named with their row numbers, and the register exported as
// CSV reads back with formulas neutralised.
func TestImportCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := newService(t, st, &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)})
		mf, err := os.Open("../csvimport/testdata/breach-log.yaml")
		if err != nil {
			t.Fatal(err)
		}
		m, err := csvimport.ParseMapping(mf)
		mf.Close()
		if err != nil {
			t.Fatal(err)
		}
		imp := func(file string, partial bool) (*service.ImportResult, error) {
			f, err := os.Open("../csvimport/testdata/" + file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			return svc.ImportCSV(ctx, svc.System(), m, f, file, service.ImportOptions{Partial: partial})
		}
		res, err := imp("breach-log-bad.csv", false)
		if !errors.Is(err, service.ErrRejected) || res.Created != 0 || len(res.Rejected) != 3 {
			t.Fatalf("all or nothing: %+v %v", res, err)
		}
		for i, want := range []string{"row 3: occurred \"31/02/2024\" is not a date", "row 4: title is required", "row 5: rsit \"hacking:sqli\""} {
			if got := res.Rejected[i].Where + ": " + res.Rejected[i].Reason; !strings.Contains(got, want) {
				t.Errorf("rejection %d: %q, want %q", i, got, want)
			}
		}
		if items, _, _ := svc.ListIncidents(ctx, svc.System(), service.ListQuery{}); len(items) != 0 {
			t.Fatalf("a rejected import wrote %d incidents", len(items))
		}
		if res, err = imp("breach-log-bad.csv", true); err != nil || res.Created != 1 || len(res.Rejected) != 3 {
			t.Fatalf("partial: %+v %v", res, err)
		}
		// BL-001 is in both sheets: the good sheet updates it rather than adding it again.
		if res, err = imp("breach-log.csv", false); err != nil || res.Created != 2 || res.Updated != 1 {
			t.Fatalf("good sheet: %+v %v", res, err)
		}
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		cw.Write(service.IncidentColumns)
		if _, err := svc.ExportIncidents(ctx, svc.System(), service.ExportOptions{Format: "csv"}, func(it store.Sourced) error {
			return cw.Write(service.IncidentRow(it))
		}); err != nil {
			t.Fatal(err)
		}
		cw.Flush()
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(rows) != 4 {
			t.Fatalf("%d rows read back (%v)", len(rows), err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		got := map[string][]string{}
		for _, r := range rows[1:] {
			got[r[col["source_id"]]] = r
		}
		if r := got["BL-001"]; r[col["nature"]] != "Appointment letter for one patient\nposted to another patient's address." ||
			r[col["status"]] != "closed" || r[col["personal_data"]] != "yes" || r[col["occurred_at"]] != "2024-02-03T00:00:00Z" {
			t.Errorf("BL-001 read back as %q", r)
		}
		// 14:30 in London on 10 March 2024 (GMT) is 14:30 UTC, at exact precision.
		if r := got["BL-002"]; r[col["occurred_at"]] != "2024-03-10T14:30:00Z" || r[col["occurred_precision"]] != "exact" || r[col["source"]] != "csv:breach-log" {
			t.Errorf("BL-002 read back as %q", r)
		}
	})
}

// TestExportPeriod: --from and --to bound the reported date, To exclusive.
func TestExportPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
		svc := newService(t, st, c)
		refs := map[string]string{}
		for _, day := range []int{1, 10, 20} {
			c.t = time.Date(2026, 11, day, 9, 0, 0, 0, time.UTC)
			inc, err := svc.CreateIncident(ctx, svc.System(), domain.Patch{Title: set(fmt.Sprintf("day %d", day)), Nature: set("n")})
			if err != nil {
				t.Fatal(err)
			}
			refs[inc.Ref] = inc.Title
		}
		at := func(day int) *time.Time { d := time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC); return &d }
		for _, tc := range []struct {
			from, to *time.Time
			want     []string
		}{
			{nil, nil, []string{"day 1", "day 10", "day 20"}},
			{at(10), nil, []string{"day 10", "day 20"}},
			{nil, at(10), []string{"day 1"}},
			{at(2), at(21), []string{"day 10", "day 20"}},
		} {
			var got []string
			if _, err := svc.ExportIncidents(ctx, svc.System(), service.ExportOptions{Format: "csv", From: tc.from, To: tc.to}, func(it store.Sourced) error {
				got = append(got, refs[it.Ref])
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("from %v to %v: %q, want %q", tc.from, tc.to, got, tc.want)
			}
		}
	})
}
