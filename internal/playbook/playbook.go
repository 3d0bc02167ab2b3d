// Package playbook holds response playbooks: checklists of tasks for a type of incident
// (ransomware, a lost device, a misdirected e-mail…), shipped as data files and replaceable
// by an organisation's own versions. An incident whose classification matches a playbook
// gets that playbook's current version as its checklist and keeps it when the playbook
// changes later. The package does no I/O beyond its embedded files.
package playbook

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vigil-ir/vigil/internal/taxonomy"
)

//go:embed data/*.json
var dataFS embed.FS

// Phases a task belongs to, in the order work usually goes.
var Phases = []string{"contain", "eradicate", "recover", "notify", "review"}

// Task is one checklist item.
type Task struct {
	Phase    string `json:"phase"`
	Title    string `json:"title"`
	Guidance string `json:"guidance,omitempty"`
}

// Match says which classifications a playbook is for: RSIT types as "class:type" (as in
// Vigil's other data files) and ICO breach types by their identifiers.
type Match struct {
	RSIT []string `json:"rsit"`
	ICO  []string `json:"ico"`
}

// Playbook is one version of a playbook. Version 0 is Vigil's built-in version; an
// organisation's own versions count from 1.
type Playbook struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Match       Match  `json:"match"`
	Tasks       []Task `json:"tasks"`
	Version     int    `json:"version"`
}

// Limits keep a playbook a checklist rather than a manual.
const (
	MaxTasks = 100
	MaxText  = 2000
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Error names the part of a playbook document that is wrong.
type Error struct{ Field, Message string }

func (e *Error) Error() string { return e.Field + ": " + e.Message }

// Parse reads and checks a playbook document. Unknown fields are refused so a misspelt
// field is not silently ignored; the version is assigned when stored, never read.
func Parse(raw []byte) (*Playbook, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var p Playbook
	if err := dec.Decode(&p); err != nil {
		return nil, &Error{"playbook", "is not a valid playbook document: " + err.Error()}
	}
	p.Version = 0
	return &p, p.validate()
}

func (p *Playbook) validate() error {
	text := func(field, val string, required bool) error {
		switch {
		case required && strings.TrimSpace(val) == "":
			return &Error{field, "is required"}
		case !utf8.ValidString(val) || utf8.RuneCountInString(val) > MaxText:
			return &Error{field, fmt.Sprintf("must be text of %d characters or fewer", MaxText)}
		}
		return nil
	}
	if !idPattern.MatchString(p.ID) {
		return &Error{"id", "must be lower-case letters, digits and hyphens, e.g. lost-stolen-device"}
	}
	if err := text("title", p.Title, true); err != nil {
		return err
	}
	if err := text("description", p.Description, false); err != nil {
		return err
	}
	for i, r := range p.Match.RSIT {
		if _, _, ok := taxonomy.SplitRSIT(r); !ok {
			return &Error{fmt.Sprintf("match.rsit[%d]", i), fmt.Sprintf("%q is not an RSIT class:type", r)}
		}
	}
	for i, t := range p.Match.ICO {
		if !taxonomy.ValidICOType(t) {
			return &Error{fmt.Sprintf("match.ico[%d]", i), fmt.Sprintf("%q is not an ICO breach type", t)}
		}
	}
	if len(p.Tasks) == 0 || len(p.Tasks) > MaxTasks {
		return &Error{"tasks", fmt.Sprintf("must list between 1 and %d tasks", MaxTasks)}
	}
	for i, t := range p.Tasks {
		field := fmt.Sprintf("tasks[%d]", i)
		if !slices.Contains(Phases, t.Phase) {
			return &Error{field + ".phase", "must be one of " + strings.Join(Phases, ", ")}
		}
		if err := text(field+".title", t.Title, true); err != nil {
			return err
		}
		if err := text(field+".guidance", t.Guidance, false); err != nil {
			return err
		}
	}
	return nil
}

// Matches says whether the playbook is for an incident of these classifications.
func (p *Playbook) Matches(rsitClass, rsitType, icoType string) bool {
	if rsitClass != "" && slices.Contains(p.Match.RSIT, rsitClass+":"+rsitType) {
		return true
	}
	return icoType != "" && slices.Contains(p.Match.ICO, icoType)
}

// Builtin returns Vigil's playbooks (version 0), ordered by ID. The files are checked by the
// package's tests, so a bad one fails the build's tests rather than a deployment.
func Builtin() []*Playbook {
	files, _ := dataFS.ReadDir("data")
	out := make([]*Playbook, 0, len(files))
	for _, f := range files {
		raw, err := dataFS.ReadFile(path.Join("data", f.Name()))
		if err != nil {
			panic(err)
		}
		p, err := Parse(raw)
		if err != nil {
			panic(fmt.Sprintf("playbook %s: %v", f.Name(), err))
		}
		out = append(out, p)
	}
	return out
}

// Current overlays an organisation's own versions on the built-in playbooks: an own version
// replaces the built-in one with its ID, and own playbooks with new IDs are added.
func Current(own []*Playbook) []*Playbook {
	byID := map[string]*Playbook{}
	for _, p := range Builtin() {
		byID[p.ID] = p
	}
	for _, p := range own {
		byID[p.ID] = p
	}
	out := make([]*Playbook, 0, len(byID))
	for _, p := range byID {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *Playbook) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Matching lists the playbooks for an incident's classification.
func Matching(books []*Playbook, rsitClass, rsitType, icoType string) []*Playbook {
	var out []*Playbook
	for _, p := range books {
		if p.Matches(rsitClass, rsitType, icoType) {
			out = append(out, p)
		}
	}
	return out
}

// JSON is the playbook as an editable document (without its version, which the store assigns).
func (p *Playbook) JSON() string {
	c := *p
	c.Version = 0
	b, _ := json.MarshalIndent(struct {
		ID          string `json:"id"`
		Title       string `json:"title"`
		Description string `json:"description,omitempty"`
		Match       Match  `json:"match"`
		Tasks       []Task `json:"tasks"`
	}{c.ID, c.Title, c.Description, c.Match, c.Tasks}, "", "  ")
	return string(b)
}
