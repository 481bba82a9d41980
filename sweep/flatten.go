package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits of Flatten: a list is flattened when it has at most MaxListLen
// elements and yields at most MaxListScalars scalars; a longer one (a
// mean of 1000 coordinates, the orbits of a rich cycles run) is skipped
// whole and stays in the summary file.
const (
	MaxListLen     = 16
	MaxListScalars = 256
)

// Field is one scalar of a flattened summary.
type Field struct {
	Key, Value string
}

// Flatten returns the scalars of the JSON object data in document order:
// nested objects give dotted keys (params.d12), lists give key.0, key.1,
// ... within the limits above. Numbers keep their JSON text, booleans are
// true or false, strings are unquoted and null is empty. Keys for which
// skip returns true (see Volatile) are left out, with their subtrees.
func Flatten(data []byte, skip func(key string) bool) ([]Field, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeOrdered(dec)
	if err != nil {
		return nil, fmt.Errorf("summary: %v", err)
	}
	obj, ok := v.(object)
	if !ok {
		return nil, errors.New("summary: not a JSON object")
	}
	var out []Field
	flattenInto(&out, "", obj, skip)
	return out, nil
}

// object is a JSON object with its keys in document order.
type object struct {
	keys []string
	vals []any
}

// decodeOrdered decodes one JSON value, keeping object key order: objects
// become object, lists []any, and scalars json.Number, string, bool or nil.
func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			var o object
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, kt.(string))
				o.vals = append(o.vals, v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			l := []any{}
			for dec.More() {
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := dec.Token()
			return l, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	}
	return tok, nil
}

func flattenInto(out *[]Field, prefix string, v any, skip func(string) bool) {
	switch t := v.(type) {
	case object:
		for i, k := range t.keys {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			if skip != nil && skip(key) {
				continue
			}
			flattenInto(out, key, t.vals[i], skip)
		}
	case []any:
		if len(t) > MaxListLen || scalars(t) > MaxListScalars {
			return
		}
		for i, e := range t {
			flattenInto(out, prefix+"."+strconv.Itoa(i), e, skip)
		}
	case json.Number:
		*out = append(*out, Field{prefix, t.String()})
	case string:
		*out = append(*out, Field{prefix, t})
	case bool:
		*out = append(*out, Field{prefix, strconv.FormatBool(t)})
	case nil:
		*out = append(*out, Field{prefix, ""})
	}
}

// scalars counts the scalars below v.
func scalars(v any) int {
	switch t := v.(type) {
	case object:
		n := 0
		for _, e := range t.vals {
			n += scalars(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range t {
			n += scalars(e)
		}
		return n
	}
	return 1
}

// Volatile reports the summary keys left out of results.csv because they
// differ between runs of the same point: run times (the last key part ends
// in "seconds" or "per_second") and the execution settings "workers",
// "workers_requested" and "files".
func Volatile(key string) bool {
	last := key
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		last = key[i+1:]
	}
	switch last {
	case "workers", "workers_requested", "files":
		return true
	}
	return strings.HasSuffix(last, "seconds") || strings.HasSuffix(last, "per_second")
}

// mergeKeys merges the key sequence keys into the ordered union order: a
// key not yet in order is inserted right after the key that precedes it in
// keys (at the front if none does), so that related keys stay together.
func mergeKeys(order []string, index map[string]int, keys []string) []string {
	prev := ""
	for _, k := range keys {
		if _, ok := index[k]; ok {
			prev = k
			continue
		}
		pos := 0
		if prev != "" {
			pos = index[prev] + 1
		}
		order = append(order, "")
		copy(order[pos+1:], order[pos:])
		order[pos] = k
		for i := pos; i < len(order); i++ {
			index[order[i]] = i
		}
		prev = k
	}
	return order
}
