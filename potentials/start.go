package potentials

// DefaultStart returns the default initial state of a trajectory of m: the
// point (1, 0), a minimum of the double well, when m is 2-D and its box
// contains it (or it has no box); otherwise the centre of the box, or the
// origin when m has no box.
func (m Model) DefaultStart() []float64 {
	x := make([]float64, m.Dim)
	hasBox := len(m.Box.Min) == m.Dim && len(m.Box.Max) == m.Dim
	if m.Dim == 2 {
		x[0] = 1
		if !hasBox || m.Box.Contains(x) {
			return x
		}
	}
	if !hasBox {
		return make([]float64, m.Dim)
	}
	for i := range x {
		x[i] = m.Box.Min[i] + (m.Box.Max[i]-m.Box.Min[i])/2
	}
	return x
}

// FiniteSumStart returns the default initial state of a chain on the
// finite sum m built with parameter values params: the model's random
// initialisation, Init(x, seed) with seed the model's "seed" parameter,
// for a model that has one (the mlp), and the origin otherwise.
func FiniteSumStart(m FiniteSum, params map[string]float64) []float64 {
	x := make([]float64, m.Dim())
	if in, ok := m.(interface{ Init([]float64, uint64) }); ok {
		in.Init(x, uint64(params["seed"]))
	}
	return x
}
