package serve

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/fokkerplanck"
)

// escapeOK posts an escape request and decodes a 200 answer.
func escapeOK(t *testing.T, h http.Handler, req map[string]any) *escapeResponse {
	t.Helper()
	code, body := post(t, h, "/api/escape", req)
	if code != http.StatusOK {
		t.Fatalf("POST /api/escape %v: %d %s", req, code, body)
	}
	var res escapeResponse
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	return &res
}

// TestEscapeDoubleWell: the symmetric double well with D = I (noise 0)
// has two basins of Phi of probability 1/2 each, barrier 1/4 in f and in
// Phi (Phi = f), and tau(x) out of the clicked basin is positive off the
// target and 0 on it.
func TestEscapeDoubleWell(t *testing.T) {
	s := New(Config{})
	res := escapeOK(t, s, map[string]any{"landscape": "double-well", "params": map[string]float64{"noise": 0},
		"temperature": 0.2, "grid": 128, "from": []float64{-1, 0}})
	t.Logf("timing %+v ms; tau(-1, 0) = %.4g, basin mean %.4g, max %.4g; basins %+v", res.Timing, res.TauFrom, res.TauBasin, res.TauMax, res.Basins)
	n := res.Grid.NX * res.Grid.NY
	if len(res.Tau) != n || len(res.Phi) != n || len(res.Basin) != n {
		t.Fatalf("%d x %d grid with %d tau, %d Phi, %d basin values", res.Grid.NX, res.Grid.NY, len(res.Tau), len(res.Phi), len(res.Basin))
	}
	if len(res.Basins) != 2 {
		t.Fatalf("%d basins, want 2: %+v", len(res.Basins), res.Basins)
	}
	sum := res.Unassigned
	for k, b := range res.Basins {
		sum += b.Probability
		if math.Abs(b.Probability-0.5) > 1e-6 {
			t.Errorf("basin %d at %v: occupation %.8f, want 1/2", k, b.X, b.Probability)
		}
		if b.BarrierPhi == nil || b.BarrierF == nil || math.Abs(*b.BarrierPhi-0.25) > 0.01 || math.Abs(*b.BarrierF-0.25) > 0.01 {
			t.Errorf("basin %d: barriers in Phi %v and f %v, want 1/4", k, b.BarrierPhi, b.BarrierF)
		}
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("occupations sum to %.12f, want 1", sum)
	}
	if res.FromBasin < 0 || res.Basins[res.FromBasin].X[0] > 0 || len(res.TargetBasins) != 1 || res.TargetBasins[0] == res.FromBasin {
		t.Fatalf("start basin %d, target basins %v", res.FromBasin, res.TargetBasins)
	}
	for i, tau := range res.Tau {
		lab := res.Basin[i]
		onTarget := !math.IsNaN(lab) && int(lab) == res.TargetBasins[0]
		if onTarget && tau != 0 {
			t.Fatalf("tau = %g on the target at node %d", tau, i)
		}
		if !onTarget && !(tau > 0) {
			t.Fatalf("tau = %g off the target at node %d", tau, i)
		}
	}
	if !(res.TauFrom > 0) || !(res.TauBasin > 0) || res.TauMax < res.TauFrom {
		t.Errorf("tau at the start %g, basin mean %g, max %g", res.TauFrom, res.TauBasin, res.TauMax)
	}
}

// TestEscapeBadInput: a start outside the box, a basin that does not
// exist, a start in the target basin and a landscape with one basin get
// one line each, naming what the user can change on the page.
func TestEscapeBadInput(t *testing.T) {
	s := New(Config{})
	dw := func(extra map[string]any) map[string]any {
		r := map[string]any{"landscape": "double-well", "params": map[string]float64{"noise": 0}, "temperature": 0.2, "grid": 48}
		for k, v := range extra {
			r[k] = v
		}
		return r
	}
	for _, c := range []struct {
		req  map[string]any
		code int
		want string
	}{
		{dw(map[string]any{"from": []float64{50, 0}}), 400, "outside the box"},
		{dw(map[string]any{"from": []float64{1}}), 400, "want a point x, y"},
		{dw(map[string]any{"to_basin": 5}), 400, "target basin 5 does not exist: Phi has 2 basins"},
		{dw(map[string]any{"to_basin": -1}), 400, "target basin -1 does not exist"},
		{map[string]any{"landscape": "quadratic", "temperature": 0.5, "grid": 48}, 400, "single basin"},
		{dw(map[string]any{"grid": 5000}), 400, "grid 5000"},
	} {
		code, body := post(t, s, "/api/escape", c.req)
		var e struct{ Error string }
		json.Unmarshal(body, &e)
		if code != c.code || !strings.Contains(e.Error, c.want) || strings.Contains(e.Error, "--") || strings.Contains(e.Error, "\n") {
			t.Errorf("%v: %d %q, want %d with %q", c.req, code, e.Error, c.code, c.want)
		} else {
			t.Logf("%d %s", code, e.Error)
		}
	}
	// A start in the target basin: of the two minima, exactly the one in
	// basin 0 is refused when basin 0 is the target.
	refused := 0
	for _, x := range []float64{-1, 1} {
		code, body := post(t, s, "/api/escape", dw(map[string]any{"from": []float64{x, 0}, "to_basin": 0}))
		if code == http.StatusBadRequest && strings.Contains(string(body), "lies in the target basin 0: click in another basin") {
			refused++
		} else if code != http.StatusOK {
			t.Errorf("start (%g, 0), target basin 0: %d %s", x, code, body)
		}
	}
	if refused != 1 {
		t.Errorf("%d of the two minima refused as lying in the target basin 0, want 1", refused)
	}
	// A target the process cannot reach, as the library reports it.
	line := escapeError(&fokkerplanck.UnreachableError{Target: "basin 1 of the potential Phi (about (1, 0))", Nodes: 12, X: []float64{2, -1.5}}).Error()
	if !strings.Contains(line, "cannot be reached from 12 grid nodes") || !strings.Contains(line, "temperature T or the grid") || strings.Contains(line, "--") {
		t.Errorf("unreachable target: %q", line)
	}
	t.Log(line)
}
