package sigma

// Requires returns the lower-cased literal values one of which field must
// equal (case-insensitively) for the rule to match, when its condition
// implies such a set — the same knowledge RuleSet's index routes on. A
// store can use it to pre-select candidate records before the exact match
// (a retro-hunt's SQL prefilter). ok is false for correlation rules and
// when the condition does not pin field to literals.
func (r *Rule) Requires(field string) (values []string, ok bool) {
	if r == nil || r.Detection == nil || r.Detection.cond == nil {
		return nil, false
	}
	return required(r.Detection.cond, field)
}
