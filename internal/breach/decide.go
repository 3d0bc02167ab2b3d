package breach

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// regime holds the articles a jurisdiction's rules are found in, for the reasons.
type regime struct {
	law       string // the statute, as cited
	notify    string // notifying the authority
	subjects  string // telling the people affected
	exemptA   string // unintelligible data
	exemptB   string // subsequent measures
	exemptC   string // disproportionate effort
	processor string // a processor's duty to its controller
}

var regimes = map[Jurisdiction]regime{
	JurisdictionUK: {law: "UK GDPR", notify: "Art. 33(1)", subjects: "Art. 34(1)", exemptA: "Art. 34(3)(a)",
		exemptB: "Art. 34(3)(b)", exemptC: "Art. 34(3)(c)", processor: "Art. 33(2)"},
	JurisdictionEU: {law: "GDPR", notify: "Art. 33(1)", subjects: "Art. 34(1)", exemptA: "Art. 34(3)(a)",
		exemptB: "Art. 34(3)(b)", exemptC: "Art. 34(3)(c)", processor: "Art. 33(2)"},
	// Seed 002 (JOIC guidance) gives the DPJL 2018 articles in its footnotes.
	JurisdictionJE: {law: "DPJL 2018", notify: "Art. 20(1)", subjects: "Art. 20, per seed 002", exemptA: "Art. 20(7)(a)",
		exemptB: "Art. 20(7)(b)", exemptC: "Art. 20(7)(c)", processor: "Art. 22(1)(g)"},
}

func (r regime) cite(article string) string { return r.law + " " + article }

// Assess decides what a personal-data breach requires. It is pure and deterministic: the same
// facts always give the same decision, and nothing is read from the clock or the environment.
// It expects facts that DecodeFacts accepted. docs/BREACH_RULES.md lists its rules in the
// order they apply.
func Assess(f Facts) Decision {
	d := Decision{DocumentInternally: true, Obligations: []Obligation{}, Unknowns: []string{}}

	// Every breach goes in the breach log, notified or not (GDPR and UK GDPR Art. 33(5);
	// DPJL 2018 Art. 20(5), seed 002).
	const logIt = "Record this breach in the breach log with its facts, effects and remedial action, whatever the decision (GDPR and UK GDPR Art. 33(5); DPJL 2018 Art. 20(5))."

	// Without personal data there is no personal data breach (GDPR Art. 4(12); DPJL 2018
	// Art. 1, seed 002), hence nobody to notify; the incident is still logged.
	if f.PersonalData == PersonalDataNo {
		d.Risk = RiskUnlikely
		d.ENISA = ENISA{Band: BandLow}
		d.Rationale = []string{
			"No personal data was involved, so this is not a personal data breach (GDPR Art. 4(12); DPJL 2018 Art. 1) and no authority or person needs to be notified.",
			logIt,
		}
		return d
	}

	res := &assessor{f: &f, mode: modeResidual}
	if f.PersonalData != PersonalDataYes {
		res.unknown("personal_data")
		res.note("Whether personal data was involved is not known, so the breach is assessed as if it was.")
	}
	final := res.evaluate()
	raw := (&assessor{f: &f, mode: modeRaw}).evaluate()
	protected := (&assessor{f: &f, mode: modeProtected}).evaluate()
	// A fact assumed at its worse value is a doubt about the risk (used for Jersey below).
	doubts := len(res.unknowns)

	d.Risk = final.risk.level()
	d.ENISA = final.enisa
	res.note(fmt.Sprintf("Overall, the breach is %s.", final.risk.phrase()))
	subjects := decideSubjects(&f, raw.risk, protected.risk, final.risk)

	role := f.Role
	if role == "" {
		// A controller's duties are the wider ones.
		res.unknown("role")
		role = RoleController
	}
	if role == RoleProcessor {
		res.note("As processor, the duty is to tell the controller without undue delay; notifying authorities and people is the controller's decision. For the controller: " + subjects.why + ".")
	} else {
		res.note(subjects.why + ".")
	}
	for _, j := range f.Jurisdictions {
		rg := regimes[j]
		for _, auth := range authorities(j, &f) {
			o := Obligation{Jurisdiction: j, Authority: auth.name, Reasons: []string{}}
			if role == RoleProcessor {
				// A processor tells its controller without undue delay and leaves the
				// decisions to it (GDPR and UK GDPR Art. 33(2); EDPB Guidelines 9/2022 §II.A.4;
				// DPJL 2018 Art. 22(1)(g), seed 002).
				o.Reasons = append(o.Reasons, fmt.Sprintf(
					"As processor, tell the controller without undue delay (%s); the controller decides whether to notify %s and the people affected.",
					rg.cite(rg.processor), orAuthority(auth.name)))
				d.Obligations = append(d.Obligations, o)
				continue
			}
			o.NotifyAuthority, o.Reasons = notifyAuthority(j, rg, auth, &f, final.risk, doubts)
			o.NotifySubjects, o.SubjectExemption = subjects.notify, subjects.exemption
			o.Reasons = append(o.Reasons, subjects.reason(rg))
			if o.NotifyAuthority && f.AwareAt != nil {
				o.Deadline = f.AwareAt.Add(notifyWithin).UTC().Format(time.RFC3339)
			}
			if o.NotifyAuthority && auth.name == "" {
				// Who to notify is only a gap when someone must be notified.
				res.unknown("eu_member_states")
			}
			d.Obligations = append(d.Obligations, o)
		}
	}

	for _, o := range d.Obligations {
		d.NotifyAuthority = d.NotifyAuthority || o.NotifyAuthority
		d.NotifySubjects = d.NotifySubjects || o.NotifySubjects
	}
	if d.NotifyAuthority && f.AwareAt == nil {
		// The 72 hours run from awareness (GDPR Art. 33(1); EDPB Guidelines 9/2022 §II.A.2).
		res.unknown("aware_at")
		res.note("When the controller became aware is not known, so the 72-hour deadline cannot be given: it runs from the moment the controller became reasonably certain that personal data was compromised.")
	}
	if len(res.unknowns) > 0 {
		res.note("Not known: " + strings.Join(res.unknowns, ", ") + ". Each rule that needed one of these facts assumed the worse; establishing them may change the decision.")
	}
	if len(f.Mitigations) > 0 {
		res.note("Mitigations recorded: " + strings.Join(f.Mitigations, "; ") + ".")
	}
	res.note(logIt)
	d.Unknowns = append(d.Unknowns, res.unknowns...)
	d.Rationale = res.notes
	return d
}

