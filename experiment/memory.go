package experiment

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
)

// meminfoPath is the Linux file that reports the available memory.
const meminfoPath = "/proc/meminfo"

// AvailableMemory returns the memory in bytes available to new allocations
// without swapping (MemAvailable of /proc/meminfo), and false when it
// cannot be read (not Linux, or a kernel without MemAvailable). It is a
// variable so that tests can fix it.
var AvailableMemory = func() (int64, bool) {
	f, err := os.Open(meminfoPath)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	return ParseMemAvailable(f)
}

// ParseMemAvailable reads the MemAvailable line ("MemAvailable:  123 kB")
// of a /proc/meminfo listing and returns it in bytes.
func ParseMemAvailable(r io.Reader) (int64, bool) {
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

// CheckMemory refuses, before anything is allocated, a computation (what)
// that needs need bytes when the machine has less available (when that can
// be read). Its error is *MemoryError.
func CheckMemory(need float64, what string) error {
	if avail, ok := AvailableMemory(); ok && need > float64(avail) {
		return &MemoryError{What: what, Need: need, Avail: float64(avail)}
	}
	return nil
}
