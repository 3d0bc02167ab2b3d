package store_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/classify"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

func insert(t *testing.T, st *store.Store, inc *domain.Incident) {
	t.Helper()
	inc.Normalize()
	err := st.Write(context.Background(), func(tx *store.Tx) error {
		ref, err := tx.NextRef(inc.OrgID, 2026)
		if err != nil {
			return err
		}
		inc.Ref = ref
		return tx.InsertIncident(inc, "")
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClassificationRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org, _, err := st.DefaultOrg(ctx, "Test")
		if err != nil {
			t.Fatal(err)
		}
		now := domain.Instant(time.Now())
		sugg := classify.SuggestReport(classify.Report{Title: "Laptop stolen", Nature: "Stolen from a car; owner jo@example.com"})
		in := &domain.Incident{OrgID: org.ID, Title: "Laptop stolen", Nature: "Taken from a car", Channel: domain.ChannelAPI,
			ReportedAt: now, Version: 1, CreatedAt: now, UpdatedAt: now,
			RSITClass: "information-content-security", RSITType: "data-loss", ICOType: "loss-or-theft-of-device",
			Severity: &domain.Severity{Scheme: "ncsc-uk", Category: "5", Rank: 5},
			Impact: domain.Impact{Confidentiality: domain.ImpactNote{Affected: true, Note: "customer list on the disk"},
				Availability: domain.ImpactNote{Affected: true, Note: "no laptop"}},
			TLP: "amber+strict", PAP: "red", Suggestion: &sugg}
		insert(t, st, in)
		got, err := st.IncidentByRef(ctx, org.ID, in.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if d := domain.Diff(in, got); len(d) != 0 {
			t.Fatalf("round trip changed %+v", d)
		}
		if !reflect.DeepEqual(got.Suggestion, in.Suggestion) {
			t.Fatalf("suggestion %+v, want %+v", got.Suggestion, in.Suggestion)
		}

		// An update changes the classification but keeps the suggestion made on arrival.
		got.Severity, got.TLP, got.Impact.Integrity = nil, "green", domain.ImpactNote{Affected: true, Note: "edited"}
		got.Suggestion = nil
		got.Version++
		if err := st.Write(ctx, func(tx *store.Tx) error { return tx.UpdateIncident(got, 1) }); err != nil {
			t.Fatal(err)
		}
		again, err := st.IncidentByRef(ctx, org.ID, in.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if again.Severity != nil || again.TLP != "green" || again.Impact.Integrity.Note != "edited" || again.Suggestion == nil {
			t.Fatalf("after update: %+v", again)
		}

		// Defaults of an incident stored without classification.
		plain := &domain.Incident{OrgID: org.ID, Title: "Odd pop-up", Nature: "A pop-up", Channel: domain.ChannelWeb,
			ReportedAt: now, Version: 1, CreatedAt: now, UpdatedAt: now}
		insert(t, st, plain)
		p, err := st.IncidentByRef(ctx, org.ID, plain.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if p.TLP != "amber" || p.PAP != "amber" || p.Severity != nil || p.Suggestion != nil || p.RSITClass != "" {
			t.Fatalf("defaults: %+v", p)
		}
	})
}

func TestPriorityOrdersBySeverity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org, _, err := st.DefaultOrg(ctx, "Test")
		if err != nil {
			t.Fatal(err)
		}
		base := domain.Instant(time.Now().Add(-time.Hour))
		type row struct {
			class domain.TriageClass
			rank  int // 0: ungraded
			age   int // minutes after base
		}
		rows := []row{
			{domain.ClassUnknown, 0, 0}, {domain.ClassIncident, 0, 1}, {domain.ClassIncident, 5, 2}, {domain.ClassIncident, 3, 3},
			{domain.ClassIncident, 3, 4}, {domain.ClassEvent, 1, 5}, {domain.ClassUnknown, 2, 6}, {domain.ClassIncident, 0, 7},
		}
		names := map[string]string{}
		for k, r := range rows {
			at := base.Add(time.Duration(r.age) * time.Minute)
			inc := &domain.Incident{OrgID: org.ID, Title: fmt.Sprint("row ", k), Nature: "x", Channel: domain.ChannelAPI, Class: r.class,
				ReportedAt: at, Version: 1, CreatedAt: at, UpdatedAt: at}
			if r.rank > 0 {
				inc.Severity = &domain.Severity{Scheme: "ncsc-uk", Category: fmt.Sprint(r.rank), Rank: r.rank}
			}
			insert(t, st, inc)
			names[inc.Ref] = inc.Title
		}
		want := []string{"row 3", "row 4", "row 2", "row 1", "row 7", "row 6", "row 0", "row 5"}
		var got []string
		var after *store.Cursor
		for page := 0; page < 10; page++ {
			items, next, err := st.ListIncidents(ctx, store.Filter{OrgID: org.ID, Sort: store.SortPriority, Limit: 3, After: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range items {
				got = append(got, i.Title)
			}
			if next == nil {
				break
			}
			after = next
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("priority order %v, want %v", got, want)
		}

		// A cursor given out before severity grading (no "s") continues where it left off.
		first, next, err := st.ListIncidents(ctx, store.Filter{OrgID: org.ID, Sort: store.SortPriority, Limit: 2})
		if err != nil || next == nil {
			t.Fatal(err, next)
		}
		old := base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"k":%d,"t":%d,"i":%d}`, next.Rank, next.At, next.ID))
		c, err := store.ParseCursor(old)
		if err != nil {
			t.Fatal(err)
		}
		rest, _, err := st.ListIncidents(ctx, store.Filter{OrgID: org.ID, Sort: store.SortPriority, Limit: 2, After: c})
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 2 || len(rest) != 2 || rest[0].Title != want[2] || rest[1].Title != want[3] {
			t.Fatalf("old cursor continued with %v %v", rest[0].Title, rest[1].Title)
		}

		if st.Dialect() == "sqlite" {
			plan := explain(t, st, org.ID)
			if !strings.Contains(plan, "incidents_priority") || strings.Contains(plan, "TEMP B-TREE") {
				t.Fatalf("the priority list is not an index range scan:\n%s", plan)
			}
		}
	})
}

func explain(t *testing.T, st *store.Store, org int64) string {
	t.Helper()
	rows, err := store.RawDB(st).Query(`EXPLAIN QUERY PLAN SELECT i.id, u.email, m.ref
		FROM incidents i LEFT JOIN users u ON u.id = i.owner_id LEFT JOIN incidents m ON m.id = i.merged_into_id WHERE i.org_id = ?
		AND (i.class_rank, i.severity_rank, i.reported_at, i.id) > (?, ?, ?, ?)
		ORDER BY i.class_rank, i.severity_rank, i.reported_at, i.id LIMIT 51`, org, 0, 3, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	return b.String()
}
