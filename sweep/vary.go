package sweep

import (
	"math"
	"strconv"
	"strings"
)

// Kind is the kind of value an axis takes.
type Kind int

const (
	// Real axes take finite floating-point numbers.
	Real Kind = iota
	// Integer axes take whole numbers; range values are rounded.
	Integer
	// Text axes take any strings and accept lists only.
	Text
)

// MaxPoints bounds the number of points of a sweep.
const MaxPoints = 1_000_000

// Vary is a parsed --vary NAME=SPEC: a range or a list.
type Vary struct {
	// Name is the parameter or flag name.
	Name string
	// Spec is the text after '='.
	Spec string
	// IsRange reports a range START:STOP:COUNT[:log]; otherwise Items holds
	// the list.
	IsRange     bool
	Start, Stop float64
	Count       int
	Log         bool
	Items       []string
}

// ParseVary parses "NAME=START:STOP:COUNT", "NAME=START:STOP:COUNT:log",
// "NAME=a,b,c" or "NAME=a;b;c". A SPEC without ',' or ';' that has three
// or four ':'-separated fields is a range; anything else is a list. Its
// errors are *VaryError values.
func ParseVary(s string) (Vary, error) {
	name, spec, ok := strings.Cut(s, "=")
	name, spec = strings.TrimSpace(name), strings.TrimSpace(spec)
	if !ok || name == "" || spec == "" {
		return Vary{}, &VaryError{Issue: VaryForm, Arg: s}
	}
	for _, r := range name {
		if !(r == '_' || r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return Vary{}, &VaryError{Issue: VaryNameChars, Arg: s, Value: name}
		}
	}
	v := Vary{Name: strings.TrimPrefix(name, "--"), Spec: spec}
	if strings.Trim(v.Name, "-") == "" {
		return Vary{}, &VaryError{Issue: VaryNameEmpty, Arg: s, Value: name}
	}
	fields := strings.Split(spec, ":")
	if !strings.ContainsAny(spec, ",;") && (len(fields) == 3 || len(fields) == 4) {
		return v, v.parseRange(s, fields)
	}
	sep := ","
	if strings.Contains(spec, ";") {
		sep = ";"
	}
	seen := map[string]bool{}
	for _, it := range strings.Split(spec, sep) {
		it = strings.TrimSpace(it)
		if it == "" {
			return Vary{}, &VaryError{Issue: VaryEmptyItem, Arg: s}
		}
		if seen[it] {
			return Vary{}, &VaryError{Issue: VaryRepeatedItem, Arg: s, Value: it}
		}
		seen[it] = true
		v.Items = append(v.Items, it)
	}
	return v, nil
}

// parseRange parses the fields START, STOP, COUNT[, log] of a range.
func (v *Vary) parseRange(s string, f []string) error {
	v.IsRange = true
	var err error
	for i, p := range []*float64{&v.Start, &v.Stop} {
		t := strings.TrimSpace(f[i])
		*p, err = strconv.ParseFloat(t, 64)
		if err != nil || math.IsNaN(*p) || math.IsInf(*p, 0) {
			return &VaryError{Issue: VaryRangeNumber, Arg: s, Field: [2]string{"START", "STOP"}[i], Value: t}
		}
	}
	t := strings.TrimSpace(f[2])
	if v.Count, err = strconv.Atoi(t); err != nil || v.Count < 1 {
		return &VaryError{Issue: VaryCount, Arg: s, Value: t}
	}
	if v.Count > MaxPoints {
		return &VaryError{Issue: VaryCountMax, Arg: s, Count: v.Count, Max: MaxPoints}
	}
	if len(f) == 4 {
		switch strings.ToLower(strings.TrimSpace(f[3])) {
		case "log":
			v.Log = true
		case "lin", "linear":
		default:
			return &VaryError{Issue: VaryScale, Arg: s, Value: f[3]}
		}
	}
	if v.Log && !(v.Start > 0 && v.Stop > 0) {
		return &VaryError{Issue: VaryLogSign, Arg: s}
	}
	if v.Count == 1 && v.Start != v.Stop {
		return &VaryError{Issue: VaryCountOne, Arg: s}
	}
	return nil
}

