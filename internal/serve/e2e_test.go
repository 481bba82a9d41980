package serve

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromium returns the path of a Chromium (or Chrome) binary: $SGDSDE_CHROME,
// or the first of Debian's chromium and the usual names on PATH.
func chromium() string {
	if p := os.Getenv("SGDSDE_CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// pageState is what the test reads off the page.
type pageState struct {
	Draws     int
	Latency   float64
	Status    string
	T         string
	Pi        string
	MinimaPhi string
	PhiHash   string
}

// TestBrowser is the end-to-end test in a real browser: Debian's Chromium,
// headless, driven by chromedp. It loads the page, waits for the first
// draw, moves the temperature slider (a mouse click on the track, then
// arrow keys, as a teacher would), and checks that the diagnostics and
// the Phi figure change; it logs the latency from the slider move to the
// end of the redraw as the page measures it, and saves a screenshot
// (to $SGDSDE_SCREENSHOT if set, else to the test's artifact directory).
//
// Without a browser the test is skipped, except under CI=true, where
// .ci/run installs Debian's chromium and a missing browser is a failure.
func TestBrowser(t *testing.T) {
	exe := chromium()
	if exe == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no chromium on PATH: .ci/run installs Debian's chromium")
		}
		t.Skip("no chromium on PATH (apt-get install chromium); set SGDSDE_CHROME to use another")
	}
	ts := httptest.NewServer(New(Config{LoopbackOnly: true}))
	defer ts.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 950),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancelCtx()
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	read := func() pageState {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](`(() => {
			const text = id => document.getElementById(id).textContent.trim();
			return {Draws: +(document.body.dataset.draws || 0), Latency: +(document.body.dataset.latency || 0),
				Status: text("status"), T: document.getElementById("temperature").value,
				Pi: text("diag-pi"), MinimaPhi: text("diag-minima-phi"),
				PhiHash: document.getElementById("phi-canvas").toDataURL()};
		})()`))
		if err != nil {
			t.Fatalf("reading the page: %v", err)
		}
		s.PhiHash = fmt.Sprintf("%x", sha256.Sum256([]byte(s.PhiHash)))[:12]
		return s
	}
	// waitDraw waits until the page has drawn more than n times and no
	// solve is in flight.
	waitDraw := func(n int) pageState {
		t.Helper()
		js := fmt.Sprintf(`(+(document.body.dataset.draws || 0) > %d) && document.getElementById("status").textContent.trim() === "ready"`, n)
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
			status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
			t.Fatalf("waiting for draw %d: %v (status %q)", n+1, err, status)
		}
		return read()
	}

	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL)); err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	// Hide the moving particles so that the Phi canvas changes only when
	// the figure is redrawn.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("show-particles"))); err != nil {
		t.Fatal(err)
	}
	first := waitDraw(0)
	t.Logf("first draw %.0f ms after navigation; T = %s, Pi = %s, minima of Phi %s", float64(time.Since(start).Milliseconds()), first.T, first.Pi, first.MinimaPhi)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("show-particles")), chromedp.Sleep(100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	before := read()

	// Move the temperature slider: click on the track at 80% of its width.
	box, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.getElementById("temperature").getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(box[0]+0.8*box[2], box[1]+box[3]/2)); err != nil {
		t.Fatal(err)
	}
	after := waitDraw(before.Draws)
	t.Logf("slider click: T %s -> %s; Pi %s -> %s; minima of Phi %s -> %s; redrawn %.1f ms after the move", before.T, after.T, before.Pi, after.Pi, before.MinimaPhi, after.MinimaPhi, after.Latency)
	if after.T == before.T {
		t.Fatalf("the click did not move the temperature slider (T = %s)", after.T)
	}
	if after.Pi == before.Pi || after.MinimaPhi == before.MinimaPhi {
		t.Errorf("diagnostics did not change with T: Pi %q -> %q, minima %q -> %q", before.Pi, after.Pi, before.MinimaPhi, after.MinimaPhi)
	}
	if after.PhiHash == before.PhiHash {
		t.Error("the Phi figure did not change with T")
	}

	// A burst of key presses, each an input event whose solve cancels the
	// previous one; the last must win.
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("temperature"))); err != nil {
		t.Fatal(err)
	}
	var lat []float64
	for range 5 {
		prev := read()
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft)); err != nil {
			t.Fatal(err)
		}
		s := waitDraw(prev.Draws)
		lat = append(lat, s.Latency)
	}
	burst := read()
	for range 10 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowLeft)); err != nil {
			t.Fatal(err)
		}
	}
	final := waitDraw(burst.Draws)
	want, _ := strconv.ParseFloat(burst.T, 64)
	got, _ := strconv.ParseFloat(final.T, 64)
	if d := want - 0.10 - got; d > 1e-9 || d < -1e-9 {
		t.Errorf("after 10 key presses from T = %s the slider reads %s", burst.T, final.T)
	}
	shownT, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("temperature-value")))
	t.Logf("key presses: redraw latencies %v ms; burst of 10 presses: %d draws for 10 inputs, last redrawn %.1f ms after the last press, slider %s, label %q",
		lat, final.Draws-burst.Draws, final.Latency, final.T, shownT)
	slices.Sort(lat)
	t.Logf("median latency %.1f ms (128^2 grid, double well with state-dependent D)", lat[len(lat)/2])

	// Switch to the Brownian gyrator, the model whose loops the page is
	// for: its orbits of j close and L has a closed form.
	prev := read()
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("model"), "gyrator"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("model").dispatchEvent(new Event("change", {bubbles: true}))`)); err != nil {
		t.Fatal(err)
	}
	gyr := waitDraw(prev.Draws)
	orbits, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("diag-orbits")))
	lExact, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("diag-L-exact")))
	t.Logf("gyrator: Pi %s, orbits %q, L closed form %q, redrawn %.1f ms after the change", gyr.Pi, orbits, lExact, gyr.Latency)
	if !strings.Contains(orbits, "closed") || strings.TrimSpace(lExact) == "—" || gyr.PhiHash == prev.PhiHash {
		t.Errorf("gyrator: orbits %q, L closed form %q: want closed orbits and a closed form", orbits, lExact)
	}

	// A formula with a syntax error: the server's one-line error is shown
	// and the page keeps working; then a good formula draws.
	setModel := func(v string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("model"), v),
			chromedp.Evaluate[chromedp.Void](`document.getElementById("model").dispatchEvent(new Event("change", {bubbles: true}))`)); err != nil {
			t.Fatal(err)
		}
	}
	setModel("formula")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("formula-loss")),
		chromedp.SetValue(chromedp.ID("formula-loss"), "(x^2 - 1"), chromedp.Click(chromedp.ID("formula-apply"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("status").className === "error"`, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		t.Fatalf("no error shown for a bad formula: %v", err)
	}
	bad, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
	if !strings.Contains(bad, "loss: column") {
		t.Errorf("bad formula: status %q, want the server's error naming the column", bad)
	}
	prev = read()
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("formula-loss"), "(x^2 - 1)^2/4 + y^2/2"),
		chromedp.SetValue(chromedp.ID("formula-diffusion"), "1 + x^2/2, 0.3; 0.3, 1 + y^2/2"),
		chromedp.Click(chromedp.ID("formula-apply"))); err != nil {
		t.Fatal(err)
	}
	good := waitDraw(prev.Draws)
	t.Logf("formula model: bad formula showed %q; the state-dependent double well typed as formulas gives Pi %s, minima of Phi %s", bad, good.Pi, good.MinimaPhi)
	setModel("gyrator")
	waitDraw(good.Draws)

	// Screenshot at T = 0.5 with the particles back on.
	prev = read()
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("temperature"), "0.5"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("temperature").dispatchEvent(new Event("input", {bubbles: true}))`)); err != nil {
		t.Fatal(err)
	}
	waitDraw(prev.Draws)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("show-particles")), chromedp.Sleep(1500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := os.Getenv("SGDSDE_SCREENSHOT")
	if path == "" {
		path = filepath.Join(t.ArtifactDir(), "serve.png")
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))

	// The escape view through its example: the sharp-flat landscape at
	// T = 0.1 with SGD's noise, escaping from the sharp minimum; then a
	// click on the flat minimum escapes from there.
	type escapeState struct {
		Draws int
		Rows  []string
		Line  string
		Error string
	}
	readEscape := func() escapeState {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[escapeState](`(() => ({
			Draws: +(document.body.dataset.escapeDraws || 0),
			Rows: Array.from(document.querySelectorAll("#escape-basins tr"), (r) => r.textContent),
			Line: document.getElementById("escape-line").textContent,
			Error: document.getElementById("escape-error").textContent}))()`))
		if err != nil {
			t.Fatalf("reading the escape view: %v", err)
		}
		return s
	}
	waitEscape := func(n int) escapeState {
		t.Helper()
		js := fmt.Sprintf(`(+(document.body.dataset.escapeDraws || 0) > %d) && document.getElementById("status").textContent.trim() === "ready"`, n)
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
			status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
			t.Fatalf("waiting for escape draw %d: %v (status %q)", n+1, err, status)
		}
		return readEscape()
	}
	escStart := time.Now()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("escape-example"))); err != nil {
		t.Fatal(err)
	}
	sharp := waitEscape(0)
	t.Logf("escape example (sharp-flat, T = 0.1, iso = 0) drawn %d ms after the click: basins %q; %s", time.Since(escStart).Milliseconds(), sharp.Rows, sharp.Line)
	if len(sharp.Rows) != 2 || !strings.Contains(sharp.Line, "in basin 1 to basin 0") {
		t.Errorf("sharp-flat escape: rows %q, line %q: want two basins, from the sharp one (1) to the flat one (0)", sharp.Rows, sharp.Line)
	}
	pt, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.getElementById("f-canvas").getBoundingClientRect(), g = S.geom.f;
		return [r.left + g.X(-1) / g.dpr, r.top + g.Y(0) / g.dpr]; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(pt[0], pt[1])); err != nil {
		t.Fatal(err)
	}
	flat := waitEscape(sharp.Draws)
	t.Logf("click on the flat minimum: %s", flat.Line)
	if !strings.Contains(flat.Line, "in basin 0 to basin 1") || flat.Error != "" {
		t.Errorf("after a click on the flat minimum: line %q, error %q: want from basin 0 to basin 1", flat.Line, flat.Error)
	}
	png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	epath := filepath.Join(filepath.Dir(path), "serve-escape.png")
	if err := os.WriteFile(epath, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the escape view: %s", epath)

	// A solve that does not converge (a server whose tolerance no solve
	// reaches, on a small grid so that failing is quick): the page shows
	// the server's line in place of the figures and says failed.
	failing := httptest.NewServer(New(Config{LoopbackOnly: true, Tol: 1e-30, Limits: Limits{GridMax: 32}}))
	defer failing.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(failing.URL)); err != nil {
		t.Fatalf("loading the page of the failing server: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.failed === "1"`, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
		t.Fatalf("no failure shown for a solve that does not converge: %v (status %q)", err, status)
	}
	fail, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const el = id => document.getElementById(id);
		return [el("status").textContent, el("status").className, el("solve-failure").textContent,
			String(el("solve-failure").hidden), getComputedStyle(el("phi-canvas")).visibility, el("diag-pi").textContent];
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("failed solve: status %q, shown in place of the figures: %q", fail[0], fail[2])
	if !strings.HasPrefix(fail[0], "solve failed: ") || !strings.Contains(fail[0], "did not converge") || fail[1] != "error" ||
		!strings.Contains(fail[2], "did not converge") || fail[3] != "false" || fail[4] != "hidden" || strings.TrimSpace(fail[5]) != "—" {
		t.Errorf("failed solve: status %q (class %q), failure box %q (hidden %s), Phi canvas %s, Pi %q; want the line in place of a hidden figure and no diagnostics",
			fail[0], fail[1], fail[2], fail[3], fail[4], fail[5])
	}
}
