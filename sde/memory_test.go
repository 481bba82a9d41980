package sde

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// TestEnsembleMemoryEstimate checks the bytes of small ensembles against the
// arrays Run allocates, and that sizes no array can hold are an error that
// wraps ErrTooLarge, names the sizes and no command-line flag.
func TestEnsembleMemoryEstimate(t *testing.T) {
	for _, tc := range []struct {
		name       string
		e          Ensemble
		d, steps   int
		want       int64
		tooLarge   bool
		errContain string
	}{
		{
			name: "small", e: Ensemble{N: 10, Workers: 1, Record: 2, Every: 5}, d: 2, steps: 100,
			// 10 x (d + d + d^2 + 1 + 1) x 8 + 10 status bytes + 2 x 20 x 2 x 8 recorded
			// + one worker's 5 d + 3 d^2 values.
			want: 10*(2+2+4+1+1)*8 + 10 + 2*20*2*8 + (5*2+3*4)*8,
		},
		{name: "no record", e: Ensemble{N: 3, Workers: 2}, d: 1, steps: 7, want: 3*(1+1+1+1+1)*8 + 3 + 2*(5+3)*8},
		{name: "huge N", e: Ensemble{N: 1 << 45, Workers: 1}, d: 2, steps: 10, tooLarge: true, errContain: "final states of 35184372088832 x 2 values"},
		{name: "N beyond int64 products", e: Ensemble{N: math.MaxInt, Workers: 1}, d: 3, steps: 10, tooLarge: true, errContain: "9223372036854775807 x 3"},
		{name: "huge record", e: Ensemble{N: 1 << 30, Record: 1 << 30, Every: 1, Workers: 1}, d: 2, steps: 1 << 30, tooLarge: true, errContain: "recorded trajectories of 1073741824 x 1073741824 x 2"},
		{name: "record beyond N", e: Ensemble{N: 2, Record: 3}, d: 2, steps: 10, errContain: "cannot record 3 of 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.e.MemoryEstimate(tc.d, tc.steps)
			if tc.errContain == "" {
				if err != nil || got != tc.want {
					t.Fatalf("MemoryEstimate = %d, %v; want %d", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.errContain) {
				t.Fatalf("error %v, want one containing %q", err, tc.errContain)
			}
			if errors.Is(err, ErrTooLarge) != tc.tooLarge {
				t.Errorf("errors.Is(%v, ErrTooLarge) = %v, want %v", err, !tc.tooLarge, tc.tooLarge)
			}
			if strings.Contains(err.Error(), "--") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q names a flag or spans lines", err)
			}
		})
	}
}

// TestSGDMemoryEstimate checks the bytes of a small SGD run and the errors
// for sizes no array can hold.
func TestSGDMemoryEstimate(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		r                      SGDRun
		d, samples, batch, stp int
		want                   int64
		errContain             string
	}{
		{
			name: "small", r: SGDRun{N: 4, Workers: 1, Record: 1, Every: 2}, d: 2, samples: 10, batch: 3, stp: 6,
			// chains: 4 x (2 d + 1) x 8 + 4 status; 4 groups (of 1 chain) x (d + 1 + d^2);
			// 1 x 3 x d recorded; result 6 d + d^2; one worker: 9 d + 2 d^2 + batch + samples.
			want: 4*(2+2+1)*8 + 4 + 4*(3+4)*8 + 3*2*8 + (12+4)*8 + (18+8+3+10)*8,
		},
		{name: "huge N", r: SGDRun{N: 100000000000, Workers: 1}, d: 1002, samples: 1000, batch: 32, stp: 10, errContain: "final states of 100000000000 x 1002 values"},
		{name: "huge d", r: SGDRun{N: 20, Workers: 1}, d: 1 << 50, samples: 1000, batch: 32, stp: 10, errContain: "final states of 20 x 1125899906842624 values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.r.MemoryEstimate(tc.d, tc.samples, tc.batch, tc.stp)
			if tc.errContain == "" {
				if err != nil || got != tc.want {
					t.Fatalf("MemoryEstimate = %d, %v; want %d", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.errContain) || !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v, want ErrTooLarge containing %q", err, tc.errContain)
			}
			if strings.Contains(err.Error(), "--") {
				t.Errorf("error %q names a flag", err)
			}
		})
	}
}

