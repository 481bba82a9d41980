package potentials

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// The IDX format (LeCun and Cortes, the MNIST database) stores an array as
// a 4-byte magic number, 0x00 0x00, a type byte and the number r of
// dimensions, then r big-endian uint32 sizes, then the values in row-major
// order; the first dimension counts the items (images or labels). The
// readers here take the plain format and the same file compressed with gzip
// (recognised by its first two bytes, 0x1f 0x8b, whatever the file's name),
// and support the type 0x08 (unsigned byte), the type of every MNIST and
// Fashion-MNIST file.

// IDXUnsignedByte is the IDX type byte of unsigned 8-bit values, the only
// type the readers support.
const IDXUnsignedByte = 0x08

// IDXMaxDims is the largest number of dimensions the readers accept.
const IDXMaxDims = 8

// IDXMaxBytes is the largest amount of data the readers accept to read from
// one file (8 GiB): a header that asks for more is refused before anything
// is allocated. Memory is allocated as the data arrive, so a truncated file
// whose header claims a large array is refused after reading what it holds.
const IDXMaxBytes = 1 << 33

// idxChunk is the largest amount of memory allocated ahead of the data.
const idxChunk = 1 << 24

// IDXIssue says what is wrong with an IDX file.
type IDXIssue int

const (
	// IDXRead is an error of the file system or of the gzip stream (Err).
	IDXRead IDXIssue = iota + 1
	// IDXTruncated is a file that ends before the header or the data it
	// declares (Want bytes expected, Got read).
	IDXTruncated
	// IDXBadMagic is a file whose first two bytes are not zero (Magic).
	IDXBadMagic
	// IDXUnsupportedType is a type byte other than IDXUnsignedByte (Type).
	IDXUnsupportedType
	// IDXBadDims is a number of dimensions of 0 or above IDXMaxDims (Got).
	IDXBadDims
	// IDXTooLarge is a request for more than IDXMaxBytes of data (Dims,
	// Want items).
	IDXTooLarge
	// IDXTrailing is a file with data after the values its header declares.
	IDXTrailing
	// IDXFewItems is a file with fewer items (Got) than asked for (Want).
	IDXFewItems
	// IDXShape is a file with another number of dimensions (Got) than its
	// role needs (Want): 3 for images, 1 for labels.
	IDXShape
	// IDXCountMismatch is an images file (File) and a labels file (Other)
	// that declare different numbers of items (Want images, Got labels).
	IDXCountMismatch
	// IDXBadLabel is a label (Got) of item Item outside 0 to Want - 1.
	IDXBadLabel
)

// IDXError is an IDX file that cannot be read or used. Which fields are
// set depends on Issue.
type IDXError struct {
	// File is the path of the file.
	File string
	// Issue says what is wrong.
	Issue IDXIssue
	// Magic holds the first four bytes (IDXBadMagic).
	Magic [4]byte
	// Type is the type byte (IDXUnsupportedType).
	Type byte
	// Dims holds the sizes declared in the header, when read.
	Dims []int
	// Want and Got are the expected and the actual value (see Issue).
	Want, Got int64
	// Item is the index of the offending item (IDXBadLabel).
	Item int
	// Other is the second file of an IDXCountMismatch.
	Other string
	// Err is the underlying error (IDXRead, IDXTruncated).
	Err error
}

