package notice

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/breach"
)

// Decision is what the plan says about telling one party.
type Decision string

// Decisions (seed 001 annex three: whom to notify, how and when).
const (
	NotifyNow   Decision = "now"
	NotifyLater Decision = "later"
	NotifyNot   Decision = "not"
)

// Decisions lists the valid decisions.
var Decisions = []Decision{NotifyNow, NotifyLater, NotifyNot}

// Words is the decision in plain English.
func (d Decision) Words() string {
	switch d {
	case NotifyNow:
		return "Notify now"
	case NotifyLater:
		return "Notify later"
	}
	return "Do not notify"
}

// Party is one row of the notification plan: who, their role, what requires telling them,
// and the decision with its reason.
type Party struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Role        string   `json:"role"`
	Requirement string   `json:"requirement"`
	Decision    Decision `json:"decision"`
	Reason      string   `json:"reason"`
	// Suggested and SuggestedReason are Vigil's default from the breach decision and the
	// incident's facts; Decision and Reason equal them until someone edits the row.
	Suggested       Decision   `json:"suggested"`
	SuggestedReason string     `json:"suggested_reason"`
	EditedBy        string     `json:"edited_by,omitempty"`
	EditedAt        *time.Time `json:"edited_at,omitempty"`
}

// Party IDs that are not per authority.
const (
	PartySubjects   = "subjects"
	PartyController = "controller"
	PartyPolice     = "police"
	PartyCSIRT      = "csirt"
	PartyBoard      = "board"
	PartySponsor    = "sponsor"
	PartyInsurers   = "insurers"
	PartyProcessors = "processors"
	PartyOthers     = "other_authorities"
)

// AuthorityParty is the plan ID of a supervisory authority.
func AuthorityParty(a Authority) string { return "authority:" + string(a) }

// Plan lists the parties to consider for an incident with Vigil's suggested decision for
// each, in a fixed order: authorities, people affected, then the rest of annex three.
func Plan(in *Input) []Party {
	var out []Party
	add := func(p Party) {
		p.Decision, p.Reason = p.Suggested, p.SuggestedReason
		out = append(out, p)
	}
	processor := in.Facts != nil && in.Facts.Role == breach.RoleProcessor
	for _, a := range Authorities {
		if !slices.Contains(in.jurisdictions(), a.Jurisdiction()) && !hasClock(in, a) {
			continue
		}
		add(authorityParty(in, a, processor))
	}
	if processor {
		add(Party{ID: PartyController, Name: "The controller", Role: "Decides whether to notify the authority and the people affected",
			Requirement: "GDPR and UK GDPR Art. 33(2); DPJL 2018 Art. 22(1)(g): a processor tells the controller without undue delay",
			Suggested:   NotifyNow, SuggestedReason: "We process this data for a controller, who must hear from us without undue delay."})
	}
	add(subjectsParty(in, processor))
	add(policeParty(in))
	add(csirtParty(in))
	add(boardParty(in, PartyBoard, "The board", "Oversees the organisation's response (seed 001 §6.2)"))
	if in.Org.Sponsor != "" {
		add(boardParty(in, PartySponsor, in.Org.Sponsor, "The sponsoring body (seed 001 §6.2)"))
	}
	add(listParty(PartyInsurers, "Insurers", in.Org.Insurers, "Cover the costs of the incident under the policy",
		"Contractual: the policy's notification condition (usually prompt notice of circumstances that may lead to a claim)",
		in.HighSeverity || malicious(in), "Tell the insurer promptly: late notice can void cover."))
	add(listParty(PartyProcessors, "Processors and suppliers", in.Org.Processors, "Run systems or process data for us, e.g. a cloud provider (seed 001 §6.1)",
		"Contractual: notification and cooperation clauses of the processing agreement (GDPR Art. 28(3)(f))",
		false, "Tell a supplier whose system or service is involved, and check the contract for notice duties."))
	add(Party{ID: PartyOthers, Name: "Other authorities", Role: "Sector regulators and other bodies, e.g. the FCA, Ofcom, a NIS2 or DORA competent authority",
		Requirement: "Depends on the sector: consider each regulator the organisation answers to",
		Suggested:   NotifyNot, SuggestedReason: "None identified. Check sector regulators and contractual duties to tell other bodies (seed 002)."})
	return out
}

