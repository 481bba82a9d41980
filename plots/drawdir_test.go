package plots

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// writeSweepTable writes a small results.csv into a new directory.
func writeSweepTable(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	csv := "point,status,temperature,d12,model,entropy_production\n" +
		"0,ok,0.1,0,gyrator,1\n1,ok,0.2,0,gyrator,2\n2,ok,0.1,0.5,gyrator,3\n3,failed,0.2,0.5,gyrator,\n"
	if err := os.WriteFile(filepath.Join(dir, "results.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDrawSweepDir(t *testing.T) {
	dir := writeSweepTable(t)
	o := SweepDirOptions{SweepOptions: SweepOptions{X: "temperature", Y: "entropy_production", Hue: "d12"}, Size: Size{WidthCM: 8, HeightCM: 6, DPI: 40}}
	out, st, err := DrawSweepDir(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "sweep_entropy_production_vs_temperature.png"); out != want {
		t.Errorf("file %s, want %s", out, want)
	}
	if st.Curves != 2 || st.Points != 3 || st.Failed != 1 {
		t.Errorf("stats %+v, want 2 curves, 3 points, 1 failed", st)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Errorf("figure not written: %v", err)
	}
	if got := SweepFileName("a b", "x/y:z"); got != "sweep_x_y_z_vs_a_b" {
		t.Errorf("SweepFileName = %q", got)
	}
}

func TestDrawSweepDirErrors(t *testing.T) {
	dir := writeSweepTable(t)
	ok := SweepDirOptions{SweepOptions: SweepOptions{X: "temperature", Y: "entropy_production"}, Size: Size{WidthCM: 8, HeightCM: 6, DPI: 40}}
	with := func(f func(*SweepDirOptions)) SweepDirOptions { o := ok; f(&o); return o }
	cases := []struct {
		name  string
		dir   string
		o     SweepDirOptions
		issue OptionIssue
		check func(error) bool
	}{
		{"not a dir", filepath.Join(dir, "results.csv"), ok, 0, func(err error) bool { var de *DirError; return errors.As(err, &de) && de.Err == nil }},
		{"no table", t.TempDir(), ok, 0, func(err error) bool { return errors.Is(err, ErrInput) && errors.Is(err, fs.ErrNotExist) }},
		{"size", dir, with(func(o *SweepDirOptions) { o.Size.WidthCM = 0 }), BadSize, nil},
		{"dpi", dir, with(func(o *SweepDirOptions) { o.Size.DPI = 0 }), BadDPI, nil},
		{"format", dir, with(func(o *SweepDirOptions) { o.Format = "gif" }), BadFormat, nil},
		{"extension", dir, with(func(o *SweepDirOptions) { o.Out = filepath.Join(dir, "f.gif") }), OutExtension, nil},
		{"mismatch", dir, with(func(o *SweepDirOptions) { o.Format, o.Out = "svg", filepath.Join(dir, "f.png") }), OutFormat, nil},
		{"no out dir", dir, with(func(o *SweepDirOptions) { o.Out = filepath.Join(dir, "nope", "f.png") }), OutNoDir, nil},
		{"column", dir, with(func(o *SweepDirOptions) { o.Y = "model" }), 0, func(err error) bool {
			var sd *SweepDataError
			return errors.As(err, &sd) && errors.Is(err, ErrInput) && sd.Path == filepath.Join(dir, "results.csv")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := DrawSweepDir(c.dir, c.o)
			if c.check != nil {
				if !c.check(err) {
					t.Errorf("error %v (%T)", err, err)
				}
				return
			}
			var oe *OptionError
			if !errors.As(err, &oe) || oe.Issue != c.issue || errors.Is(err, ErrInput) {
				t.Errorf("error %v (%T), want an *OptionError of issue %d", err, err, c.issue)
			}
		})
	}
}

func TestDrawDirChecks(t *testing.T) {
	dir := t.TempDir()
	good := FigureOptions{Format: "png", Size: Size{DPI: DefaultDPI}}
	for _, c := range []struct {
		o     FigureOptions
		issue OptionIssue
	}{
		{FigureOptions{Format: "gif", Size: good.Size}, BadFormat},
		{FigureOptions{Format: "png", Size: Size{WidthCM: 5, DPI: DefaultDPI}}, BadSize},
		{FigureOptions{Format: "png", Size: Size{WidthCM: 5, HeightCM: 500, DPI: DefaultDPI}}, BadSize},
		{FigureOptions{Format: "png"}, BadDPI},
	} {
		var oe *OptionError
		if _, err := DrawDir("steady", dir, c.o); !errors.As(err, &oe) || oe.Issue != c.issue {
			t.Errorf("DrawDir(%+v) = %v, want issue %d", c.o, err, c.issue)
		}
	}
	var de *DirError
	if _, err := DrawDir("steady", filepath.Join(dir, "nope"), good); !errors.As(err, &de) || de.Err != nil {
		t.Errorf("missing directory: %v, want a *DirError", err)
	}
	for _, kind := range DirKinds {
		if _, err := DrawDir(kind, dir, good); !errors.Is(err, ErrInput) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s of an empty directory: %v, want a missing input", kind, err)
		}
	}
}
