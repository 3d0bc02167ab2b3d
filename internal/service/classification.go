package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/vigil-ir/vigil/internal/auth"
	"github.com/vigil-ir/vigil/internal/classify"
	"github.com/vigil-ir/vigil/internal/domain"
	"github.com/vigil-ir/vigil/internal/taxonomy"
)

// AcceptedSuggestion is the reason recorded when a handler accepts Vigil's suggestion.
const AcceptedSuggestion = "accepted suggestion"

// SeveritySchemes lists the severity schemes incidents can be graded with, sorted by ID.
func (s *Service) SeveritySchemes(p auth.Principal) ([]*taxonomy.Scheme, error) {
	if !auth.Can(p, auth.ListIncidents, nil) {
		return nil, domain.ErrForbidden
	}
	return s.schemes.List(), nil
}

// SeverityScheme returns one severity scheme.
func (s *Service) SeverityScheme(id string) (*taxonomy.Scheme, bool) { return s.schemes.Get(id) }

// resolveSeverity checks a patch's severity against the schemes and fills in the rank from
// the scheme: clients name the scheme and category, the scheme says how severe that is.
func (s *Service) resolveSeverity(in *domain.Patch) error {
	if !in.Severity.Set || in.Severity.Value == nil {
		return nil
	}
	sev := *in.Severity.Value
	v := &domain.ValidationError{}
	sch, ok := s.schemes.Get(sev.Scheme)
	if !ok {
		ids := []string{}
		for _, sc := range s.schemes.List() {
			ids = append(ids, sc.ID)
		}
		v.Add("severity.scheme", "must be one of "+strings.Join(ids, ", "))
		return v
	}
	cat, ok := sch.Category(sev.Category)
	switch {
	case !ok:
		v.Add("severity.category", fmt.Sprintf("is not a category of %s", sch.Name))
	case sev.Rank != 0 && sev.Rank != cat.Rank:
		v.Add("severity.rank", fmt.Sprintf("must be %d, the rank of %q in %s (or leave it out)", cat.Rank, cat.Name, sch.Name))
	}
	if err := v.Err(); err != nil {
		return err
	}
	sev.Rank = cat.Rank
	in.Severity.Value = &sev
	return nil
}

// suggest computes what internal/classify suggests for a new report. It holds no personal
// data: only kinds and offsets of what it found. When the reporter picked one of seed 004's
// everyday examples, its mapping leads: the reporter knows what happened better than a word
// count does, and the handler still decides.
func suggest(inc *domain.Incident, example string) *domain.Suggestion {
	sg := classify.SuggestReport(classify.Report{Title: inc.Title, Nature: inc.Nature, Systems: inc.Systems, People: inc.People})
	for _, ex := range taxonomy.Examples() {
		if ex.ID != example || example == "" {
			continue
		}
		if class, typ, ok := taxonomy.SplitRSIT(ex.RSIT); ok {
			sg.RSIT = classify.RSIT{Class: class, Type: typ, Score: sg.RSIT.Score}
			sg.Because.RSIT = []string{"the reporter chose: " + ex.Text}
		}
		if ex.ICOType != "" {
			sg.ICOType = ex.ICOType
			if t, ok := taxonomy.LookupICOType(ex.ICOType); ok {
				sg.ICOLabel = t.Label
			}
			sg.Because.ICOType = []string{"the reporter chose: " + ex.Text}
		}
	}
	return &sg
}

// Grading is the result of grading an incident's severity with a scheme's guided questions.
type Grading struct {
	Incident    *domain.Incident
	Scheme      *taxonomy.Scheme
	Category    taxonomy.Category
	Explanation string
	// NotifyCSIRT says the scheme recommends telling its CSIRT (Scheme.CSIRT) about the incident.
	NotifyCSIRT bool
	CSIRT       *taxonomy.Contact
}

