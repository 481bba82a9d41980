package fokkerplanck_test

import (
	"encoding"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/sgdsde/sgdsde/fokkerplanck"
)

// enumValue is a value of one of the package's enumerations.
type enumValue interface {
	fmt.Stringer
	encoding.TextMarshaler
}

// TestEnumSpellings checks that every value of the enumerations spells as
// the output files and messages always have (the strings the constants
// had before they were typed), that MarshalText and JSON give the same
// string, and that UnmarshalText reads it back.
func TestEnumSpellings(t *testing.T) {
	cases := []struct {
		v    enumValue
		want string
		back func(string) (enumValue, error)
	}{
		{fokkerplanck.Symmetric, "symmetric", unmarshal[fokkerplanck.Scheme]},
		{fokkerplanck.Source, "source", unmarshal[fokkerplanck.Scheme]},
		{fokkerplanck.ClassClosed, "closed", unmarshal[fokkerplanck.OrbitClass]},
		{fokkerplanck.ClassInwardSpiral, "inward-spiral", unmarshal[fokkerplanck.OrbitClass]},
		{fokkerplanck.ClassOutwardSpiral, "outward-spiral", unmarshal[fokkerplanck.OrbitClass]},
		{fokkerplanck.ClassFixedPoint, "fixed-point", unmarshal[fokkerplanck.OrbitClass]},
		{fokkerplanck.ClassLeavesBox, "leaves-box", unmarshal[fokkerplanck.OrbitClass]},
		{fokkerplanck.ClassUnresolved, "unresolved", unmarshal[fokkerplanck.OrbitClass]},
		{fokkerplanck.FieldForce, "force", unmarshal[fokkerplanck.OrbitField]},
		{fokkerplanck.FieldDrift, "drift", unmarshal[fokkerplanck.OrbitField]},
		{fokkerplanck.Assumption4Holds, "holds", unmarshal[fokkerplanck.Assumption4Verdict]},
		{fokkerplanck.Assumption4Violated, "violated", unmarshal[fokkerplanck.Assumption4Verdict]},
		{fokkerplanck.BasinsOfPhi, "phi", unmarshal[fokkerplanck.BasinKind]},
		{fokkerplanck.BasinsOfDrift, "drift", unmarshal[fokkerplanck.BasinKind]},
	}
	for _, c := range cases {
		if s := c.v.String(); s != c.want {
			t.Errorf("%T %d: String %q, want %q", c.v, c.v, s, c.want)
		}
		if s := fmt.Sprintf("%v|%s|%q", c.v, c.v, c.v); s != c.want+"|"+c.want+"|"+`"`+c.want+`"` {
			t.Errorf("%T %d formats as %s", c.v, c.v, s)
		}
		if b, err := c.v.MarshalText(); err != nil || string(b) != c.want {
			t.Errorf("%T %d: MarshalText %q, %v, want %q", c.v, c.v, b, err, c.want)
		}
		if b, err := json.Marshal(map[string]any{"k": c.v}); err != nil || string(b) != `{"k":"`+c.want+`"}` {
			t.Errorf("%T %d: JSON %s, %v, want the string %q", c.v, c.v, b, err, c.want)
		}
		if v, err := c.back(c.want); err != nil || v != c.v {
			t.Errorf("%T: UnmarshalText(%q) = %v, %v, want %d", c.v, c.want, v, err, c.v)
		}
		if _, err := c.back(c.want + "x"); err == nil || !strings.Contains(err.Error(), `"`+c.want+`x"`) {
			t.Errorf("%T: UnmarshalText(%q): error %v, want one quoting the text", c.v, c.want+"x", err)
		}
	}
}

// unmarshal reads text into a new E by its UnmarshalText.
func unmarshal[E enumValue, P interface {
	*E
	encoding.TextUnmarshaler
}](text string) (enumValue, error) {
	var e E
	err := P(&e).UnmarshalText([]byte(text))
	return e, err
}

// TestEnumInvalid checks values outside the enumerations: String names
// the type and number, MarshalText (and so JSON) fails rather than write a
// spelling that no reader knows.
func TestEnumInvalid(t *testing.T) {
	for _, c := range []struct {
		v    enumValue
		want string
	}{
		{fokkerplanck.Scheme(2), "Scheme(2)"},
		{fokkerplanck.Scheme(-1), "Scheme(-1)"},
		{fokkerplanck.OrbitClass(0), "OrbitClass(0)"},
		{fokkerplanck.ClassUnresolved + 1, "OrbitClass(7)"},
		{fokkerplanck.OrbitField(0), "OrbitField(0)"},
		{fokkerplanck.Assumption4Verdict(0), "Assumption4Verdict(0)"},
		{fokkerplanck.BasinKind(0), "BasinKind(0)"},
		{fokkerplanck.BasinsOfDrift + 1, "BasinKind(3)"},
	} {
		if s := c.v.String(); s != c.want {
			t.Errorf("String %q, want %q", s, c.want)
		}
		if b, err := c.v.MarshalText(); err == nil {
			t.Errorf("%s: MarshalText %q, want an error", c.want, b)
		}
		if b, err := json.Marshal(c.v); err == nil {
			t.Errorf("%s: JSON %s, want an error", c.want, b)
		}
	}
}

// TestParseScheme checks the names ParseScheme takes (any case, space
// around ignored) and its error for others: it quotes the value, lists the
// names and names no command-line flag.
func TestParseScheme(t *testing.T) {
	for s, want := range map[string]fokkerplanck.Scheme{
		"symmetric": fokkerplanck.Symmetric, "source": fokkerplanck.Source,
		" Source\t": fokkerplanck.Source, "SYMMETRIC": fokkerplanck.Symmetric,
	} {
		if got, err := fokkerplanck.ParseScheme(s); err != nil || got != want {
			t.Errorf("ParseScheme(%q) = %v, %v, want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "ito", "symmetric source", "Scheme(0)", "0"} {
		_, err := fokkerplanck.ParseScheme(s)
		want := fmt.Sprintf("unknown scheme %q: want symmetric or source", s)
		if err == nil || err.Error() != want {
			t.Errorf("ParseScheme(%q): error %v, want %q", s, err, want)
		}
	}
	var s fokkerplanck.Scheme
	if err := json.Unmarshal([]byte(`"source"`), &s); err != nil || s != fokkerplanck.Source {
		t.Errorf(`JSON "source" reads as %v, %v`, s, err)
	}
}
