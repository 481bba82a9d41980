package sparse

import "math"

// Test-only generator of representative Fokker–Planck generators: a
// cell-centred grid on [-2.5,2.5]² (or [-2.5,2.5] when ny = 1), potential
// f = (x²-1)²/4 + y²/2, temperature T = 0.5 and the anisotropic,
// state-dependent diffusion D = [[1 + x²/2, 0.3], [0.3, 1 + y²/2]],
// discretised by the nonnegative 9-point scheme: D = Σ μ_k u_k u_kᵀ with the
// physical offsets u = (hx,0), (0,hy) and (hx,±hy) (sign of D12), and
// Scharfetter–Gummel rates μ T B(s z), z = u·D⁻¹∇f/T at the edge midpoint,
// B(z) = z/(eᶻ-1). L[y][x] = rate(x→y), diagonal = -Σ out-rates; jumps
// leaving the box are dropped (or wrap when periodic).

const (
	fpT    = 0.5
	fpHalf = 2.5
)

type fpOpts struct {
	nx, ny     int
	perX, perY bool
	// isotropic selects D = I with z = (f(y)-f(x))/T from node values, whose
	// stationary vector is exactly exp(-f/T) (detailed balance).
	isotropic bool
}

type fpProblem struct {
	fpOpts
	hx, hy float64
	L      *CSR
	f      []float64 // potential at the nodes
	pin    int
}

func fpPotential(x, y float64) float64 {
	return (x*x-1)*(x*x-1)/4 + y*y/2
}

func fpGrad(x, y float64) (float64, float64) { return x*x*x - x, y }

func fpDiff(x, y float64) (d11, d12, d22 float64) { return 1 + 0.5*x*x, 0.3, 1 + 0.5*y*y }

// bernoulli returns B(z) = z/(e^z - 1), B(0) = 1.
func bernoulli(z float64) float64 {
	if math.Abs(z) < 1e-12 {
		return 1 - z/2
	}
	return z / math.Expm1(z)
}

func (p *fpProblem) coord(i, j int) (float64, float64) {
	x := -fpHalf + (float64(i)+0.5)*p.hx
	y := 0.0
	if p.ny > 1 {
		y = -fpHalf + (float64(j)+0.5)*p.hy
	}
	return x, y
}

func genFP(o fpOpts) *fpProblem {
	p := &fpProblem{fpOpts: o, hx: 2 * fpHalf / float64(o.nx), hy: 2 * fpHalf / float64(o.ny)}
	nx, ny := o.nx, o.ny
	n := nx * ny
	p.f = make([]float64, n)
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			x, y := p.coord(i, j)
			p.f[j*nx+i] = fpPotential(x, y)
		}
	}
	type offset struct{ vx, vy int }
	offs := []offset{{1, 0}, {0, 1}, {1, 1}}
	if ny == 1 {
		offs = offs[:1]
	}
	// Build Lᵀ row by row (row x = out-rates of node x), then transpose.
	b := NewBuilder(n, n, n*(2*len(offs)+1))
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			x, y := p.coord(i, j)
			d11, d12, d22 := fpDiff(x, y)
			if o.isotropic {
				d11, d12, d22 = 1, 0, 1
			}
			sgn := 1
			if d12 < 0 {
				sgn = -1
			}
			c := math.Abs(d12) / (p.hx * p.hy)
			mu := []float64{d11/(p.hx*p.hx) - c, d22/(p.hy*p.hy) - c, c}
			if ny == 1 {
				mu[0] = d11 / (p.hx * p.hx)
			}
			src := j*nx + i
			out := 0.0
			for k, of := range offs {
				if mu[k] == 0 {
					continue
				}
				vx, vy := of.vx, of.vy
				if k == 2 {
					vy *= sgn
				}
				for _, s := range []int{1, -1} {
					ti, tj := i+s*vx, j+s*vy
					if ti < 0 || ti >= nx {
						if !o.perX {
							continue
						}
						ti = (ti + nx) % nx
					}
					if tj < 0 || tj >= ny {
						if !o.perY {
							continue
						}
						tj = (tj + ny) % ny
					}
					dst := tj*nx + ti
					if dst == src {
						continue
					}
					var z float64
					if o.isotropic {
						z = (p.f[dst] - p.f[src]) / fpT
					} else {
						ux, uy := float64(s*vx)*p.hx, float64(s*vy)*p.hy
						gx, gy := fpGrad(x+ux/2, y+uy/2)
						e11, e12, e22 := fpDiff(x+ux/2, y+uy/2)
						det := e11*e22 - e12*e12
						// D⁻¹∇f
						qx := (e22*gx - e12*gy) / det
						qy := (-e12*gx + e11*gy) / det
						if ny == 1 {
							qx, qy = gx/e11, 0
						}
						z = (ux*qx + uy*qy) / fpT
					}
					r := mu[k] * fpT * bernoulli(z)
					b.Add(dst, r)
					out += r
				}
			}
			b.Add(src, -out)
			b.EndRow()
		}
	}
	lt, err := b.Build()
	if err != nil {
		panic(err)
	}
	p.L = lt.Transpose()
	// Pin the node nearest (1, 0).
	pi := int(math.Round((1+fpHalf)/p.hx - 0.5))
	pj := 0
	if ny > 1 {
		pj = int(math.Round((0+fpHalf)/p.hy - 0.5))
	}
	p.pin = pj*nx + pi
	return p
}

// pinned returns a copy of L with the pin row replaced by d e_k and the
// right-hand side d e_k.
func (p *fpProblem) pinned(d float64) (*CSR, []float64) {
	a := p.L.Clone()
	if err := a.PinRow(p.pin, d); err != nil {
		panic(err)
	}
	b := make([]float64, a.Rows)
	b[p.pin] = d
	return a, b
}