// TestEnsembleMemoryEstimateMatchesAllocation runs an ensemble that records
// trajectories and checks that the estimate is within 25% of the bytes the
// run allocated.
func TestEnsembleMemoryEstimateMatchesAllocation(t *testing.T) {
	m, err := potentials.New("gyrator", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &Problem{Model: m, Temperature: 0.5, X0: []float64{1, 0}, Dt: 1e-3, Steps: 2000, BurnIn: 0}
	e := &Ensemble{N: 4096, Seed: 1, Workers: 1, Record: 256, Every: 1}
	est, err := e.MemoryEstimate(2, p.Steps)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := e.Run(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	got := int64(after.TotalAlloc - before.TotalAlloc)
	if r := float64(est) / float64(got); r < 0.75 || r > 1.25 {
		t.Errorf("estimate %d bytes, the run allocated %d (ratio %.3g)", est, got, r)
	}
}

// TestRunRefusesHugeSizes checks that Ensemble.Run and SGDRun refuse sizes
// no array can hold with ErrTooLarge instead of panicking in make.
func TestRunRefusesHugeSizes(t *testing.T) {
	m, err := potentials.New("gyrator", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &Problem{Model: m, Temperature: 0.5, X0: []float64{1, 0}, Dt: 1e-3, Steps: 10}
	if _, err := (&Ensemble{N: 1 << 46}).Run(context.Background(), p); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Ensemble.Run with N = 2^46: error %v, want ErrTooLarge", err)
	}
	l, err := potentials.NewLinReg(100, 2, 10, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	sp := &SGDProblem{Model: l, LR: 0.1, Batch: 10, X0: []float64{0, 0}, Steps: 10}
	r := &SGDRun{N: 1 << 46}
	if _, err := r.SGD(context.Background(), sp); !errors.Is(err, ErrTooLarge) {
		t.Errorf("SGDRun.SGD with N = 2^46: error %v, want ErrTooLarge", err)
	}
	if _, err := r.SDE(context.Background(), sp, NoiseExact); !errors.Is(err, ErrTooLarge) {
		t.Errorf("SGDRun.SDE with N = 2^46: error %v, want ErrTooLarge", err)
	}
}

// TestValidateRefusesNonFiniteModelAndOverflow checks the problem checks
// added for bad input: a formula model whose loss is not finite at x0 (its
// symbolic gradient simplifies to 0, so the drift alone looks fine), and
// steps plus burn-in beyond an int.
func TestValidateRefusesNonFiniteModelAndOverflow(t *testing.T) {
	formula := func(f potentials.Formulas) potentials.Model {
		t.Helper()
		m, err := potentials.FromFormulas(f)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	gyr, err := potentials.New("gyrator", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		p    Problem
		want string // "" for no error
	}{
		{"finite", Problem{Model: formula(potentials.Formulas{Dim: 2, Loss: "x^2 + y^2"}), X0: []float64{1, 0}}, ""},
		{"loss 1/(x-x)", Problem{Model: formula(potentials.Formulas{Dim: 2, Loss: "1/(x-x)"}), X0: []float64{1, 0}}, "loss f(1, 0) = +Inf"},
		{"drift 0/0", Problem{Model: formula(potentials.Formulas{Dim: 2, Drift: "0/0; -y"}), X0: []float64{1, 0}}, "drift b(1, 0)"},
		{"diffusion sqrt(-1)", Problem{Model: formula(potentials.Formulas{Dim: 2, Loss: "x^2", Diffusion: "sqrt(-1)"}), X0: []float64{1, 0}}, "diffusion D(1, 0)"},
		{"1-D log at 0", Problem{Model: formula(potentials.Formulas{Dim: 1, Loss: "log(x^2)"}), X0: []float64{0}}, "loss f(0) = -Inf"},
		{"steps overflow", Problem{Model: gyr, X0: []float64{1, 0}, Steps: math.MaxInt, BurnIn: 1}, "overflow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			p.Temperature, p.Dt = 0.5, 1e-3
			if p.Steps == 0 {
				p.Steps = 10
			}
			err := p.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if _, err := (&Ensemble{N: 4, Workers: 1}).Run(context.Background(), &p); err != nil {
					t.Fatalf("Run: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate: %v, want an error containing %q", err, tc.want)
			}
			if _, err := (&Ensemble{N: 4, Workers: 1}).Run(context.Background(), &p); err == nil {
				t.Fatalf("Run accepted the problem")
			}
		})
	}
}
