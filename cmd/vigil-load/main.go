// Command vigil-load measures a running Vigil server through its HTTP API: durable
// incident creation under concurrency (create, seed), list/search/read latency (read),
// and cold start and resident memory of the binary (startup). It uses only the standard
// library; incident text is generated at run time from the VERIS Community Database
// summaries (see corpus.go), so no third-party text is stored in the repository.
//
// Usage:
//
//	vigil-load create  --url URL --token T [--clients 64] [--duration 30s | --count N]
//	vigil-load seed    --url URL --token T --count 1000000 [--clients 64] [--data DIR]
//	vigil-load read    --url URL --token T [--clients 4] [--duration 30s]
//	vigil-load startup --bin PATH --data DIR [--database URL] [--token T]
//
// docs/PERFORMANCE.md records how it was run and what it measured.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "create":
		err = runCreate(os.Args[2:], false)
	case "seed":
		err = runCreate(os.Args[2:], true)
	case "read":
		err = runRead(os.Args[2:])
	case "startup":
		err = runStartup(os.Args[2:])
	case "queue":
		err = runQueue(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vigil-load:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: vigil-load create|seed|read|startup|queue [flags]   (vigil-load CMD -h for flags)`)
	os.Exit(2)
}

// common holds the flags every load subcommand takes.
type common struct {
	url     string
	token   string
	clients int
	vcdb    string
	pid     int
	seed    int64
}

func (c *common) bind(fs *flag.FlagSet, clients int) {
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080", "base URL of the Vigil server (127.0.0.1 only)")
	fs.StringVar(&c.token, "token", os.Getenv("VIGIL_TOKEN"), "API token (env VIGIL_TOKEN)")
	fs.IntVar(&c.clients, "clients", clients, "concurrent clients")
	fs.StringVar(&c.vcdb, "vcdb", "/work/shared/datasets/vcdb/vcdb.json.zip", "VERIS Community Database zip to derive text from (built-in words if missing)")
	fs.IntVar(&c.pid, "pid", 0, "server process id: report its CPU time and resident memory for the run")
	fs.Int64Var(&c.seed, "seed", 1, "random seed")
}

func (c *common) check() error {
	if c.token == "" {
		return fmt.Errorf("--token is required")
	}
	if !strings.HasPrefix(c.url, "http://127.0.0.1:") && !strings.HasPrefix(c.url, "http://localhost:") {
		return fmt.Errorf("--url must be a local server (http://127.0.0.1:PORT)")
	}
	if c.clients < 1 {
		return fmt.Errorf("--clients must be at least 1")
	}
	c.url = strings.TrimRight(c.url, "/")
	return nil
}

// newClient returns an HTTP client that keeps one connection per load client.
func newClient(clients int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        clients * 2,
			MaxIdleConnsPerHost: clients * 2,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
	}
}

// drain reads and discards a response body so the connection is reused.
func drain(r *http.Response) {
	_, _ = io.Copy(io.Discard, r.Body)
	r.Body.Close()
}

// latencies summarises a set of request durations.
type latencies []time.Duration

func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	i := int(p*float64(len(l)) + 0.5)
	if i >= len(l) {
		i = len(l) - 1
	}
	if i > 0 {
		i-- // nearest-rank: the p-th percentile is the ceil(p*n)-th smallest value
	}
	return l[i]
}

func (l latencies) sorted() latencies {
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l
}

func (l latencies) mean() time.Duration {
	if len(l) == 0 {
		return 0
	}
	var t time.Duration
	for _, d := range l {
		t += d
	}
	return t / time.Duration(len(l))
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
}

// procStat is a process's CPU time and memory, from /proc.
type procStat struct {
	cpu   time.Duration
	rssKB int64
	hwmKB int64
}

func readProc(pid int) (procStat, error) {
	var ps procStat
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ps, err
	}
	// Fields after the command name (which may contain spaces): state is field 3.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return ps, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	ps.cpu = time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ is 100 on Linux
	b, err = os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ps, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			ps.rssKB = n
		case "VmHWM":
			ps.hwmKB = n
		}
	}
	return ps, nil
}

// selfCPU is this process's own CPU time, so reports can show the load generator's share.
func selfCPU() time.Duration {
	ps, err := readProc(os.Getpid())
	if err != nil {
		return 0
	}
	return ps.cpu
}

func mib(kb int64) string { return strconv.FormatFloat(float64(kb)/1024, 'f', 1, 64) + " MiB" }

func fileSize(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "absent"
	}
	return strconv.FormatFloat(float64(fi.Size())/(1<<20), 'f', 1, 64) + " MiB"
}