func hasClock(in *Input, a Authority) bool {
	_, ok := in.Clocks[string(a.Jurisdiction())]
	return ok
}

func authorityParty(in *Input, a Authority, processor bool) Party {
	j := a.Jurisdiction()
	req := map[breach.Jurisdiction]string{
		breach.JurisdictionUK: "UK GDPR Art. 33(1): without undue delay and within 72 hours of becoming aware, unless unlikely to result in a risk",
		breach.JurisdictionJE: "DPJL 2018 Art. 20(1): within 72 hours of becoming aware, where the breach could risk people's rights and freedoms (seed 002)",
		breach.JurisdictionEU: "GDPR Art. 33(1) and Art. 56(1) (one-stop-shop): within 72 hours of becoming aware, unless unlikely to result in a risk",
	}[j]
	name := a.Name()
	if a == EU {
		if n := euAuthorityOf(in); n != "" {
			name = n
		}
	}
	p := Party{ID: AuthorityParty(a), Name: name, Role: "Supervisory authority for data protection", Requirement: req}
	for _, s := range in.Sent {
		if s.Scope == string(j) && s.Rule != "" && s.Rule != "subjects" {
			p.Suggested, p.SuggestedReason = NotifyNow, "Notified on "+when(s.SentAt)+" ("+s.Method+")."
			return p
		}
	}
	switch {
	case processor:
		p.Suggested, p.SuggestedReason = NotifyNot, "As processor we tell the controller, who decides whether to notify the authority."
	case in.Decided != nil:
		if in.Decided.NotifyAuthority[string(j)] {
			p.Suggested, p.SuggestedReason = NotifyNow, "The breach decision in force: the breach is likely to result in a risk to people's rights and freedoms."
			if c, ok := in.Clocks[string(j)]; ok {
				p.SuggestedReason += " Deadline " + when(c.Due) + "."
			}
		} else {
			p.Suggested, p.SuggestedReason = NotifyNot, "The breach decision in force: unlikely to result in a risk. Recorded in the breach log."
		}
	case in.Recommendation != nil:
		p.Suggested, p.SuggestedReason = NotifyLater, "Vigil recommends "+map[bool]string{true: "notifying", false: "not notifying"}[recommendsAuthority(in, j)]+
			"; waiting for the DPO's decision."
	default:
		p.Suggested, p.SuggestedReason = NotifyLater, "Assess the breach first: the 72 hours run from awareness, so assess without delay."
	}
	return p
}

func recommendsAuthority(in *Input, j breach.Jurisdiction) bool {
	for _, o := range in.Recommendation.Obligations {
		if o.Jurisdiction == j && o.NotifyAuthority {
			return true
		}
	}
	return false
}

func subjectsParty(in *Input, processor bool) Party {
	p := Party{ID: PartySubjects, Name: "The people affected", Role: "Can act to protect themselves, e.g. change a password or watch their accounts",
		Requirement: "GDPR and UK GDPR Art. 34(1); DPJL 2018 Art. 20: without undue delay when the breach is likely to result in a high risk"}
	exemption := ""
	if in.Recommendation != nil {
		for _, o := range in.Recommendation.Obligations {
			if o.SubjectExemption != "" {
				exemption = o.SubjectExemption
			}
		}
	}
	for _, s := range in.Sent {
		if s.Rule == "subjects" || s.PeopleCount != nil {
			p.Suggested, p.SuggestedReason = NotifyNow, fmt.Sprintf("Told on %s (%s).", when(s.SentAt), s.Method)
			return p
		}
	}
	switch {
	case processor:
		p.Suggested, p.SuggestedReason = NotifyNot, "As processor we tell the controller, who decides whether to tell the people affected."
	case in.Decided != nil && in.Decided.NotifySubjects && exemption == breach.ExemptionDisproportionateEffort:
		p.Suggested, p.SuggestedReason = NotifyNow, "High risk, but telling each person would take disproportionate effort: publish a public statement instead (Art. 34(3)(c))."
	case in.Decided != nil && in.Decided.NotifySubjects:
		p.Suggested, p.SuggestedReason = NotifyNow, "The breach decision in force: likely high risk to the people affected; telling them helps them protect themselves."
	case in.Decided != nil:
		reason := "The breach decision in force: not likely to result in a high risk to them."
		if exemption != "" {
			reason += " Exemption: " + strings.ReplaceAll(exemption, "_", " ") + " (Art. 34(3))."
		}
		p.Suggested, p.SuggestedReason = NotifyNot, reason
	default:
		p.Suggested, p.SuggestedReason = NotifyLater, "Decide once the breach is assessed: would telling them help them reduce the risks? (seed 001 annex three)"
	}
	return p
}

