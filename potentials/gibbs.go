package potentials

import "fmt"

// Gibbs returns the control model with the same diffusion and loss as m but
// the drift
//
//	b(x) = -D(x) grad f(x) + T div D(x),
//
// whose Fokker–Planck steady state is exp(-f/T)/Z with zero probability
// current for every positive definite D: the equilibrium null model that SGD
// is not
// (Chaudhari & Soatto 2018, Sec. 4). m must have Grad and
// DivDiffusion, and T must be positive.
func Gibbs(m Model, T float64) (Model, error) {
	if m.Grad == nil {
		return Model{}, fmt.Errorf("model %q: the gibbs drift needs a loss", m.Name)
	}
	if m.DivDiffusion == nil {
		return Model{}, fmt.Errorf("model %q: the gibbs drift needs div D, which this model does not provide", m.Name)
	}
	if !(T > 0) {
		return Model{}, fmt.Errorf("temperature must be positive, got %g", T)
	}
	g := m
	g.GradientDrift = false
	g.AngularMomentum = nil // the model's closed form is not the control's
	d := m.Dim
	grad, diff, div := m.Grad, m.Diffusion, m.DivDiffusion
	g.Drift = func(dst, x []float64) {
		// Scratch on the stack for the common small dimensions.
		var gb, db [4]float64
		var Db [16]float64
		var gv, dv, Dm []float64
		if d <= 4 {
			gv, dv, Dm = gb[:d], db[:d], Db[:d*d]
		} else {
			gv, dv, Dm = make([]float64, d), make([]float64, d), make([]float64, d*d)
		}
		grad(gv, x)
		diff(Dm, x)
		div(dv, x)
		for i := 0; i < d; i++ {
			s := T * dv[i]
			for j := 0; j < d; j++ {
				s -= Dm[i*d+j] * gv[j]
			}
			dst[i] = s
		}
	}
	if m.Diffusion2 != nil {
		d2 := m.Diffusion2
		g.Drift2 = func(x, y float64) (float64, float64) {
			var gv, dv [2]float64
			xy := [2]float64{x, y}
			grad(gv[:], xy[:])
			div(dv[:], xy[:])
			a, b, c := d2(x, y)
			return -(a*gv[0] + b*gv[1]) + T*dv[0], -(b*gv[0] + c*gv[1]) + T*dv[1]
		}
	}
	if m.Name != "" {
		g.Name = m.Name
	}
	g.Formula = m.Formula + "; drift replaced by the Gibbs control b = -D grad f + T div D"
	return g, nil
}
