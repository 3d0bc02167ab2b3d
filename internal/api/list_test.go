package api_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// listFixtures records a small register with known attributes; refs are named in e.refs.
func listFixtures(t *testing.T, e *env) {
	t.Helper()
	e.create(t, "phish", "handler", map[string]any{"title": "Phishing wave", "nature": "Credential phishing e-mails reached finance staff",
		"systems": "Exchange Online", "class": "incident", "personal_data": "yes", "owner": email("dpo")})
	e.patch(t, "phish", "handler", map[string]any{"status": "triage"})
	e.create(t, "ransom", "handler", map[string]any{"title": "Encrypted file share", "nature": "A ransomware note appeared on the file server",
		"systems": "fileserver01", "class": "incident", "owner": email("handler")})
	e.patch(t, "ransom", "handler", map[string]any{"status": "triage"})
	e.patch(t, "ransom", "handler", map[string]any{"status": "investigating"})
	e.create(t, "laptop", "dpo", map[string]any{"title": "Lost laptop", "nature": "Left on a train", "systems": "Asset 1234",
		"class": "event", "personal_data": "yes", "near_miss": true})
	e.create(t, "vpn", "handler", map[string]any{"title": "Unpatched VPN", "nature": "Outdated appliance firmware", "systems": "Fortinet box",
		"class": "vulnerability", "personal_data": "no", "owner": email("handler2")})
	e.create(t, "sharing", "handler", map[string]any{"title": "Wrong sharing link", "nature": "A folder was shared with everyone",
		"systems": "SharePoint finance site", "exercise": true})
	e.create(t, "drill", "approver", map[string]any{"title": "Tabletop drill", "nature": "Exercise scenario", "class": "event",
		"exercise": true, "personal_data": "no"})
	e.patch(t, "drill", "approver", map[string]any{"status": "not_an_incident"})
	e.create(t, "call", "reporter", map[string]any{"title": "Suspicious call", "nature": "A caller asked for passwords"})
	e.create(t, "secret", "handler", map[string]any{"title": "Insider", "nature": "Ransomware planted by an insider", "class": "incident",
		"restricted": true})
}

