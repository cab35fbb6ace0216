package search

import "time"

// query is a parsed query: a filter (nil matches every event) and the
// stages piped after it.
type query struct {
	filter node
	stages []stage
}

// node is a filter expression.
type node interface{ position() int }

// boolNode is a conjunction or disjunction.
type boolNode struct {
	or    bool
	items []node
	pos   int
}

// notNode negates with Lucene semantics: an event without the field
// matches NOT field:value.
type notNode struct {
	x   node
	pos int
}

// matchAll is a lone '*'.
type matchAll struct{ pos int }

// clause tests one field (or the whole record, when field is "") against
// a value.
type clause struct {
	field    string
	fieldPos int
	val      value
	pos      int
}

func (n *boolNode) position() int { return n.pos }
func (n *notNode) position() int  { return n.pos }
func (n *matchAll) position() int { return n.pos }
func (n *clause) position() int   { return n.pos }

// value is what a clause compares with.
type value interface{ vpos() int }

// termVal is an unquoted word; parts hold its wildcards.
type termVal struct {
	text  string
	parts []part
	pos   int
}

func (v *termVal) wild() bool { return token{parts: v.parts}.wild() }

// phraseVal is a quoted phrase: no wildcards.
type phraseVal struct {
	text string
	pos  int
}

// regexVal is /regex/ (RE2 syntax, unanchored).
type regexVal struct {
	re  string
	pos int
}

// existsVal is field:*.
type existsVal struct{ pos int }

// bound is one end of a range; open ends are nil.
type bound struct {
	text string
	pos  int
}

// rangeVal is [lo TO hi], {lo TO hi} or a mix, or a comparison
// (field:>=x is a range with one open end).
type rangeVal struct {
	lo, hi         *bound
	loIncl, hiIncl bool
	pos            int
}

func (v *termVal) vpos() int   { return v.pos }
func (v *phraseVal) vpos() int { return v.pos }
func (v *regexVal) vpos() int  { return v.pos }
func (v *existsVal) vpos() int { return v.pos }
func (v *rangeVal) vpos() int  { return v.pos }

// stage is one step after a '|'.
type stage interface{ stagePos() int }

type whereStage struct {
	cond expr
	pos  int
}

// agg is one aggregation: fn(args) as name.
type agg struct {
	fn   string
	args []expr
	n    int64 // top N
	name string
	pos  int
}

// byItem is a group key: a field, or bin(field, span).
type byItem struct {
	x    expr
	name string
	pos  int
}

// statsStage is stats/summarize, and timechart (span set, grouping by the
// time bucket first).
type statsStage struct {
	aggs      []agg
	by        []byItem
	timechart bool
	span      time.Duration
	pos       int
}

type sortKey struct {
	x    expr
	desc bool
	pos  int
}

type sortStage struct {
	keys  []sortKey
	limit int64 // SPL "sort 10 -f"; 0 none
	pos   int
}

type limitStage struct {
	n   int64
	pos int
}

// projItem is a kept column, optionally computed (project name = expr).
type projItem struct {
	name string
	x    expr // nil: the column itself
	pos  int
}

type fieldsStage struct {
	items  []projItem
	remove bool
	pos    int
}

type assign struct {
	name string
	x    expr
	pos  int
}

type evalStage struct {
	assigns []assign
	pos     int
}

type renameStage struct {
	pairs []assign // name = new name; x is the old column (a ref)
	pos   int
}

type dedupStage struct {
	keys []expr
	n    int64
	pos  int
}

type distinctStage struct {
	keys []expr
	pos  int
}

// topStage is SPL top/rare: the most (or least) common values.
type topStage struct {
	rare bool
	n    int64
	keys []expr
	by   []expr
	pos  int
}

// binStage replaces a time field by its bucket.
type binStage struct {
	field expr
	span  time.Duration
	name  string
	pos   int
}

type countStage struct{ pos int }

func (s *whereStage) stagePos() int    { return s.pos }
func (s *statsStage) stagePos() int    { return s.pos }
func (s *sortStage) stagePos() int     { return s.pos }
func (s *limitStage) stagePos() int    { return s.pos }
func (s *fieldsStage) stagePos() int   { return s.pos }
func (s *evalStage) stagePos() int     { return s.pos }
func (s *renameStage) stagePos() int   { return s.pos }
func (s *dedupStage) stagePos() int    { return s.pos }
func (s *distinctStage) stagePos() int { return s.pos }
func (s *topStage) stagePos() int      { return s.pos }
func (s *binStage) stagePos() int      { return s.pos }
func (s *countStage) stagePos() int    { return s.pos }

// expr is an expression in a stage.
type expr interface{ epos() int }

// eLit is a literal: string, int64, float64, bool or nil.
type eLit struct {
	v   any
	pos int
}

// eDur is a duration literal (5m).
type eDur struct {
	d   time.Duration
	pos int
}

// eRef names a column or a field.
type eRef struct {
	name string
	pos  int
}

type eUnary struct {
	op  string // "-" or "not"
	x   expr
	pos int
}

// eBinary: arithmetic, comparison, and, or, contains, startswith,
// endswith, like.
type eBinary struct {
	op   string
	l, r expr
	pos  int
}

type eIn struct {
	x    expr
	list []expr
	not  bool
	pos  int
}

type eCall struct {
	name string
	args []expr
	pos  int
}

// eStar is '*' as an argument: count(*).
type eStar struct{ pos int }

func (e *eLit) epos() int    { return e.pos }
func (e *eDur) epos() int    { return e.pos }
func (e *eRef) epos() int    { return e.pos }
func (e *eUnary) epos() int  { return e.pos }
func (e *eBinary) epos() int { return e.pos }
func (e *eIn) epos() int     { return e.pos }
func (e *eCall) epos() int   { return e.pos }
func (e *eStar) epos() int   { return e.pos }
