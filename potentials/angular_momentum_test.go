package potentials

import (
	"math"
	"testing"
)

// TestQuadraticAngularMomentum checks L = (A Sigma)_12 - (A Sigma)_21
// against validation case 6 and against L = (M Sigma)_21 - (M Sigma)_12
// with M = -A + T D Sigma^-1 computed independently.
func TestQuadraticAngularMomentum(t *testing.T) {
	gy, err := New("gyrator", nil)
	if err != nil {
		t.Fatal(err)
	}
	if gy.AngularMomentum == nil {
		t.Fatal("gyrator: AngularMomentum hook not set")
	}
	if L, ok := gy.AngularMomentum(0.5); !ok || math.Abs(L-(-0.48)) > 1e-12 {
		t.Errorf("gyrator L(0.5) = %v, %v; want -0.48", L, ok)
	}
	if L, ok := gy.AngularMomentum(1); !ok || math.Abs(L-(-0.96)) > 1e-12 {
		t.Errorf("gyrator L(1) = %v, %v; want -0.96 (linear in T)", L, ok)
	}
	qu, err := New("quadratic", nil)
	if err != nil {
		t.Fatal(err)
	}
	if L, ok := qu.AngularMomentum(0.5); !ok || L != 0 {
		t.Errorf("quadratic (A D = D A) L = %v, %v; want 0", L, ok)
	}
	// A general case with A12 != 0.
	q := Quadratic{A11: 2, A12: 0.5, A22: 1, ConstDiffusion: ConstDiffusion{D11: 1, D12: -0.3, D22: 2}}
	T := 0.7
	s11, s12, s22, err := q.Covariance(T)
	if err != nil {
		t.Fatal(err)
	}
	det := s11*s22 - s12*s12
	i11, i12, i22 := s22/det, -s12/det, s11/det
	// M = -A + T D Sigma^-1.
	m11 := -q.A11 + T*(q.D11*i11+q.D12*i12)
	m12 := -q.A12 + T*(q.D11*i12+q.D12*i22)
	m21 := -q.A12 + T*(q.D12*i11+q.D22*i12)
	m22 := -q.A22 + T*(q.D12*i12+q.D22*i22)
	ms12 := m11*s12 + m12*s22
	ms21 := m21*s11 + m22*s12
	want := ms21 - ms12
	if L, ok := q.Model().AngularMomentum(T); !ok || math.Abs(L-want) > 1e-12 {
		t.Errorf("general quadratic L = %v, %v; want %v", L, ok, want)
	}
	bad := Quadratic{A11: 1, A22: -1}
	if _, ok := bad.AngularMomentum(1); ok {
		t.Error("indefinite A: want ok = false")
	}
}

// TestPaperFig4AngularMomentum checks Z and L = 2 pi lambda / Z against
// values from 30-digit quadrature (mpmath), and that there is no closed
// form away from T = 1.
func TestPaperFig4AngularMomentum(t *testing.T) {
	const zRef = 7.623468444672764850796141804
	p := PaperFig4{Lambda: 0.5}
	if z := p.Z(); math.Abs(z-zRef) > 1e-12*zRef {
		t.Errorf("Z = %.16g, want %.16g", z, zRef)
	}
	m, err := New("paper-fig4", map[string]float64{"lambda": 0.5})
	if err != nil {
		t.Fatal(err)
	}
	L, ok := m.AngularMomentum(1)
	if want := 0.412094924559584135930276233376; !ok || math.Abs(L-want) > 1e-12 {
		t.Errorf("L(T = 1) = %v, %v; want %v", L, ok, want)
	}
	// The polar integral: 2 pi int r^3 exp(-r^4/4) dr = 2 pi (midpoint rule).
	// The integrand's odd derivatives vanish at 0 and (to 1e-140) at 6, so
	// by Euler–Maclaurin the rule's error is far below round-off, which over
	// 6e4 terms is about 1e-12.
	s, h := 0.0, 1e-4
	for r := h / 2; r < 6; r += h {
		s += r * r * r * math.Exp(-r*r*r*r/4) * h
	}
	if math.Abs(s-1) > 1e-11 {
		t.Errorf("int r^3 exp(-r^4/4) dr = %v, want 1", s)
	}
	if _, ok := m.AngularMomentum(0.5); ok {
		t.Error("T = 0.5: want no closed form")
	}
	if L, ok := (PaperFig4{}).AngularMomentum(1); !ok || L != 0 {
		t.Errorf("lambda = 0: L = %v, %v; want 0", L, ok)
	}
}