// GradeSeverity answers a scheme's guided questions for an incident and stores the category
// it gives, as an update at version ifVersion (no lost updates). The reason recorded is
// the handler's, followed by the scheme's explanation of the category.
func (s *Service) GradeSeverity(ctx context.Context, p auth.Principal, ref, schemeID string, answers taxonomy.Answers, reason string, ifVersion int) (*Grading, error) {
	// Authorise before looking at the answers, so a refused user learns nothing from validation.
	if _, err := s.authorize(ctx, p, ref, auth.UpdateIncident); err != nil {
		return nil, err
	}
	sch, ok := s.schemes.Get(schemeID)
	if !ok {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "scheme", Message: "choose a severity scheme"}}}
	}
	v := &domain.ValidationError{}
	for _, q := range sch.Questions {
		if answers[q.ID] == "" {
			v.Add(q.ID, "Answer: "+q.Text)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	cat, why, err := sch.Categorise(answers)
	if err != nil {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "answers", Message: err.Error()}}}
	}
	full := why
	if r := strings.TrimSpace(reason); r != "" {
		full = r + " (" + why + ")"
	}
	inc, err := s.UpdateIncident(ctx, p, ref, domain.Patch{
		Severity: domain.Opt[*domain.Severity]{Set: true, Value: &domain.Severity{Scheme: sch.ID, Category: cat.ID, Rank: cat.Rank}},
		Reason:   full,
	}, ifVersion)
	if err != nil {
		return nil, err
	}
	return gradingOf(inc, sch, cat, why), nil
}

// Grade describes an incident's current severity grade, or nil when it is not graded or its
// scheme is no longer known.
func (s *Service) Grade(inc *domain.Incident) *Grading {
	if inc.Severity == nil {
		return nil
	}
	sch, ok := s.schemes.Get(inc.Severity.Scheme)
	if !ok {
		return nil
	}
	cat, ok := sch.Category(inc.Severity.Category)
	if !ok {
		return nil
	}
	return gradingOf(inc, sch, cat, "")
}

func gradingOf(inc *domain.Incident, sch *taxonomy.Scheme, cat taxonomy.Category, why string) *Grading {
	g := &Grading{Incident: inc, Scheme: sch, Category: cat, Explanation: why, NotifyCSIRT: sch.NotifyCSIRT(cat)}
	if g.NotifyCSIRT {
		g.CSIRT = sch.CSIRT
	}
	return g
}

// SuggestionPatch is the classification change that accepting a suggestion makes: the RSIT
// class and type, and the ICO type when one is suggested. Whether personal data is involved
// stays the handler's decision (it starts the 72-hour clock), so it is never set from a
// suggestion.
func SuggestionPatch(sg *domain.Suggestion) domain.Patch {
	p := domain.Patch{Reason: AcceptedSuggestion}
	if sg.RSIT.Class != "" && sg.RSIT.Type != "" {
		p.RSITClass = domain.Opt[string]{Set: true, Value: sg.RSIT.Class}
		p.RSITType = domain.Opt[string]{Set: true, Value: sg.RSIT.Type}
	}
	if sg.ICOType != "" {
		p.ICOType = domain.Opt[string]{Set: true, Value: sg.ICOType}
	}
	return p
}

// AcceptSuggestion applies the suggestion stored with an incident as a classification
// change, with the reason "accepted suggestion".
func (s *Service) AcceptSuggestion(ctx context.Context, p auth.Principal, ref string, ifVersion int) (*domain.Incident, error) {
	inc, err := s.authorize(ctx, p, ref, auth.UpdateIncident)
	if err != nil {
		return nil, err
	}
	if inc.Suggestion == nil {
		return nil, &domain.ValidationError{Fields: []domain.FieldError{{Field: "suggestion", Message: "there is no suggestion to accept"}}}
	}
	return s.UpdateIncident(ctx, p, ref, SuggestionPatch(inc.Suggestion), ifVersion)
}
