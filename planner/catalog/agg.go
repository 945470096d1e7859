package catalog

import (
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

type aggCollector struct{ aggs []*aggCall }

// aggDef is an aggregate: ret gives its type from the argument's type;
// step folds the non-NULL argument values of a group.
type aggDef struct {
	ret  func(arg uint32) uint32
	fold func(x *execCtx, vals []any, args [][]any, argTypes []uint32) (any, error)
}

type aggCall struct {
	def      *aggDef
	args     []*expr
	star     bool
	distinct bool
	filter   *expr
	order    []sortKey
}

var aggregates = map[string]*aggDef{
	"count": {ret: func(uint32) uint32 { return int8T }, fold: func(_ *execCtx, vals []any, _ [][]any, _ []uint32) (any, error) {
		return int64(len(vals)), nil
	}},
	"min": {ret: func(t uint32) uint32 { return t }, fold: extremum(-1)},
	"max": {ret: func(t uint32) uint32 { return t }, fold: extremum(1)},
	"sum": {ret: func(t uint32) uint32 {
		if t == int2T || t == int4T {
			return int8T
		}
		if t == float4T || t == float8T {
			return float8T
		}
		return numericT
	}, fold: func(_ *execCtx, vals []any, _ [][]any, _ []uint32) (any, error) {
		if len(vals) == 0 {
			return nil, nil
		}
		var acc any = int64(0)
		for _, v := range vals {
			var err error
			if acc, err = arith("+", acc, v); err != nil {
				return nil, err
			}
		}
		return acc, nil
	}},
	"avg": {ret: func(uint32) uint32 { return numericT }, fold: func(_ *execCtx, vals []any, _ [][]any, _ []uint32) (any, error) {
		if len(vals) == 0 {
			return nil, nil
		}
		s := 0.0
		for _, v := range vals {
			switch n := v.(type) {
			case int64:
				s += float64(n)
			case float64:
				s += n
			}
		}
		return s / float64(len(vals)), nil
	}},
	"bool_or":  {ret: func(uint32) uint32 { return boolT }, fold: boolFold(true)},
	"bool_and": {ret: func(uint32) uint32 { return boolT }, fold: boolFold(false)},
	"every":    {ret: func(uint32) uint32 { return boolT }, fold: boolFold(false)},
	"array_agg": {ret: arrayOf, fold: func(_ *execCtx, _ []any, args [][]any, _ []uint32) (any, error) {
		if len(args) == 0 {
			return nil, nil
		}
		out := make([]any, len(args))
		for i, a := range args {
			out[i] = a[0]
		}
		return out, nil
	}},
	"string_agg": {ret: func(uint32) uint32 { return textT }, fold: func(x *execCtx, _ []any, args [][]any, types []uint32) (any, error) {
		var b strings.Builder
		n := 0
		for _, a := range args {
			if a[0] == nil {
				continue
			}
			if n > 0 && a[1] != nil {
				b.WriteString(a[1].(string))
			}
			b.WriteString(toText(x, a[0], types[0]))
			n++
		}
		if n == 0 {
			return nil, nil
		}
		return b.String(), nil
	}},
}

func boolFold(or bool) func(*execCtx, []any, [][]any, []uint32) (any, error) {
	return func(_ *execCtx, vals []any, _ [][]any, _ []uint32) (any, error) {
		if len(vals) == 0 {
			return nil, nil
		}
		for _, v := range vals {
			if v.(bool) == or {
				return or, nil
			}
		}
		return !or, nil
	}
}

func extremum(sign int) func(*execCtx, []any, [][]any, []uint32) (any, error) {
	return func(_ *execCtx, vals []any, _ [][]any, _ []uint32) (any, error) {
		var best any
		for _, v := range vals {
			if best == nil {
				best = v
				continue
			}
			if c, _ := compareValues(v, best); c*sign > 0 {
				best = v
			}
		}
		return best, nil
	}
}

func (sc *scope) compileAggregate(name string, def *aggDef, f *pg_query.FuncCall) (*expr, error) {
	if sc.agg == nil {
		return nil, errf(pgerr.GroupingError, "aggregate functions are not allowed here")
	}
	inner := &scope{cols: sc.cols, parent: sc.parent, cc: sc.cc}
	call := &aggCall{def: def, star: f.AggStar, distinct: f.AggDistinct}
	args, err := inner.compileList(f.Args)
	if err != nil {
		return nil, err
	}
	for i := range args {
		if args[i].typ == paramType {
			args[i] = inner.resolveParam(args[i], textT)
		}
		if args[i].typ == unknownT {
			args[i] = castExpr(args[i], textT)
		}
	}
	if name == "string_agg" {
		if len(args) != 2 {
			return nil, errf(pgerr.UndefinedFunction, "function string_agg(%s) does not exist", argTypeList(args))
		}
		args[1] = castExpr(args[1], textT)
	} else if !f.AggStar && len(args) != 1 {
		return nil, errf(pgerr.UndefinedFunction, "function %s(%s) does not exist", name, argTypeList(args))
	}
	call.args = args
	if f.AggFilter != nil {
		if call.filter, err = inner.compileExpr(f.AggFilter); err != nil {
			return nil, err
		}
	}
	for _, o := range f.AggOrder {
		sb := o.GetSortBy()
		k, err := inner.compileExpr(sb.Node)
		if err != nil {
			return nil, err
		}
		call.order = append(call.order, makeSortKey(k, -1, sb))
	}
	argType := int8T
	if len(args) > 0 {
		argType = args[0].typ
	}
	i := len(sc.agg.aggs)
	sc.agg.aggs = append(sc.agg.aggs, call)
	return &expr{typ: def.ret(argType), name: name, eval: func(e *env) (any, error) { return e.aggs[i], nil }}, nil
}

// compute folds the aggregate over one group's rows.
func (a *aggCall) compute(outer *env, rows [][]any) (any, error) {
	e := &env{outer: outer.outer, x: outer.x}
	type item struct {
		args []any
		keys []any
	}
	var items []item
	seen := map[string]bool{}
	for _, r := range rows {
		e.row = r
		if a.filter != nil {
			v, err := a.filter.eval(e)
			if err != nil {
				return nil, err
			}
			if b, ok := v.(bool); !ok || !b {
				continue
			}
		}
		args := make([]any, len(a.args))
		for i, x := range a.args {
			v, err := x.eval(e)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
		if a.distinct {
			k := string(appendKey(nil, args[0]))
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		var keys []any
		for _, o := range a.order {
			v, err := o.e.eval(e)
			if err != nil {
				return nil, err
			}
			keys = append(keys, v)
		}
		items = append(items, item{args, keys})
	}
	if len(a.order) > 0 {
		slices.SortStableFunc(items, func(x, y item) int {
			for i, k := range a.order {
				c := sortCompare(x.keys[i], y.keys[i])
				if k.desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
	}
	var vals []any
	all := make([][]any, 0, len(items))
	for _, it := range items {
		all = append(all, it.args)
		if a.star {
			vals = append(vals, true)
		} else if len(it.args) > 0 && it.args[0] != nil {
			vals = append(vals, it.args[0])
		}
	}
	types := make([]uint32, len(a.args))
	for i, x := range a.args {
		types[i] = x.typ
	}
	return a.def.fold(e.x, vals, all, types)
}
