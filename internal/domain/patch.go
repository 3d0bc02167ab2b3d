package domain

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Opt is an optional patch value: Set says the client sent the field (a null is Set with the zero value).
type Opt[T any] struct {
	Set   bool
	Value T
}

// Patch is a partial update of an incident. Owner is resolved to a user by the service
// before Apply, so OwnerID travels with it.
type Patch struct {
	Title, Nature, Systems, People, Discovery Opt[string]
	Reporter                                  Opt[Reporter]
	Channel                                   Opt[Channel]
	OccurredAt, DiscoveredAt, AwareAt         Opt[*time.Time]
	ReportedAt                                Opt[time.Time]
	OccurredPrecision                         Opt[Precision]
	Class                                     Opt[TriageClass]
	NearMiss, Restricted, Exercise            Opt[bool]
	NIS2Significant, DORAMajor                Opt[bool]
	PersonalData                              Opt[Tristate]
	Status                                    Opt[Status]
	Owner                                     Opt[string]
	OwnerID                                   int64
	Tags                                      Opt[[]string]
	RSITClass, RSITType, ICOType, TLP, PAP    Opt[string]
	Severity                                  Opt[*Severity]
	Impact                                    ImpactPatch
	// Reason is why the change was made; it goes into the record of events, not the incident.
	Reason string
	// Example is the seed 004 example a reporter picked as closest to what happened
	// (taxonomy.Example ID); on a new report it steers the stored suggestion.
	Example string
}

// Change is one field's before and after, kept in the record of events.
type Change struct {
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

// Apply changes inc in place and returns what changed. Status moves are checked against the
// state machine, and the instants that a status implies (contained, resolved, closed) are
// filled in when they are still empty. On error inc may be partly changed: callers discard it.
func Apply(inc *Incident, p Patch, now time.Time) ([]Change, error) {
	before := *inc
	before.Tags = slices.Clone(inc.Tags)
	set := func(o Opt[string], dst *string) {
		if o.Set {
			*dst = o.Value
		}
	}
	set(p.Title, &inc.Title)
	set(p.Nature, &inc.Nature)
	set(p.Systems, &inc.Systems)
	set(p.People, &inc.People)
	set(p.Discovery, &inc.Discovery)
	if p.Reporter.Set {
		inc.Reporter = p.Reporter.Value
	}
	if p.Channel.Set {
		inc.Channel = p.Channel.Value
	}
	for _, f := range []struct {
		o   Opt[*time.Time]
		dst **time.Time
	}{{p.OccurredAt, &inc.OccurredAt}, {p.DiscoveredAt, &inc.DiscoveredAt}, {p.AwareAt, &inc.AwareAt}} {
		if f.o.Set {
			*f.dst = f.o.Value
		}
	}
	if p.ReportedAt.Set {
		inc.ReportedAt = p.ReportedAt.Value
	}
	if p.OccurredPrecision.Set {
		inc.OccurredPrecision = p.OccurredPrecision.Value
	}
	if p.Class.Set {
		inc.Class = p.Class.Value
	}
	for _, f := range []struct {
		o   Opt[bool]
		dst *bool
	}{{p.NearMiss, &inc.NearMiss}, {p.Restricted, &inc.Restricted}, {p.Exercise, &inc.Exercise},
		{p.NIS2Significant, &inc.NIS2Significant}, {p.DORAMajor, &inc.DORAMajor}} {
		if f.o.Set {
			*f.dst = f.o.Value
		}
	}
	if p.PersonalData.Set {
		inc.PersonalData = p.PersonalData.Value
	}
	if p.Owner.Set {
		inc.Owner, inc.OwnerID = p.Owner.Value, p.OwnerID
	}
	if p.Tags.Set {
		inc.Tags = slices.Clone(p.Tags.Value) // Normalize rewrites in place; the caller's patch stays as given
	}
	applyClassification(inc, p)
	if p.Status.Set && p.Status.Value != inc.Status {
		to := p.Status.Value
		if !oneOf(string(to), Statuses) {
			return nil, &ValidationError{Fields: []FieldError{{"status", "must be one of " + fmt.Sprint(Statuses)}}}
		}
		if to == StatusMerged {
			return nil, &ValidationError{Fields: []FieldError{{"status", "use the merge action to merge an incident into another"}}}
		}
		if !CanTransition(inc.Status, to) {
			return nil, &ValidationError{Fields: []FieldError{{"status", fmt.Sprintf("cannot move from %s to %s; allowed: %v", inc.Status, to, NextStatuses(inc.Status))}}}
		}
		inc.Status = to
		stamp := func(dst **time.Time) {
			if *dst == nil {
				t := Instant(now)
				*dst = &t
			}
		}
		switch to {
		case StatusContained:
			stamp(&inc.ContainedAt)
		case StatusResolved:
			stamp(&inc.ResolvedAt)
		case StatusClosed:
			stamp(&inc.ResolvedAt)
			stamp(&inc.ClosedAt)
		case StatusInvestigating:
			// Reopening: the incident is no longer resolved or closed.
			inc.ResolvedAt, inc.ClosedAt = nil, nil
		}
	}
	inc.Normalize()
	if err := inc.Validate(now); err != nil {
		return nil, err
	}
	return Diff(&before, inc), nil
}

// Diff lists the fields whose values differ, by their JSON names.
func Diff(a, b *Incident) []Change {
	var out []Change
	va, vb := reflect.ValueOf(*a), reflect.ValueOf(*b)
	t := va.Type()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		// Bookkeeping fields and links (changed by their own actions) are not field changes.
		if name == "-" || name == "version" || name == "updated_at" || name == "created_at" || name == "links" ||
			name == "suggestion" {
			continue
		}
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		if !reflect.DeepEqual(x, y) {
			out = append(out, Change{Field: name, Before: x, After: y})
		}
	}
	return out
}

// MergeInto marks inc as merged into target (a duplicate report of the same incident).
func MergeInto(inc, target *Incident) ([]Change, error) {
	bad := func(field, msg string) error {
		return &ValidationError{Fields: []FieldError{{Field: field, Message: msg}}}
	}
	switch {
	case inc.ID == target.ID:
		return nil, bad("into", "an incident cannot be merged into itself")
	case target.Status == StatusMerged:
		return nil, bad("into", fmt.Sprintf("%s is itself merged into %s; merge into that one", target.Ref, target.MergedInto))
	case !CanTransition(inc.Status, StatusMerged):
		return nil, bad("status", fmt.Sprintf("a %s incident cannot be merged; reopen it first", inc.Status))
	}
	before := *inc
	inc.Status, inc.MergedInto = StatusMerged, target.Ref
	return Diff(&before, inc), nil
}