// Error returns the file and what is wrong with it, for example
// `IDX file a.gz: type byte 0x0d, only 0x08 (unsigned byte) is supported`.
func (e *IDXError) Error() string {
	s := "IDX file " + e.File + ": "
	switch e.Issue {
	case IDXRead:
		return s + e.Err.Error()
	case IDXTruncated:
		if e.Want > 0 {
			return s + fmt.Sprintf("truncated: %d bytes of data declared, %d present", e.Want, e.Got)
		}
		return s + "truncated header"
	case IDXBadMagic:
		return s + fmt.Sprintf("magic number % x does not start with two zero bytes (not an IDX file)", e.Magic[:])
	case IDXUnsupportedType:
		return s + fmt.Sprintf("type byte 0x%02x, only 0x%02x (unsigned byte) is supported", e.Type, IDXUnsignedByte)
	case IDXBadDims:
		return s + fmt.Sprintf("%d dimensions, want 1 to %d", e.Got, IDXMaxDims)
	case IDXTooLarge:
		return s + fmt.Sprintf("%d items of sizes %s are more than %d bytes", e.Want, dimsString(e.Dims), int64(IDXMaxBytes))
	case IDXTrailing:
		return s + fmt.Sprintf("data after the %d bytes declared by the sizes %s", e.Want, dimsString(e.Dims))
	case IDXFewItems:
		return s + fmt.Sprintf("%d items asked for, the file holds %d", e.Want, e.Got)
	case IDXShape:
		return s + fmt.Sprintf("%d dimensions (sizes %s), want %d", e.Got, dimsString(e.Dims), e.Want)
	case IDXCountMismatch:
		return s + fmt.Sprintf("%d images, but %s holds %d labels", e.Want, e.Other, e.Got)
	case IDXBadLabel:
		return s + fmt.Sprintf("label %d of item %d, want 0 to %d", e.Got, e.Item, e.Want-1)
	}
	return s + "unknown issue"
}

// Unwrap returns the underlying error, if any.
func (e *IDXError) Unwrap() error { return e.Err }

// dimsString writes sizes as "60000 x 28 x 28".
func dimsString(dims []int) string {
	parts := make([]string, len(dims))
	for i, v := range dims {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " x ")
}

// IDX is an array read from an IDX file: the first Dims[0] items of the
// file's Count.
type IDX struct {
	// Type is the type byte, IDXUnsignedByte.
	Type byte
	// Dims holds the sizes; Dims[0] is the number of items read, the other
	// sizes are those of the file.
	Dims []int
	// Count is the number of items in the file (the first size of its
	// header).
	Count int
	// Data holds the Dims[0] items, row-major, one byte per value.
	Data []byte
}

// ItemSize returns the number of values of one item: the product of
// Dims[1:].
func (a *IDX) ItemSize() int {
	s := 1
	for _, v := range a.Dims[1:] {
		s *= v
	}
	return s
}

// ReadIDX reads the first n items of the IDX file at path, plain or
// gzip-compressed; n < 0 reads them all, n = 0 only the header. Only the
// bytes of the first n items are read and decompressed. When every item is
// read, data after them are an error, and for a gzip file its checksum is
// verified; a prefix leaves the rest of the file unread. Errors are
// *IDXError values; a missing file wraps fs.ErrNotExist.
func ReadIDX(path string, n int) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &IDXError{File: path, Issue: IDXRead, Err: err}
	}
	defer f.Close()
	return DecodeIDX(f, path, n)
}

// DecodeIDX reads the first n items of an IDX array from r (see ReadIDX);
// name is the file named in errors.
func DecodeIDX(r io.Reader, name string, n int) (*IDX, error) {
	s, err := openIDXStream(r, name)
	if err != nil {
		return nil, err
	}
	defer s.close()
	return s.read(n)
}

// idxStream is an IDX file whose header has been read.
type idxStream struct {
	name  string
	r     io.Reader
	gz    *gzip.Reader
	typ   byte
	dims  []int
	count int
	item  int64 // bytes per item
}

// openIDXStream reads the header from r, decompressing when r starts with
// the gzip magic bytes.
func openIDXStream(r io.Reader, name string) (*idxStream, error) {
	s := &idxStream{name: name}
	br := bufio.NewReader(r)
	s.r = br
	if b, err := br.Peek(2); err == nil && b[0] == 0x1f && b[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, &IDXError{File: name, Issue: IDXRead, Err: err}
		}
		s.gz, s.r = gz, gz
	}
	var magic [4]byte
	if err := s.full(magic[:], 0, 0); err != nil {
		return nil, err
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, &IDXError{File: name, Issue: IDXBadMagic, Magic: magic}
	}
	s.typ = magic[2]
	if s.typ != IDXUnsignedByte {
		return nil, &IDXError{File: name, Issue: IDXUnsupportedType, Type: s.typ}
	}
	nd := int(magic[3])
	if nd < 1 || nd > IDXMaxDims {
		return nil, &IDXError{File: name, Issue: IDXBadDims, Got: int64(nd)}
	}
	var sz [4 * IDXMaxDims]byte
	if err := s.full(sz[:4*nd], 0, 0); err != nil {
		return nil, err
	}
	s.dims = make([]int, nd)
	s.item = 1
	zero := false
	for i := range s.dims {
		s.dims[i] = int(binary.BigEndian.Uint32(sz[4*i:]))
		if i > 0 {
			zero = zero || s.dims[i] == 0
			if v := int64(s.dims[i]); v > 0 && s.item > IDXMaxBytes/v {
				s.item = IDXMaxBytes + 1 // saturated: too large whatever the rest
			} else {
				s.item *= v
			}
		}
	}
	if zero {
		s.item = 0
	}
	s.count = s.dims[0]
	return s, nil
}

