package potentials

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxBytes returns the plain IDX encoding of data with sizes dims, or its
// gzip compression.
func idxBytes(t testing.TB, dims []int, data []byte, compress bool) []byte {
	t.Helper()
	var b bytes.Buffer
	if !compress {
		if err := EncodeIDX(&b, dims, data); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	z := gzip.NewWriter(&b)
	if err := EncodeIDX(z, dims, data); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gzipBytes compresses b.
func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	z := gzip.NewWriter(&out)
	if _, err := z.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// writeFile writes b to dir/name and returns the path.
func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// fashionSet is a synthetic data set in the layout of Fashion-MNIST.
type fashionSet struct {
	rows, cols              int
	trainImages, testImages []byte
	trainLabels, testLabels []byte
}

// randomFashion returns nTrain and nTest random images of rows x cols
// pixels, about half of them background (0), with random labels.
func randomFashion(rows, cols, nTrain, nTest int, seed uint64) fashionSet {
	rng := rand.New(rand.NewPCG(seed, 3))
	img := func(n int) []byte {
		b := make([]byte, n*rows*cols)
		for i := range b {
			if rng.IntN(2) == 0 {
				b[i] = byte(rng.IntN(256))
			}
		}
		return b
	}
	lab := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(len(FashionMNISTClasses)))
		}
		return b
	}
	return fashionSet{rows: rows, cols: cols, trainImages: img(nTrain), testImages: img(nTest),
		trainLabels: lab(nTrain), testLabels: lab(nTest)}
}

// write writes the four files of s into dir, gzip-compressed or plain.
func (s fashionSet) write(t testing.TB, dir string, compress bool) {
	t.Helper()
	suffix := ""
	if compress {
		suffix = ".gz"
	}
	for _, f := range []struct {
		name   string
		labels bool
		data   []byte
	}{
		{"train-images-idx3-ubyte", false, s.trainImages},
		{"train-labels-idx1-ubyte", true, s.trainLabels},
		{"t10k-images-idx3-ubyte", false, s.testImages},
		{"t10k-labels-idx1-ubyte", true, s.testLabels},
	} {
		dims := []int{len(f.data) / (s.rows * s.cols), s.rows, s.cols}
		if f.labels {
			dims = []int{len(f.data)}
		}
		writeFile(t, dir, f.name+suffix, idxBytes(t, dims, f.data, compress))
	}
}

// TestEncodeIDXLayout checks the bytes EncodeIDX writes against the format:
// 0, 0, the type byte, the number of dimensions, big-endian sizes, data.
func TestEncodeIDXLayout(t *testing.T) {
	var b bytes.Buffer
	if err := EncodeIDX(&b, []int{2, 1, 258}, make([]byte, 516)); err != nil {
		t.Fatal(err)
	}
	want := []byte{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 2}
	if got := b.Bytes()[:16]; !bytes.Equal(got, want) || b.Len() != 16+516 {
		t.Fatalf("header % x (%d bytes in all), want % x", got, b.Len(), want)
	}
	for _, c := range []struct {
		dims []int
		n    int
	}{{nil, 0}, {make([]int, 9), 0}, {[]int{2, 3}, 5}, {[]int{-1}, 0}, {[]int{1 << 32}, 0}, {[]int{1 << 31, 1 << 31, 1 << 31}, 4}} {
		if err := EncodeIDX(&b, c.dims, make([]byte, c.n)); err == nil {
			t.Errorf("EncodeIDX(%v, %d bytes): no error", c.dims, c.n)
		}
	}
}

// TestReadIDX writes IDX files, plain and gzip-compressed, and reads them
// back whole, as a prefix of n items, and as a header only.
func TestReadIDX(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name string
		dims []int
	}{
		{"labels", []int{17}},
		{"images", []int{9, 5, 3}},
		{"4-D", []int{4, 2, 3, 2}},
		{"empty", []int{0, 28, 28}},
		{"zero item size", []int{3, 0}},
	} {
		n := 1
		for _, v := range c.dims {
			n *= v
		}
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		for _, compress := range []bool{false, true} {
			path := writeFile(t, dir, c.name, idxBytes(t, c.dims, data, compress))
			count := c.dims[0]
			item := 1
			if count > 0 {
				item = n / count
			}
			for _, k := range []int{-1, 0, min(2, count), count} {
				a, err := ReadIDX(path, k)
				if err != nil {
					t.Fatalf("%s gzip %v n = %d: %v", c.name, compress, k, err)
				}
				if k < 0 {
					k = count
				}
				if a.Type != IDXUnsignedByte || a.Count != count || a.Dims[0] != k || len(a.Dims) != len(c.dims) {
					t.Errorf("%s gzip %v n = %d: type %#x, count %d, dims %v", c.name, compress, k, a.Type, a.Count, a.Dims)
				}
				if a.ItemSize() != item && n > 0 {
					t.Errorf("%s: item size %d, want %d", c.name, a.ItemSize(), item)
				}
				if want := data[:k*item]; !bytes.Equal(a.Data, want) {
					t.Errorf("%s gzip %v n = %d: %d bytes differ from the %d written", c.name, compress, k, len(a.Data), len(want))
				}
			}
		}
	}
}

