package plots_test

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"github.com/sgdsde/sgdsde/plots"
)

// A heat map with contour lines and a colour bar of the bowl
// f = x^2/2 + 2 y^2 on 16 x 12 nodes, saved as a PNG of 7.62 x 5.08 cm at
// 100 dpi: 3 x 2 inches, so 300 x 200 pixels.
func ExampleFieldPanel() {
	dir, err := os.MkdirTemp("", "panel")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	f := plots.Field{}
	for i := 0; i < 16; i++ {
		f.Xs = append(f.Xs, -2+(float64(i)+0.5)/4)
	}
	for j := 0; j < 12; j++ {
		f.Ys = append(f.Ys, -1.5+(float64(j)+0.5)/4)
	}
	for _, y := range f.Ys {
		for _, x := range f.Xs {
			f.Zs = append(f.Zs, x*x/2+2*y*y)
		}
	}
	panel, err := plots.FieldPanel(f, plots.PanelOptions{Title: "f", ColourLabel: "f"})
	if err != nil {
		fmt.Println(err)
		return
	}
	path := filepath.Join(dir, "bowl.png")
	if err := plots.Save(panel, path, plots.Size{WidthCM: 7.62, HeightCM: 5.08, DPI: 100}); err != nil {
		fmt.Println(err)
		return
	}
	r, err := os.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	cfg, err := png.DecodeConfig(r)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d x %d pixels\n", filepath.Base(path), cfg.Width, cfg.Height)
	// Output:
	// bowl.png: 300 x 200 pixels
}
