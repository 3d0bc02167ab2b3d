package main

// Realistic incident text without storing any: at run time the tool reads the VERIS
// Community Database (VCDB, © Verizon, CC BY-SA 4.0, https://github.com/vz-risk/VCDB) from
// the zip given by --vcdb, learns a word-level Markov chain from its incident summaries and
// takes asset, action, discovery and victim vocabularies from its coded fields. Generated
// records therefore have a natural word-frequency distribution (a few very common words, a
// long tail of rare ones), which is what full-text indexes are sensitive to. Nothing from
// the VCDB is copied into this repository. Without the zip a small built-in vocabulary is
// used, which is enough to exercise the API but not to measure search realistically.

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
	"unicode"
)

type vcdbRecord struct {
	Summary string `json:"summary"`
	Asset   struct {
		Assets []struct {
			Variety string `json:"variety"`
		} `json:"assets"`
	} `json:"asset"`
	Action    map[string]struct{ Variety []string } `json:"action"`
	Discovery map[string]json.RawMessage            `json:"discovery_method"`
	Attribute struct {
		Confidentiality struct {
			DataVictim []string `json:"data_victim"`
			Data       []struct {
				Variety string `json:"variety"`
			} `json:"data"`
		} `json:"confidentiality"`
	} `json:"attribute"`
}

// template is what one VCDB record contributes to a generated incident.
type template struct {
	action    string // e.g. "Phishing", "Theft"
	category  string // e.g. "social", "physical"
	assets    []string
	discovery string
	victims   []string
	personal  bool
}

// corpus generates incidents.
type corpus struct {
	next      map[string][]string // word -> following words, with repetition (frequency-weighted)
	starts    []string            // words that begin a sentence
	templates []template
	counts    map[string]int // normalised word -> occurrences in the summaries
	fromVCDB  bool
}

func loadCorpus(path string) (*corpus, error) {
	c := &corpus{next: map[string][]string{}, counts: map[string]int{}}
	recs, err := readVCDB(path)
	if err != nil {
		return nil, err
	}
	if recs == nil {
		recs = builtin()
	} else {
		c.fromVCDB = true
	}
	for _, r := range recs {
		c.learn(r.Summary)
		t := template{discovery: "Unknown"}
		for cat, a := range r.Action {
			for _, v := range a.Variety {
				if v != "Unknown" && v != "Other" {
					t.action, t.category = v, cat
				}
			}
			if t.category == "" {
				t.category = cat
			}
		}
		for _, a := range r.Asset.Assets {
			_, name, ok := strings.Cut(a.Variety, " - ")
			if ok && name != "Unknown" && name != "Other" {
				t.assets = append(t.assets, name)
			}
		}
		for where, raw := range r.Discovery {
			var d struct{ Variety []string }
			if json.Unmarshal(raw, &d) == nil && len(d.Variety) > 0 && d.Variety[0] != "Unknown" {
				t.discovery = d.Variety[0] + " (" + where + ")"
			}
		}
		t.victims = r.Attribute.Confidentiality.DataVictim
		for _, d := range r.Attribute.Confidentiality.Data {
			switch d.Variety {
			case "Personal", "Medical", "Bank", "Payment", "Credentials":
				t.personal = true
			}
		}
		c.templates = append(c.templates, t)
	}
	if len(c.starts) == 0 {
		return nil, fmt.Errorf("no text to learn from in %s", path)
	}
	return c, nil
}

// readVCDB returns nil, nil when the zip is absent.
func readVCDB(path string) ([]vcdbRecord, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil
	}
	defer zr.Close()
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		var recs []vcdbRecord
		if err := json.NewDecoder(rc).Decode(&recs); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		return recs, nil
	}
	return nil, fmt.Errorf("%s holds no .json file", path)
}

