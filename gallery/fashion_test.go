package gallery

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/potentials"
)

// TestFashionScenario runs scenario 8 on synthetic data and without data.
// With data it draws the four observe figures and the accuracy figure,
// quotes the run's numbers beside the paper's statements and the commands
// that reproduce them; without, it is skipped with a one-line note that
// names the directory and the Debian package, and the page shows it.
func TestFashionScenario(t *testing.T) {
	data := t.TempDir()
	if err := potentials.WriteSyntheticFashionMNIST(data, 4, 4, 40, 20, 8); err != nil {
		t.Fatal(err)
	}
	fs := FashionSettings{Dir: data, Train: 40, Test: 20, Width: 4, Chains: 1, BurnIn: 30, Steps: 60, Every: 2,
		SweepLRs: []float64{0.1, 0.2}, SweepBatches: []int{4, 8}, SweepSteps: 50, GradTimes: 5}
	if err := fs.check(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		dir  string
	}{{"synthetic data", data}, {"no data", filepath.Join(t.TempDir(), "absent")}} {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			s := Quick()
			s.Fashion = fs
			s.Fashion.Dir = c.dir
			g := &figures{dir: out, dpi: 40}
			sec, summary, err := fashionScenario(context.Background(), s, g)
			if err != nil {
				t.Fatal(err)
			}
			if c.dir != data {
				if len(sec.Text) != 1 || len(sec.Figures) != 0 || !strings.Contains(sec.Text[0], c.dir) ||
					!strings.Contains(sec.Text[0], potentials.FashionMNISTPackage) || !strings.HasPrefix(summary, "skipped") {
					t.Errorf("without data: text %q, %d figures, summary %q", sec.Text, len(sec.Figures), summary)
				}
			} else {
				if len(sec.Figures) != 5 {
					t.Fatalf("%d figures, want 5", len(sec.Figures))
				}
				for _, f := range sec.Figures {
					if st, err := os.Stat(filepath.Join(out, f.File)); f.File == "" || err != nil || st.Size() == 0 {
						t.Errorf("figure %q: %v", f.File, err)
					}
				}
				text := strings.Join(sec.Text, "\n")
				for _, want := range []string{"The paper:", "participation ratio", "flatness", "lag 1", "|∇f|/√d", "T = lr/(2 batch)",
					"sgdsde sgd --model fashion-mlp --set n=40,test=20,width=4", "--data-dir " + data, "sgdsde observe out/fashion", "sgdsde sweep sgd"} {
					if !strings.Contains(text, want) {
						t.Errorf("text lacks %q", want)
					}
				}
				if len(sec.Facts) != 3+4 {
					t.Errorf("%d facts, want 3 and one per point of the 2 x 2 grid", len(sec.Facts))
				}
			}
			index := filepath.Join(out, IndexFile)
			if err := writeIndex(index, []Section{sec}, s, 1); err != nil {
				t.Fatal(err)
			}
			page, err := os.ReadFile(index)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(page), "Deep-network observables on Fashion-MNIST") {
				t.Error("the page lacks the section")
			}
		})
	}
}