// authority is a supervisory authority an obligation is owed to, and why it is that one.
type authority struct {
	name string
	why  string
}

// authorities lists the supervisory authorities a jurisdiction's rules point to.
func authorities(j Jurisdiction, f *Facts) []authority {
	switch j {
	case JurisdictionUK:
		return []authority{{name: authorityICO}}
	case JurisdictionJE:
		return []authority{{name: authorityJOIC}}
	case JurisdictionEU:
		return euAuthorities(f)
	}
	return nil // not a jurisdiction DecodeFacts accepts
}

// euAuthorities applies the GDPR's rules on which EEA authority is competent.
func euAuthorities(f *Facts) []authority {
	// With a main establishment in the EEA, the one-stop-shop: the lead authority of that
	// establishment (GDPR Art. 56(1); EDPB Guidelines 9/2022 §II.C.1).
	if c := f.EUMainEstablishment; c != "" {
		return []authority{{name: eeaAuthority(c), why: fmt.Sprintf(
			"%s is the lead supervisory authority of the main establishment in %s under the one-stop-shop (GDPR Art. 56(1); EDPB Guidelines 9/2022 §II.C.1).",
			eeaAuthority(c), c)}}
	}
	// No EEA establishment: no one-stop-shop, even with a representative; every authority
	// where affected people live (EDPB Guidelines 9/2022 §II.C.2, para. 73).
	if len(f.EUMemberStates) == 0 {
		return []authority{{why: "No EEA main establishment and the member states where the affected people live are not known: the competent authorities cannot be named (EDPB Guidelines 9/2022 §II.C.2, para. 73)."}}
	}
	list := make([]authority, 0, len(f.EUMemberStates))
	for _, c := range f.EUMemberStates {
		list = append(list, authority{name: eeaAuthority(c), why: fmt.Sprintf(
			"No main establishment in the EEA, so no one-stop-shop: notify every authority where affected people live, %s for %s (EDPB Guidelines 9/2022 §II.C.2, para. 73).",
			eeaAuthority(c), c)})
	}
	return list
}

func orAuthority(name string) string {
	if name == "" {
		return "the supervisory authority"
	}
	return name
}

