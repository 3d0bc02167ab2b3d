package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/deadline"
	"github.com/vigil-ir/vigil/internal/document/documenttest"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/notice"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

var q3 = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)

// breachFixture records, hand-counted for the quarterly return of 2026Q3:
//
//	INC A  personal data breach, assessed, decision accepted, ICO told after 30 h   (pdb, reported, 24–72 h)
//	INC B  personal data breach, decided not to notify (override with a reason)     (pdb, not reported)
//	INC C  personal data breach marked TLP:RED, no assessment, no decision          (pdb, not reported)
//	INC D  near miss, no personal data                                              (near miss)
//	INC E  exercise with personal data: in neither the log nor the return
func breachFixture(t *testing.T, st *store.Store) (*service.Service, *clock) {
	t.Helper()
	ctx := context.Background()
	c := &clock{q3.Add(24 * time.Hour)}
	svc := newService(t, st, c)
	sys := svc.System()
	if err := svc.SetBreachSettings(ctx, sys, service.BreachSettings{SignOffRequired: false}); err != nil {
		t.Fatal(err)
	}
	str := func(v string) domain.Opt[string] { return domain.Opt[string]{Set: true, Value: v} }
	at := func(h int) domain.Opt[*time.Time] {
		v := q3.Add(time.Duration(h) * time.Hour)
		return domain.Opt[*time.Time]{Set: true, Value: &v}
	}
	yes := domain.Opt[domain.Tristate]{Set: true, Value: domain.Yes}
	create := func(p domain.Patch) string {
		t.Helper()
		inc, err := svc.CreateIncident(ctx, sys, p)
		if err != nil {
			t.Fatal(err)
		}
		return inc.Ref
	}
	a := create(domain.Patch{Title: str(`=HYPERLINK("http://evil.example","Zoë's laptop")`), Nature: str("Laptop with client records stolen from a car"),
		PersonalData: yes, OccurredAt: at(-2), DiscoveredAt: at(1), AwareAt: at(2), Class: domain.Opt[domain.TriageClass]{Set: true, Value: domain.ClassIncident},
		RSITClass: str("information-content-security"), RSITType: str("data-leak"), ICOType: str("loss-or-theft-of-device")})
	facts := `{"jurisdictions":["UK"],"personal_data":"yes","aware_at":"2026-07-01T02:00:00Z","subjects":{"count":1200,"count_is_estimate":true},
		"data":{"categories":["basic_identifiers","financial"],"records":1500},"confidentiality":{"lost":true,"exposure":"unknown_recipients"},
		"protection":{"encryption":"none"},"cause":{"malicious":true,"actor":"external","description":"Car broken into"},
		"mitigations":["Remote wipe requested","Passwords reset"]}`
	annex := `{"harms":["identity_theft","financial_loss"],"worst_case":"Fraud against clients in €","action_taken":"Police told"}`
	if _, err := svc.SaveAssessment(ctx, sys, a, []byte(facts), []byte(annex), "first assessment"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Decide(ctx, sys, a, true, service.BreachOverride{}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddAction(ctx, sys, a, service.ActionInput{Kind: "containment", Title: "Laptop wiped remotely", Status: "done", Effectiveness: "effective"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddAction(ctx, sys, a, service.ActionInput{Kind: "improvement", Title: "Encrypt every laptop"}); err != nil {
		t.Fatal(err)
	}
	c.t = q3.Add(40 * time.Hour)
	if _, err := svc.RecordNotification(ctx, sys, a, service.NewNotification{Rule: deadline.RuleAuthority72h, Scope: "UK", Recipient: "ICO",
		Method: "online form", SentAt: q3.Add(32 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	c.t = q3.Add(55 * time.Hour)
	b := create(domain.Patch{Title: str("Encrypted USB stick lost"), Nature: str("Stick lost on a train"), PersonalData: yes, DiscoveredAt: at(48), AwareAt: at(50)})
	if _, err := svc.SaveAssessment(ctx, sys, b, []byte(`{"jurisdictions":["UK"],"personal_data":"yes","confidentiality":{"lost":true},"protection":{"encryption":"state_of_the_art"}}`), nil, ""); err != nil {
		t.Fatal(err)
	}
	no := false
	if _, err := svc.Decide(ctx, sys, b, false, service.BreachOverride{NotifyAuthority: map[string]bool{"UK": false}, NotifySubjects: &no},
		"Stick encrypted with AES-256; key held separately"); err != nil {
		t.Fatal(err)
	}
	c.t = q3.Add(75 * time.Hour)
	create(domain.Patch{Title: str("Secret: insider copied HR files"), Nature: str("Named insider"), PersonalData: yes, DiscoveredAt: at(70), TLP: str("red")})
	c.t = q3.Add(85 * time.Hour)
	create(domain.Patch{Title: str("Phishing e-mail reported before anyone clicked"), Nature: str("Near miss"), DiscoveredAt: at(80),
		NearMiss: domain.Opt[bool]{Set: true, Value: true}, PersonalData: domain.Opt[domain.Tristate]{Set: true, Value: domain.No}})
	c.t = q3.Add(95 * time.Hour)
	create(domain.Patch{Title: str("Exercise: lost laptop drill"), Nature: str("Tabletop"), PersonalData: yes, DiscoveredAt: at(90),
		Exercise: domain.Opt[bool]{Set: true, Value: true}})
	c.t = q3.Add(100 * time.Hour)
	return svc, c
}

func exportLog(t *testing.T, svc *service.Service, p auth.Principal, r service.ExportRequest) ([]byte, service.ExportSummary) {
	t.Helper()
	var buf bytes.Buffer
	sum, err := svc.ExportBreachLog(context.Background(), p, r, &buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), sum
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n got: %s\nwant: %s", name, got, want)
	}
}

func TestBreachLogExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, _ := breachFixture(t, st)
		sys := svc.System()

		csv, sum := exportLog(t, svc, sys, service.ExportRequest{Format: "csv"})
		if sum.Rows != 3 || sum.Withheld != 1 {
			t.Errorf("summary %+v, want 3 rows (A, B, C; no near miss, no exercise) and 1 withheld (TLP:RED)", sum)
		}
		golden(t, "breach-log.csv.golden", csv)
		text := string(csv)
		for _, want := range []string{`"'=HYPERLINK(""http://evil.example"",""Zoë's laptop"")"`, "[withheld: TLP:RED]", "30.0",
			"decided not to notify — Stick encrypted with AES-256; key held separately", "Remote wipe requested; Passwords reset",
			"containment: Laptop wiped remotely (done, effective)"} {
			if !strings.Contains(text, want) {
				t.Errorf("CSV lacks %q", want)
			}
		}
		for _, banned := range []string{"Exercise: lost laptop drill", "Phishing e-mail", "Secret: insider", "Encrypt every laptop"} {
			if strings.Contains(text, banned) {
				t.Errorf("CSV contains %q, which must not be in the log (exercise, not a breach, or withheld)", banned)
			}
		}

		// The export is in the record of events with what it covered.
		events, err := st.IncidentEvents(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		var recorded []string
		for _, ev := range events {
			if ev.Action == "export.breach_log" {
				recorded = append(recorded, string(ev.Data))
			}
		}
		if len(recorded) != 1 || !strings.Contains(recorded[0], `"format":"csv"`) || !strings.Contains(recorded[0], `"rows":3`) ||
			!strings.Contains(recorded[0], `"tlp_audience":"amber"`) || !strings.Contains(recorded[0], `"period":"the beginning to today"`) {
			t.Errorf("record of events has %q, want one export.breach_log with format, rows, audience and period", recorded)
		}

		// A reader cleared for red sees the title.
		red, sum := exportLog(t, svc, sys, service.ExportRequest{Format: "csv", Audience: "TLP:RED"})
		if sum.Withheld != 0 || !strings.Contains(string(red), "Secret: insider copied HR files") {
			t.Errorf("with a red audience: withheld %d, title present %v", sum.Withheld, strings.Contains(string(red), "Secret: insider"))
		}

		// The period filter runs on awareness (else discovery): B (aware +50 h) and C (discovered +70 h).
		per, err := service.ParsePeriod("2026-07-03", "2026-07-03")
		if err != nil {
			t.Fatal(err)
		}
		_, sum = exportLog(t, svc, sys, service.ExportRequest{Format: "csv", Period: per})
		if sum.Rows != 2 {
			t.Errorf("2026-07-03 only: %d rows, want 2 (B and C)", sum.Rows)
		}

		xlsx, _ := exportLog(t, svc, sys, service.ExportRequest{Format: "xlsx"})
		rows := documenttest.XLSXRows(t, xlsx, "Breach log")
		if len(rows) != 4 || rows[0][0] != "Reference" || rows[1][1] != `=HYPERLINK("http://evil.example","Zoë's laptop")` {
			t.Fatalf("XLSX rows %q", rows)
		}
		f := documenttest.XLSX(t, xlsx)
		if formula, _ := f.GetCellFormula("Breach log", "B2"); formula != "" {
			t.Errorf("title stored as formula %q", formula)
		}
		if rows[1][18] != "2026-07-01 02:00" || rows[1][21] != "30" {
			t.Errorf("aware %q and hours %q, want a date and a number", rows[1][18], rows[1][21])
		}

		var js struct {
			Entries []service.BreachLogEntry `json:"entries"`
		}
		raw, _ := exportLog(t, svc, sys, service.ExportRequest{Format: "json"})
		if err := json.Unmarshal(raw, &js); err != nil || len(js.Entries) != 3 {
			t.Fatalf("JSON: %v, %d entries: %s", err, len(js.Entries), raw)
		}

		restore := service.SetMaxPDFEntries(2)
		_, err = svc.ExportBreachLog(context.Background(), sys, service.ExportRequest{Format: "pdf"}, &bytes.Buffer{})
		restore()
		if err == nil || !strings.Contains(err.Error(), "a PDF holds at most 2") {
			t.Errorf("PDF over the cap: %v, want a clear refusal", err)
		}

		pdf, _ := exportLog(t, svc, sys, service.ExportRequest{Format: "pdf"})
		ptext := documenttest.PDFText(t, pdf)
		golden(t, "breach-log.pdf.txt.golden", []byte(ptext))
		for _, want := range []string{"Personal data breach log", "TLP:AMBER", "HYPERLINK", "Zoë", "[withheld: TLP:RED]",
			"Laptop with client", "basic_identifiers", "1500", "identity", "Remote wipe", "Police told", "UK (ICO)", "Accepted the",
			"Overrode the", "AES-256", "Occurred:", "2026-06-30 22:00", "Discovered:", "2026-07-01 01:00", "Aware:", "2026-07-01 02:00",
			"Authority notified:", "2026-07-02 08:00", "People notified:", "30.0 h", "Decided by", "Authority: decided not to notify",
			"Long texts end with …"} {
			if !strings.Contains(ptext, want) {
				t.Errorf("PDF text lacks %q", want)
			}
		}
	})
}

func TestBreachLogEmptyAndForbidden(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st, &clock{q3})
		for _, format := range []string{"csv", "xlsx", "pdf"} {
			out, sum := exportLog(t, svc, svc.System(), service.ExportRequest{Format: format})
			if sum.Rows != 0 || len(out) == 0 {
				t.Errorf("%s: %d rows, %d bytes; want an empty but valid file", format, sum.Rows, len(out))
			}
			if format == "pdf" && !strings.Contains(documenttest.PDFText(t, out), "The log has no entries for this period.") {
				t.Error("empty PDF does not say the log has no entries")
			}
		}
		_, handler, err := svc.SignIn(context.Background(), "h@example.org", "Correct-Horse-Battery-9")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ExportBreachLog(context.Background(), handler, service.ExportRequest{Format: "csv"}, &bytes.Buffer{}); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("a handler exported the breach log: %v", err)
		}
	})
}

