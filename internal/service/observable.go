package service

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/mailparse"
	"github.com/vigil-ir/vigil/internal/store"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// Observable is an indicator recorded on an incident.
type Observable = store.Observable

// Observable types; the names are STIX 2.1 cyber-observable types where one exists.
const (
	ObsURL      = "url"
	ObsDomain   = "domain-name"
	ObsEmail    = "email-addr"
	ObsIPv4     = "ipv4-addr"
	ObsSHA256   = "file-sha256"
	ObsFileName = "file-name"
	ObsSubject  = "email-subject"
)

// CampaignWindow is how recently a phishing incident must have seen an indicator for a new
// report sharing it to join that incident rather than open another.
const CampaignWindow = 30 * 24 * time.Hour

// freemail domains are shared by millions of senders; a phish from one says nothing about
// the campaign, so they never group reports.
var freemail = []string{"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com",
	"aol.com", "gmx.com", "gmx.net", "gmx.de", "proton.me", "protonmail.com", "mail.ru", "yandex.ru", "web.de", "zoho.com"}

// observablesOf lists the indicators of a phishing report: from the forwarded original
// when there is one, otherwise from the message itself (a reporter who pasted the link).
func observablesOf(j *intakeJob) []*store.Observable {
	if j.in.Kind != IntakePhishing {
		return nil
	}
	var out []*store.Observable
	seen := map[[2]string]bool{}
	add := func(typ, value string) {
		value = strings.TrimSpace(value)
		if value == "" || len(value) > 2048 || seen[[2]string{typ, value}] {
			return
		}
		seen[[2]string{typ, value}] = true
		out = append(out, &store.Observable{Type: typ, Value: value, FirstSeen: j.now, LastSeen: j.now})
	}
	host := func(raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		if a, err := netip.ParseAddr(u.Hostname()); err == nil && a.Is4() {
			add(ObsIPv4, a.String())
		} else {
			add(ObsDomain, u.Hostname())
		}
	}
	urls, files := j.m.URLs, j.m.Attachments
	if o := j.m.Forwarded; o != nil {
		urls, files = o.URLs, o.Attachments
		for _, a := range append([]mailparse.Address{o.From}, o.ReplyTo...) {
			if strings.Contains(a.Addr, "@") {
				add(ObsEmail, strings.ToLower(a.Addr))
				add(ObsDomain, a.Domain())
			}
		}
		if o.ReturnPath != "" {
			add(ObsEmail, strings.ToLower(o.ReturnPath))
		}
		for _, ip := range o.IPs {
			add(ObsIPv4, ip)
		}
		add(ObsSubject, o.Subject)
	}
	for _, u := range urls {
		add(ObsURL, u)
		host(u)
	}
	for _, f := range files {
		if f.ContentType == "message/rfc822" {
			continue // the forwarded message itself; its hash is the reporter's copy, not the campaign's
		}
		add(ObsSHA256, f.SHA256)
		add(ObsFileName, f.Name)
	}
	return out
}

// campaignKeys are the indicators that group reports: the original sender's domain (unless
// it is a freemail or our own), any URL, any attachment hash.
func campaignKeys(j *intakeJob, obs []*store.Observable) [][2]string {
	own := strings.ToLower(j.in.Recipient[strings.LastIndexByte(j.in.Recipient, '@')+1:])
	var fromDomain string
	if o := j.m.Forwarded; o != nil {
		fromDomain = o.From.Domain()
	}
	var keys [][2]string
	for _, o := range obs {
		switch o.Type {
		case ObsURL, ObsSHA256:
			keys = append(keys, [2]string{o.Type, o.Value})
		case ObsDomain:
			if o.Value == fromDomain && o.Value != own && !slices.Contains(freemail, o.Value) {
				keys = append(keys, [2]string{o.Type, o.Value})
			}
		}
	}
	return keys
}