// full reads len(b) bytes. For the error of a truncated file, want is the
// size of the data declared (0 while reading the header) and done the bytes
// of it read before b.
func (s *idxStream) full(b []byte, want, done int64) error {
	k, err := io.ReadFull(s.r, b)
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &IDXError{File: s.name, Issue: IDXTruncated, Dims: s.dims, Want: want, Got: done + int64(k), Err: io.ErrUnexpectedEOF}
	}
	return &IDXError{File: s.name, Issue: IDXRead, Err: err}
}

// read reads the first n items (all for n < 0).
func (s *idxStream) read(n int) (*IDX, error) {
	if n < 0 {
		n = s.count
	}
	if n > s.count {
		return nil, &IDXError{File: s.name, Issue: IDXFewItems, Dims: s.dims, Want: int64(n), Got: int64(s.count)}
	}
	if s.item > 0 && (s.item > IDXMaxBytes || int64(n) > IDXMaxBytes/s.item) {
		return nil, &IDXError{File: s.name, Issue: IDXTooLarge, Dims: s.dims, Want: int64(n)}
	}
	want := int64(n) * s.item
	data := make([]byte, min(want, idxChunk))
	for done := int64(0); ; {
		if err := s.full(data[done:], want, done); err != nil {
			return nil, err
		}
		done = int64(len(data))
		if done == want {
			break
		}
		grown := make([]byte, done+min(done, want-done)) // doubling, capped at want
		copy(grown, data)
		data = grown
	}
	if n == s.count {
		var one [1]byte
		k, err := io.ReadFull(s.r, one[:])
		switch {
		case k > 0:
			return nil, &IDXError{File: s.name, Issue: IDXTrailing, Dims: s.dims, Want: want}
		case !errors.Is(err, io.EOF):
			return nil, &IDXError{File: s.name, Issue: IDXRead, Err: err}
		}
	}
	dims := append([]int(nil), s.dims...)
	dims[0] = n
	return &IDX{Type: s.typ, Dims: dims, Count: s.count, Data: data}, nil
}

// close releases the gzip reader.
func (s *idxStream) close() {
	if s.gz != nil {
		s.gz.Close()
	}
}