func TestQuarterlyReturnHandCounted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, _ := breachFixture(t, st)
		ret, err := svc.QuarterlyReturn(context.Background(), svc.System(), "2026q3")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{"incidents": ret.Incidents, "near misses": ret.NearMisses, "pdb": ret.PersonalDataBreaches, "reported": ret.ReportedToRegulator}
		want := map[string]int{"incidents": 4, "near misses": 1, "pdb": 3, "reported": 1}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %d, want %d", k, got[k], v)
			}
		}
		counts := func(cs []service.ReturnCount) map[string]int {
			m := map[string]int{}
			for _, c := range cs {
				m[c.Key] = c.Count
			}
			return m
		}
		bands := counts(ret.TimeToReport)
		if bands[service.Band24To72h] != 1 || bands[service.BandNotReported] != 2 || bands[service.BandUnder24h] != 0 {
			t.Errorf("bands %v, want one in 24–72 h and two personal data breaches not reported", bands)
		}
		if n := counts(ret.ByICO)["loss-or-theft-of-device"]; n != 1 {
			t.Errorf("ICO type count %d, want 1", n)
		}
		if n := counts(ret.ByRSIT)["information-content-security / data-leak"]; n != 1 {
			t.Errorf("RSIT count %d, want 1", n)
		}
		var csv bytes.Buffer
		if _, err := svc.ExportReturn(context.Background(), svc.System(), service.ExportRequest{Quarter: "2026Q3", Format: "csv"}, &csv); err != nil {
			t.Fatal(err)
		}
		golden(t, "return-2026Q3.csv.golden", csv.Bytes())
		events, err := st.IncidentEvents(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if last := events[len(events)-1]; last.Action != "export.return" || !strings.Contains(string(last.Data), `"quarter":"2026Q3"`) {
			t.Errorf("last event %s %s, want export.return for 2026Q3", last.Action, last.Data)
		}
		var pdf bytes.Buffer
		if _, err := svc.ExportReturn(context.Background(), svc.System(), service.ExportRequest{Quarter: "2026Q3", Format: "pdf"}, &pdf); err != nil {
			t.Fatal(err)
		}
		text := documenttest.PDFText(t, pdf.Bytes())
		for _, want := range []string{"Quarterly return on security incidents: 2026Q3", "2026-07-01 to 2026-09-30", "By triage class",
			"By severity category", "By type (RSIT)", "By type (ICO)", "loss-or-theft-of-device", "Near misses", "Personal data breaches",
			"Reported to a regulator", "Under 24 hours", "24 to 72 hours", "72 hours to 1 week", "Over 1 week", "Not reported"} {
			if !strings.Contains(text, want) {
				t.Errorf("return PDF lacks %q", want)
			}
		}
		if _, err := svc.QuarterlyReturn(context.Background(), svc.System(), "2026-Q5"); err == nil || !strings.Contains(err.Error(), "YYYYQn") {
			t.Errorf("bad quarter: %v", err)
		}
	})
}