// notifyAuthority decides whether a controller must notify the authority, with the reasons.
func notifyAuthority(j Jurisdiction, rg regime, auth authority, f *Facts, r risk, doubts int) (bool, []string) {
	name := orAuthority(auth.name)
	due := func(why string) (bool, []string) {
		if auth.why == "" {
			return true, []string{why}
		}
		return true, []string{auth.why, why}
	}
	// Notify unless the breach is unlikely to result in a risk (GDPR and UK GDPR Art. 33(1);
	// DPJL 2018 Art. 20(1), seed 002).
	if r >= riskRisk {
		return due(fmt.Sprintf("The breach is %s: notify %s without undue delay and within 72 hours of becoming aware (%s).",
			r.phrase(), name, rg.cite(rg.notify)))
	}
	if j == JurisdictionJE {
		// The JOIC wants to hear of breaches of encrypted data even when the key is safe
		// (seed 002, "What is a Data Breach?"); strongly hashed passwords are protected for the
		// same reason, so they are treated alike.
		if technicallyProtected(f) {
			return due(fmt.Sprintf("The JOIC expects notification even when the data was encrypted to an appropriate standard and the key is safe (seed 002): notify %s within 72 hours of becoming aware (%s).",
				name, rg.cite(rg.notify)))
		}
		// "If there is any doubt, REPORT IT" (seed 002, "Reporting Obligations to the JOIC").
		if doubts > 0 {
			return due(fmt.Sprintf("Some facts are not known, and the JOIC says that if there is any doubt, report it (seed 002): notify %s within 72 hours of becoming aware (%s).",
				name, rg.cite(rg.notify)))
		}
	}
	return false, []string{fmt.Sprintf("The breach is %s: %s need not be notified (%s).", r.phrase(), name, rg.cite(rg.notify))}
}

func technicallyProtected(f *Facts) bool {
	p := f.Protection
	return p.Encryption == EncryptionStateOfTheArt ||
		(p.PasswordHashing == HashingStateOfTheArtSalted && onlyCredentials(f.Data.Categories))
}

// subjectsDecision is whether the people affected must be told, the same in every jurisdiction
// because GDPR, UK GDPR and DPJL 2018 share the high-risk threshold and the three exemptions.
type subjectsDecision struct {
	notify    bool
	exemption string
	// why is the reason without citations; reason adds the jurisdiction's article.
	why     string
	article func(regime) string
}

func (s subjectsDecision) reason(rg regime) string {
	return fmt.Sprintf("%s (%s).", s.why, rg.cite(s.article(rg)))
}

// decideSubjects applies Art. 34: tell the people when the risk that remains is high, unless an
// Art. 34(3) exemption applies. Comparing the risk without protection (raw), with the
// protection the data had (protected) and after later measures (final) shows which one lowered
// it, and so which exemption is the reason (GDPR Art. 34(3); EDPB Guidelines 9/2022 §III.D).
func decideSubjects(f *Facts, raw, protected, final risk) subjectsDecision {
	switch {
	case final == riskHigh && contactDetailsLost(f):
		// When the breach itself destroyed the contact details, writing to each person is
		// disproportionate: a public communication informs them instead (Art. 34(3)(c);
		// EDPB Guidelines 9/2022 §III.D).
		return subjectsDecision{notify: true, exemption: ExemptionDisproportionateEffort,
			why:     "High risk, but the contact details were lost in the breach: inform the people affected by a public communication that is equally effective, instead of individually",
			article: func(r regime) string { return r.exemptC }}
	case final == riskHigh:
		return subjectsDecision{notify: true,
			why:     "High risk: tell the people affected without undue delay, in clear and plain language, what happened, the likely consequences, what has been done and what they can do",
			article: func(r regime) string { return r.subjects }}
	case raw == riskHigh && protected < riskHigh:
		return subjectsDecision{exemption: ExemptionUnintelligible,
			why:     "The breach would be high risk, but the data was unintelligible to anyone unauthorised (state-of-the-art encryption with a safe key, or strongly hashed passwords): the people affected need not be told",
			article: func(r regime) string { return r.exemptA }}
	case protected == riskHigh:
		return subjectsDecision{exemption: ExemptionSubsequentMeasures,
			why:     "The breach was high risk, but measures taken since mean the high risk is no longer likely to materialise: the people affected need not be told",
			article: func(r regime) string { return r.exemptB }}
	default:
		return subjectsDecision{
			why:     "Not a high risk: the people affected need not be told",
			article: func(r regime) string { return r.subjects }}
	}
}

// contactDetailsLost reports whether the breach permanently destroyed data that included the
// people's contact details, the EDPB's example of disproportionate effort (Guidelines 9/2022
// §III.D).
func contactDetailsLost(f *Facts) bool {
	return isTrue(f.Availability.Permanent) && slices.Contains(f.Data.Categories, CategoryContact)
}
