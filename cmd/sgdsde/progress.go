package main

import (
	"io"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
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