func builtin() []vcdbRecord {
	texts := []string{
		"An employee reported that a laptop containing customer records was stolen from a car. The device was not encrypted.",
		"A phishing e-mail asked staff to confirm their passwords. Several accounts were used to send further messages.",
		"A spreadsheet with patient names was sent to the wrong recipient by e-mail. The recipient deleted it.",
		"Ransomware encrypted a file server overnight. Backups were restored and the attacker's access was removed.",
		"A misconfigured storage bucket exposed invoices to the internet for two weeks before a researcher noticed.",
	}
	recs := make([]vcdbRecord, len(texts))
	for i, t := range texts {
		recs[i].Summary = t
	}
	return recs
}

func (c *corpus) learn(text string) {
	words := strings.Fields(text)
	prev := ""
	for i, w := range words {
		if len(w) > 40 || strings.Contains(w, "http") {
			prev = ""
			continue
		}
		if prev == "" || strings.HasSuffix(prev, ".") {
			if i == 0 || unicode.IsUpper([]rune(w)[0]) {
				c.starts = append(c.starts, w)
			}
		}
		if prev != "" {
			c.next[prev] = append(c.next[prev], w)
		}
		if n := norm(w); n != "" {
			c.counts[n]++
		}
		prev = w
	}
}

// norm lower-cases a word and strips punctuation; it returns "" for non-words.
func norm(w string) string {
	w = strings.ToLower(strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }))
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return w
}

// sentence walks the chain for min to max words, ending at a full stop when it can.
func (c *corpus) sentence(rng *rand.Rand, min, max int) string {
	w := c.starts[rng.IntN(len(c.starts))]
	out := []string{w}
	for len(out) < max {
		nx := c.next[w]
		if len(nx) == 0 || (len(out) >= min && strings.HasSuffix(w, ".")) {
			break
		}
		w = nx[rng.IntN(len(nx))]
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

var (
	hostRoles = []string{"srv", "wks", "lap", "db", "app", "fw", "mail", "file", "vpn", "web"}
	hostDepts = []string{"fin", "hr", "ops", "crm", "pay", "web", "lab", "sales", "legal", "it"}
	tagWords  = map[string][]string{"hacking": {"intrusion", "credentials"}, "malware": {"malware", "ransomware"}, "social": {"phishing", "fraud"},
		"misuse": {"insider", "privilege-misuse"}, "physical": {"theft", "lost-device"}, "error": {"misdelivery", "human-error"}, "environmental": {"outage"}}
	discoveries = []string{"", "Spotted by the service desk", "Alert from the SIEM", "Customer complaint", "Found during an audit"}
)

// hostname returns one of 100,000 host names: with a million incidents each appears in
// about ten of them, which makes it a rare search term.
func hostname(rng *rand.Rand) string {
	return fmt.Sprintf("%s-%s-%03d", hostRoles[rng.IntN(len(hostRoles))], hostDepts[rng.IntN(len(hostDepts))], rng.IntN(1000))
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// weighted picks from values with the given weights (summing to 100).
func weighted(rng *rand.Rand, values []string, weights []int) string {
	n := rng.IntN(100)
	for i, w := range weights {
		if n < w {
			return values[i]
		}
		n -= w
	}
	return values[len(values)-1]
}

// incident returns a new incident document. With backdate > 0 the incident is recorded as
// reported at a random instant within that span before now (an imported history).
func (c *corpus) incident(rng *rand.Rand, now time.Time, backdate time.Duration) map[string]any {
	t := c.templates[rng.IntN(len(c.templates))]
	title := c.sentence(rng, 4, 12)
	if t.action != "" && rng.IntN(2) == 0 {
		title = t.action
		if len(t.assets) > 0 {
			title += " involving " + strings.ToLower(pick(rng, t.assets))
		}
	}
	title = strings.TrimRight(title, ".,;: ")
	if r := []rune(title); len(r) > 190 {
		title = string(r[:190])
	}
	nature := c.sentence(rng, 25, 90)
	if rng.IntN(3) == 0 {
		nature += " " + c.sentence(rng, 10, 60)
	}
	systems := append(make([]string, 0, 3), t.assets...)
	for k := rng.IntN(3); k > 0; k-- {
		systems = append(systems, hostname(rng))
	}
	people := ""
	if len(t.victims) > 0 {
		people = fmt.Sprintf("About %d %s records", 1+rng.IntN(5000), strings.ToLower(strings.Join(t.victims, " and ")))
	}
	pd := weighted(rng, []string{"yes", "no", "unknown"}, []int{20, 50, 30})
	if t.personal && rng.IntN(4) > 0 {
		pd = "yes"
	}
	doc := map[string]any{
		"title":         title,
		"nature":        nature,
		"systems":       strings.Join(systems, ", "),
		"people":        people,
		"discovery":     t.discovery,
		"class":         weighted(rng, []string{"unknown", "event", "incident", "vulnerability"}, []int{30, 30, 25, 15}),
		"personal_data": pd,
	}
	if d := pick(rng, discoveries); d != "" {
		doc["discovery"] = d
	}
	if rng.IntN(20) == 0 {
		doc["near_miss"] = true
	}
	if rng.IntN(100) == 0 {
		doc["exercise"] = true
	}
	if rng.IntN(50) == 0 {
		doc["restricted"] = true
	}
	if tw := tagWords[t.category]; len(tw) > 0 && rng.IntN(2) == 0 {
		doc["tags"] = []string{pick(rng, tw)}
	}
	reported := now
	if backdate > 0 {
		reported = now.Add(-time.Duration(rng.Int64N(int64(backdate))))
		doc["reported_at"] = reported.UTC().Format(time.RFC3339Nano)
	}
	if rng.IntN(3) > 0 { // most reporters can say roughly when it happened
		occurred := reported.Add(-time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))))
		discovered := occurred.Add(time.Duration(rng.Int64N(int64(reported.Sub(occurred)) + 1)))
		doc["occurred_at"] = occurred.UTC().Format(time.RFC3339)
		doc["occurred_precision"] = pick(rng, []string{"exact", "hour", "day", "week"})
		doc["discovered_at"] = discovered.UTC().Format(time.RFC3339)
	}
	return doc
}

