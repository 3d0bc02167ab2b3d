package breach

import (
	"fmt"
	"strings"
)

// Text renders the decision in plain English for a terminal or a breach-log entry.
func (d Decision) Text() string {
	var b strings.Builder
	yesNo := func(v bool) string {
		if v {
			return "yes"
		}
		return "no"
	}
	fmt.Fprintf(&b, "Risk: %s\n", map[RiskLevel]string{
		RiskUnlikely: "unlikely to result in a risk",
		RiskRisk:     "risk",
		RiskHigh:     "high risk",
	}[d.Risk])
	fmt.Fprintf(&b, "Notify a supervisory authority: %s\n", yesNo(d.NotifyAuthority))
	fmt.Fprintf(&b, "Tell the people affected: %s\n", yesNo(d.NotifySubjects))
	fmt.Fprintf(&b, "Record in the breach log: %s\n", yesNo(d.DocumentInternally))
	fmt.Fprintf(&b, "ENISA severity: DPC %s × EI %s + CB %s = %s (%s)\n",
		num(d.ENISA.DPC), num(d.ENISA.EI), num(d.ENISA.CB), num(d.ENISA.Score), bandWords(d.ENISA.Band))

	if len(d.Obligations) > 0 {
		b.WriteString("\nObligations:\n")
	}
	for _, o := range d.Obligations {
		fmt.Fprintf(&b, "  %s, %s: ", o.Jurisdiction, orAuthority(o.Authority))
		var parts []string
		switch {
		case o.NotifyAuthority && o.Deadline != "":
			parts = append(parts, "notify by "+o.Deadline)
		case o.NotifyAuthority:
			parts = append(parts, "notify within 72 hours of becoming aware")
		default:
			parts = append(parts, "no notification to the authority")
		}
		switch {
		case o.NotifySubjects && o.SubjectExemption == ExemptionDisproportionateEffort:
			parts = append(parts, "inform the people affected by a public communication")
		case o.NotifySubjects:
			parts = append(parts, "tell the people affected")
		case o.SubjectExemption != "":
			parts = append(parts, "people need not be told: "+ExemptionLabel(o.SubjectExemption))
		default:
			parts = append(parts, "people need not be told")
		}
		b.WriteString(strings.Join(parts, "; ") + "\n")
		for _, r := range o.Reasons {
			fmt.Fprintf(&b, "    - %s\n", r)
		}
	}
	if len(d.Unknowns) > 0 {
		labels := make([]string, len(d.Unknowns))
		for i, u := range d.Unknowns {
			labels[i] = FactLabel(u)
		}
		fmt.Fprintf(&b, "\nNot known (the worse was assumed): %s\n", strings.Join(labels, "; "))
	}
	b.WriteString("\nRationale:\n")
	for _, r := range d.Rationale {
		fmt.Fprintf(&b, "  - %s\n", r)
	}
	return b.String()
}