// TestReadIDXLarge reads an array larger than the first allocation
// (idxChunk), whole and as a prefix that ends inside the second chunk.
func TestReadIDXLarge(t *testing.T) {
	const items, size = 3, idxChunk/2 + 1001
	data := make([]byte, items*size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	path := writeFile(t, t.TempDir(), "large.gz", idxBytes(t, []int{items, size}, data, true))
	for _, n := range []int{3, 2} {
		a, err := ReadIDX(path, n)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Data, data[:n*size]) {
			t.Errorf("n = %d: data differ", n)
		}
	}
}

// TestReadIDXErrors checks that damaged or unsupported files give an
// *IDXError with the file, the issue and its data, and no panic.
func TestReadIDXErrors(t *testing.T) {
	dir := t.TempDir()
	good := idxBytes(t, []int{4, 3, 2}, make([]byte, 24), false)
	header := func(typ, nd byte, dims ...uint32) []byte {
		b := []byte{0, 0, typ, nd}
		for _, v := range dims {
			b = append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
		}
		return b
	}
	badCRC := idxBytes(t, []int{4, 3, 2}, make([]byte, 24), true)
	badCRC[len(badCRC)-8] ^= 0xff
	for _, c := range []struct {
		name  string
		file  []byte
		n     int
		issue IDXIssue
		text  string
	}{
		{"empty file", nil, -1, IDXTruncated, "truncated header"},
		{"truncated magic", []byte{0, 0, 8}, -1, IDXTruncated, "truncated header"},
		{"truncated sizes", good[:10], -1, IDXTruncated, "truncated header"},
		{"truncated data", good[:30], -1, IDXTruncated, "24 bytes of data declared, 14 present"},
		{"truncated data, prefix asked", good[:30], 3, IDXTruncated, "18 bytes of data declared, 14 present"},
		{"truncated gzip data", gzipBytes(t, good[:30]), -1, IDXTruncated, "24 bytes of data declared, 14 present"},
		{"truncated gzip stream", idxBytes(t, []int{4, 3, 2}, make([]byte, 24), true)[:20], -1, IDXTruncated, ""},
		{"gzip checksum", badCRC, -1, IDXRead, "checksum"},
		{"bad magic", append([]byte{1, 2, 8, 1}, good[4:]...), -1, IDXBadMagic, "01 02 08 01 does not start with two zero bytes"},
		{"text file", []byte("hello, world\n"), -1, IDXBadMagic, "68 65 6c 6c"},
		{"float type", header(0x0d, 1, 2), -1, IDXUnsupportedType, "type byte 0x0d, only 0x08"},
		{"signed type", header(0x09, 1, 2), -1, IDXUnsupportedType, "type byte 0x09"},
		{"no dimensions", header(8, 0), -1, IDXBadDims, "0 dimensions, want 1 to 8"},
		{"9 dimensions", header(8, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1), -1, IDXBadDims, "9 dimensions"},
		{"absurd sizes", header(8, 3, 1<<32-1, 1<<32-1, 1<<32-1), 1, IDXTooLarge, "1 items of sizes 4294967295 x 4294967295 x 4294967295 are more than 8589934592 bytes"},
		{"absurd count", header(8, 2, 1<<32-1, 1<<20), -1, IDXTooLarge, "4294967295 items"},
		{"header claims more than present", header(8, 2, 1<<30, 4), 1 << 30, IDXTruncated, "4294967296 bytes of data declared, 0 present"},
		{"trailing data", append(append([]byte(nil), good...), 0), -1, IDXTrailing, "data after the 24 bytes declared by the sizes 4 x 3 x 2"},
		{"too few items", good, 5, IDXFewItems, "5 items asked for, the file holds 4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, dir, "f", c.file)
			_, err := ReadIDX(path, c.n)
			var e *IDXError
			if !errors.As(err, &e) || e.Issue != c.issue || e.File != path {
				t.Fatalf("error %v, want an *IDXError of issue %d for %s", err, c.issue, path)
			}
			if !strings.Contains(err.Error(), c.text) || !strings.HasPrefix(err.Error(), "IDX file "+path+": ") || strings.Contains(err.Error(), "--") {
				t.Errorf("error %q, want the file and %q", err, c.text)
			}
		})
	}
	_, err := ReadIDX(filepath.Join(dir, "absent"), -1)
	var e *IDXError
	if !errors.As(err, &e) || e.Issue != IDXRead || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent file: %v, want an IDXRead error wrapping fs.ErrNotExist", err)
	}
}