// terms returns search words of three frequencies: common (among the 30 most frequent
// content words), medium (ranks 300 to 600) and rare (seen 3 to 5 times in the corpus,
// plus generated host names, which are rarer still).
func (c *corpus) terms(rng *rand.Rand) (common, medium, rare []string) {
	type wc struct {
		w string
		n int
	}
	var all []wc
	for w, n := range c.counts {
		if len(w) >= 4 && !stop[w] {
			all = append(all, wc{w, n})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].w < all[j].w
	})
	for i, x := range all {
		switch {
		case i < 30:
			common = append(common, x.w)
		case i >= 300 && i < 600:
			medium = append(medium, x.w)
		case x.n >= 3 && x.n <= 5 && len(rare) < 300:
			rare = append(rare, x.w)
		}
	}
	for k := 0; k < 100; k++ {
		rare = append(rare, hostname(rng))
	}
	return common, medium, rare
}

// stop lists function words; PostgreSQL's english configuration drops them and SQLite's
// FTS5 keeps them, so searching for them would compare nothing useful.
var stop = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a about above after again against all also am an and any are as at be because been before
		being below between both but by can could did do does doing down during each few for from further had has have having he
		her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off
		on once only or other our ours ourselves out over own same she should so some such than that the their theirs them
		themselves then there these they this those through to too under until up very was we were what when where which while
		who whom why will with would you your yours yourself yourselves said says were which while also been have their after
		over them into only could other than then some would these more when what there about from this that with were they`) {
		stop[w] = true
	}
}

// must read the whole of a reader; used for small error bodies.
func readSome(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 500))
	return string(b)
}
