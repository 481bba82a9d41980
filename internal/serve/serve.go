// Package serve is the interactive teaching demo of 'sgdsde serve': one
// page, embedded in the binary, and a small JSON API that solves the
// Fokker–Planck equation of a 2-D model on a grid and moves a cloud of
// Euler–Maruyama particles, so that a slider move redraws f, Phi, the
// streamlines of the force j, its orbits and the particles.
//
// The API (all bodies JSON; errors are {"error": "one line"}):
//
//	GET  /                the page (no external resources: works offline)
//	GET  /api/models      the built-in landscapes, the limits and the defaults
//	POST /api/solve       steady state of a model at a temperature on a grid:
//	                      f and Phi, shared contour levels, streamlines of j,
//	                      orbits of x' = j(x), diagnostics (Pi, L, minima),
//	                      an initial particle cloud drawn from rho, timings,
//	                      and the solver's evidence (converged, relative
//	                      residual); a solve that does not converge is
//	                      answered 422 with the solver's line, never 200
//	POST /api/particles   advance a particle cloud by an Euler–Maruyama run
//	POST /api/escape      which minimum SGD ends up in and how long it
//	                      stays: the basins of Phi of the steady state with
//	                      their occupations and the barriers in Phi and f
//	                      out of each, and the mean first-passage time
//	                      tau(x) from the basin of a clicked point to the
//	                      other basins (or to a chosen one), on the grid of
//	                      /api/solve; a start outside the box, a basin that
//	                      does not exist, a target the process cannot
//	                      reach are one line each (400)
//
// Safety: the server never writes files. Request bodies, grid sizes,
// particle counts, formula lengths and every number are bounded (Limits); at
// most Config.MaxConcurrent computations run at once and each has a
// deadline; a newer request of the same client and kind cancels the
// computation of an older one. On a loopback address only requests whose
// Host header names the loopback are served (against DNS rebinding), and
// POST bodies must be application/json (against cross-site form posts).
package serve

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sgdsde/sgdsde/potentials"
)

//go:embed static/index.html
var static embed.FS

// Config configures a Server. The zero value works: DefaultLimits, two
// concurrent computations and a 20 s deadline.
type Config struct {
	// Limits bound the requests; zero fields take DefaultLimits' values.
	Limits Limits
	// MaxConcurrent is the number of computations that may run at once; 0
	// means 2. A request waits for a slot until its deadline.
	MaxConcurrent int
	// Timeout is the deadline of one computation, waiting included; 0
	// means 20 s.
	Timeout time.Duration
	// LoopbackOnly makes the server answer only requests whose Host is a
	// loopback name or address (localhost, 127.0.0.1, [::1]).
	LoopbackOnly bool
	// Log, if not nil, receives one line per computation that failed on
	// valid input (not for bad input, which only its client sees).
	Log *log.Logger
	// Tol is the relative residual ||L p||_1 / sum_i |L_ii| p_i a steady
	// state must reach; 0 means fokkerplanck's default, 1e-10. A solve
	// that does not reach it is answered 422 with its one-line error.
	Tol float64
}

// Server is the HTTP handler of the demo.
type Server struct {
	cfg  Config
	lim  Limits
	sem  chan struct{}
	page []byte
	csp  string // Content-Security-Policy of the page
	mux  *http.ServeMux

	mu      sync.Mutex
	running map[string]*runningCall
	lastSeq map[string]uint64 // largest Seq seen per client and kind
}

// runningCall is the latest computation of a client and kind.
type runningCall struct {
	seq    uint64
	cancel context.CancelCauseFunc
}

// maxClients bounds the memory of lastSeq: when more clients than this have
// been seen, it is cleared.
const maxClients = 10_000

// errSuperseded is the cause given to a computation cancelled by a newer
// request of the same client.
var errSuperseded = errors.New("superseded by a newer request")

