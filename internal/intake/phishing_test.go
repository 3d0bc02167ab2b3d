package intake_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/intake"
	"github.com/vigil-ir/vigil/internal/mailparse"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/storetest"
)

// forwardedBy makes the testdata phishing report come from another reporter.
func forwardedBy(raw []byte, from, id string) []byte {
	raw = bytes.Replace(raw, []byte("From: Alice Reporter <alice@example.org>"), []byte("From: "+from), 1)
	return bytes.Replace(raw, []byte("<report-1@example.org>"), []byte("<"+id+">"), 1)
}

func TestPhishingObservablesAndCampaigns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, intake.SMTPOptions{Limits: mailparse.Limits{}})
		ctx := context.Background()
		sys := e.svc.System()
		phish := readTestdata(t, "phish-attached.eml")

		if code := e.send(t, "alice@example.org", phishingAddr, phish); code != 250 {
			t.Fatalf("first report: %d", code)
		}
		refs := e.incidents(t)
		if len(refs) != 1 {
			t.Fatalf("incidents = %v", refs)
		}
		ref := refs[0]
		inc, err := e.svc.Incident(ctx, sys, ref)
		if err != nil {
			t.Fatal(err)
		}
		if inc.Suggestion == nil || inc.Suggestion.RSIT.Class != "fraud" || inc.Suggestion.RSIT.Type != "phishing" {
			t.Errorf("suggestion = %+v, want RSIT fraud / phishing", inc.Suggestion)
		}
		if !strings.HasPrefix(inc.Title, "Phishing reported: Fwd: Your mailbox is full") || !strings.Contains(inc.Nature, "spf=fail dkim=none dmarc=fail") {
			t.Errorf("title %q, nature %q", inc.Title, inc.Nature)
		}
		io, err := e.svc.ObservablesOf(ctx, sys, ref, "red")
		if err != nil {
			t.Fatal(err)
		}
		obs, reports := io.Observables, io.Reports
		got := map[string]bool{}
		for _, o := range obs {
			got[o.Type+" "+o.Value] = true
			if o.TLP != "amber" {
				t.Errorf("%s %s marked %s, want the incident's amber", o.Type, o.Value, o.TLP)
			}
		}
		for _, want := range []string{
			"url https://login.evil.test/reset?u=alice", "url http://other.evil.test/x", "domain-name login.evil.test",
			"email-addr helpdesk@evil.test", "email-addr collect@evil-reply.test", "email-addr bounce@mailer.evil.test",
			"domain-name evil.test", "ipv4-addr 203.0.113.7", "file-name invoice.pdf", "email-subject Your mailbox is full",
		} {
			if !got[want] {
				t.Errorf("observable %q missing; have %v", want, got)
			}
		}
		if reports != 1 {
			t.Errorf("reports = %d, want 1", reports)
		}

		// The same phish forwarded by someone else joins the incident.
		if code := e.send(t, "bob@example.org", phishingAddr, forwardedBy(phish, "Bob <bob@example.org>", "report-9@example.org")); code != 250 {
			t.Fatalf("second report: %d", code)
		}
		if refs := e.incidents(t); len(refs) != 1 {
			t.Fatalf("the second report of the campaign opened %v", refs)
		}
		io, _ = e.svc.ObservablesOf(ctx, sys, ref, "red")
		obs, reports = io.Observables, io.Reports
		if reports != 2 {
			t.Errorf("reports = %d, want 2", reports)
		}
		i := slices.IndexFunc(obs, func(o *store.Observable) bool {
			return o.Type == "url" && o.Value == "https://login.evil.test/reset?u=alice"
		})
		if i < 0 || obs[i].Count != 2 || !obs[i].LastSeen.After(obs[i].FirstSeen.Add(-1)) {
			t.Errorf("url observable after two reports: %+v", obs[i])
		}
		notes, _ := e.svc.Notes(ctx, sys, ref)
		if len(notes) != 1 || !strings.Contains(notes[0].Body, "Also reported by Bob <bob@example.org>") {
			t.Errorf("notes = %+v", notes)
		}
		acks := e.acks(t)
		if len(acks) != 2 || (!strings.Contains(acks[0].Payload, `"outcome":"grouped"`) && !strings.Contains(acks[1].Payload, `"outcome":"grouped"`)) {
			t.Errorf("acknowledgements = %+v", acks)
		}

		// A different phish (inline forward, other sender, other links) is another incident.
		if code := e.send(t, "bob@example.org", phishingAddr, readTestdata(t, "phish-inline.eml")); code != 250 {
			t.Fatalf("third report: %d", code)
		}
		if refs := e.incidents(t); len(refs) != 2 {
			t.Fatalf("incidents = %v, want a second campaign", refs)
		}

		// A restricted incident never gathers others' reports: joining would tell them its reference.
		cur, err := e.svc.Incident(ctx, sys, ref)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateIncident(ctx, sys, ref, domain.Patch{Restricted: domain.Opt[bool]{Set: true, Value: true}, Reason: "test"}, cur.Version); err != nil {
			t.Fatal(err)
		}
		if code := e.send(t, "carl@example.org", phishingAddr, forwardedBy(phish, "Carl <carl@example.org>", "report-10@example.org")); code != 250 {
			t.Fatalf("fourth report: %d", code)
		}
		if refs := e.incidents(t); len(refs) != 3 {
			t.Fatalf("incidents = %v, want a new one beside the restricted campaign", refs)
		}

		// Exports leave out what is marked above the audience, and say how much.
		exp, err := e.svc.ExportObservables(ctx, sys, "green", "csv")
		if err != nil {
			t.Fatal(err)
		}
		if len(exp.Observables) != 0 || exp.Withheld == 0 {
			t.Errorf("green export: %d observables, %d withheld; want none out, all withheld", len(exp.Observables), exp.Withheld)
		}
		exp, err = e.svc.ExportObservables(ctx, sys, "amber", "stix")
		if err != nil || len(exp.Observables) == 0 || exp.Withheld != 0 {
			t.Errorf("amber export: %+v, %v", exp, err)
		}
	})
}
