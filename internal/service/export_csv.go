package service

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/store"
)

// IncidentColumns are the columns of "vigil export incidents --format csv", in order. The set
// is fixed (docs/IMPORT.md documents it) so that spreadsheets and scripts built on it keep
// working; new columns are only ever added at the end.
var IncidentColumns = []string{
	"ref", "title", "status", "class", "near_miss", "personal_data",
	"rsit_class", "rsit_type", "ico_type", "severity_scheme", "severity_category",
	"confidentiality", "integrity", "availability", "tlp", "pap",
	"occurred_at", "occurred_precision", "discovered_at", "reported_at", "aware_at", "contained_at", "resolved_at", "closed_at",
	"owner", "restricted", "exercise", "tags", "channel", "source", "source_id", "nature",
}

// IncidentRow is an incident as a row of IncidentColumns. Instants are RFC 3339 in UTC.
func IncidentRow(it store.Sourced) []string {
	inc := it.Incident
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	var scheme, category string
	if inc.Severity != nil {
		scheme, category = inc.Severity.Scheme, inc.Severity.Category
	}
	b := strconv.FormatBool
	return []string{
		inc.Ref, inc.Title, string(inc.Status), string(inc.Class), b(inc.NearMiss), string(inc.PersonalData),
		inc.RSITClass, inc.RSITType, inc.ICOType, scheme, category,
		b(inc.Impact.Confidentiality.Affected), b(inc.Impact.Integrity.Affected), b(inc.Impact.Availability.Affected), inc.TLP, inc.PAP,
		at(inc.OccurredAt), string(inc.OccurredPrecision), at(inc.DiscoveredAt), at(&inc.ReportedAt), at(inc.AwareAt),
		at(inc.ContainedAt), at(inc.ResolvedAt), at(inc.ClosedAt),
		inc.Owner, b(inc.Restricted), b(inc.Exercise), strings.Join(inc.Tags, " "), string(inc.Channel), it.Source.Source, it.SourceID, inc.Nature,
	}
}
