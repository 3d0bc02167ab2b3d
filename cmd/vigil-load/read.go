package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// query is one kind of read request; path draws a concrete URL path each time.
type query struct {
	kind string // first-page, filtered, search, get
	name string
	path func(rng *rand.Rand) string
}

type readResult struct {
	lat    latencies
	rows   int
	errors int
	err    string
}

type readOpts struct {
	common
	duration time.Duration
	only     string
}

func runRead(args []string) error {
	fs := flag.NewFlagSet("read", flag.ExitOnError)
	var o readOpts
	o.bind(fs, 4)
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long to run")
	fs.StringVar(&o.only, "only", "", "run only these kinds: comma-separated first-page, filtered, search, get (slow searches otherwise dominate the mix)")
	fs.Parse(args)
	if err := o.check(); err != nil {
		return err
	}
	_, err := readLoad(o, true)
	return err
}

// readLoad runs the read mix for o.duration and prints a report when verbose.
func readLoad(o readOpts, verbose bool) (map[string]*readResult, error) {
	crp, err := loadCorpus(o.vcdb)
	if err != nil {
		return nil, err
	}
	client := newClient(o.clients)
	qs, err := buildQueries(client, o, crp)
	if err != nil {
		return nil, err
	}
	if o.only != "" {
		var keep []query
		for _, q := range qs {
			if strings.Contains(","+o.only+",", ","+q.kind+",") {
				keep = append(keep, q)
			}
		}
		if len(keep) == 0 {
			return nil, fmt.Errorf("--only %q matches no query kind (first-page, filtered, search, get)", o.only)
		}
		qs = keep
	}
	var before procStat
	if o.pid > 0 {
		before, _ = readProc(o.pid)
	}
	cpu0 := selfCPU()
	start := time.Now()
	deadline := start.Add(o.duration)
	per := make([]map[string]*readResult, o.clients)
	var wg sync.WaitGroup
	for w := 0; w < o.clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(o.seed)+1000, uint64(w)))
			res := map[string]*readResult{}
			per[w] = res
			// Round-robin over the query list from a random offset gives every query the
			// same share of requests, interleaved across clients.
			for i := rng.IntN(len(qs)); time.Now().Before(deadline); i++ {
				q := qs[i%len(qs)]
				r := res[q.name]
				if r == nil {
					r = &readResult{}
					res[q.name] = r
				}
				rows, d, err := get(client, o.common, q.path(rng))
				if err != nil {
					r.errors++
					if r.err == "" {
						r.err = err.Error()
					}
					continue
				}
				r.lat = append(r.lat, d)
				r.rows += rows
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := selfCPU() - cpu0

	byName := map[string]*readResult{}
	byKind := map[string]*readResult{}
	kindOf := map[string]string{}
	var names []string
	for _, q := range qs {
		if _, ok := byName[q.name]; !ok {
			names = append(names, q.name)
			byName[q.name] = &readResult{}
		}
		kindOf[q.name] = q.kind
		if byKind[q.kind] == nil {
			byKind[q.kind] = &readResult{}
		}
	}
	total := 0
	for _, res := range per {
		for name, r := range res {
			for _, agg := range []*readResult{byName[name], byKind[kindOf[name]]} {
				agg.lat = append(agg.lat, r.lat...)
				agg.rows += r.rows
				agg.errors += r.errors
				if agg.err == "" {
					agg.err = r.err
				}
			}
			total += len(r.lat)
		}
	}
	if !verbose {
		return byKind, nil
	}
	fmt.Printf("read: %d clients, %s, %d requests = %.0f/s\n", o.clients, elapsed.Round(time.Millisecond), total, float64(total)/elapsed.Seconds())
	fmt.Printf("  %-34s %7s %8s %8s %8s %8s %9s %6s\n", "query", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "rows/req", "errors")
	line := func(label string, r *readResult) {
		r.lat.sorted()
		rows := 0.0
		if len(r.lat) > 0 {
			rows = float64(r.rows) / float64(len(r.lat))
		}
		fmt.Printf("  %-34s %7d %8s %8s %8s %8s %9.1f %6d\n", label, len(r.lat), ms(r.lat.pct(.5)), ms(r.lat.pct(.95)), ms(r.lat.pct(.99)), ms(r.lat.pct(1)), rows, r.errors)
	}
	for _, kind := range []string{"first-page", "filtered", "search", "get"} {
		if r := byKind[kind]; r != nil {
			line("("+kind+", all)", r)
		}
		for _, name := range names {
			if kindOf[name] == kind && name != kind {
				line("  "+name, byName[name])
			}
		}
	}
	for _, name := range names {
		if r := byName[name]; r.err != "" {
			fmt.Printf("  first error of %s: %s\n", name, r.err)
		}
	}
	fmt.Printf("  load tool CPU: %.1f s (%.0f%% of one core)\n", cpu.Seconds(), 100*cpu.Seconds()/elapsed.Seconds())
	if o.pid > 0 {
		if after, err := readProc(o.pid); err == nil {
			used := after.cpu - before.cpu
			fmt.Printf("  server CPU:    %.1f s (%.0f%% of one core); RSS %s, peak %s\n", used.Seconds(), 100*used.Seconds()/elapsed.Seconds(), mib(after.rssKB), mib(after.hwmKB))
		}
	}
	return byKind, nil
}