// Values returns the axis values as they are passed to the command: for a
// range, numbers formatted with strconv 'g' (rounded to 12 significant
// digits, or to integers for an Integer axis); for a list, the items, which
// must be numbers for Real and Integer axes. A range of a Text axis is an
// error. Its errors are *VaryError values.
func (v Vary) Values(k Kind) ([]string, error) {
	if !v.IsRange {
		if k != Text {
			for _, it := range v.Items {
				f, err := strconv.ParseFloat(it, 64)
				if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
					return nil, &VaryError{Issue: VaryItemNumber, Name: v.Name, Spec: v.Spec, Value: it}
				}
				if k == Integer && f != math.Trunc(f) {
					return nil, &VaryError{Issue: VaryItemInteger, Name: v.Name, Spec: v.Spec, Value: it}
				}
			}
		}
		return append([]string(nil), v.Items...), nil
	}
	if k == Text {
		return nil, &VaryError{Issue: VaryTextRange, Name: v.Name, Spec: v.Spec}
	}
	out := make([]string, v.Count)
	seen := map[string]bool{}
	for i := range out {
		x := v.at(i)
		var s string
		if k == Integer {
			s = strconv.FormatFloat(math.Round(x)+0, 'f', 0, 64) // +0 turns -0 into 0
		} else {
			s = strconv.FormatFloat(x, 'g', 12, 64)
			f, _ := strconv.ParseFloat(s, 64)
			s = strconv.FormatFloat(f, 'g', -1, 64)
		}
		if seen[s] {
			return nil, &VaryError{Issue: VaryRepeatedValue, Name: v.Name, Spec: v.Spec, Value: s}
		}
		seen[s] = true
		out[i] = s
	}
	return out, nil
}

// at is the i-th value of a range, with both ends exact.
func (v Vary) at(i int) float64 {
	switch {
	case i == 0:
		return v.Start
	case i == v.Count-1:
		return v.Stop
	case v.Log:
		a, b := math.Log(v.Start), math.Log(v.Stop)
		return math.Exp(a + (b-a)*float64(i)/float64(v.Count-1))
	}
	return v.Start + (v.Stop-v.Start)*float64(i)/float64(v.Count-1)
}

// Axis is one varied name with its values, as stored in sweep.json.
type Axis struct {
	Name   string   `json:"name"`
	Spec   string   `json:"spec"`
	Values []string `json:"values"`
}

// Grid is the Cartesian product of axes: the first axis varies slowest.
type Grid []Axis

// Len is the number of points (the product of the axis lengths).
func (g Grid) Len() int {
	if len(g) == 0 {
		return 0
	}
	n := 1
	for _, a := range g {
		n *= len(a.Values)
	}
	return n
}

// Check reports an empty grid, an axis given twice or without values, and
// grids of more than MaxPoints points, as *VaryError values.
func (g Grid) Check() error {
	if len(g) == 0 {
		return &VaryError{Issue: VaryNone}
	}
	n := 1
	seen := map[string]bool{}
	for _, a := range g {
		if seen[a.Name] {
			return &VaryError{Issue: VaryTwice, Name: a.Name}
		}
		seen[a.Name] = true
		if len(a.Values) == 0 {
			return &VaryError{Issue: VaryNoValues, Name: a.Name}
		}
		n *= len(a.Values)
		if n > MaxPoints {
			return &VaryError{Issue: VaryTooMany, Max: MaxPoints}
		}
	}
	return nil
}

// Point returns the axis values of point i, one per axis.
func (g Grid) Point(i int) []string {
	vals := make([]string, len(g))
	for k := len(g) - 1; k >= 0; k-- {
		n := len(g[k].Values)
		vals[k] = g[k].Values[i%n]
		i /= n
	}
	return vals
}

// Names lists the axis names.
func (g Grid) Names() []string {
	names := make([]string, len(g))
	for i, a := range g {
		names[i] = a.Name
	}
	return names
}