func TestListFilters(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		listFixtures(t, e)
		str := func(field string, vals ...string) func(map[string]any) bool {
			return func(it map[string]any) bool { s, _ := it[field].(string); return slices.Contains(vals, s) }
		}
		flag := func(field string, v bool) func(map[string]any) bool {
			return func(it map[string]any) bool { return it[field] == v }
		}
		pivot := ""
		reportedAt := func(it map[string]any) time.Time {
			at, err := time.Parse(time.RFC3339Nano, it["reported_at"].(string))
			if err != nil {
				t.Fatal(err)
			}
			return at
		}
		for _, it := range e.list(t, "approver", "") {
			if it["ref"] == e.refs["vpn"] {
				pivot = it["reported_at"].(string)
			}
		}
		pivotAt, _ := time.Parse(time.RFC3339Nano, pivot)
		cases := []struct {
			name, as, query string
			want            func(map[string]any) bool
		}{
			{"one status", "approver", "status=triage", str("status", "triage")},
			{"two statuses", "approver", "status=triage,investigating", str("status", "triage", "investigating")},
			{"repeated status", "approver", "status=new&status=not_an_incident", str("status", "new", "not_an_incident")},
			{"one class", "approver", "class=incident", str("class", "incident")},
			{"two classes", "approver", "class=event,vulnerability", str("class", "event", "vulnerability")},
			{"personal data yes", "approver", "personal_data=yes", str("personal_data", "yes")},
			{"personal data no", "approver", "personal_data=no", str("personal_data", "no")},
			{"personal data unknown", "approver", "personal_data=unknown", str("personal_data", "unknown")},
			{"owner by e-mail", "approver", "owner=" + email("dpo"), str("owner", email("dpo"))},
			{"owner me", "handler", "owner=me", str("owner", email("handler"))},
			{"owner none", "approver", "owner=none", str("owner", "")},
			{"reported after (inclusive)", "approver", "reported_after=" + url.QueryEscape(pivot), func(it map[string]any) bool { return !reportedAt(it).Before(pivotAt) }},
			{"reported before (exclusive)", "approver", "reported_before=" + url.QueryEscape(pivot), func(it map[string]any) bool { return reportedAt(it).Before(pivotAt) }},
			{"exercises", "approver", "exercise=true", flag("exercise", true)},
			{"real incidents", "approver", "exercise=false", flag("exercise", false)},
			{"near misses", "approver", "near_miss=true", flag("near_miss", true)},
			{"combined", "approver", "class=incident&personal_data=yes", func(it map[string]any) bool {
				return it["class"] == "incident" && it["personal_data"] == "yes"
			}},
			{"combined with owner", "approver", "owner=none&exercise=false&status=new", func(it map[string]any) bool {
				return it["owner"] == "" && it["exercise"] == false && it["status"] == "new"
			}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				all := e.list(t, c.as, "")
				want := refsOf(filterItems(all, c.want))
				got := refsOf(e.list(t, c.as, c.query))
				if !slices.Equal(got, want) {
					t.Errorf("%s as %s = %v, want %v", c.query, c.as, got, want)
				}
				if len(want) == 0 || len(want) == len(all) {
					t.Errorf("%s selects %d of %d: the fixtures do not exercise this filter", c.query, len(want), len(all))
				}
			})
		}

		e.run(t, []apiCase{
			{name: "owner nobody has", req: req{method: "GET", path: "/api/v1/incidents?owner=nobody@example.org", as: "approver"}, status: 200,
				after: func(t *testing.T, e *env, r *response) {
					if items, ok := r.get("items").([]any); !ok || len(items) != 0 {
						t.Errorf("items = %#v, want []", r.get("items"))
					}
				}},
			{name: "reported window", req: req{method: "GET", path: "/api/v1/incidents?reported_after=2026-03-01T00:00:00Z&reported_before=2026-03-01T00:00:01Z", as: "approver"}, status: 200,
				contains: []string{`"items":[]`}},
		})
		badQueries := []struct {
			query  string
			fields []string
		}{
			{"status=open", []string{"status"}},
			{"status=new,", nil}, // a trailing comma is tolerated
			{"class=major", []string{"class"}},
			{"personal_data=maybe", []string{"personal_data"}},
			{"personal_data=yes,no", []string{"personal_data"}},
			{"reported_after=yesterday", []string{"reported_after"}},
			{"reported_before=2026-13-01T00:00:00Z", []string{"reported_before"}},
			{"exercise=perhaps", []string{"exercise"}},
			{"near_miss=2", []string{"near_miss"}},
			{"q=" + strings.Repeat("x", 201), []string{"q"}},
			{"sort=title", []string{"sort"}},
			{"limit=0", []string{"limit"}},
			{"limit=201", []string{"limit"}},
			{"limit=ten", []string{"limit"}},
			{"cursor=%21%21%21", []string{"cursor"}},
			{"cursor=" + base64.RawURLEncoding.EncodeToString([]byte(`{"i":0}`)), []string{"cursor"}},
			{"cursor=" + base64.RawURLEncoding.EncodeToString([]byte(`not json`)), []string{"cursor"}},
			{"colour=red", []string{"colour"}},
			{"class=major&limit=0&sort=x&foo=1", []string{"class", "foo", "limit", "sort"}},
		}
		for _, b := range badQueries {
			c := apiCase{name: b.query, req: req{method: "GET", path: "/api/v1/incidents?" + b.query, as: "approver"}, status: 400, problem: b.fields, exact: true}
			if b.fields == nil {
				c.status, c.problem = 200, nil
			}
			if len(c.name) > 60 {
				c.name = c.name[:60]
			}
			e.run(t, []apiCase{c})
		}
	})
}

func filterItems(items []map[string]any, keep func(map[string]any) bool) []map[string]any {
	var out []map[string]any
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	return out
}

