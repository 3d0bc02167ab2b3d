package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func runStartup(args []string) error {
	fs := flag.NewFlagSet("startup", flag.ExitOnError)
	var o readOpts
	o.bind(fs, 4)
	bin := fs.String("bin", "", "path of the vigil binary")
	data := fs.String("data", "", "data directory (--data of vigil serve)")
	database := fs.String("database", "", "postgres:// URL (--database of vigil serve)")
	runs := fs.Int("runs", 7, "how many starts to time")
	idle := fs.Duration("idle", 5*time.Second, "how long to leave the server idle before reading its memory")
	fs.DurationVar(&o.duration, "load", 20*time.Second, "read load between the two memory readings (needs --token)")
	dropCaches := fs.Bool("drop-caches", false, "drop the kernel page cache before each start (root; truly cold file reads)")
	fs.Parse(args)
	if *bin == "" || *data == "" {
		return fmt.Errorf("--bin and --data are required")
	}
	var times, firsts latencies
	for i := 1; i <= *runs; i++ {
		if *dropCaches {
			syscall.Sync()
			if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0o200); err != nil {
				return fmt.Errorf("dropping caches: %w", err)
			}
		}
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		cmdArgs := []string{"serve", "--addr", addr, "--data", *data, "--log-level", "warn"}
		if *database != "" {
			cmdArgs = append(cmdArgs, "--database", *database)
		}
		cmd := exec.Command(*bin, cmdArgs...)
		cmd.Stderr = os.Stderr
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		ready, err := waitReady("http://"+addr+"/readyz", t0.Add(30*time.Second))
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return err
		}
		d := ready.Sub(t0)
		times = append(times, d)
		o.url = "http://" + addr
		first := ""
		if o.token != "" {
			if _, fd, err := get(newClient(1), o.common, "/api/v1/incidents"); err == nil {
				firsts = append(firsts, fd)
				first = fmt.Sprintf(", then first page in %s ms", ms(fd))
			}
		}
		fmt.Printf("start %d: ready in %s ms%s\n", i, ms(d), first)
		if i == *runs {
			if err := memory(cmd.Process.Pid, *idle, o); err != nil {
				fmt.Fprintln(os.Stderr, "memory:", err)
			}
		}
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("vigil serve exited: %w", err)
		}
	}
	times.sorted()
	fmt.Printf("startup to ready over %d starts: median %s ms, max %s ms\n", len(times), ms(times.pct(.5)), ms(times.pct(1)))
	if len(firsts) > 0 {
		firsts.sorted()
		fmt.Printf("first list page after start: median %s ms, max %s ms\n", ms(firsts.pct(.5)), ms(firsts.pct(1)))
	}
	return nil
}

// memory reports the server's resident memory idle, after a read load, and idle again.
func memory(pid int, idle time.Duration, o readOpts) error {
	time.Sleep(idle)
	ps, err := readProc(pid)
	if err != nil {
		return err
	}
	fmt.Printf("idle %s after start: VmRSS %s\n", idle, mib(ps.rssKB))
	if o.token == "" || o.duration <= 0 {
		return nil
	}
	o.pid = pid
	byKind, err := readLoad(o, false)
	if err != nil {
		return err
	}
	n := 0
	for _, r := range byKind {
		n += len(r.lat)
	}
	ps, _ = readProc(pid)
	fmt.Printf("after %s of read load (%d requests, %d clients): VmRSS %s, peak VmHWM %s\n", o.duration, n, o.clients, mib(ps.rssKB), mib(ps.hwmKB))
	time.Sleep(idle)
	ps, _ = readProc(pid)
	fmt.Printf("idle %s after the load: VmRSS %s\n", idle, mib(ps.rssKB))
	return nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady polls url every millisecond until it answers 200.
func waitReady(url string, deadline time.Time) (time.Time, error) {
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for time.Now().Before(deadline) {
		resp, err := c.Get(url)
		if err == nil {
			drain(resp)
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("%s did not answer 200 within 30 s", url)
}
