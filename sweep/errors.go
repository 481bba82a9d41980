package sweep

import "fmt"

// VaryIssue says what is wrong with an axis (ParseVary, Vary.Values) or a
// grid (Grid.Check).
type VaryIssue int

const (
	// VaryForm: Arg is not NAME=SPEC with a name and a spec.
	VaryForm VaryIssue = iota + 1
	// VaryNameChars: the name (Value) holds characters other than
	// letters, digits, '_', '-' and '.'.
	VaryNameChars
	// VaryNameEmpty: the name (Value) is dashes only.
	VaryNameEmpty
	// VaryEmptyItem: the list has an empty item.
	VaryEmptyItem
	// VaryRepeatedItem: the list holds the item Value twice.
	VaryRepeatedItem
	// VaryRangeNumber: the range's Field ("START" or "STOP") is Value,
	// not a finite number.
	VaryRangeNumber
	// VaryCount: the range's COUNT is Value, not a whole number >= 1.
	VaryCount
	// VaryCountMax: the range's COUNT (Count) exceeds Max points.
	VaryCountMax
	// VaryScale: the range's fourth field (Value) is neither log nor lin.
	VaryScale
	// VaryLogSign: a log range whose START or STOP is not positive.
	VaryLogSign
	// VaryCountOne: a range of one point whose START and STOP differ.
	VaryCountOne
	// VaryItemNumber: the item Value of the list of a Real or Integer
	// axis is not a finite number.
	VaryItemNumber
	// VaryItemInteger: the item Value of the list of an Integer axis is
	// not a whole number.
	VaryItemInteger
	// VaryTextRange: a range for a Text axis.
	VaryTextRange
	// VaryRepeatedValue: the range of an Integer axis rounds to the value
	// Value twice.
	VaryRepeatedValue
	// VaryNone: a grid without axes.
	VaryNone
	// VaryTwice: a grid with the axis Name twice.
	VaryTwice
	// VaryNoValues: a grid whose axis Name has no values.
	VaryNoValues
	// VaryTooMany: a grid of more than Max points.
	VaryTooMany
)

// VaryError is an axis or a grid that cannot be swept.
type VaryError struct {
	// Issue says what is wrong; the fields it names carry the data.
	Issue VaryIssue
	// Arg is the axis NAME=SPEC as given (the issues of ParseVary).
	Arg string
	// Name and Spec are the parsed axis (the issues of Vary.Values; Name
	// for VaryTwice and VaryNoValues).
	Name, Spec string
	// Field is the field of a range, "START" or "STOP" (VaryRangeNumber).
	Field string
	// Value is the offending text: a name, an item, a field or a value.
	Value string
	// Count is the COUNT of a range (VaryCountMax).
	Count int
	// Max is the largest number of points (VaryCountMax, VaryTooMany).
	Max int
}

// Error words the issue without naming a command-line flag, for example
// `axis "t=1:2:0": COUNT "0" is not a whole number >= 1`.
func (e *VaryError) Error() string {
	arg := fmt.Sprintf("axis %q: ", e.Arg)
	axis := fmt.Sprintf("axis %s=%s: ", e.Name, e.Spec)
	switch e.Issue {
	case VaryForm:
		return arg + "want NAME=START:STOP:COUNT[:log] or NAME=a,b,c, e.g. temperature=0.1:0.5:5"
	case VaryNameChars:
		return arg + fmt.Sprintf("name %q may hold only letters, digits, '_', '-' and '.'", e.Value)
	case VaryNameEmpty:
		return arg + fmt.Sprintf("name %q names no parameter", e.Value)
	case VaryEmptyItem:
		return arg + "empty item in the list"
	case VaryRepeatedItem:
		return arg + fmt.Sprintf("%q is listed twice", e.Value)
	case VaryRangeNumber:
		return arg + fmt.Sprintf("%s %q is not a finite number", e.Field, e.Value)
	case VaryCount:
		return arg + fmt.Sprintf("COUNT %q is not a whole number >= 1", e.Value)
	case VaryCountMax:
		return arg + fmt.Sprintf("COUNT %d exceeds %d points", e.Count, e.Max)
	case VaryScale:
		return arg + fmt.Sprintf("the fourth field %q must be log (or lin)", e.Value)
	case VaryLogSign:
		return arg + "a log range needs START > 0 and STOP > 0"
	case VaryCountOne:
		return arg + "COUNT 1 needs START = STOP (or give a list)"
	case VaryItemNumber:
		return axis + fmt.Sprintf("%q is not a finite number", e.Value)
	case VaryItemInteger:
		return axis + fmt.Sprintf("%q is not a whole number (%s takes integers)", e.Value, e.Name)
	case VaryTextRange:
		return axis + fmt.Sprintf("%s takes text, not numbers: give a list a,b,c", e.Name)
	case VaryRepeatedValue:
		return axis + fmt.Sprintf("the value %s comes twice (%s takes integers): lower COUNT or widen the range", e.Value, e.Name)
	case VaryNone:
		return "no axes: give at least one, e.g. temperature=0.1:0.5:5"
	case VaryTwice:
		return fmt.Sprintf("axis %s is given twice: give its values in one axis", e.Name)
	case VaryNoValues:
		return fmt.Sprintf("axis %s has no values", e.Name)
	case VaryTooMany:
		return fmt.Sprintf("the sweep has more than %d points: use fewer or shorter axes", e.Max)
	}
	return "invalid axis"
}