// New returns a Server.
func New(cfg Config) *Server {
	lim, def := cfg.Limits, DefaultLimits
	orDefault(&lim.GridMin, def.GridMin)
	orDefault(&lim.GridMax, def.GridMax)
	orDefault(&lim.ParticlesMax, def.ParticlesMax)
	orDefault(&lim.FormulaMax, def.FormulaMax)
	orDefault(&lim.TemperatureMin, def.TemperatureMin)
	orDefault(&lim.TemperatureMax, def.TemperatureMax)
	orDefault(&lim.RatioMax, def.RatioMax)
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 2
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	page, err := static.ReadFile("static/index.html")
	if err != nil {
		panic("serve: the embedded page is missing: " + err.Error())
	}
	s := &Server{cfg: cfg, lim: lim, sem: make(chan struct{}, cfg.MaxConcurrent), page: page, csp: pagePolicy(page),
		running: map[string]*runningCall{}, lastSeq: map[string]uint64{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.handlePage)
	mux.HandleFunc("GET /api/models", s.handleModels)
	mux.HandleFunc("POST /api/solve", s.handleSolve)
	mux.HandleFunc("POST /api/particles", s.handleParticles)
	mux.HandleFunc("POST /api/escape", s.handleEscape)
	s.mux = mux
	return s
}

// orDefault sets a zero *v to def.
func orDefault[T int | float64](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}

// Limits returns the limits in force.
func (s *Server) Limits() Limits { return s.lim }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.LoopbackOnly && !loopbackHost(r.Host) {
		writeError(w, http.StatusForbidden, fmt.Errorf("host %q refused: this server answers on the loopback only", r.Host))
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

// loopbackHost reports whether a Host header names the loopback.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", s.csp)
	h.Set("Referrer-Policy", "no-referrer")
	w.Write(s.page)
}

// pagePolicy returns the Content-Security-Policy of the page: nothing may
// load but the page's own inline script and style, named by their SHA-256
// hashes (so an injected script would not run), and the API on the same
// origin.
func pagePolicy(page []byte) string {
	hash := func(open, close string) string {
		text := string(page)
		i := strings.Index(text, open)
		if i < 0 {
			return "'none'"
		}
		text = text[i+len(open):]
		j := strings.Index(text, close)
		if j < 0 {
			return "'none'"
		}
		sum := sha256.Sum256([]byte(text[:j]))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	return "default-src 'none'; script-src " + hash("<script>", "</script>") +
		"; style-src " + hash("<style>", "</style>") +
		"; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// landscapeJSON describes a built-in landscape for the model picker.
type landscapeJSON struct {
	Name              string             `json:"name"`
	Summary           string             `json:"summary"`
	Formula           string             `json:"formula"`
	Params            []potentials.Param `json:"params"`
	ConstantDiffusion bool               `json:"constant_diffusion"`
	Box               floats             `json:"box"`
}

// modelsResponse is the body of GET /api/models.
type modelsResponse struct {
	Landscapes []landscapeJSON `json:"landscapes"`
	Limits     Limits          `json:"limits"`
	Defaults   defaultsJSON    `json:"defaults"`
}

// defaultsJSON are the page's initial settings.
type defaultsJSON struct {
	Landscape   string  `json:"landscape"`
	Temperature float64 `json:"temperature"`
	Grid        int     `json:"grid"`
	Particles   int     `json:"particles"`
}

// Page defaults: the double well with state-dependent D, whose Phi moves
// with T, on the grid the live redraw is sized for.
const (
	defaultLandscape   = "double-well"
	defaultTemperature = 0.5
	defaultGrid        = 128
	defaultParticles   = 300
)

func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) {
	res := modelsResponse{Limits: s.lim, Defaults: defaultsJSON{
		Landscape: defaultLandscape, Temperature: defaultTemperature,
		Grid: min(defaultGrid, s.lim.GridMax), Particles: min(defaultParticles, s.lim.ParticlesMax)}}
	for _, l := range potentials.Landscapes() {
		m, err := potentials.New(l.Name, nil)
		if err != nil || m.Dim != 2 {
			continue
		}
		res.Landscapes = append(res.Landscapes, landscapeJSON{
			Name: l.Name, Summary: l.Summary, Formula: l.Formula, Params: l.Params,
			ConstantDiffusion: hasConstantDiffusion(l),
			Box:               floats{m.Box.Min[0], m.Box.Max[0], m.Box.Min[1], m.Box.Max[1]},
		})
	}
	writeJSON(w, http.StatusOK, res)
}

// decode reads a JSON request body of at most maxBodyBytes into v; unknown
// fields are errors.
func decode(w http.ResponseWriter, r *http.Request, v any) (int, error) {
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if !strings.EqualFold(strings.TrimSpace(ct), "application/json") {
		return http.StatusUnsupportedMediaType, errors.New("the body must be JSON (Content-Type: application/json)")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return http.StatusRequestEntityTooLarge, fmt.Errorf("request body larger than %d bytes", maxBodyBytes)
		}
		return http.StatusBadRequest, fmt.Errorf("bad JSON body: %v", err)
	}
	if dec.More() {
		return http.StatusBadRequest, errors.New("bad JSON body: more than one value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return http.StatusBadRequest, errors.New("bad JSON body: trailing data")
	}
	return 0, nil
}

func (s *Server) handleSolve(w http.ResponseWriter, r *http.Request) {
	var req solveRequest
	if code, err := decode(w, r, &req); err != nil {
		writeError(w, code, err)
		return
	}
	if req.Grid == 0 {
		req.Grid = min(defaultGrid, s.lim.GridMax)
	}
	if req.Grid < s.lim.GridMin || req.Grid > s.lim.GridMax {
		writeError(w, http.StatusBadRequest, fmt.Errorf("grid %d: want %d to %d nodes along the longer side", req.Grid, s.lim.GridMin, s.lim.GridMax))
		return
	}
	if req.Particles < 0 || req.Particles > s.lim.ParticlesMax {
		writeError(w, http.StatusBadRequest, fmt.Errorf("particles %d: want 0 to %d", req.Particles, s.lim.ParticlesMax))
		return
	}
	if req.Seed == 0 {
		req.Seed = defaultSeed
	}
	m, err := req.build(s.lim)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	s.compute(w, r, "solve", req.Client, req.Seq, func(ctx context.Context) (any, error) {
		return solve(ctx, &req, m, s.cfg.Tol)
	})
}

func (s *Server) handleParticles(w http.ResponseWriter, r *http.Request) {
	var req particlesRequest
	if code, err := decode(w, r, &req); err != nil {
		writeError(w, code, err)
		return
	}
	if req.Frames == 0 {
		req.Frames = defaultFrame
	}
	if req.Steps == 0 {
		req.Steps = defaultSteps
	}
	if req.Seed == 0 {
		req.Seed = defaultSeed
	}
	n := len(req.Positions) / 2
	var err error
	switch {
	case len(req.Positions)%2 != 0:
		err = fmt.Errorf("positions: %d numbers, want x, y pairs", len(req.Positions))
	case n > s.lim.ParticlesMax:
		err = fmt.Errorf("%d particles: at most %d", n, s.lim.ParticlesMax)
	case req.Frames < 1 || req.Frames > maxFrames:
		err = fmt.Errorf("frames %d: want 1 to %d", req.Frames, maxFrames)
	case req.Steps < 1 || req.Steps > maxSteps:
		err = fmt.Errorf("steps %d: want 1 to %d per frame", req.Steps, maxSteps)
	case !(req.Dt > 0) || req.Dt > maxDt:
		err = fmt.Errorf("dt %g: want 0 < dt <= %g", req.Dt, maxDt)
	case n*req.Frames*req.Steps > maxWork:
		err = fmt.Errorf("particles x frames x steps = %d: at most %d per request", n*req.Frames*req.Steps, maxWork)
	}
	if err == nil {
		for _, v := range req.Positions {
			if !finite(v) {
				err = errors.New("positions must be finite")
				break
			}
		}
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	m, err := req.build(s.lim)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	s.compute(w, r, "particles", req.Client, req.Seq, func(ctx context.Context) (any, error) {
		return particles(ctx, &req, m)
	})
}

// compute runs work under the concurrency cap and the deadline, as the
// latest computation of (client, kind): it cancels an older one still
// running and is cancelled by a newer one. Newer means later in Seq when
// the client numbers its requests, else later to arrive. It writes the
// result or the error.
func (s *Server) compute(w http.ResponseWriter, r *http.Request, kind, client string, seq uint64, work func(context.Context) (any, error)) {
	ctx, cancelTimeout := context.WithTimeoutCause(r.Context(), s.cfg.Timeout, fmt.Errorf("took longer than %v", s.cfg.Timeout))
	defer cancelTimeout()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if client != "" {
		key := kind + "\x00" + client
		me := &runningCall{seq: seq, cancel: cancel}
		s.mu.Lock()
		if seq != 0 && seq < s.lastSeq[key] {
			s.mu.Unlock()
			writeError(w, http.StatusConflict, errSuperseded)
			return
		}
		if seq != 0 {
			if len(s.lastSeq) >= maxClients {
				clear(s.lastSeq)
			}
			s.lastSeq[key] = seq
		}
		if old := s.running[key]; old != nil {
			old.cancel(errSuperseded)
		}
		s.running[key] = me
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			if s.running[key] == me {
				delete(s.running, key)
			}
			s.mu.Unlock()
		}()
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		if errors.Is(context.Cause(ctx), errSuperseded) || r.Context().Err() != nil {
			s.fail(w, ctx, kind, ctx.Err())
		} else {
			writeError(w, http.StatusServiceUnavailable, fmt.Errorf("server busy: all %d computation slots stayed taken (%v)", cap(s.sem), context.Cause(ctx)))
		}
		return
	}
	res, err := work(ctx)
	<-s.sem
	if err != nil {
		s.fail(w, ctx, kind, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// fail writes the error of a computation with the status it deserves.
func (s *Server) fail(w http.ResponseWriter, ctx context.Context, kind string, err error) {
	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, errSuperseded):
		writeError(w, http.StatusConflict, errSuperseded)
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, fmt.Errorf("%s: %v", kind, cause))
	case ctx.Err() != nil:
		// The client went away: nobody reads the answer.
		writeError(w, 499, fmt.Errorf("%s: cancelled", kind))
	default:
		code := http.StatusBadRequest
		var se errSolve
		if errors.As(err, &se) {
			// The input was valid but the computation failed: worth a line
			// in the server's log, unlike bad input.
			code = http.StatusUnprocessableEntity
			if s.cfg.Log != nil {
				s.cfg.Log.Printf("%s: %v", kind, err)
			}
		}
		writeError(w, code, fmt.Errorf("%s: %v", kind, err))
	}
}

// writeJSON writes v as the JSON body with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, fmt.Errorf("encoding the answer: %v", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(b)
}

// writeError writes {"error": err} with status code; the message is one
// line.
func writeError(w http.ResponseWriter, code int, err error) {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(b)
}
