// Package plots draws figures of results that sgdsde commands have saved:
// it reads tables and arrays written by the commands and turns them into
// PNG, SVG or PDF figures with gonum.org/v1/plot. It computes no physics:
// every number it draws was computed and saved by another package, so a
// figure can be redrawn at any time without running anything again.
//
// Figures are meant for papers and lectures: axes are labelled with the
// quantity and its symbol (Label), curves carry a legend titled by the
// quantity that tells them apart, and the default size is 15 x 10 cm.
// Files are written atomically (a temporary file in the destination
// directory renamed over the destination), in the format given by the
// file's extension.
//
// The first kind of figure is SweepCurves: one scalar of a parameter sweep
// (results.csv of package sweep) against a varied parameter, one curve per
// value of another. FieldPanel and FieldPanels draw heat maps of grid
// fields (viridis, NaN left blank) with contour lines, a shared colour bar
// and markers and orbits overlaid; StreamPlot draws evenly spaced
// streamlines (Jobard & Lefer, 1997) of a vector field with arrow heads
// and width proportional to speed.
package plots
