package main

import (
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// runQueue measures the web triage queue as a signed-in handler sees it: latency of the
// server-rendered page, and the page weight (compressed bytes of the page and every asset it
// loads), flagging any request that would leave the server's origin.
func runQueue(args []string) error {
	fs := flag.NewFlagSet("queue", flag.ExitOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of the Vigil server (127.0.0.1 only)")
	email := fs.String("email", "", "a handler's e-mail address")
	password := fs.String("password", "", "their password")
	clients := fs.Int("clients", 1, "concurrent clients")
	duration := fs.Duration("duration", 15*time.Second, "how long to run")
	fs.Parse(args)
	u, err := url.Parse(*base)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") {
		return errors.New("--url must be on 127.0.0.1")
	}
	jar, _ := cookiejar.New(nil)
	// Compression is asked for explicitly so the transport leaves it alone and the
	// transferred bytes can be counted.
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *clients, DisableCompression: true}}
	res, err := client.PostForm(*base+"/signin", url.Values{"email": {*email}, "password": {*password}})
	if err != nil {
		return err
	}
	drain(res)
	if res.Request.URL.Path != "/queue" {
		return fmt.Errorf("sign-in did not reach the queue (ended at %s): check --email and --password", res.Request.URL.Path)
	}
	fetch := func(path string) (body string, wire int, err error) {
		req, _ := http.NewRequest("GET", *base+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := client.Do(req)
		if err != nil {
			return "", 0, err
		}
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		if err != nil {
			return "", 0, err
		}
		if res.StatusCode != 200 {
			return "", 0, fmt.Errorf("%s: status %d", path, res.StatusCode)
		}
		text := raw
		if res.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(strings.NewReader(string(raw)))
			if err != nil {
				return "", 0, err
			}
			if text, err = io.ReadAll(zr); err != nil {
				return "", 0, err
			}
		}
		return string(text), len(raw), nil
	}

	// Page weight: the page plus what it links for rendering (stylesheets, scripts, images).
	html, weight, err := fetch("/queue")
	if err != nil {
		return err
	}
	assets := regexp.MustCompile(`(?:<link[^>]+href|<script[^>]+src|<img[^>]+src)="([^"]+)"`).FindAllStringSubmatch(html, -1)
	fmt.Printf("queue page: %d bytes on the wire (%d uncompressed)\n", weight, len(html))
	for _, a := range assets {
		ref := a[1]
		if strings.HasPrefix(ref, "http") || strings.HasPrefix(ref, "//") {
			fmt.Printf("  THIRD-PARTY request: %s\n", ref)
			continue
		}
		_, n, err := fetch(ref)
		if err != nil {
			return err
		}
		fmt.Printf("  asset %s: %d bytes on the wire\n", ref, n)
		weight += n
	}
	fmt.Printf("page weight: %d bytes (%.1f kB) compressed, %d assets\n", weight, float64(weight)/1000, len(assets))

	var mu sync.Mutex
	var lat latencies
	errs := 0
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				t0 := time.Now()
				_, _, err := fetch("/queue")
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					errs++
				} else {
					lat = append(lat, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	lat = lat.sorted()
	fmt.Printf("queue: %d clients, %d pages, p50 %s p95 %s p99 %s max %s ms, errors %d\n", *clients, len(lat),
		ms(lat.pct(0.50)), ms(lat.pct(0.95)), ms(lat.pct(0.99)), ms(lat.pct(1)), errs)
	return nil
}
