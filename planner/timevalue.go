package planner

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v5"
)

// A timeValue is a relative time computed by the backend, as BI tools write
// date filters: now(), CURRENT_DATE, DATE_TRUNC of those, ± INTERVAL.
type timeValue struct {
	op    byte // 'n' now, 'd' today, 't' truncate, '+' add interval
	gran  string
	n     int    // '+': amount (negative to subtract)
	unit  string // '+': second ... year
	child *timeValue
}

var intervalUnits = map[string]string{
	"second": "second", "seconds": "second", "sec": "second", "secs": "second",
	"minute": "minute", "minutes": "minute", "min": "minute", "mins": "minute",
	"hour": "hour", "hours": "hour", "day": "day", "days": "day", "week": "week", "weeks": "week",
	"month": "month", "months": "month", "mon": "month", "mons": "month",
	"quarter": "quarter", "year": "year", "years": "year",
}

// sqlValue binds CURRENT_DATE, CURRENT_TIMESTAMP and LOCALTIMESTAMP.
func (b *binder) sqlValue(f *pg_query.SQLValueFunction) (*expr, error) {
	tv := &timeValue{op: 'n'}
	switch f.Op {
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		tv.op = 'd'
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N,
		pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
	default:
		return nil, notSupported("this SQL value function is not supported on cubes").At(b.pos(f.Location))
	}
	return &expr{kind: exprTime, tv: tv, name: "current_timestamp", loc: f.Location}, nil
}

// arith binds time ± INTERVAL 'n unit'.
func (b *binder) arith(a *pg_query.A_Expr, agg bool) (*expr, error) {
	op := opName(a.Name)
	if a.Kind != pg_query.A_Expr_Kind_AEXPR_OP || op != "+" && op != "-" {
		return nil, notSupported("operator %s is not supported on cubes", op).At(b.pos(a.Location))
	}
	l, err := b.expr(a.Lexpr, agg)
	if err != nil {
		return nil, err
	}
	if l.kind != exprTime {
		return nil, notSupported("arithmetic is supported on relative times only, e.g. now() - INTERVAL '7 day'").At(b.pos(a.Location))
	}
	n, unit, ok := interval(a.Rexpr)
	if !ok {
		return nil, notSupported("a relative time takes an INTERVAL 'n unit' literal").At(b.pos(a.Location))
	}
	if op == "-" {
		n = -n
	}
	return &expr{kind: exprTime, tv: &timeValue{op: '+', n: n, unit: unit, child: l.tv}, name: "?column?", loc: a.Location}, nil
}

// interval reads INTERVAL '-30 day' (or '30 days', 'week').
func interval(n *pg_query.Node) (int, string, bool) {
	tc := n.GetTypeCast()
	if tc == nil || strings.ToLower(opName(tc.TypeName.GetNames())) != "interval" || len(tc.TypeName.GetTypmods()) > 0 {
		return 0, "", false
	}
	s := tc.Arg.GetAConst().GetSval()
	if s == nil {
		return 0, "", false
	}
	fields := strings.Fields(strings.ToLower(s.Sval))
	count := 1
	switch len(fields) {
	case 2:
		v, err := strconv.Atoi(fields[0])
		if err != nil || v > 1<<20 || v < -(1<<20) {
			return 0, "", false
		}
		count, fields = v, fields[1:]
	case 1:
	default:
		return 0, "", false
	}
	unit, ok := intervalUnits[fields[0]]
	return count, unit, ok
}

// render writes the time value in the dialect; the result is a timestamp.
func (g *gen) timeValue(tv *timeValue) string {
	switch tv.op {
	case 'n':
		return g.d.Now()
	case 'd':
		return g.d.Timestamp(g.d.Today())
	case 't':
		return g.d.TimeTrunc(tv.gran, g.timeValue(tv.child))
	}
	return g.d.AddInterval(g.timeValue(tv.child), tv.n, tv.unit)
}
