package planner

import "github.com/lattice-sql/lattice/schema"

// The semantic query IR: what the client asked for in terms of the model,
// independent of any backend. semantic.go builds it from the AST, sql.go
// renders it per dialect.

// exprKind says what a value of the IR stands for.
type exprKind uint8

const (
	exprDimension exprKind = iota // a dimension, maybe truncated to a granularity
	exprSegment                   // a segment as a boolean
	exprMeasure                   // an aggregated measure (or a per-row measure when ungrouped)
	exprConst                     // a literal
	exprParam                     // a client parameter $n
	exprNull                      // __user and __cubeJoinField: always NULL text
	exprTime                      // a relative time such as now() - INTERVAL '7 day'
)

// constKind is a literal's type.
type constKind uint8

const (
	constInt constKind = iota
	constFloat
	constString
	constBool
	constNull
)

// An expr is one member reference, literal or parameter.
type expr struct {
	kind exprKind
	cube *schema.Cube
	dim  *schema.Dimension
	seg  *schema.Segment
	meas *schema.Measure
	gran string // time dimensions: second ... year, "" for none
	tz   string // time dimensions: IANA zone of AT TIME ZONE, "" for UTC
	cast string // "text" or "date" when the client cast a dimension
	fn   string // "LOWER" or "UPPER" applied to a string dimension
	lit  string // exprConst: the literal's text
	lk   constKind
	num  int        // exprParam: 1-based client parameter number
	tv   *timeValue // exprTime

	name string // default output column name, as PostgreSQL would choose it
	loc  int32
}

// groupKey identifies the grouping a dimension expression stands for: the
// member and its granularity (a cast to text does not change the groups).
func (e *expr) groupKey() string {
	switch e.kind {
	case exprDimension:
		return e.cube.Name + "." + e.dim.Name + "/" + e.gran + "/" + e.cast + "/" + e.fn + "/" + e.tz
	case exprSegment:
		return e.cube.Name + "." + e.seg.Name
	case exprMeasure:
		return "m:" + e.cube.Name + "." + e.meas.Name
	case exprConst:
		return "c:" + e.lit
	}
	return "n:"
}

// condOp is a filter node's operator.
type condOp uint8

const (
	condAnd condOp = iota
	condOr
	condNot
	condCompare // left op right
	condIn      // left [NOT] IN args
	condLike    // left [NOT] LIKE/ILIKE right
	condNull    // left IS [NOT] NULL
	condBetween // left [NOT] BETWEEN args[0] AND args[1]
	condBool    // left (a segment or boolean dimension) IS [NOT] TRUE/FALSE, or bare
	condConst   // a literal TRUE/FALSE
)

// A cond is a WHERE or HAVING tree.
type cond struct {
	op    condOp
	kids  []*cond
	left  *expr
	right *expr
	args  []*expr
	cmp   string // condCompare: = <> < <= > >=; condBool: TRUE/FALSE
	not   bool
	ilike bool
}

type orderItem struct {
	e          *expr
	desc       bool
	nullsFirst bool
}

// A query is one semantic SELECT.
type query struct {
	cubes     []*schema.Cube // FROM, in order; the first is the root of the join tree
	items     []*expr        // output columns
	names     []string       // output column names
	group     []*expr        // grouping dimensions (unique by groupKey)
	grouped   bool
	where     *cond
	having    *cond
	order     []orderItem
	limit     *expr
	offset    *expr
	paramOIDs []uint32 // inferred, by client parameter number - 1
}