// TestListSearch checks q finds incidents by a word of their title, nature or systems, and
// never shows what the caller may not see.
func TestListSearch(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		listFixtures(t, e)
		cases := []struct {
			name, as, q string
			want        []string // fixture names, newest recorded first
		}{
			{"word in nature", "dpo", "ransomware", []string{"ransom"}},
			{"word in systems", "dpo", "sharepoint", []string{"sharing"}},
			{"identifier in systems", "dpo", "fileserver01", []string{"ransom"}},
			{"word in title", "dpo", "unpatched", []string{"vpn"}},
			{"upper case", "dpo", "PHISHING", []string{"phish"}},
			{"two words, both must match", "dpo", "ransomware server", []string{"ransom"}},
			{"words from title and systems", "dpo", "wrong finance", []string{"sharing"}},
			{"no match", "dpo", "kangaroo", nil},
			{"only punctuation", "dpo", "!!! ???", nil},
			{"operators are literal", "dpo", `ransomware OR "x" NOT -y*`, nil},
			{"restricted hidden from the unnamed", "handler2", "ransomware", []string{"ransom"}},
			{"restricted shown to approvers", "approver", "ransomware", []string{"secret", "ransom"}},
			{"restricted shown to the named", "handler", "ransomware", []string{"secret", "ransom"}},
			{"reporters search their own", "reporter", "passwords", []string{"call"}},
			{"reporters find nothing of others", "reporter", "ransomware", nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				want := make([]string, len(c.want))
				for i, n := range c.want {
					want[i] = e.refs[n]
				}
				got := refsOf(e.list(t, c.as, "q="+url.QueryEscape(c.q)))
				if !slices.Equal(got, want) {
					t.Errorf("q=%q as %s = %v, want %v", c.q, c.as, got, want)
				}
			})
		}
		t.Run("with filters", func(t *testing.T) {
			if got := e.list(t, "approver", "q=ransomware&status=investigating"); !slices.Equal(refsOf(got), []string{e.refs["ransom"]}) {
				t.Errorf("q with status = %v", refsOf(got))
			}
			if got := e.list(t, "approver", "q=laptop&class=incident"); len(got) != 0 {
				t.Errorf("q with a class it does not have = %v", refsOf(got))
			}
		})
		t.Run("finds changed text", func(t *testing.T) {
			e.patch(t, "vpn", "handler", map[string]any{"systems": "Citrix box"})
			if got := refsOf(e.list(t, "dpo", "q=citrix")); !slices.Equal(got, []string{e.refs["vpn"]}) {
				t.Errorf("after change, q=citrix = %v", got)
			}
			if got := e.list(t, "dpo", "q=fortinet"); len(got) != 0 {
				t.Errorf("old systems text still found: %v", refsOf(got))
			}
		})
	})
}

func classRank(c any) int {
	return map[any]int{"incident": 0, "unknown": 1, "vulnerability": 2, "event": 3}[c]
}

// TestListSort checks the three orders over every page.
func TestListSort(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		classes := []string{"event", "vulnerability", "incident", "unknown"}
		for i := 0; i < 12; i++ {
			body := minimal(fmt.Sprintf("sortable %02d", i))
			body["class"] = classes[i%4]
			if i%3 == 0 { // some share a reported_at, so ties must break by record order
				body["reported_at"] = "2026-03-01T12:00:00Z"
			}
			e.create(t, fmt.Sprintf("s%02d", i), "handler", body)
		}
		key := func(it map[string]any) (time.Time, string) {
			at, err := time.Parse(time.RFC3339Nano, it["reported_at"].(string))
			if err != nil {
				t.Fatal(err)
			}
			return at, it["ref"].(string)
		}
		sorted := func(items []map[string]any, less func(a, b map[string]any) bool) []string {
			c := slices.Clone(items)
			sort.SliceStable(c, func(i, j int) bool { return less(c[i], c[j]) })
			return refsOf(c)
		}
		oldestFirst := func(a, b map[string]any) bool {
			at, ar := key(a)
			bt, br := key(b)
			if !at.Equal(bt) {
				return at.Before(bt)
			}
			return ar < br
		}
		all := e.list(t, "approver", "limit=3")
		if len(all) != 12 {
			t.Fatalf("listed %d of 12", len(all))
		}
		cases := []struct {
			sort string
			less func(a, b map[string]any) bool
		}{
			{"", func(a, b map[string]any) bool { return oldestFirst(b, a) }},
			{"-reported_at", func(a, b map[string]any) bool { return oldestFirst(b, a) }},
			{"reported_at", oldestFirst},
			{"priority", func(a, b map[string]any) bool {
				if ra, rb := classRank(a["class"]), classRank(b["class"]); ra != rb {
					return ra < rb
				}
				return oldestFirst(a, b)
			}},
		}
		for _, c := range cases {
			t.Run("sort="+c.sort, func(t *testing.T) {
				got := e.list(t, "approver", "limit=5&sort="+c.sort)
				if want := sorted(all, c.less); !slices.Equal(refsOf(got), want) {
					t.Errorf("order = %v, want %v", refsOf(got), want)
				}
				if c.sort == "priority" {
					var seen []string
					for _, it := range got {
						if cl := it["class"].(string); len(seen) == 0 || seen[len(seen)-1] != cl {
							seen = append(seen, cl)
						}
					}
					if want := []string{"incident", "unknown", "vulnerability", "event"}; !slices.Equal(seen, want) {
						t.Errorf("classes in order %v, want %v", seen, want)
					}
				}
			})
		}
	})
}