// EncodeIDX writes data, an unsigned-byte array of sizes dims (row-major,
// the product of dims bytes), to w in the plain IDX format; wrap w in a
// gzip.Writer for the compressed form. It returns an error for sizes the
// format cannot hold (0 or more than IDXMaxDims dimensions, a size above
// 2^32 - 1, a product other than len(data)) and w's errors.
func EncodeIDX(w io.Writer, dims []int, data []byte) error {
	if len(dims) < 1 || len(dims) > IDXMaxDims {
		return fmt.Errorf("IDX array of %d dimensions, want 1 to %d", len(dims), IDXMaxDims)
	}
	hdr := make([]byte, 4, 4+4*len(dims))
	hdr[2], hdr[3] = IDXUnsignedByte, byte(len(dims))
	n, have, zero := int64(1), int64(len(data)), false
	for _, v := range dims {
		if v < 0 || int64(v) > math.MaxUint32 {
			return fmt.Errorf("IDX array of sizes %s: a size outside 0 to %d", dimsString(dims), uint32(math.MaxUint32))
		}
		hdr = binary.BigEndian.AppendUint32(hdr, uint32(v))
		switch {
		case v == 0:
			zero = true
		case n > have/int64(v):
			n = have + 1 // more values than data, whatever follows
		default:
			n *= int64(v)
		}
	}
	if zero {
		n = 0
	}
	if n != have {
		return fmt.Errorf("IDX array of sizes %s with %d values", dimsString(dims), len(data))
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}

// DefaultFashionMNISTDir is where Debian's package dataset-fashion-mnist
// installs the four gzip-compressed IDX files of Fashion-MNIST.
const DefaultFashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// FashionMNISTPackage is the Debian package that provides Fashion-MNIST in
// DefaultFashionMNISTDir.
const FashionMNISTPackage = "dataset-fashion-mnist"

// FashionMNISTClasses names the 10 classes of Fashion-MNIST, by label.
var FashionMNISTClasses = [10]string{
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
}

// FashionSplit is one of the two parts of Fashion-MNIST.
type FashionSplit int

const (
	// FashionTrain is the training set: 60,000 images, files train-*.
	FashionTrain FashionSplit = iota
	// FashionTest is the test set: 10,000 images, files t10k-*.
	FashionTest
)

// String returns "train" or "test".
func (s FashionSplit) String() string {
	if s == FashionTest {
		return "test"
	}
	return "train"
}

// files returns the names of the split's images and labels files, without
// the ".gz" suffix.
func (s FashionSplit) files() (images, labels string) {
	p := "train"
	if s == FashionTest {
		p = "t10k"
	}
	return p + "-images-idx3-ubyte", p + "-labels-idx1-ubyte"
}

// FashionMNISTMissingError is a Fashion-MNIST file found in its directory
// neither gzip-compressed (File + ".gz") nor plain (File).
type FashionMNISTMissingError struct {
	// Dir is the directory searched, File the file's name without ".gz".
	Dir, File string
}

// Error names the file, the directory and the Debian package that installs
// the data in DefaultFashionMNISTDir.
func (e *FashionMNISTMissingError) Error() string {
	return fmt.Sprintf("Fashion-MNIST file %s.gz (or %s) not found in %s: the data are not shipped; "+
		"install Debian's package %s, which puts them in %s", e.File, e.File, e.Dir, FashionMNISTPackage, DefaultFashionMNISTDir)
}

// Unwrap returns fs.ErrNotExist.
func (e *FashionMNISTMissingError) Unwrap() error { return fs.ErrNotExist }

// FashionMNIST is the first images of one split of Fashion-MNIST (Xiao,
// Rasul and Vollgraf 2017, arXiv:1708.07747): grey-level images of
// clothing, 0 the background and 255 the darkest ink, with labels 0 to 9
// (FashionMNISTClasses).
type FashionMNIST struct {
	// Split is the part of the data set read.
	Split FashionSplit
	// Rows and Cols are the image sizes (28 x 28 in the published files).
	Rows, Cols int
	// Count is the number of images in the split's files.
	Count int
	// Images holds the images read, row-major, Rows x Cols bytes each.
	Images []byte
	// Labels holds their labels, 0 to 9.
	Labels []byte
}

// Len returns the number of images read.
func (d *FashionMNIST) Len() int { return len(d.Labels) }

// Image returns the pixels of image k (Rows x Cols bytes, row-major).
func (d *FashionMNIST) Image(k int) []byte {
	p := d.Rows * d.Cols
	return d.Images[k*p : (k+1)*p]
}

// LoadFashionMNIST reads the first n images and labels of a split of
// Fashion-MNIST from dir (DefaultFashionMNISTDir for Debian's files), whose
// files are named as published (train-images-idx3-ubyte.gz, ...), each
// gzip-compressed or plain (without ".gz"). n < 0 reads the whole split;
// n = 0 reads only the headers (sizes and Count). Only the first n items
// are decompressed. A missing file is a *FashionMNISTMissingError; a file
// that is not a 3-D (images) or 1-D (labels) unsigned-byte IDX array, files
// that disagree on the number of items, fewer than n items or a label above
// 9 are *IDXError values.
func LoadFashionMNIST(dir string, split FashionSplit, n int) (*FashionMNIST, error) {
	imName, lbName := split.files()
	im, err := fashionFile(dir, imName)
	if err != nil {
		return nil, err
	}
	lb, err := fashionFile(dir, lbName)
	if err != nil {
		return nil, err
	}
	ims, err := openFashionFile(im, 3)
	if err != nil {
		return nil, err
	}
	defer ims.close()
	lbs, err := openFashionFile(lb, 1)
	if err != nil {
		return nil, err
	}
	defer lbs.close()
	if ims.count != lbs.count {
		return nil, &IDXError{File: im, Issue: IDXCountMismatch, Dims: ims.dims, Want: int64(ims.count), Got: int64(lbs.count), Other: lb}
	}
	imgs, err := ims.read(n)
	if err != nil {
		return nil, err
	}
	labels, err := lbs.read(n)
	if err != nil {
		return nil, err
	}
	for k, c := range labels.Data {
		if int(c) >= len(FashionMNISTClasses) {
			return nil, &IDXError{File: lb, Issue: IDXBadLabel, Want: int64(len(FashionMNISTClasses)), Got: int64(c), Item: k}
		}
	}
	return &FashionMNIST{Split: split, Rows: imgs.Dims[1], Cols: imgs.Dims[2], Count: ims.count,
		Images: imgs.Data, Labels: labels.Data}, nil
}

// fashionFile returns the path of dir/name.gz, or else dir/name, or a
// *FashionMNISTMissingError.
func fashionFile(dir, name string) (string, error) {
	for _, p := range []string{filepath.Join(dir, name+".gz"), filepath.Join(dir, name)} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", &IDXError{File: p, Issue: IDXRead, Err: err}
		}
	}
	return "", &FashionMNISTMissingError{Dir: dir, File: name}
}