// A regulator pack carries the incident's breach-log entry as the log shows it, so the
// extract sent with a notification never differs from the log an auditor inspects.
func TestPackExtractIsTheLogEntry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, _ := breachFixture(t, st)
		sys := svc.System()
		var entry *service.BreachLogEntry
		if err := svc.BreachLog(ctx, sys, service.Period{}, "amber", func(e *service.BreachLogEntry) error {
			if e.Ref == "INC-2026-00001" {
				entry = e
			}
			return nil
		}); err != nil || entry == nil {
			t.Fatalf("log entry of INC-2026-00001: %v", err)
		}
		pk, err := svc.Pack(ctx, sys, "INC-2026-00001", notice.ICO, notice.PhaseInitial)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, l := range pk.LogExtract {
			got[l.Label] = l.Value
		}
		for label, want := range map[string]string{"Reference": entry.Ref, "Facts and circumstances": entry.WhatHappened,
			"Remedial action": entry.RemedialAction, "Decision": entry.Decision, "Effects and likely consequences": entry.Effects} {
			if got[label] != want {
				t.Errorf("extract %q = %q, log says %q", label, got[label], want)
			}
		}
		if !strings.Contains(got["Remedial action"], "Laptop wiped remotely") {
			t.Errorf("extract's remedial action lacks the recorded containment: %q", got["Remedial action"])
		}
		// An incident outside the log (the near miss) says so rather than inventing an entry.
		pk, err = svc.Pack(ctx, sys, "INC-2026-00004", notice.ICO, notice.PhaseInitial)
		if err != nil {
			t.Fatal(err)
		}
		if len(pk.LogExtract) != 1 || !strings.Contains(pk.LogExtract[0].Value, "not in the breach log") {
			t.Errorf("near miss extract: %+v", pk.LogExtract)
		}
	})
}
