package sparse

import (
	"runtime"
	"sync"
)

// maxChunks bounds the number of row blocks a parallel operation is split
// into, so that block boundaries fit in a fixed-size array on the stack.
const maxChunks = 64

// parallelMinWork is the number of stored entries below which matrix
// operations run on the calling goroutine only: below it, waking the workers
// costs more than it saves.
const parallelMinWork = 1 << 15

// rangeTask is a unit of row-block work run by the worker pool.
type rangeTask interface {
	run(lo, hi int)
	group() *sync.WaitGroup
}

type job struct {
	t      rangeTask
	lo, hi int
}

var pool struct {
	once sync.Once
	ch   chan job
	n    int // number of goroutines that take part, including the caller
}

func startPool() {
	pool.once.Do(func() {
		n := runtime.GOMAXPROCS(0)
		if n > maxChunks {
			n = maxChunks
		}
		if n < 1 {
			n = 1
		}
		pool.n = n
		pool.ch = make(chan job, 4*maxChunks)
		for w := 1; w < n; w++ {
			go func() {
				for j := range pool.ch {
					j.t.run(j.lo, j.hi)
					j.t.group().Done()
				}
			}()
		}
	})
}

// numWorkers returns the number of goroutines parallel operations use.
func numWorkers() int {
	startPool()
	return pool.n
}

// parallelDo runs t over the blocks [bounds[b], bounds[b+1]). The first block
// runs on the calling goroutine; it returns when all blocks are done.
func parallelDo(t rangeTask, bounds []int) {
	nb := len(bounds) - 1
	if nb <= 0 {
		return
	}
	if nb == 1 {
		t.run(bounds[0], bounds[1])
		return
	}
	wg := t.group()
	wg.Add(nb - 1)
	for b := 1; b < nb; b++ {
		pool.ch <- job{t: t, lo: bounds[b], hi: bounds[b+1]}
	}
	t.run(bounds[0], bounds[1])
	wg.Wait()
}

// splitRows fills bounds[0..nb] with row boundaries that give each of nb
// blocks about the same number of stored entries, and returns nb.
func splitRows(rowPtr []int, nb int, bounds []int) int {
	rows := len(rowPtr) - 1
	if nb > rows {
		nb = rows
	}
	if nb < 1 {
		nb = 1
	}
	nnz := rowPtr[rows]
	bounds[0] = 0
	for b := 1; b < nb; b++ {
		target := int(int64(nnz) * int64(b) / int64(nb))
		// smallest row r with rowPtr[r] >= target
		lo, hi := bounds[b-1], rows
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if rowPtr[mid] < target {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		bounds[b] = lo
	}
	bounds[nb] = rows
	return nb
}
