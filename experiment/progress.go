package experiment

// Progress receives reports of a study's work. Begin announces a stage and
// its total amount of work in the stage's own units (trajectory-steps,
// time steps, points), Add reports units done and may be called from
// several goroutines at once, and End closes the stage. A nil Progress
// reports nothing.
type Progress interface {
	Begin(stage string, total int64)
	Add(delta int64)
	End()
}

// begin, add and end call p's methods when p is not nil.
func begin(p Progress, stage string, total int64) {
	if p != nil {
		p.Begin(stage, total)
	}
}

func end(p Progress) {
	if p != nil {
		p.End()
	}
}

// adder returns p.Add, or nil for a nil p (the form sde and fokkerplanck
// take their progress callbacks in).
func adder(p Progress) func(int64) {
	if p == nil {
		return nil
	}
	return p.Add
}
