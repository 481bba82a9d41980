package potentials_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/sgdsde/sgdsde/potentials"
)

// writeIDXGz writes an unsigned-byte IDX array, gzip-compressed, to path.
func writeIDXGz(path string, dims []int, data []byte) {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	if err := potentials.EncodeIDX(z, dims, data); err != nil {
		log.Fatal(err)
	}
	if err := z.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

// NewFashionMLP reads the first images of Fashion-MNIST from a directory.
// This example writes a small stand-in in the same format (8 x 8 images;
// an image of class c < 8 has a bright bar in row c, classes 8 and 9 in
// the left and the right column) so that it runs without Debian's package
// dataset-fashion-mnist; with the package, pass
// potentials.DefaultFashionMNISTDir instead. A missing file is an error
// that names the directory and the package.
func ExampleNewFashionMLP() {
	dir, err := os.MkdirTemp("", "fashion")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	images := func(n int) ([]byte, []byte) {
		img, lab := make([]byte, 64*n), make([]byte, n)
		for k := range lab {
			c := k % 10
			lab[k] = byte(c)
			for i := 0; i < 8; i++ {
				switch {
				case c < 8:
					img[64*k+8*c+i] = 200 // row c
				case c == 8:
					img[64*k+8*i] = 200 // left column
				default:
					img[64*k+8*i+7] = 200 // right column
				}
			}
		}
		return img, lab
	}
	for _, s := range []struct {
		prefix string
		n      int
	}{{"train", 100}, {"t10k", 50}} {
		img, lab := images(s.n)
		writeIDXGz(filepath.Join(dir, s.prefix+"-images-idx3-ubyte.gz"), []int{s.n, 8, 8}, img)
		writeIDXGz(filepath.Join(dir, s.prefix+"-labels-idx1-ubyte.gz"), []int{s.n}, lab)
	}

	// The first 60 training and 30 test images, one hidden layer of 16 units.
	m, err := potentials.NewFashionMLP(dir, 60, 30, 16, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("d = %d weights (64*16 + 16 + 10*17), N = %d images\n", m.Dim(), m.Samples())

	x := make([]float64, m.Dim())
	m.Init(x, 1)
	g, scratch := make([]float64, m.Dim()), make([]float64, m.Dim())
	for step := 0; step < 500; step++ {
		potentials.FullGrad(m, g, scratch, x)
		for i := range x {
			x[i] -= 0.5 * g[i]
		}
	}
	e := m.Evaluate(x)
	fmt.Printf("after 500 steps of gradient descent: train accuracy %.2f, test accuracy %.2f, test loss below 0.1: %v\n",
		e.TrainAccuracy, e.TestAccuracy, e.TestLoss < 0.1)

	_, err = potentials.NewFashionMLP(filepath.Join(dir, "missing"), 60, 30, 16, 1)
	var missing *potentials.FashionMNISTMissingError
	fmt.Println(errors.As(err, &missing), missing.File)
	// Output:
	// d = 1210 weights (64*16 + 16 + 10*17), N = 60 images
	// after 500 steps of gradient descent: train accuracy 1.00, test accuracy 1.00, test loss below 0.1: true
	// true train-images-idx3-ubyte
}
