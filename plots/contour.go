package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Contours is a plot.Plotter of the contour lines of a field at given
// levels, found by marching squares (Lorensen & Cline, "Marching cubes",
// SIGGRAPH 1987, in its 2-D form) on the cells between four nodes with
// linear interpolation along the edges; a cell with a NaN corner is
// skipped, so lines stop at blank cells. The segments of a level are
// joined into polylines. A saddle cell (the two diagonals on opposite
// sides) is resolved by the mean of its corners.
type Contours struct {
	Field  Field
	Levels []float64
	// Colour and Width style the lines; ColourOf, if set, colours each
	// level instead.
	Colour   color.Color
	ColourOf func(level float64) color.Color
	Width    vg.Length
}

// Plot implements plot.Plotter.
func (ct *Contours) Plot(c draw.Canvas, plt *plot.Plot) {
	tx, ty := plt.Transforms(&c)
	for _, lv := range ct.Levels {
		col := ct.Colour
		if ct.ColourOf != nil {
			col = ct.ColourOf(lv)
		}
		ls := draw.LineStyle{Color: col, Width: ct.Width}
		for _, line := range ContourLines(ct.Field, lv) {
			pts := make([]vg.Point, len(line))
			for i, q := range line {
				pts[i] = vg.Point{X: tx(q[0]), Y: ty(q[1])}
			}
			c.StrokeLines(ls, c.ClipLinesXY(pts)...)
		}
	}
}

// DataRange implements plot.DataRanger: the grid's nodes.
func (ct *Contours) DataRange() (xmin, xmax, ymin, ymax float64) {
	f := ct.Field
	return f.Xs[0], f.Xs[len(f.Xs)-1], f.Ys[0], f.Ys[len(f.Ys)-1]
}

// ContourLines returns the polylines where the field equals level.
func ContourLines(f Field, level float64) [][][2]float64 {
	nx, ny := len(f.Xs), len(f.Ys)
	z := func(i, j int) float64 { return f.Zs[j*nx+i] }
	// Edge ids: horizontal edge (i,j)-(i+1,j) is 2*(j*nx+i), vertical edge
	// (i,j)-(i,j+1) is 2*(j*nx+i)+1.
	type seg struct{ a, b int }
	var segs []seg
	pos := map[int][2]float64{}
	cross := func(e int) (int, bool) {
		k, vert := e/2, e%2 == 1
		i, j := k%nx, k/nx
		i2, j2 := i+1, j
		if vert {
			i2, j2 = i, j+1
		}
		za, zb := z(i, j), z(i2, j2)
		if (za < level) == (zb < level) {
			return e, false
		}
		if _, ok := pos[e]; !ok {
			t := (level - za) / (zb - za)
			pos[e] = [2]float64{f.Xs[i] + t*(f.Xs[i2]-f.Xs[i]), f.Ys[j] + t*(f.Ys[j2]-f.Ys[j])}
		}
		return e, true
	}
	for j := 0; j+1 < ny; j++ {
		for i := 0; i+1 < nx; i++ {
			c := [4]float64{z(i, j), z(i+1, j), z(i+1, j+1), z(i, j+1)}
			if math.IsNaN(c[0]+c[1]+c[2]+c[3]) || math.IsInf(c[0]+c[1]+c[2]+c[3], 0) {
				continue
			}
			// Edges counter-clockwise: bottom, right, top, left.
			edges := [4]int{2 * (j*nx + i), 2*(j*nx+i+1) + 1, 2 * ((j+1)*nx + i), 2*(j*nx+i) + 1}
			var hit []int
			for _, e := range edges {
				if _, ok := cross(e); ok {
					hit = append(hit, e)
				}
			}
			switch len(hit) {
			case 2:
				segs = append(segs, seg{hit[0], hit[1]})
			case 4:
				// Saddle: corners 0 and 2 on one side. If the centre is on
				// the side of corner 0, corner 0 connects across: pair its
				// edges with their neighbours accordingly.
				centre := (c[0] + c[1] + c[2] + c[3]) / 4
				if (centre < level) == (c[0] < level) {
					segs = append(segs, seg{hit[0], hit[1]}, seg{hit[2], hit[3]})
				} else {
					segs = append(segs, seg{hit[3], hit[0]}, seg{hit[1], hit[2]})
				}
			}
		}
	}
	// Join segments sharing an edge into polylines.
	at := map[int][]int{}
	for k, s := range segs {
		at[s.a] = append(at[s.a], k)
		at[s.b] = append(at[s.b], k)
	}
	used := make([]bool, len(segs))
	next := func(e, from int) (int, int, bool) {
		for _, k := range at[e] {
			if k != from && !used[k] {
				s := segs[k]
				if s.a == e {
					return k, s.b, true
				}
				return k, s.a, true
			}
		}
		return 0, 0, false
	}
	var lines [][][2]float64
	for k, s := range segs {
		if used[k] {
			continue
		}
		used[k] = true
		fwd := []int{s.a, s.b}
		for cur, e := k, s.b; ; {
			nk, ne, ok := next(e, cur)
			if !ok {
				break
			}
			used[nk] = true
			fwd = append(fwd, ne)
			cur, e = nk, ne
		}
		var back []int
		for cur, e := k, s.a; ; {
			nk, ne, ok := next(e, cur)
			if !ok {
				break
			}
			used[nk] = true
			back = append(back, ne)
			cur, e = nk, ne
		}
		line := make([][2]float64, 0, len(back)+len(fwd))
		for i := len(back) - 1; i >= 0; i-- {
			line = append(line, pos[back[i]])
		}
		for _, e := range fwd {
			line = append(line, pos[e])
		}
		lines = append(lines, line)
	}
	return lines
}
