package sigma

// FieldSource is what correlations and first-seen memory read of an
// event: the first value at a dotted path, as Event.Value gives it. A
// parsed Event is one; FieldValues, the few values a match needs taken
// from one, is another that costs no parse to keep.
type FieldSource interface {
	Value(path string) (string, bool)
}

// FieldValues are an event's values at a few paths (Event.Project).
type FieldValues struct {
	paths []string
	vals  []string
	has   []bool
}

// Project takes e's values at paths, so that the event need not be kept
// or parsed again for them. A path not in paths reads as absent.
func (e *Event) Project(paths []string) *FieldValues {
	f := &FieldValues{paths: paths, vals: make([]string, len(paths)), has: make([]bool, len(paths))}
	for i, p := range paths {
		f.vals[i], f.has[i] = e.Value(p)
	}
	return f
}

// Value implements FieldSource.
func (f *FieldValues) Value(path string) (string, bool) {
	for i, p := range f.paths {
		if p == path {
			return f.vals[i], f.has[i]
		}
	}
	return "", false
}
