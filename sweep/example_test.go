package sweep_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sgdsde/sgdsde/sweep"
)

// A --vary range is parsed into the values passed at each point: eight
// values from 0.1 to 0.8, rounded to 12 significant digits (0.3, not the
// 0.30000000000000004 of 0.1 + 2 x 0.1), or three evenly spaced in log;
// a list is taken as it is.
func ExampleParseVary() {
	for _, s := range []string{"temperature=0.1:0.8:8", "lr=0.01:1:3:log", "d12=0,0.4,0.8"} {
		v, err := sweep.ParseVary(s)
		if err != nil {
			fmt.Println(err)
			return
		}
		vals, err := v.Values(sweep.Real)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(v.Name, vals)
	}
	// Output:
	// temperature [0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8]
	// lr [0.01 0.1 1]
	// d12 [0 0.4 0.8]
}

// A sweep run in process: two axes make six points, each run by a RunFunc
// that writes its summary (here the product of its two values) into its
// directory; the table has one row per point, with the varied values, the
// status and every scalar of the summary.
func ExampleDir_Run() {
	tmp, err := os.MkdirTemp("", "sweep")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(tmp)

	var grid sweep.Grid
	for _, s := range []string{"a=1:3:3", "b=10,20"} {
		v, err := sweep.ParseVary(s)
		if err != nil {
			fmt.Println(err)
			return
		}
		vals, err := v.Values(sweep.Integer)
		if err != nil {
			fmt.Println(err)
			return
		}
		grid = append(grid, sweep.Axis{Name: v.Name, Spec: v.Spec, Values: vals})
	}
	def := sweep.Definition{Command: "product", Vary: grid, Summary: "summary.json", Points: grid.Len()}
	dir, err := sweep.Create(filepath.Join(tmp, "sweep"), def)
	if err != nil {
		fmt.Println(err)
		return
	}
	run := func(ctx context.Context, p sweep.Point) sweep.Outcome {
		a, _ := strconv.Atoi(p.Values[0])
		b, _ := strconv.Atoi(p.Values[1])
		data, err := json.Marshal(map[string]int{"product": a * b})
		if err == nil {
			err = os.WriteFile(filepath.Join(p.Dir, "summary.json"), data, 0o644)
		}
		if err != nil {
			return sweep.Outcome{Err: err.Error(), ExitCode: 1}
		}
		return sweep.Outcome{}
	}
	st, err := dir.Run(context.Background(), run, sweep.Options{Workers: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d points: %d ran, %d ok\n", st.Shard, st.Ran, st.OK)
	header, rows, missing, err := sweep.Table([]*sweep.Dir{dir})
	if err != nil || len(missing) > 0 {
		fmt.Println(err, missing)
		return
	}
	fmt.Println(strings.Join(header, ","))
	for _, r := range rows {
		fmt.Println(strings.Join(r, ","))
	}
	// Output:
	// 6 points: 6 ran, 6 ok
	// point,a,b,status,error,product
	// 0,1,10,ok,,10
	// 1,1,20,ok,,20
	// 2,2,10,ok,,20
	// 3,2,20,ok,,40
	// 4,3,10,ok,,30
	// 5,3,20,ok,,60
}