// TestLoadFashionMNIST writes synthetic Fashion-MNIST files, gzip-compressed
// and plain, and loads both splits whole, as prefixes and as headers.
func TestLoadFashionMNIST(t *testing.T) {
	s := randomFashion(4, 3, 20, 7, 1)
	for _, compress := range []bool{true, false} {
		dir := t.TempDir()
		s.write(t, dir, compress)
		for _, c := range []struct {
			split          FashionSplit
			n, want, count int
			images, labels []byte
		}{
			{FashionTrain, -1, 20, 20, s.trainImages, s.trainLabels},
			{FashionTrain, 5, 5, 20, s.trainImages, s.trainLabels},
			{FashionTrain, 0, 0, 20, s.trainImages, s.trainLabels},
			{FashionTest, 7, 7, 7, s.testImages, s.testLabels},
			{FashionTest, 1, 1, 7, s.testImages, s.testLabels},
		} {
			d, err := LoadFashionMNIST(dir, c.split, c.n)
			if err != nil {
				t.Fatalf("%v n = %d: %v", c.split, c.n, err)
			}
			if d.Split != c.split || d.Rows != 4 || d.Cols != 3 || d.Count != c.count || d.Len() != c.want {
				t.Errorf("%v n = %d: %+v", c.split, c.n, d)
			}
			if !bytes.Equal(d.Images, c.images[:12*c.want]) || !bytes.Equal(d.Labels, c.labels[:c.want]) {
				t.Errorf("%v n = %d: data differ", c.split, c.n)
			}
			if c.want > 1 && !bytes.Equal(d.Image(1), c.images[12:24]) {
				t.Errorf("%v: Image(1) differs", c.split)
			}
		}
	}
}