// get fetches path and returns how many incidents the response held.
func get(client *http.Client, c common, path string) (int, time.Duration, error) {
	t0 := time.Now()
	req, _ := http.NewRequest("GET", c.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if err != nil {
		return 0, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, strings.TrimSpace(string(body[:min(len(body), 300)])))
	}
	return bytes.Count(body, []byte(`"ref":`)), d, nil
}

type page struct {
	Items []struct {
		Ref        string    `json:"ref"`
		ReportedAt time.Time `json:"reported_at"`
		Owner      string    `json:"owner"`
	} `json:"items"`
}

func getPage(client *http.Client, c common, path string) (*page, error) {
	req, _ := http.NewRequest("GET", c.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, readSome(resp.Body))
	}
	var p page
	return &p, json.NewDecoder(resp.Body).Decode(&p)
}

// buildQueries looks at the stored data (time span, some references and owners) and
// returns the read mix.
func buildQueries(client *http.Client, o readOpts, crp *corpus) ([]query, error) {
	newest, err := getPage(client, o.common, "/api/v1/incidents?limit=1")
	if err != nil {
		return nil, err
	}
	oldest, err := getPage(client, o.common, "/api/v1/incidents?limit=1&sort=reported_at")
	if err != nil {
		return nil, err
	}
	if len(newest.Items) == 0 {
		return nil, fmt.Errorf("the server holds no incidents; seed it first")
	}
	hi, lo := newest.Items[0].ReportedAt, oldest.Items[0].ReportedAt
	span := hi.Sub(lo)
	rng := rand.New(rand.NewPCG(uint64(o.seed), 99))
	at := func(r *rand.Rand) time.Time { return lo.Add(time.Duration(r.Int64N(int64(span) + 1))) }
	// References spread over the whole history, for single GETs.
	var refs []string
	owners := map[string]bool{}
	for k := 0; k < 40; k++ {
		p, err := getPage(client, o.common, "/api/v1/incidents?sort=reported_at&limit=50&reported_after="+url.QueryEscape(at(rng).Format(time.RFC3339Nano)))
		if err != nil {
			return nil, err
		}
		for _, it := range p.Items {
			refs = append(refs, it.Ref)
			if it.Owner != "" {
				owners[it.Owner] = true
			}
		}
	}
	if len(refs) == 0 {
		refs = append(refs, newest.Items[0].Ref)
	}
	var ownerList []string
	for e := range owners {
		ownerList = append(ownerList, e)
	}
	sort.Strings(ownerList)
	common, medium, rare := crp.terms(rng)
	ts := func(t time.Time) string { return url.QueryEscape(t.UTC().Format(time.RFC3339)) }
	fixed := func(kind, name, path string) query {
		return query{kind, name, func(*rand.Rand) string { return path }}
	}
	list := "/api/v1/incidents?"
	qs := []query{
		fixed("first-page", "first-page", list[:len(list)-1]),
		fixed("filtered", "status=triage", list+"status=triage"),
		fixed("filtered", "status=new,triage,investigating", list+"status=new,triage,investigating"),
		fixed("filtered", "class=incident", list+"class=incident"),
		fixed("filtered", "personal_data=yes", list+"personal_data=yes"),
		fixed("filtered", "owner=none", list+"owner=none"),
		fixed("filtered", "reported_after=30d-ago", list+"reported_after="+ts(hi.Add(-30*24*time.Hour))),
		{"filtered", "reported in a random month", func(r *rand.Rand) string {
			from := at(r)
			return list + "reported_after=" + ts(from) + "&reported_before=" + ts(from.Add(30*24*time.Hour))
		}},
		fixed("filtered", "class+personal_data+status", list+"class=incident&personal_data=yes&status=investigating,contained"),
		fixed("filtered", "sort=priority", list+"sort=priority"),
	}
	if len(ownerList) > 0 {
		qs = append(qs, query{"filtered", "owner=<handler>", func(r *rand.Rand) string { return list + "owner=" + url.QueryEscape(pick(r, ownerList)) }})
	}
	search := func(name string, words func(r *rand.Rand) string) query {
		return query{"search", name, func(r *rand.Rand) string { return list + "q=" + url.QueryEscape(words(r)) }}
	}
	qs = append(qs,
		search("q=common word", func(r *rand.Rand) string { return pick(r, common) }),
		search("q=medium word", func(r *rand.Rand) string { return pick(r, medium) }),
		search("q=rare word or host name", func(r *rand.Rand) string { return pick(r, rare) }),
		search("q=common + medium word", func(r *rand.Rand) string { return pick(r, common) + " " + pick(r, medium) }),
		query{"get", "get", func(r *rand.Rand) string { return "/api/v1/incidents/" + pick(r, refs) }},
	)
	return qs, nil
}
