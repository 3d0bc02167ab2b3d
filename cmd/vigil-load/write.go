package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// lifecycles are the status paths a seeded incident may be moved along after creation
// (one PATCH per step; a new incident always starts as "new").
var lifecycles = [][]string{
	{"triage"},
	{"not_an_incident"},
	{"triage", "investigating"},
	{"triage", "resolved"},
	{"triage", "resolved", "closed"},
	{"triage", "investigating", "contained", "resolved", "closed"},
}

type writeStats struct {
	created   latencies
	patched   latencies
	failures  map[string]int // "POST 503", "PATCH 409", "POST transport" ...
	firstErrs []string
}

// runCreate is both create (a timed throughput measurement) and seed (filling a server
// with --count incidents, backdated over --backdate, some moved along their life cycle).
func runCreate(args []string, seed bool) error {
	name := "create"
	if seed {
		name = "seed"
	}
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	var c common
	c.bind(fs, 64)
	duration := fs.Duration("duration", 30*time.Second, "how long to run (ignored with --count)")
	count := fs.Int64("count", 0, "create this many incidents, then stop")
	backdate := fs.Duration("backdate", 0, "spread reported_at at random over this span before now (imported history)")
	progress := fs.Float64("progress", 0, "fraction of new incidents then moved along a status life cycle by PATCH (the token's user needs the handler role)")
	owners := fs.String("owners", "", "comma-separated e-mails of handlers to assign when an incident goes to triage")
	data := fs.String("data", "", "SQLite data directory: report database and WAL sizes afterwards")
	every := fs.Duration("report-every", 0, "print progress this often (seed default 10s)")
	if seed {
		*count = 1_000_000
		*backdate = 3 * 365 * 24 * time.Hour
		*progress = 0.1
		*every = 10 * time.Second
	}
	fs.Parse(args)
	if err := c.check(); err != nil {
		return err
	}
	crp, err := loadCorpus(c.vcdb)
	if err != nil {
		return err
	}
	var ownerList []string
	if *owners != "" {
		ownerList = strings.Split(*owners, ",")
	}
	client := newClient(c.clients)
	var issued, done atomic.Int64
	deadline := time.Now().Add(*duration)
	more := func() bool {
		if *count > 0 {
			return issued.Add(1) <= *count
		}
		return time.Now().Before(deadline)
	}
	var before procStat
	if c.pid > 0 {
		before, _ = readProc(c.pid)
	}
	cpu0 := selfCPU()
	start := time.Now()
	stop := make(chan struct{})
	if *every > 0 {
		go func() {
			t := time.NewTicker(*every)
			defer t.Stop()
			last, lastAt := int64(0), start
			for {
				select {
				case <-stop:
					return
				case now := <-t.C:
					n := done.Load()
					fmt.Fprintf(os.Stderr, "%s %d created, %.0f/s now, %.0f/s overall\n", now.Format("15:04:05"), n,
						float64(n-last)/now.Sub(lastAt).Seconds(), float64(n)/now.Sub(start).Seconds())
					last, lastAt = n, now
				}
			}
		}()
	}
	results := make([]writeStats, c.clients)
	var wg sync.WaitGroup
	for w := 0; w < c.clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c.seed), uint64(w)))
			st := &results[w]
			st.failures = map[string]int{}
			fail := func(what string, code int, detail string) {
				key := what + " " + strconv.Itoa(code)
				if code == 0 {
					key = what + " transport"
				}
				st.failures[key]++
				if len(st.firstErrs) < 3 {
					st.firstErrs = append(st.firstErrs, key+": "+detail)
				}
			}
			for more() {
				body, _ := json.Marshal(crp.incident(rng, time.Now(), *backdate))
				t0 := time.Now()
				req, _ := http.NewRequest("POST", c.url+"/api/v1/incidents", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+c.token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					fail("POST", 0, err.Error())
					continue
				}
				if resp.StatusCode != http.StatusCreated {
					fail("POST", resp.StatusCode, readSome(resp.Body))
					drain(resp)
					continue
				}
				loc, etag := resp.Header.Get("Location"), resp.Header.Get("ETag")
				drain(resp)
				st.created = append(st.created, time.Since(t0))
				done.Add(1)
				if *progress > 0 && rng.Float64() < *progress {
					advance(client, c, rng, loc, etag, ownerList, st, fail)
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	cpu := selfCPU() - cpu0

	var all writeStats
	all.failures = map[string]int{}
	for _, r := range results {
		all.created = append(all.created, r.created...)
		all.patched = append(all.patched, r.patched...)
		for k, v := range r.failures {
			all.failures[k] += v
		}
		all.firstErrs = append(all.firstErrs, r.firstErrs...)
	}
	all.created.sorted()
	all.patched.sorted()
	n := len(all.created)
	fmt.Printf("%s: %d clients, %s elapsed\n", name, c.clients, elapsed.Round(time.Millisecond))
	fmt.Printf("  created (201):   %d  = %.0f incidents/s\n", n, float64(n)/elapsed.Seconds())
	fmt.Printf("  POST latency ms: p50 %s  p95 %s  p99 %s  max %s  mean %s\n",
		ms(all.created.pct(.50)), ms(all.created.pct(.95)), ms(all.created.pct(.99)), ms(all.created.pct(1)), ms(all.created.mean()))
	if len(all.patched) > 0 {
		fmt.Printf("  status PATCHes:  %d  (p50 %s ms, p99 %s ms); all writes %.0f/s\n", len(all.patched),
			ms(all.patched.pct(.50)), ms(all.patched.pct(.99)), float64(n+len(all.patched))/elapsed.Seconds())
	}
	errs := 0
	for k, v := range all.failures {
		fmt.Printf("  errors %-14s %d\n", k+":", v)
		errs += v
	}
	if errs == 0 {
		fmt.Printf("  errors:          0\n")
	}
	for i, e := range all.firstErrs {
		if i == 5 {
			break
		}
		fmt.Printf("    e.g. %s\n", strings.TrimSpace(e))
	}
	fmt.Printf("  load tool CPU:   %.1f s (%.0f%% of one core)\n", cpu.Seconds(), 100*cpu.Seconds()/elapsed.Seconds())
	if c.pid > 0 {
		if after, err := readProc(c.pid); err == nil {
			used := after.cpu - before.cpu
			fmt.Printf("  server CPU:      %.1f s (%.0f%% of one core; %.0f µs per created incident); RSS %s, peak %s\n",
				used.Seconds(), 100*used.Seconds()/elapsed.Seconds(), float64(used.Microseconds())/float64(max(n, 1)), mib(after.rssKB), mib(after.hwmKB))
		}
	}
	if *data != "" {
		db := filepath.Join(*data, "vigil.db")
		fmt.Printf("  SQLite files:    %s %s, -wal %s, -shm %s\n", db, fileSize(db), fileSize(db+"-wal"), fileSize(db+"-shm"))
	}
	return nil
}

// advance moves an incident along a random life cycle, one PATCH per status; the first
// step to triage also assigns an investigating officer when owners are given.
func advance(client *http.Client, c common, rng *rand.Rand, loc, etag string, owners []string, st *writeStats, fail func(string, int, string)) {
	for i, status := range pick(rng, lifecycles) {
		doc := map[string]any{"status": status}
		if i == 0 && status == "triage" && len(owners) > 0 {
			doc["owner"] = pick(rng, owners)
		}
		body, _ := json.Marshal(doc)
		t0 := time.Now()
		req, _ := http.NewRequest("PATCH", c.url+loc, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("If-Match", etag)
		resp, err := client.Do(req)
		if err != nil {
			fail("PATCH", 0, err.Error())
			return
		}
		if resp.StatusCode != http.StatusOK {
			fail("PATCH", resp.StatusCode, readSome(resp.Body))
			drain(resp)
			return
		}
		etag = resp.Header.Get("ETag")
		drain(resp)
		st.patched = append(st.patched, time.Since(t0))
	}
}
