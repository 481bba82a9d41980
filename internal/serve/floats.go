package serve

import (
	"math"
	"strconv"
)

// floats is a float64 slice that encodes to JSON with 6 significant digits
// (fields and coordinates need no more on a screen, and the answer is a
// third the size) and with null for NaN and infinities, which JSON cannot
// hold: Phi is NaN where rho underflows.
type floats []float64

// MarshalJSON implements json.Marshaler.
func (f floats) MarshalJSON() ([]byte, error) {
	if f == nil {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 2+10*len(f))
	b = append(b, '[')
	for i, v := range f {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b = append(b, "null"...)
			continue
		}
		b = strconv.AppendFloat(b, v, 'g', 6, 64)
	}
	return append(b, ']'), nil
}