func malicious(in *Input) bool {
	return in.Facts != nil && in.Facts.Cause.Malicious != nil && *in.Facts.Cause.Malicious
}

func policeParty(in *Input) Party {
	p := Party{ID: PartyPolice, Name: "The police", Role: "Investigate crime; a crime reference helps insurers and regulators",
		Requirement: "No general legal duty; seed 001 §6.1: we may need to notify the police"}
	if malicious(in) {
		p.Suggested, p.SuggestedReason = NotifyNow, "A crime may have been committed (the cause was malicious): report it (Action Fraud in England, Wales and Northern Ireland; Police Scotland; States of Jersey Police)."
	} else {
		p.Suggested, p.SuggestedReason = NotifyNot, "No sign of a crime so far."
	}
	return p
}

func csirtParty(in *Input) Party {
	js := in.jurisdictions()
	var names []string
	if slices.Contains(js, breach.JurisdictionUK) || len(js) == 0 {
		names = append(names, "National Cyber Security Centre (NCSC)")
	}
	if slices.Contains(js, breach.JurisdictionJE) || len(js) == 0 {
		names = append(names, "Jersey Cyber Security Centre (JCSC)")
	}
	if slices.Contains(js, breach.JurisdictionEU) {
		names = append(names, "the national CSIRT")
	}
	p := Party{ID: PartyCSIRT, Name: strings.Join(names, "; "), Role: "National CSIRT: helps with significant cyber incidents and warns others",
		Requirement: "NIS2 Art. 23: early warning within 24 hours for significant incidents of essential and important entities; otherwise voluntary"}
	switch {
	case in.NIS2Significant:
		p.Suggested, p.SuggestedReason = NotifyNow, "Significant incident under NIS2: early warning within 24 hours."
	case in.CSIRT != "":
		p.Suggested, p.SuggestedReason = NotifyNow, "The severity grade is one at which the scheme says to tell "+in.CSIRT+"."
	default:
		p.Suggested, p.SuggestedReason = NotifyNot, "Not a significant cyber incident on its current grade."
	}
	return p
}

func boardParty(in *Input, id, name, role string) Party {
	p := Party{ID: id, Name: name, Role: role, Requirement: "Seed 001 §6.2: notified when the incident has been classified and assessed"}
	switch {
	case in.HighSeverity:
		p.Suggested, p.SuggestedReason = NotifyNow, "High severity: tell them now."
	case in.Classified && in.Recommendation != nil:
		p.Suggested, p.SuggestedReason = NotifyNow, "The incident has been classified and assessed."
	default:
		p.Suggested, p.SuggestedReason = NotifyLater, "Tell them once the incident has been classified and assessed."
	}
	return p
}

func listParty(id, label string, names []string, role, req string, urgent bool, why string) Party {
	p := Party{ID: id, Name: label, Role: role, Requirement: req}
	if len(names) == 0 {
		p.Suggested, p.SuggestedReason = NotifyNot, "None listed in the organisation's notice settings."
		return p
	}
	p.Name = label + ": " + strings.Join(names, ", ")
	if urgent {
		p.Suggested, p.SuggestedReason = NotifyNow, why
	} else {
		p.Suggested, p.SuggestedReason = NotifyLater, why
	}
	return p
}
