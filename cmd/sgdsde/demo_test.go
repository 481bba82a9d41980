package main

import (
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDemoQuickGallery runs 'demo --quick' and checks the gallery: one
// progress line per scenario, an index.html that works offline and links
// every figure written, every link resolving to a file beside it, and
// every PNG a decodable, non-blank image; index.html is written last.
func TestDemoQuickGallery(t *testing.T) {
	out := filepath.Join(t.TempDir(), "gallery")
	r := sgdsde(t, "demo", "--quick", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var progress int
	for _, l := range strings.Split(r.stdout, "\n") {
		if regexp.MustCompile(`^\[[1-8]/8\] `).MatchString(l) {
			progress++
		}
	}
	if progress != 8 || !strings.Contains(r.stdout, "index.html") {
		t.Errorf("want 8 progress lines and the index, got:\n%s", r.stdout)
	}

	index := filepath.Join(out, "index.html")
	b, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, bad := range []string{"<script", "<link", "http://", "https://", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("index.html contains %q: it must open offline, self-contained", bad)
		}
	}
	if !strings.Contains(page, "<style>") {
		t.Error("index.html has no inline CSS")
	}
	for _, id := range []string{"isotropic", "gyrator", "state-dependent", "paper-fig4", "free-energy"} {
		if !strings.Contains(page, `id="`+id+`"`) {
			t.Errorf("index.html has no section %s", id)
		}
	}
	links := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if strings.HasPrefix(m[1], "#") {
			continue
		}
		if filepath.IsAbs(m[1]) || strings.Contains(m[1], "..") || strings.Contains(m[1], ":") {
			t.Errorf("link %q is not relative to the gallery", m[1])
			continue
		}
		links[m[1]] = true
	}

	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	ist, _ := os.Stat(index)
	var pngs []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".tmp") || strings.HasPrefix(name, ".") {
			t.Errorf("temporary file left behind: %s", name)
		}
		if filepath.Ext(name) != ".png" {
			continue
		}
		pngs = append(pngs, name)
		if !links[name] {
			t.Errorf("figure %s is not linked from index.html", name)
		}
		if st, _ := os.Stat(filepath.Join(out, name)); st.ModTime().After(ist.ModTime()) {
			t.Errorf("figure %s written after index.html", name)
		}
		checkNotBlank(t, filepath.Join(out, name))
	}
	if len(pngs) < 8 {
		t.Errorf("%d figures (%v), want at least 8", len(pngs), pngs)
	}
	for l := range links {
		if _, err := os.Stat(filepath.Join(out, l)); err != nil {
			t.Errorf("index.html links %s, which does not exist", l)
		}
		if filepath.Ext(l) == ".png" && !slices.Contains(pngs, l) {
			t.Errorf("index.html links %s, not a figure of this run", l)
		}
	}
	for _, want := range []string{"s2-gyrator-loops.png", "s4-paper-fig4-lambda-1.5.png", "s5-free-energy.png"} {
		if !links[want] {
			t.Errorf("no figure %s", want)
		}
	}
	// The numbers in the text come from the runs: entropy production
	// vanishes for isotropic noise and not for the gyrator.
	if !regexp.MustCompile(`entropy production Π = [0-9.]+e-[12][0-9]`).MatchString(page) {
		t.Error("isotropic scenario: no vanishing entropy production quoted")
	}
	if !strings.Contains(page, "closed form -0.48") {
		t.Error("gyrator scenario: angular momentum against its closed form not quoted")
	}
}

// checkNotBlank decodes the PNG at path and checks that at least 2% of
// its pixels differ from the corner's colour.
func checkNotBlank(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Errorf("%s: %v", filepath.Base(path), err)
		return
	}
	bd := img.Bounds()
	if bd.Dx() < 200 || bd.Dy() < 150 {
		t.Errorf("%s: %d x %d pixels: too small", filepath.Base(path), bd.Dx(), bd.Dy())
	}
	r0, g0, b0, _ := img.At(bd.Min.X, bd.Min.Y).RGBA()
	differ := 0
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r != r0 || g != g0 || b != b0 {
				differ++
			}
		}
	}
	if differ < bd.Dx()*bd.Dy()/50 {
		t.Errorf("%s: only %d of %d pixels drawn: blank", filepath.Base(path), differ, bd.Dx()*bd.Dy())
	}
}

func TestDemoBadInput(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"out is a file", []string{"demo", "--quick", "--out", file}, "not a directory"},
		{"under a file", []string{"demo", "--quick", "--out", filepath.Join(file, "sub")}, "not a directory"},
		{"argument", []string{"demo", "extra"}, "unexpected argument"},
		{"dpi", []string{"demo", "--dpi", "5", "--out", filepath.Join(t.TempDir(), "g")}, "--dpi"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := sgdsde(t, c.args...)
			if r.code != 2 || len(r.stderrLines()) != 1 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q: want exit 2 and one line with %q", r.code, r.stderr, c.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q: want nothing before the error", r.stdout)
			}
		})
	}
}