// TestLoadFashionMNISTErrors checks the typed errors of missing files,
// files that disagree and labels out of range.
func TestLoadFashionMNISTErrors(t *testing.T) {
	s := randomFashion(2, 2, 6, 3, 2)
	t.Run("missing", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nowhere")
		_, err := LoadFashionMNIST(dir, FashionTrain, 10)
		var e *FashionMNISTMissingError
		if !errors.As(err, &e) || e.Dir != dir || e.File != "train-images-idx3-ubyte" || !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("error %v, want a *FashionMNISTMissingError for %s", err, dir)
		}
		for _, w := range []string{dir, "train-images-idx3-ubyte.gz", FashionMNISTPackage, DefaultFashionMNISTDir} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not name %q", err, w)
			}
		}
	})
	t.Run("labels missing", func(t *testing.T) {
		dir := t.TempDir()
		s.write(t, dir, true)
		os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
		_, err := LoadFashionMNIST(dir, FashionTest, 1)
		var e *FashionMNISTMissingError
		if !errors.As(err, &e) || e.File != "t10k-labels-idx1-ubyte" {
			t.Fatalf("error %v, want the labels file missing", err)
		}
	})
	for _, c := range []struct {
		name  string
		edit  func(dir string)
		n     int
		issue IDXIssue
		file  string
		text  string
	}{
		{"count mismatch", func(dir string) {
			writeFile(t, dir, "train-labels-idx1-ubyte.gz", idxBytes(t, []int{5}, s.trainLabels[:5], true))
		}, 2, IDXCountMismatch, "train-images-idx3-ubyte.gz", "6 images, but "},
		{"labels 2-D", func(dir string) {
			writeFile(t, dir, "train-labels-idx1-ubyte.gz", idxBytes(t, []int{6, 1}, s.trainLabels, true))
		}, 2, IDXShape, "train-labels-idx1-ubyte.gz", "2 dimensions (sizes 6 x 1), want 1"},
		{"images 2-D", func(dir string) {
			writeFile(t, dir, "train-images-idx3-ubyte.gz", idxBytes(t, []int{6, 4}, s.trainImages, true))
		}, 2, IDXShape, "train-images-idx3-ubyte.gz", "want 3"},
		{"label 10", func(dir string) {
			l := append([]byte(nil), s.trainLabels...)
			l[3] = 10
			writeFile(t, dir, "train-labels-idx1-ubyte.gz", idxBytes(t, []int{6}, l, true))
		}, 4, IDXBadLabel, "train-labels-idx1-ubyte.gz", "label 10 of item 3, want 0 to 9"},
		{"label beyond n not read", func(dir string) {
			l := append([]byte(nil), s.trainLabels...)
			l[5] = 200
			writeFile(t, dir, "train-labels-idx1-ubyte.gz", idxBytes(t, []int{6}, l, true))
		}, 5, 0, "", ""},
		{"too few images", func(string) {}, 7, IDXFewItems, "train-images-idx3-ubyte.gz", "7 items asked for, the file holds 6"},
		{"plain file wins when gzip absent", func(dir string) {
			os.Remove(filepath.Join(dir, "train-images-idx3-ubyte.gz"))
			writeFile(t, dir, "train-images-idx3-ubyte", []byte{0, 0, 0x0b, 3})
		}, 1, IDXUnsupportedType, "train-images-idx3-ubyte", "type byte 0x0b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s.write(t, dir, true)
			c.edit(dir)
			_, err := LoadFashionMNIST(dir, FashionTrain, c.n)
			if c.issue == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *IDXError
			if !errors.As(err, &e) || e.Issue != c.issue || e.File != filepath.Join(dir, c.file) {
				t.Fatalf("error %v, want an *IDXError of issue %d for %s", err, c.issue, c.file)
			}
			if !strings.Contains(err.Error(), c.text) {
				t.Errorf("error %q does not contain %q", err, c.text)
			}
		})
	}
}

// debianFashion skips the test when Debian's Fashion-MNIST files are not
// installed.
func debianFashion(t *testing.T) {
	t.Helper()
	if _, err := LoadFashionMNIST(DefaultFashionMNISTDir, FashionTest, 0); err != nil {
		t.Skipf("Fashion-MNIST not available (%v)", err)
	}
}

// TestLoadFashionMNISTDebian reads Debian's files, when installed: the
// published sizes (60,000 and 10,000 images of 28 x 28 pixels), labels in
// 0 to 9 with the published balance (6,000 and 1,000 images per class), and
// a first image that is not blank.
func TestLoadFashionMNISTDebian(t *testing.T) {
	debianFashion(t)
	for _, c := range []struct {
		split    FashionSplit
		count, n int
	}{{FashionTrain, 60000, 60000}, {FashionTest, 10000, 10000}, {FashionTrain, 60000, 100}} {
		d, err := LoadFashionMNIST(DefaultFashionMNISTDir, c.split, c.n)
		if err != nil {
			t.Fatal(err)
		}
		if d.Rows != 28 || d.Cols != 28 || d.Count != c.count || d.Len() != c.n || len(d.Images) != 784*c.n {
			t.Fatalf("%v: %d of %d images of %d x %d", c.split, d.Len(), d.Count, d.Rows, d.Cols)
		}
		var per [len(FashionMNISTClasses)]int
		for _, l := range d.Labels {
			per[l]++ // a label above 9 would have been an error
		}
		if c.n == c.count {
			for k, v := range per {
				if v != c.count/len(FashionMNISTClasses) {
					t.Errorf("%v: %d images of class %d (%s), want %d", c.split, v, k, FashionMNISTClasses[k], c.count/len(FashionMNISTClasses))
				}
			}
		}
		ink := 0
		for _, p := range d.Image(0) {
			ink += int(p)
		}
		t.Logf("%v: %d images, first label %d (%s), first image's mean pixel %.1f", c.split, d.Len(), d.Labels[0], FashionMNISTClasses[d.Labels[0]], float64(ink)/784)
		if ink == 0 {
			t.Errorf("%v: first image blank", c.split)
		}
	}
}
