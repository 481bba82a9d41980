package fokkerplanck

// bytesPerNode is the peak memory of a steady-state solve per grid node,
// measured (BenchmarkSteadyState reports it) with a margin: the stencils,
// edges, L and its pinned copy, the multigrid hierarchy, the Krylov vectors
// and the output fields.
const bytesPerNode = 1500

// MemoryEstimate returns the bytes a steady-state solve or an evolution on
// a grid of the given number of nodes needs, so that a command can refuse a
// grid before allocating it.
func MemoryEstimate(nodes int) int64 { return int64(nodes) * bytesPerNode }
