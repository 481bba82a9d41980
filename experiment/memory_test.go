package experiment

import (
	"strings"
	"testing"
)

func TestParseMemAvailable(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"MemTotal:       24684084 kB\nMemFree:        23820672 kB\nMemAvailable:   24148532 kB\n", 24148532 << 10, true},
		{"MemAvailable: 12\n", 12, true},
		{"MemTotal:       24684084 kB\n", 0, false},
		{"MemAvailable:   x kB\n", 0, false},
		{"MemAvailable:\n", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseMemAvailable(strings.NewReader(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("ParseMemAvailable(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
