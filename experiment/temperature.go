package experiment

import (
	"errors"
	"fmt"
	"math"

	"github.com/sgdsde/sgdsde/sde"
)

// Where a temperature came from, as summaries record it
// (TemperatureInfo.From). The values are those of the files written since
// the first release, which name the command-line options.
const (
	TemperatureFromDefault = "default"
	TemperatureFromT       = "--temperature"
	TemperatureFromSGD     = "--lr/--batch"
)

// errConflictingTemperature is the cause of a TemperatureError for a spec
// with both T and SGD hyper-parameters.
var errConflictingTemperature = errors.New("give a temperature or SGD hyper-parameters, not both")

// TemperatureSpec gives the temperature T of a study directly (T; 0 means
// DefaultTemperature) or, when LR > 0, as that of mini-batch SGD with
// learning rate LR and batch size Batch: T = LR/(2 Batch) with
// replacement, T = LR (Samples - Batch)/(2 Batch (Samples - 1)) for
// independent batches of Batch distinct samples out of Samples
// (sde.SGDTemperature; Chaudhari & Soatto, arXiv:1710.11029, eq. 3).
type TemperatureSpec struct {
	// T is the temperature; it must be 0 when LR is set.
	T float64
	// LR, Batch, Samples and WithoutReplacement are the SGD
	// hyper-parameters that give T.
	LR                 float64
	Batch, Samples     int
	WithoutReplacement bool
}

// SGDInfo echoes the SGD hyper-parameters that gave the temperature.
type SGDInfo struct {
	LR                 float64 `json:"lr"`
	Batch              int     `json:"batch"`
	Samples            int     `json:"samples,omitempty"`
	WithoutReplacement bool    `json:"without_replacement"`
}

// TemperatureInfo is what a summary echoes about the temperature.
type TemperatureInfo struct {
	// Temperature is T.
	Temperature float64 `json:"temperature"`
	// From says how T was obtained (TemperatureFromDefault,
	// TemperatureFromT or TemperatureFromSGD).
	From string `json:"temperature_from"`
	// SGD holds the hyper-parameters when T came from them.
	SGD *SGDInfo `json:"sgd,omitempty"`
}

// Resolve returns the temperature that s gives. Its errors are
// *TemperatureError.
func (s TemperatureSpec) Resolve() (TemperatureInfo, error) {
	if s.LR == 0 && s.Batch == 0 && s.Samples == 0 && !s.WithoutReplacement {
		T, from := s.T, TemperatureFromT
		if T == 0 {
			T, from = DefaultTemperature, TemperatureFromDefault
		}
		if !(T > 0) || math.IsInf(T, 0) {
			return TemperatureInfo{}, &TemperatureError{T: T}
		}
		return TemperatureInfo{Temperature: T, From: from}, nil
	}
	if s.T != 0 {
		return TemperatureInfo{}, &TemperatureError{T: s.T, Err: errConflictingTemperature}
	}
	T, err := sde.SGDTemperature(s.LR, s.Batch, s.Samples, s.WithoutReplacement)
	if err != nil {
		return TemperatureInfo{}, &TemperatureError{Err: err}
	}
	info := TemperatureInfo{
		Temperature: T,
		From:        TemperatureFromSGD,
		SGD:         &SGDInfo{LR: s.LR, Batch: s.Batch, WithoutReplacement: s.WithoutReplacement},
	}
	if s.WithoutReplacement {
		info.SGD.Samples = s.Samples
	}
	return info, nil
}

// Source describes where T came from, for human-readable summaries:
// "lr 0.1, batch 10" or the From label.
func (t TemperatureInfo) Source() string {
	if t.SGD == nil {
		return t.From
	}
	s := fmt.Sprintf("lr %g, batch %d", t.SGD.LR, t.SGD.Batch)
	if t.SGD.WithoutReplacement {
		s += fmt.Sprintf(", %d samples without replacement", t.SGD.Samples)
	}
	return s
}
