package datafile

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
)

// ErrNPY marks errors about the contents of a .npy file that ReadNPY
// refuses: not a .npy file, an unsupported dtype, or a data length that
// does not match the header's shape.
var ErrNPY = errors.New("bad .npy file")

// npyError is an error about the contents of a .npy file; it matches ErrNPY.
type npyError struct{ msg string }

func (e *npyError) Error() string { return e.msg }
func (e *npyError) Is(target error) bool {
	return target == ErrNPY
}

func npyErrorf(format string, a ...any) error { return &npyError{fmt.Sprintf(format, a...)} }

// maxNPYHeader bounds the header of a .npy file (NEP 1 allows 4 GiB in
// versions 2 and 3; real headers take well under a kilobyte).
const maxNPYHeader = 1 << 20

// ReadNPY reads a NumPy .npy array of floating-point numbers (dtype '<f8',
// '>f8', '<f4' or '>f4') and returns its shape and its values as float64 in
// C (row-major) order; a Fortran-ordered array is transposed into C order.
// The data must hold exactly the number of values the header's shape gives:
// a truncated file, a file with only its header, or one with data beyond
// the shape is refused with one line naming the file, the shape, and the
// expected and found numbers of values. The length is checked against the
// file's size before the data are read, so a header that claims a huge
// shape allocates nothing. A missing file gives the error of os.Open
// (matching fs.ErrNotExist); errors about the contents match ErrNPY.
func ReadNPY(path string) (shape []int, data []float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(f, 1<<16)
	hdr, err := readNPYHeader(br)
	if err != nil {
		return nil, nil, npyErrorf("%s is not a NumPy .npy file: %v", path, err)
	}
	r, err := npy.NewReader(bytes.NewReader(hdr))
	if err != nil {
		return nil, nil, npyErrorf("%s is not a NumPy .npy file: %v", path, err)
	}
	descr := r.Header.Descr
	shape = append([]int(nil), descr.Shape...)
	typ := strings.Trim(descr.Type, `'"`)
	var size int64
	var order binary.ByteOrder
	switch typ {
	case "<f8", ">f8":
		size = 8
	case "<f4", ">f4":
		size = 4
	default:
		return nil, nil, npyErrorf("%s holds dtype %q: want floating-point numbers, dtype '<f8' (float64)", path, typ)
	}
	order = binary.LittleEndian
	if typ[0] == '>' {
		order = binary.BigEndian
	}
	n := int64(1)
	for _, s := range shape {
		if s < 0 {
			return nil, nil, npyErrorf("%s: shape %s has a negative dimension", path, ShapeString(shape))
		}
		if s != 0 && n > math.MaxInt64/size/int64(s) {
			return nil, nil, npyErrorf("%s: shape %s holds more values than a file can", path, ShapeString(shape))
		}
		n *= int64(s)
	}
	want := n * size
	if st.Mode().IsRegular() {
		have := st.Size() - int64(len(hdr))
		if have != want {
			return nil, nil, lengthError(path, shape, n, have, size)
		}
	}
	if n > math.MaxInt {
		return nil, nil, npyErrorf("%s: shape %s holds %d values, more than can be indexed", path, ShapeString(shape), n)
	}
	buf := make([]byte, want)
	if got, err := io.ReadFull(br, buf); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, lengthError(path, shape, n, int64(got), size)
		}
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if extra, _ := io.Copy(io.Discard, br); extra > 0 {
		return nil, nil, lengthError(path, shape, n, want+extra, size)
	}
	data = make([]float64, n)
	for i := range data {
		if size == 8 {
			data[i] = math.Float64frombits(order.Uint64(buf[8*i:]))
		} else {
			data[i] = float64(math.Float32frombits(order.Uint32(buf[4*i:])))
		}
	}
	if descr.Fortran && len(shape) > 1 {
		data = fortranToC(data, shape)
	}
	return shape, data, nil
}

// lengthError reports data of have bytes where the shape needs n values of
// size bytes each.
func lengthError(path string, shape []int, n, have, size int64) error {
	found := have / size
	var extra string
	if rem := have % size; rem != 0 {
		extra = fmt.Sprintf(" and %d stray bytes", rem)
	}
	what := "truncated"
	if have > n*size {
		what = "longer than its header says"
	}
	if have <= 0 {
		what = "header only, no data"
		found, extra = 0, ""
	}
	return npyErrorf("%s is %s: its shape %s needs %d values, the file holds %d%s", path, what, ShapeString(shape), n, found, extra)
}

// readNPYHeader reads the magic string, the version, the header length and
// the header of a .npy file and returns them as they were read.
func readNPYHeader(r io.Reader) ([]byte, error) {
	pre := make([]byte, 10)
	if _, err := io.ReadFull(r, pre); err != nil {
		return nil, fmt.Errorf("shorter than a .npy header")
	}
	if !bytes.Equal(pre[:6], npy.Magic[:]) {
		return nil, fmt.Errorf("no .npy magic string")
	}
	var hlen int64
	switch pre[6] {
	case 1:
		hlen = int64(binary.LittleEndian.Uint16(pre[8:10]))
	case 2, 3:
		more := make([]byte, 2)
		if _, err := io.ReadFull(r, more); err != nil {
			return nil, fmt.Errorf("shorter than a .npy header")
		}
		pre = append(pre, more...)
		hlen = int64(binary.LittleEndian.Uint32(pre[8:12]))
	default:
		return nil, fmt.Errorf("unknown .npy format version %d.%d", pre[6], pre[7])
	}
	if hlen > maxNPYHeader {
		return nil, fmt.Errorf("header of %d bytes, more than %d", hlen, maxNPYHeader)
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(r, h); err != nil {
		return nil, fmt.Errorf("header cut short")
	}
	return append(pre, h...), nil
}

// fortranToC reorders the values of a Fortran-ordered (column-major) array
// of the given shape into C (row-major) order.
func fortranToC(data []float64, shape []int) []float64 {
	k := len(shape)
	out := make([]float64, len(data))
	idx := make([]int, k) // C multi-index of out[i], last axis fastest
	fstride := make([]int, k)
	s := 1
	for a := 0; a < k; a++ {
		fstride[a] = s
		s *= shape[a]
	}
	for i := range out {
		j := 0
		for a := 0; a < k; a++ {
			j += idx[a] * fstride[a]
		}
		out[i] = data[j]
		for a := k - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < shape[a] {
				break
			}
			idx[a] = 0
		}
	}
	return out
}

// ShapeString formats a shape as NumPy does: (3, 4), (5,), ().
func ShapeString(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = strconv.Itoa(v)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
