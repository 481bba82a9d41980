package plots

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/sgdsde/sgdsde/internal/datafile"
)

// Default figure size and PNG resolution.
const (
	DefaultWidthCM  = 15
	DefaultHeightCM = 10
	DefaultDPI      = 300
)

// Formats are the file formats Save writes, by file extension.
var Formats = []string{"png", "svg", "pdf"}

// Drawer is a figure: anything that draws itself on a canvas, such as a
// *Figure or a *plot.Plot.
type Drawer interface {
	Draw(c draw.Canvas)
}

// Size is the size of a figure on paper and the resolution of its PNG.
type Size struct {
	// WidthCM and HeightCM are the width and height in centimetres.
	WidthCM, HeightCM float64
	// DPI is the resolution of a PNG in dots per inch (ignored by SVG and
	// PDF, which are vector formats). A PNG is WidthCM/2.54*DPI pixels wide.
	DPI int
}

// DefaultSize is 15 x 10 cm at 300 dpi.
var DefaultSize = Size{WidthCM: DefaultWidthCM, HeightCM: DefaultHeightCM, DPI: DefaultDPI}

// FormatOf returns the format of path from its extension (png, svg or pdf,
// in any case), or an error naming the formats.
func FormatOf(path string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	for _, f := range Formats {
		if ext == f {
			return f, nil
		}
	}
	return "", fmt.Errorf("%s: unknown figure format %q: want a file ending in .png, .svg or .pdf", path, ext)
}

// Save draws fig at the given size into path, in the format of the file's
// extension (png, svg or pdf; PDF embeds its fonts). The file is written
// atomically: to a temporary file in the same directory, synced and renamed
// over path; on error path is left as it was.
func Save(fig Drawer, path string, size Size) (err error) {
	format, err := FormatOf(path)
	if err != nil {
		return err
	}
	if !(size.WidthCM > 0) || !(size.HeightCM > 0) {
		return fmt.Errorf("%s: figure size %g x %g cm: want positive width and height", path, size.WidthCM, size.HeightCM)
	}
	w, h := vg.Length(size.WidthCM)*vg.Centimeter, vg.Length(size.HeightCM)*vg.Centimeter
	var c vg.CanvasWriterTo
	switch format {
	case "png":
		dpi := size.DPI
		if dpi <= 0 {
			dpi = DefaultDPI
		}
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))}
	case "svg":
		c = vgsvg.New(w, h)
	case "pdf":
		pc := vgpdf.New(w, h)
		pc.EmbedFonts(true)
		c = pc
	}
	fig.Draw(draw.New(c))
	return writeAtomic(path, c)
}

// writeAtomic writes src to path atomically (internal/datafile.WriteFile).
func writeAtomic(path string, src io.WriterTo) error {
	return datafile.WriteFile(path, func(w io.Writer) error {
		_, err := src.WriteTo(w)
		return err
	})
}
