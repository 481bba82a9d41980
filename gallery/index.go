package gallery

// index.html: one section per scenario with its figures, its explanation
// and the numbers of the run; inline CSS, no script, no network.

import (
	"html/template"
	"io"
	"strconv"

	"github.com/sgdsde/sgdsde/internal/datafile"
)

// page is the data of index.html.
type page struct {
	Version  string
	Mode     string
	Grid     int
	Seconds  string
	Sections []Section
}

var indexTemplate = template.Must(template.New("index").Funcs(template.FuncMap{
	"secs": func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sgdsde gallery: SGD as a stochastic differential equation</title>
<style>
body { font-family: Georgia, "Times New Roman", serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.5; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; margin-top: 2.2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
p.lead { color: #555; }
nav ol { padding-left: 1.4em; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e4e4e4; }
figcaption { font-size: 0.92em; color: #555; }
.row { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.row figure { flex: 1 1 320px; margin: 0.5em 0; }
ul.facts { font-family: Menlo, Consolas, monospace; font-size: 0.85em; background: #f6f6f6; padding: 0.6em 0.6em 0.6em 2em; }
footer { margin-top: 3em; font-size: 0.85em; color: #777; }
</style>
</head>
<body>
<h1>SGD as a stochastic differential equation: a gallery</h1>
<p class="lead">Continuous-time SGD is dX = −∇f dt + √(2T D(X)) dW, with T = learning rate / (2 × batch size) and D the covariance of the mini-batch gradients. Its steady state is ρ ∝ exp(−Φ/T); each scenario below shows when the potential Φ is the loss f and when it is not, and what the probability current does (Chaudhari &amp; Soatto, ICLR 2018). Every number is from the run that drew the figures.</p>
<nav><ol>
{{range .Sections}}<li><a href="#{{.ID}}">{{.Title}}</a></li>
{{end}}</ol></nav>
{{range .Sections}}
<section id="{{.ID}}">
<h2>{{.Title}}</h2>
<p>{{range .Text}}{{.}} {{end}}</p>
{{$small := false}}{{range .Figures}}{{if .Small}}{{$small = true}}{{end}}{{end}}
{{range .Figures}}{{if not .Small}}<figure><a href="{{.File}}"><img src="{{.File}}" alt="{{.Alt}}"></a><figcaption>{{.Caption}}</figcaption></figure>
{{end}}{{end}}
{{if $small}}<div class="row">
{{range .Figures}}{{if .Small}}<figure><a href="{{.File}}"><img src="{{.File}}" alt="{{.Alt}}"></a><figcaption>{{.Caption}}</figcaption></figure>
{{end}}{{end}}</div>{{end}}
<ul class="facts">
{{range .Facts}}<li>{{.}}</li>
{{end}}<li>computed and drawn in {{secs .Seconds}} s</li>
</ul>
</section>
{{end}}
<footer>Made by <code>sgdsde demo</code> (sgdsde {{.Version}}, {{.Mode}} settings: {{.Grid}} nodes along the longer side of each box) in {{.Seconds}} s. Self-contained: the figures are the PNG files beside this page.</footer>
</body>
</html>
`))

// writeIndex writes index.html atomically.
func writeIndex(path string, sections []Section, s Settings, seconds float64) error {
	p := page{Version: s.Version, Mode: s.Label, Grid: s.Grid, Seconds: strconv.FormatFloat(seconds, 'f', 1, 64), Sections: sections}
	return datafile.WriteFile(path, func(w io.Writer) error { return indexTemplate.Execute(w, p) })
}
