package plots

import "strings"

// symbols maps the names of parameters and results of sgdsde to axis labels
// that carry the quantity's symbol.
var symbols = map[string]string{
	"temperature":            "temperature T",
	"lr":                     "learning rate η",
	"batch":                  "batch size b",
	"dt":                     "time step Δt",
	"grid":                   "grid nodes per axis",
	"seed":                   "seed",
	"d11":                    "diffusion D11",
	"d12":                    "diffusion D12",
	"d22":                    "diffusion D22",
	"a11":                    "curvature a11",
	"a12":                    "curvature a12",
	"a22":                    "curvature a22",
	"entropy_production":     "entropy production Π",
	"angular_momentum":       "angular momentum L",
	"max_abs_phi_minus_loss": "max |Φ − f|",
	"mass":                   "total mass ∫ρ",
	"min_rho":                "min ρ",
	"residual":               "residual",
	"wall_rho":               "ρ at the wall",
	"region_fraction":        "region fraction",
	"free_energy":            "free energy F",
}

// Label returns the axis label of a column name: the quantity and its
// symbol for the names sgdsde knows (temperature gives "temperature T",
// entropy_production "entropy production Π"; indices are written inline,
// D12, as the fonts' subscript digits are spaced too widely), the name with
// underscores and dots as spaces otherwise.
func Label(name string) string {
	if s, ok := symbols[name]; ok {
		return s
	}
	return strings.NewReplacer("_", " ", ".", " ").Replace(name)
}