// TestPagination walks every page of several queries: pages are full until the last, the
// pages together are exactly the one-page answer (no duplicates, no gaps), and the last
// page has no next cursor.
func TestPagination(t *testing.T) {
	eachEngine(t, envOptions{}, func(t *testing.T, e *env) {
		classes := []string{"event", "vulnerability", "incident", "unknown"}
		pd := []string{"yes", "no", "unknown"}
		for i := 0; i < 23; i++ {
			body := map[string]any{"title": fmt.Sprintf("Widget fault %02d", i), "nature": "The widget misbehaved",
				"class": classes[i%4], "personal_data": pd[i%3]}
			if i%4 == 1 {
				body["reported_at"] = "2026-03-01T12:00:00Z" // ties
			}
			e.create(t, fmt.Sprintf("p%02d", i), "handler", body)
		}
		queries := []string{"", "sort=reported_at", "sort=-reported_at", "sort=priority", "q=widget", "q=widget&sort=priority",
			"class=incident,event", "personal_data=yes&sort=priority", "status=new&sort=reported_at"}
		for _, q := range queries {
			for _, limit := range []int{1, 4, 7} {
				t.Run(fmt.Sprintf("%s/limit=%d", q, limit), func(t *testing.T) {
					one := e.do(t, req{method: "GET", path: "/api/v1/incidents?limit=200&" + q, as: "handler"})
					if one.status != 200 || one.get("next") != nil {
						t.Fatalf("one page: %d next=%v", one.status, one.get("next"))
					}
					want := refsOf(one.items())
					if len(want) < 2*limit && limit < 7 {
						t.Fatalf("only %d results: too few to need pages", len(want))
					}
					got, pages := walk(t, e, "handler", fmt.Sprintf("limit=%d&%s", limit, q), limit)
					if dup := firstDuplicate(got); dup != "" {
						t.Errorf("%s appears twice", dup)
					}
					if !slices.Equal(got, want) {
						t.Errorf("pages give %v, want %v", got, want)
					}
					if wantPages := max(1, (len(want)+limit-1)/limit); pages != wantPages {
						t.Errorf("%d pages, want %d", pages, wantPages)
					}
				})
			}
		}

		t.Run("records made during the walk", func(t *testing.T) {
			before := refsOf(e.list(t, "handler", "limit=200"))
			// Newest first: a record made mid-walk sorts before the cursor and is not repeated.
			first := e.do(t, req{method: "GET", path: "/api/v1/incidents?limit=5", as: "handler"})
			e.create(t, "late", "handler", minimal("Made during the walk"))
			rest := e.list(t, "handler", "limit=5&cursor="+first.str("next"))
			got := append(refsOf(first.items()), refsOf(rest)...)
			if !slices.Equal(got, before) {
				t.Errorf("walk during insert = %v, want %v", got, before)
			}
			// Oldest first: the new record comes at the end, once.
			first = e.do(t, req{method: "GET", path: "/api/v1/incidents?limit=5&sort=reported_at", as: "handler"})
			e.create(t, "later", "handler", minimal("Also made during the walk"))
			rest = e.list(t, "handler", "limit=5&sort=reported_at&cursor="+first.str("next"))
			got = append(refsOf(first.items()), refsOf(rest)...)
			if dup := firstDuplicate(got); dup != "" {
				t.Errorf("%s appears twice", dup)
			}
			if n := len(got); n < 2 || got[n-2] != e.refs["late"] || got[n-1] != e.refs["later"] {
				t.Errorf("oldest-first walk should end with the new records: %v", got)
			}
		})
	})
}

// walk pages through a list and checks each page is full but the last.
func walk(t *testing.T, e *env, who, query string, limit int) ([]string, int) {
	t.Helper()
	var refs []string
	cursor, pages := "", 0
	for {
		path := "/api/v1/incidents?" + query
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		r := e.do(t, req{method: "GET", path: path, as: who})
		if r.status != 200 {
			t.Fatalf("page %d: %d %s", pages+1, r.status, r.body)
		}
		pages++
		items := r.items()
		cursor = r.str("next")
		if cursor != "" && len(items) != limit {
			t.Errorf("page %d has %d items and a next cursor, want %d", pages, len(items), limit)
		}
		if cursor == "" && len(items) == 0 && pages > 1 {
			t.Errorf("page %d is empty: the previous page should not have had a next cursor", pages)
		}
		refs = append(refs, refsOf(items)...)
		if cursor == "" || pages > 100 {
			return refs, pages
		}
	}
}

func firstDuplicate(refs []string) string {
	seen := map[string]bool{}
	for _, r := range refs {
		if seen[r] {
			return r
		}
		seen[r] = true
	}
	return ""
}
