package plots

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Table is a table of results read from a CSV file with a header row, such
// as a sweep's results.csv.
type Table struct {
	// Header holds the column names.
	Header []string
	// Rows holds the cells, one slice of len(Header) per row.
	Rows [][]string
}

// ReadTable reads a CSV file whose first row names the columns.
func ReadTable(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("read %s: empty file (no header row)", path)
	}
	return &Table{Header: recs[0], Rows: recs[1:]}, nil
}

// Column returns the index of the column name, or -1.
func (t *Table) Column(name string) int {
	return slices.Index(t.Header, name)
}

// okRow reports whether row i is usable: without a status column every row
// is; with one, only the rows whose status is ok.
func (t *Table) okRow(i int) bool {
	s := t.Column("status")
	return s < 0 || t.Rows[i][s] == "ok"
}

// Numeric reports whether column j holds numbers: every non-empty cell of
// the usable rows is a finite number, and at least one is.
func (t *Table) Numeric(j int) bool {
	any := false
	for i, r := range t.Rows {
		if !t.okRow(i) || r[j] == "" {
			continue
		}
		if _, err := parseFinite(r[j]); err != nil {
			return false
		}
		any = true
	}
	return any
}

// NumericColumns returns the names of the numeric columns, in table order.
func (t *Table) NumericColumns() []string {
	var names []string
	for j, name := range t.Header {
		if t.Numeric(j) {
			names = append(names, name)
		}
	}
	return names
}

// parseFinite parses a finite float64.
func parseFinite(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return v, nil
}
