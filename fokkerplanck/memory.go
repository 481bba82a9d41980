package fokkerplanck

// bytesPerNode is the peak memory of a steady-state solve per grid node,
// measured (BenchmarkSteadyState reports the bytes allocated, 870 to 825 per
// node from 256^2 to 2048^2; the command's peak resident memory with the
// two-grid check 1,000 per node at 1024^2) with a
// margin: the stencils, edges, L, the scaled system, the multigrid
// hierarchy, the Krylov vectors and the output fields.
const bytesPerNode = 1500

// MemoryEstimate returns the bytes a steady-state solve or an evolution on
// a grid of the given number of nodes needs, so that a command can refuse a
// grid before allocating it.
func MemoryEstimate(nodes int) int64 { return int64(nodes) * bytesPerNode }
