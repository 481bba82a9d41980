//go:build !race

package potentials

// raceEnabled reports a -race build, in which sync.Pool drops items at
// random and pooled workspaces are reallocated.
const raceEnabled = false
