package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/internal/serve"
)

// newServeCmd builds 'sgdsde serve'.
func newServeCmd(a *app) *cobra.Command {
	var (
		addr    string
		cfg     serve.Config
		timeout time.Duration
		lim     = serve.DefaultLimits
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Interactive teaching demo in the browser: move a slider, watch Phi and the current change",
		Long: `Serve one page (embedded in the binary: no network, works offline) on which a teacher picks a
model - a built-in landscape or formulas - and moves sliders for the temperature T = lr / (2 batch),
the anisotropy ratio and angle of a constant D, lambda of paper-fig4 and the grid size. The page
shows f and Phi side by side (heat maps with contours on one colour scale), streamlines of the
force j = J / rho, its orbits, a live cloud of Euler-Maruyama particles moving over Phi, and the
diagnostics: entropy production Pi, angular momentum L, max |Phi - f| and the minima of f and Phi.
Its escape view shows which minimum SGD ends up in and how long it stays: the mean first-passage
time tau(x) from the basin of a clicked point to the other basins of Phi, and each basin's steady
occupation with its barrier in Phi and in f (the example: the sharp-flat landscape).

Every slider move solves the Fokker-Planck equation afresh (about 0.1 s on a 128^2 grid); a newer
request cancels the computation of an older one. The server writes no files. It listens on the
loopback unless --addr names another interface, and then prints a warning: anyone who can reach
the address can use the CPU, within the bounds below.`,
		Example: `  sgdsde serve                      # then open http://127.0.0.1:8080/
  sgdsde serve --addr 127.0.0.1:9000 --max-grid 512`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if lim.GridMax < lim.GridMin || lim.GridMax > 1024 {
				return usageErrorf("--max-grid %d: want %d to 1024", lim.GridMax, lim.GridMin)
			}
			if lim.ParticlesMax < 0 || lim.ParticlesMax > 100_000 {
				return usageErrorf("--max-particles %d: want 0 to 100000", lim.ParticlesMax)
			}
			if lim.FormulaMax < 1 || lim.FormulaMax > 10_000 {
				return usageErrorf("--max-formula %d: want 1 to 10000 bytes", lim.FormulaMax)
			}
			if cfg.MaxConcurrent < 1 || cfg.MaxConcurrent > 64 {
				return usageErrorf("--max-concurrent %d: want 1 to 64", cfg.MaxConcurrent)
			}
			if timeout < 100*time.Millisecond || timeout > time.Hour {
				return usageErrorf("--timeout %v: want 100ms to 1h", timeout)
			}
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return usageErrorf("--addr %q: want host:port, e.g. 127.0.0.1:8080 (%v)", addr, err)
			}
			loopback := host == "localhost" || (net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback())
			cfg.Limits, cfg.Timeout, cfg.LoopbackOnly = lim, timeout, loopback
			cfg.Log = log.New(a.stderr, "sgdsde serve: ", log.LstdFlags)
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return failureErrorf("listen on %s: %v", addr, err)
			}
			if !loopback {
				a.warnf("--addr %s is not a loopback address: anyone who can reach it can run computations", addr)
			}
			return runServer(cmd.Context(), a, ln, serve.New(cfg), timeout)
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&addr, "addr", "127.0.0.1:8080", "`host:port` to listen on; the default answers only this machine (port 0 picks a free port)")
	fs.IntVar(&lim.GridMax, "max-grid", lim.GridMax, "largest grid a request may ask for, in `nodes` along the longer side of the box")
	fs.IntVar(&lim.ParticlesMax, "max-particles", lim.ParticlesMax, "largest particle cloud a request may ask for")
	fs.IntVar(&lim.FormulaMax, "max-formula", lim.FormulaMax, "longest formula a request may give, in `bytes`")
	fs.IntVar(&cfg.MaxConcurrent, "max-concurrent", 2, "computations that may run at once; later requests wait for a slot until their deadline")
	fs.DurationVar(&timeout, "timeout", 20*time.Second, "deadline of one computation, waiting for a slot included")
	return cmd
}

// runServer serves h on ln until ctx is cancelled (Ctrl-C), then shuts down
// within a few seconds.
func runServer(ctx context.Context, a *app, ln net.Listener, h http.Handler, timeout time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      timeout + 10*time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          log.New(a.stderr, "sgdsde serve: ", log.LstdFlags),
	}
	fmt.Fprintf(a.stdout, "sgdsde serve: open http://%s/ in a browser (Ctrl-C stops)\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return failureErrorf("serve: %v", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return failureErrorf("shutdown: %v", err)
	}
	fmt.Fprintln(a.stdout, "sgdsde serve: stopped")
	return nil
}
