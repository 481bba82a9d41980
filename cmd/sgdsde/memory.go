package main

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
)

// meminfoPath is the Linux file that reports the available memory.
const meminfoPath = "/proc/meminfo"

// availableMemory returns the memory in bytes available to new allocations
// without swapping (MemAvailable of /proc/meminfo), and false when it cannot
// be read (not Linux, or a kernel without MemAvailable). It is a variable so
// that tests can fix it.
var availableMemory = func() (int64, bool) {
	f, err := os.Open(meminfoPath)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	return parseMemAvailable(f)
}

// parseMemAvailable reads the MemAvailable line ("MemAvailable:  123 kB")
// of a /proc/meminfo listing and returns it in bytes.
func parseMemAvailable(r io.Reader) (int64, bool) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return 0, false
		}
		v, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || v < 0 {
			return 0, false
		}
		unit := int64(1)
		if len(fields) > 1 {
			switch strings.ToLower(fields[1]) {
			case "kb":
				unit = 1 << 10
			case "mb":
				unit = 1 << 20
			case "gb":
				unit = 1 << 30
			default:
				return 0, false
			}
		}
		return v * unit, true
	}
	return 0, false
}

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