// fileStream is an idxStream with its open file.
type fileStream struct {
	*idxStream
	f *os.File
}

func (s fileStream) close() {
	s.idxStream.close()
	s.f.Close()
}

// openFashionFile opens path and reads its header, which must declare an
// array of dims dimensions.
func openFashionFile(path string, dims int) (fileStream, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileStream{}, &IDXError{File: path, Issue: IDXRead, Err: err}
	}
	s, err := openIDXStream(f, path)
	if err != nil {
		f.Close()
		return fileStream{}, err
	}
	if len(s.dims) != dims {
		s.close()
		f.Close()
		return fileStream{}, &IDXError{File: path, Issue: IDXShape, Dims: s.dims, Want: int64(dims), Got: int64(len(s.dims))}
	}
	return fileStream{s, f}, nil
}

// WriteSyntheticFashionMNIST writes a small data set in the layout of
// Fashion-MNIST into dir, for tests and examples that must run without
// Debian's files: nTrain training and nTest test images of rows x cols
// pixels whose class c (uniform on 0..9) is drawn bright (200..255) in
// pixel c mod (rows cols) over a dim background (0..59), so that a network
// can learn it, as plain (not gzipped) IDX files of the published names.
// The images and labels are a function of seed.
func WriteSyntheticFashionMNIST(dir string, rows, cols, nTrain, nTest int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 3))
	p := rows * cols
	for _, split := range []struct {
		prefix string
		n      int
	}{{"train", nTrain}, {"t10k", nTest}} {
		images, labels := make([]byte, split.n*p), make([]byte, split.n)
		for k := range labels {
			c := rng.IntN(FashionClasses)
			labels[k] = byte(c)
			for i := 0; i < p; i++ {
				images[k*p+i] = byte(rng.IntN(60))
			}
			images[k*p+c%p] = 200 + byte(rng.IntN(56))
		}
		for _, f := range []struct {
			name string
			dims []int
			data []byte
		}{
			{split.prefix + "-images-idx3-ubyte", []int{split.n, rows, cols}, images},
			{split.prefix + "-labels-idx1-ubyte", []int{split.n}, labels},
		} {
			var b bytes.Buffer
			if err := EncodeIDX(&b, f.dims, f.data); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, f.name), b.Bytes(), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
