package serve_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/sgdsde/sgdsde/internal/serve"
)

// The quadratic bowl with isotropic D is in equilibrium: the force j
// vanishes. With the anisotropy slider at ratio 4 the current loops.
func ExampleNew() {
	s := serve.New(serve.Config{})
	for _, ratio := range []float64{1, 4} {
		body := fmt.Sprintf(`{"landscape":"quadratic","temperature":0.5,"grid":64,"anisotropy":{"ratio":%g,"angle":45}}`, ratio)
		r := httptest.NewRequest(http.MethodPost, "/api/solve", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		var res struct {
			Vanishes bool `json:"force_vanishes"`
			Orbits   []struct {
				Class string `json:"class"`
			} `json:"orbits"`
		}
		json.Unmarshal(w.Body.Bytes(), &res)
		fmt.Printf("ratio %g: status %d, j vanishes %v, %d orbits\n", ratio, w.Code, res.Vanishes, len(res.Orbits))
	}
	// Output:
	// ratio 1: status 200, j vanishes true, 0 orbits
	// ratio 4: status 200, j vanishes false, 3 orbits
}
