package fokkerplanck

import (
	"fmt"
	"strconv"
	"strings"
)

// The enumerations of the package are integer types whose spellings, the
// names in a table indexed by value, are those of the output files and
// messages: String returns them, MarshalText writes them (so that JSON holds
// the same strings as the untyped constants did) and UnmarshalText reads
// them back.

// enumString returns the name of e in names, or typ(e) for a value
// without a name, as the stringer tool does.
func enumString[E ~int](names []string, e E, typ string) string {
	if e >= 0 && int(e) < len(names) && names[e] != "" {
		return names[e]
	}
	return typ + "(" + strconv.Itoa(int(e)) + ")"
}

// marshalEnum returns the name of e in names, or an error naming what
// (e.g. "an orbit class") for a value without a name.
func marshalEnum[E ~int](names []string, e E, typ, what string) ([]byte, error) {
	if e >= 0 && int(e) < len(names) && names[e] != "" {
		return []byte(names[e]), nil
	}
	return nil, fmt.Errorf("fokkerplanck: %s(%d) is not %s", typ, int(e), what)
}

// parseEnum returns the value named exactly s in names; the error names
// what was parsed (e.g. "orbit class"), quotes s and lists the names.
func parseEnum[E ~int](names []string, s, what string) (E, error) {
	if v, ok := lookupEnum[E](names, s); ok {
		return v, nil
	}
	return 0, unknownEnum(names, s, what)
}

// lookupEnum returns the value named exactly s in names.
func lookupEnum[E ~int](names []string, s string) (E, bool) {
	for v, n := range names {
		if n != "" && n == s {
			return E(v), true
		}
	}
	return 0, false
}

// unknownEnum is the error for a name s that is not in names.
func unknownEnum(names []string, s, what string) error {
	var want []string
	for _, n := range names {
		if n != "" {
			want = append(want, n)
		}
	}
	return fmt.Errorf("unknown %s %q: want %s", what, s, orList(want))
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