// joinCampaign adds a phishing report to the open phishing incident that already has one
// of its indicators; it returns nil, nil when there is none.
func (s *Service) joinCampaign(ctx context.Context, j *intakeJob, obs []*store.Observable) (*IntakeResult, error) {
	keys := campaignKeys(j, obs)
	if len(keys) == 0 {
		return nil, nil
	}
	p := s.intakePrincipal()
	var res *IntakeResult
	err := s.store.Write(ctx, func(tx *store.Tx) error {
		res = nil
		match, err := tx.CampaignMatch(s.orgID, keys, j.now.Add(-CampaignWindow))
		if err == store.ErrNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		inc, err := tx.IncidentByRef(s.orgID, match.Ref)
		if err != nil {
			return err
		}
		if err := s.recordIntake(tx, j, OutcomeGrouped, inc.ID); err != nil {
			return err
		}
		body := cutRunes(fmt.Sprintf("Also reported by %s (same %s: %s).\nSubject: %s", j.m.From.String(), match.Type, match.Value, j.m.Subject), domain.MaxLongText)
		if err := tx.InsertNote(&store.Note{IncidentID: inc.ID, Kind: store.NoteFromReporter, Author: cutRunes(j.m.From.String(), domain.MaxName), Body: body, CreatedAt: domain.Instant(j.now)}); err != nil {
			return err
		}
		if err := tx.Append(s.entry(p, "intake.grouped", inc, map[string]any{"reporter": j.sender, "match": match.Type + ":" + match.Value})); err != nil {
			return err
		}
		if err := s.addObservables(tx, p, inc, obs); err != nil {
			return err
		}
		if err := s.attachFiles(tx, p, inc, j); err != nil {
			return err
		}
		if err := s.queueAck(tx, j, inc.Ref, OutcomeGrouped); err != nil {
			return err
		}
		res = &IntakeResult{Outcome: OutcomeGrouped, Ref: inc.Ref}
		return nil
	})
	return res, err
}

func (s *Service) addObservables(tx *store.Tx, p auth.Principal, inc *domain.Incident, obs []*store.Observable) error {
	if len(obs) == 0 {
		return nil
	}
	var list []string
	for _, o := range obs {
		// An observable is marked as its incident is: the indicators say what the incident says.
		o.OrgID, o.IncidentID, o.TLP = s.orgID, inc.ID, or(inc.TLP, "amber")
		if err := tx.UpsertObservable(o); err != nil {
			return err
		}
		list = append(list, o.Type+":"+o.Value)
	}
	return tx.Append(s.entry(p, "observables.recorded", inc, map[string]any{"observables": list}))
}

// IncidentObservables is an incident's observables as its readers get them.
type IncidentObservables struct {
	Ref         string        `json:"ref"`
	Reports     int           `json:"reports"` // e-mails that reported the incident or joined it
	Observables []*Observable `json:"observables"`
	Withheld    int           `json:"withheld"` // marked above the audience's TLP, left out
}

// ObservablesOf lists an incident's observables marked no higher than audience.
func (s *Service) ObservablesOf(ctx context.Context, p auth.Principal, ref, audience string) (*IncidentObservables, error) {
	inc, err := s.authorize(ctx, p, ref, auth.ReadIncident)
	if err != nil {
		return nil, err
	}
	all, err := s.store.Observables(ctx, s.orgID, inc.ID)
	if err != nil {
		return nil, err
	}
	out := &IncidentObservables{Ref: inc.Ref, Observables: []*Observable{}}
	for _, o := range all {
		if taxonomy.TLPAllows(o.TLP, audience) {
			out.Observables = append(out.Observables, o)
		} else {
			out.Withheld++
		}
	}
	if out.Reports, err = s.store.IncidentReports(ctx, inc.ID); err != nil {
		return nil, err
	}
	return out, s.viewed(ctx, p, inc, "observables")
}

// ObservableExport is the result of exporting observables.
type ObservableExport struct {
	Observables []*Observable
	Withheld    int // marked above the audience's TLP, left out
}

// ExportObservables returns every observable on incidents p may see, marked no higher than
// audience, and records the export.
func (s *Service) ExportObservables(ctx context.Context, p auth.Principal, audience, format string) (*ObservableExport, error) {
	if !auth.Can(p, auth.ListIncidents, nil) {
		return nil, domain.ErrForbidden
	}
	all, err := s.store.Observables(ctx, s.orgID, 0)
	if err != nil {
		return nil, err
	}
	out := &ObservableExport{}
	visible := map[int64]bool{}
	for _, o := range all {
		see, ok := visible[o.IncidentID]
		if !ok {
			_, err := s.authorize(ctx, p, o.Ref, auth.ReadIncident)
			see = err == nil
			visible[o.IncidentID] = see
		}
		switch {
		case !see:
		case !taxonomy.TLPAllows(o.TLP, audience):
			out.Withheld++
		default:
			out.Observables = append(out.Observables, o)
		}
	}
	err = s.store.Write(ctx, func(tx *store.Tx) error {
		return tx.Append(s.entry(p, "export.observables", nil, map[string]any{"format": format, "tlp": audience, "count": len(out.Observables), "withheld": out.Withheld}))
	})
	return out, err
}
