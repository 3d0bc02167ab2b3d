package veris

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Record is the part of a VERIS incident that the mapping reads. The whole document is kept
// as it came (Item.Raw); this view only has to be good enough to map it. Its field types
// accept the variations found in the wild (a string where a list belongs, a number written
// as a string), so that one sloppy field does not cost a whole record.
type Record struct {
	SchemaVersion    string                     `json:"schema_version"`
	IncidentID       string                     `json:"incident_id"`
	SourceID         string                     `json:"source_id"`
	SecurityIncident string                     `json:"security_incident"`
	Summary          string                     `json:"summary"`
	Reference        string                     `json:"reference"`
	Confidence       string                     `json:"confidence"`
	DiscoveryMethod  map[string]json.RawMessage `json:"discovery_method"`
	DiscoveryNotes   string                     `json:"discovery_notes"`
	Action           map[string]Enums           `json:"action"`
	Actor            map[string]Enums           `json:"actor"`
	Asset            struct {
		Assets []struct {
			Variety string `json:"variety"`
			Amount  Number `json:"amount"`
		} `json:"assets"`
	} `json:"asset"`
	Attribute struct {
		Confidentiality *struct {
			DataDisclosure string `json:"data_disclosure"`
			DataTotal      Number `json:"data_total"`
			Data           []struct {
				Variety string `json:"variety"`
				Amount  Number `json:"amount"`
			} `json:"data"`
			DataVictim Strings `json:"data_victim"`
		} `json:"confidentiality"`
		Integrity    *Enums `json:"integrity"`
		Availability *struct {
			Variety  Strings `json:"variety"`
			Duration *Span   `json:"duration"`
		} `json:"availability"`
	} `json:"attribute"`
	Timeline struct {
		Incident struct {
			Year  Number `json:"year"`
			Month Number `json:"month"`
			Day   Number `json:"day"`
		} `json:"incident"`
		Discovery *Span `json:"discovery"`
	} `json:"timeline"`
	Victim struct {
		Industry      string  `json:"industry"`
		Country       Strings `json:"country"`
		State         string  `json:"state"`
		EmployeeCount string  `json:"employee_count"`
	} `json:"victim"`
	Plus struct {
		MasterID string `json:"master_id"`
	} `json:"plus"`
}

// Enums is a VERIS category: its varieties, vectors and the like.
type Enums struct {
	Variety Strings `json:"variety"`
	Vector  Strings `json:"vector"`
	Motive  Strings `json:"motive"`
	Notes   string  `json:"notes"`
}

// Span is a VERIS duration: a unit (Minutes … Years, Never, NA, Unknown) and a value.
type Span struct {
	Unit  string `json:"unit"`
	Value Number `json:"value"`
}

// Strings is a list of strings that also accepts a single string or null.
type Strings []string

// UnmarshalJSON accepts ["a", "b"], "a" and null.
func (s *Strings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = Strings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("expected a list of strings")
	}
	*s = many
	return nil
}

// Number is a number that also accepts a numeric string ("2014") or null; Set says whether
// one was given.
type Number struct {
	Value float64
	Set   bool
}

// Int is the number as an integer (0 when absent or out of range).
func (n Number) Int() int {
	if !n.Set || n.Value > math.MaxInt32 || n.Value < math.MinInt32 {
		return 0
	}
	return int(n.Value)
}

// UnmarshalJSON accepts 12, 12.0, "12" and null.
func (n *Number) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*n = Number{}
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*n = Number{}
			return nil
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("expected a number, got %.40s", s)
	}
	*n = Number{Value: v, Set: true}
	return nil
}

// Parse reads one VERIS record. The error says which field is malformed.
func Parse(raw []byte) (*Record, error) {
	var r Record
	if err := json.Unmarshal(raw, &r); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, fmt.Errorf("field %s: expected %s, got a JSON %s", te.Field, te.Type, te.Value)
		}
		return nil, fmt.Errorf("not a VERIS record: %w", err)
	}
	return &r, nil
}
