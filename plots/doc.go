// Package plots draws figures of sgdsde results with gonum.org/v1/plot,
// as PNG, SVG or PDF. It computes no physics: every number it draws was
// computed by another package (the grid post-processing it shares with the
// gallery and the browser, such as the region and Phi - f, comes from
// package fokkerplanck's view.go), so a figure can be redrawn at any time.
//
// It is built in layers:
//
//   - plotters over in-memory data: Field, a scalar field on a grid that is
//     a plotter.GridXYZ, drawn by FieldPanel and FieldPanels as heat maps
//     (viridis, NaN left blank) with contour lines, colour bars, markers
//     and orbits; StreamPlot, evenly spaced streamlines (Jobard & Lefer,
//     1997) with arrow heads and width by speed; Trajectories, Marginals,
//     FreeEnergyCurve, and SweepCurves over the rows of a sweep's table;
//   - the standard figures of each result kind over typed data:
//     DrawSteady (SteadyState), DrawEnsemble (Ensemble), DrawCycles
//     (Cycles), DrawComparison (Comparison), DrawEvolution (Evolution),
//     DrawObservables (Observables), DrawEscape (Escape: τ(x) and q(x)
//     over Φ with the reactive current, and the survival curve);
//   - fromdir.go: one thin function per kind (SteadyFigures, ...,
//     EscapeFigures, StandardFigures) that reads what a command saved in a
//     directory and calls the typed figure;
//   - drawdir.go: the entry points of 'sgdsde plot KIND DIR' and --plot,
//     DrawDir (the standard figures of a kind) and DrawSweepDir (a
//     sweep's curves), which check the figure options and return typed
//     errors (*OptionError, *DirError, *SweepDataError) for the caller to
//     word.
//
// Figures are meant for papers and lectures: axes are labelled with the
// quantity and its symbol (Label), curves carry a legend titled by the
// quantity that tells them apart, and the default size is 15 x 10 cm.
// Files are written atomically (a temporary file in the destination
// directory renamed over the destination), in the format given by the
// file's extension.
package plots