// ShardIssue says what is wrong with a shard (ParseShard).
type ShardIssue int

const (
	// ShardForm: Spec is neither i/n nor auto.
	ShardForm ShardIssue = iota + 1
	// ShardRange: the shard Index of Count, found in Source, does not
	// have 0 <= Index < Count.
	ShardRange
	// ShardEnvNumber: the environment variable Var holds Value, not a
	// whole number.
	ShardEnvNumber
	// ShardNoCount: a Kubernetes Indexed Job without a shard count: the
	// count argument is not positive and EnvShards is not set.
	ShardNoCount
	// ShardNoEnv: "auto" outside a Slurm job array and a Kubernetes
	// Indexed Job.
	ShardNoEnv
)

// ShardSource is where a shard comes from.
type ShardSource int

const (
	// ShardGiven: the shard i/n as given.
	ShardGiven ShardSource = iota
	// ShardSlurm: "auto" in a Slurm job array.
	ShardSlurm
	// ShardKubernetes: "auto" in a Kubernetes Indexed Job.
	ShardKubernetes
)

// ShardError is a shard that ParseShard cannot select.
type ShardError struct {
	// Issue says what is wrong; the fields it names carry the data.
	Issue ShardIssue
	// Spec is the shard as given, trimmed: "i/n" or "auto".
	Spec string
	// Source is where the shard comes from (ShardRange).
	Source ShardSource
	// Index and Count are the shard (ShardRange).
	Index, Count int
	// Var and Value are the environment variable and its value
	// (ShardEnvNumber).
	Var, Value string
}

// Error words the issue without naming a command-line flag, for example
// "shard 4 of 4: want 0 <= i < n".
func (e *ShardError) Error() string {
	switch e.Issue {
	case ShardForm:
		return fmt.Sprintf("shard %q: want i/n (e.g. 0/4) or auto", e.Spec)
	case ShardRange:
		from := ""
		switch e.Source {
		case ShardSlurm:
			from = " (from the Slurm job array; the array must be contiguous with step 1)"
		case ShardKubernetes:
			from = " (from the Kubernetes Indexed Job)"
		}
		return fmt.Sprintf("shard %d of %d%s: want 0 <= i < n", e.Index, e.Count, from)
	case ShardEnvNumber:
		s := fmt.Sprintf("automatic shard: %s=%q is not a whole number", e.Var, e.Value)
		if e.Var == EnvSlurmCount {
			s += " (run inside a Slurm job array)"
		}
		return s
	case ShardNoCount:
		return fmt.Sprintf("automatic shard: %s is set but not the shard count: give the count or set %s to the Job's completions", EnvK8sIndex, EnvShards)
	case ShardNoEnv:
		return fmt.Sprintf("automatic shard: neither %s (Slurm job array) nor %s (Kubernetes Indexed Job) is set: give the shard as i/n", EnvSlurmID, EnvK8sIndex)
	}
	return "invalid shard"
}
