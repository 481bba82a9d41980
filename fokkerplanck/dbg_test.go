package fokkerplanck

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestDbgHard2(t *testing.T) {
	if os.Getenv("DBGHARD2") == "" {
		t.Skip()
	}
	for _, c := range stressCases(t, []float64{0.05, 0.1, 0.5, 2}) {
		if !strings.Contains(os.Getenv("DBGHARD2"), strings.Fields(c.name)[0]) {
			continue
		}
		for _, n := range []int{256, 512} {
			r := solveStress(c, n)
			fmt.Printf("%-36s T=%-5g %4d fine %4d tot %4d %.2fs imb %.2g peclet %.3g err=%v\n", c.name, c.T, n, r.fine, r.iters, r.seconds, r.imbalance, r.peclet, r.err != nil)
		}
	}
}
