package main

import (
	"io"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/sgdsde/sgdsde/experiment"
)

// progressMinWork is the number of trajectory-steps above which a run shows
// a progress bar (when stderr is a terminal).
const progressMinWork = 2e8

// progress draws a progress bar of trajectory-steps. Workers report through
// add, which only does an atomic addition; a separate goroutine redraws the
// bar a few times per second.
type progress struct {
	done  atomic.Int64
	bar   *progressbar.ProgressBar
	stop  chan struct{}
	ended chan struct{}
}

// newProgress starts a bar for total trajectory-steps written to w.
func newProgress(w io.Writer, total int64, description string) *progress {
	p := &progress{
		bar: progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(description),
			progressbar.OptionSetWidth(30),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		),
		stop:  make(chan struct{}),
		ended: make(chan struct{}),
	}
	go p.loop()
	return p
}

// add records delta more trajectory-steps; it is safe for concurrent use.
func (p *progress) add(delta int64) { p.done.Add(delta) }

func (p *progress) loop() {
	defer close(p.ended)
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = p.bar.Set64(p.done.Load())
		case <-p.stop:
			return
		}
	}
}

// finish stops the redraws and clears the bar.
func (p *progress) finish() {
	close(p.stop)
	<-p.ended
	_ = p.bar.Finish()
	_ = p.bar.Clear()
}

// barProgress is the experiment.Progress of the commands: a progress bar
// on stderr per stage, described by prefix and the stage's name.
type barProgress struct {
	a      *app
	prefix string
	bar    *progress
}

// progressFor returns a barProgress for a run of the given cost when it
// exceeds progressMinWork and stderr is a terminal, and nil otherwise.
func progressFor(a *app, cost float64, prefix string) experiment.Progress {
	if cost > progressMinWork && a.stderrIsTerminal() {
		return &barProgress{a: a, prefix: prefix}
	}
	return nil
}

// Begin starts a bar for total units of stage.
func (b *barProgress) Begin(stage string, total int64) {
	b.bar = newProgress(b.a.stderr, total, b.prefix+stage)
}

// Add records delta more units; it is safe for concurrent use.
func (b *barProgress) Add(delta int64) { b.bar.add(delta) }

// End clears the bar.
func (b *barProgress) End() {
	if b.bar != nil {
		b.bar.finish()
		b.bar = nil
	}
}
