package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServeBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"addr without port", []string{"--addr", "127.0.0.1"}, "--addr"},
		{"grid too large", []string{"--max-grid", "5000"}, "--max-grid"},
		{"particles negative", []string{"--max-particles", "-1"}, "--max-particles"},
		{"formula zero", []string{"--max-formula", "0"}, "--max-formula"},
		{"concurrency zero", []string{"--max-concurrent", "0"}, "--max-concurrent"},
		{"timeout short", []string{"--timeout", "1ms"}, "--timeout"},
		{"argument", []string{"extra"}, "extra"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := sgdsde(t, append([]string{"serve"}, c.args...)...)
			if lines := r.stderrLines(); r.code != 2 || len(lines) != 1 || !strings.Contains(lines[0], c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and one line naming %s", r.code, r.stderr, c.want)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader in different
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServe starts 'sgdsde serve' on a free loopback port, fetches the page
// and a solve, then stops it as Ctrl-C would.
func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int)
	go func() { done <- runContext(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, &out, &errb) }()
	re := regexp.MustCompile(`open (http://127\.0\.0\.1:\d+/)`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == ""; time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no address printed: stdout %q stderr %q", out.String(), errb.String())
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte("phi-canvas")) {
		t.Errorf("GET %s: %d, %d bytes", url, resp.StatusCode, len(page))
	}
	resp, err = http.Post(url+"api/solve", "application/json", strings.NewReader(`{"landscape":"gyrator","temperature":0.5,"grid":48}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"entropy_production"`)) {
		t.Errorf("solve: %d %.200s", resp.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(out.String(), "stopped") || errb.String() != "" {
			t.Errorf("after Ctrl-C: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// serveBriefly runs 'sgdsde ARGS' (a serve command line), waits until it
// prints its address, stops it as Ctrl-C would, and returns its exit code
// and output.
func serveBriefly(t *testing.T, args []string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int)
	go func() { done <- runContext(ctx, args, &out, &errb) }()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "open http://"); time.Sleep(5 * time.Millisecond) {
		select {
		case code := <-done:
			return code, out.String(), errb.String()
		default:
		}
		if time.Now().After(deadline) {
			break
		}
	}
	cancel()
	return <-done, out.String(), errb.String()
}
