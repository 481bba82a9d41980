package main

import "github.com/sgdsde/sgdsde/experiment"

// availableMemory reports the memory available to new allocations
// (experiment.AvailableMemory).
func availableMemory() (int64, bool) { return experiment.AvailableMemory() }

// checkMemory refuses, before anything is allocated, a run that needs need
// bytes when the machine has less available (when that can be read): one
// line naming what needs the memory, both amounts and hint (which flags to
// change).
func checkMemory(need float64, what, hint string) error {
	if avail, ok := availableMemory(); ok && need > float64(avail) {
		return usageErrorf("%s needs about %s of memory, more than the %s available: %s",
			what, formatBytes(need), formatBytes(float64(avail)), hint)
	}
	return nil
}

// sizeError turns an error of a library memory estimate into a bad-input
// error: the library's line (its sizes, no flag names) followed by hint.
func sizeError(err error, hint string) error {
	return usageErrorf("%v: %s", err, hint)
}
