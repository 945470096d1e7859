package catalog

import (
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// Window functions: the ranking functions clients use (pgjdbc numbers
// columns with row_number() OVER (PARTITION BY attrelid ORDER BY attnum)).

type winCollector struct{ calls []*winCall }

type winCall struct {
	name      string
	partition []*expr
	order     []sortKey
}

func (sc *scope) compileWindow(name string, f *pg_query.FuncCall) (*expr, error) {
	switch name {
	case "row_number", "rank", "dense_rank":
	default:
		return nil, unsupported("window function " + name)
	}
	if sc.win == nil || sc.agg != nil && len(sc.agg.aggs) > 0 {
		return nil, errf(pgerr.GroupingError, "window functions are not allowed here")
	}
	w := f.Over
	if w.Name != "" || w.Refname != "" {
		return nil, unsupported("named windows")
	}
	inner := &scope{cols: sc.cols, parent: sc.parent, cc: sc.cc}
	call := &winCall{name: name}
	for _, p := range w.PartitionClause {
		e, err := inner.compileExpr(p)
		if err != nil {
			return nil, err
		}
		call.partition = append(call.partition, e)
	}
	for _, o := range w.OrderClause {
		sb := o.GetSortBy()
		e, err := inner.compileExpr(sb.Node)
		if err != nil {
			return nil, err
		}
		call.order = append(call.order, makeSortKey(e, -1, sb))
	}
	i := len(sc.win.calls)
	sc.win.calls = append(sc.win.calls, call)
	return &expr{typ: int8T, name: name, eval: func(e *env) (any, error) { return e.wins[i], nil }}, nil
}

// computeWindows returns, for each row, the values of the window calls.
func computeWindows(outer *env, calls []*winCall, rows [][]any) ([][]any, error) {
	out := make([][]any, len(rows))
	for i := range out {
		out[i] = make([]any, len(calls))
	}
	e := &env{outer: outer, x: outer.x}
	for ci, c := range calls {
		type item struct {
			idx  int
			keys []any
		}
		parts := map[string][]item{}
		var order []string
		for ri, r := range rows {
			e.row = r
			var pk []byte
			for _, p := range c.partition {
				v, err := p.eval(e)
				if err != nil {
					return nil, err
				}
				pk = appendKey(pk, v)
			}
			var keys []any
			for _, k := range c.order {
				v, err := k.e.eval(e)
				if err != nil {
					return nil, err
				}
				keys = append(keys, v)
			}
			if _, ok := parts[string(pk)]; !ok {
				order = append(order, string(pk))
			}
			parts[string(pk)] = append(parts[string(pk)], item{ri, keys})
		}
		cmpKeys := func(a, b item) int {
			for i, k := range c.order {
				x, y := a.keys[i], b.keys[i]
				cmp := sortCompare(x, y)
				if (x == nil) != (y == nil) && k.nullsFirst {
					cmp = -cmp
				} else if x != nil && y != nil && k.desc {
					cmp = -cmp
				}
				if cmp != 0 {
					return cmp
				}
			}
			return 0
		}
		for _, pk := range order {
			items := parts[pk]
			slices.SortStableFunc(items, cmpKeys)
			rank, dense := int64(0), int64(0)
			for n, it := range items {
				if n == 0 || cmpKeys(items[n-1], it) != 0 {
					rank = int64(n + 1)
					dense++
				}
				switch c.name {
				case "row_number":
					out[it.idx][ci] = int64(n + 1)
				case "rank":
					out[it.idx][ci] = rank
				case "dense_rank":
					out[it.idx][ci] = dense
				}
			}
		}
	}
	return out, nil
}
