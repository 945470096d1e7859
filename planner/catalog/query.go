package catalog

import (
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// A node is a compiled relation: its output columns, and a run function
// that materializes its rows (catalog tables are small; everything is
// materialized). outer is the environment of the enclosing query, for
// correlated subqueries.
type node interface {
	columns() []scopeCol
	run(outer *env) ([][]any, error)
}

type cteDef struct {
	name string
	node node
	cols []scopeCol
}

// cteRef reads a CTE, materialized once per execution.
type cteRef struct {
	def  *cteDef
	cols []scopeCol
}

func (c *cteRef) columns() []scopeCol { return c.cols }
func (c *cteRef) run(outer *env) ([][]any, error) {
	if rows, ok := outer.x.ctes[c.def]; ok {
		return rows, nil
	}
	rows, err := c.def.node.run(&env{x: outer.x})
	if err != nil {
		return nil, err
	}
	outer.x.ctes[c.def] = rows
	return rows, nil
}

type tableScan struct {
	t    *table
	cols []scopeCol
	// keep lists the table columns the query references, when it does not
	// need them all: joined rows of wide catalogs stay narrow.
	keep []int
}

func (s *tableScan) columns() []scopeCol { return s.cols }
func (s *tableScan) run(outer *env) ([][]any, error) {
	if s.keep == nil {
		return outer.x.snap.rowsOf(s.t, outer.x.sess), nil
	}
	return outer.x.snap.projectedRowsOf(s.t, s.keep, outer.x.sess), nil
}

// emptyScan is a cube named in a catalog query: its columns, no rows.
type emptyScan struct{ cols []scopeCol }

func (s *emptyScan) columns() []scopeCol       { return s.cols }
func (s *emptyScan) run(*env) ([][]any, error) { return nil, nil }

type valuesNode struct {
	rows [][]*expr
	cols []scopeCol
}

func (v *valuesNode) columns() []scopeCol { return v.cols }
func (v *valuesNode) run(outer *env) ([][]any, error) {
	out := make([][]any, len(v.rows))
	e := &env{outer: outer, x: outer.x}
	for i, r := range v.rows {
		row := make([]any, len(r))
		for j, x := range r {
			val, err := x.eval(e)
			if err != nil {
				return nil, err
			}
			row[j] = val
		}
		out[i] = row
	}
	return out, nil
}

// funcScan is a set-returning function in FROM.
type funcScan struct {
	fn         *srfDef
	args       []*expr
	ordinality bool
	cols       []scopeCol
}

func (f *funcScan) columns() []scopeCol { return f.cols }
func (f *funcScan) run(outer *env) ([][]any, error) {
	e := &env{outer: outer, x: outer.x}
	args := make([]any, len(f.args))
	for i, a := range f.args {
		v, err := a.eval(e)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	vals, err := f.fn.eval(e.x, args)
	if err != nil {
		return nil, err
	}
	out := make([][]any, len(vals))
	for i, v := range vals {
		var row []any
		if f.fn.fields != nil {
			row = append(row, v.([]any)...)
		} else {
			row = []any{v}
		}
		if f.ordinality {
			row = append(row, int64(i+1))
		}
		out[i] = row
	}
	return out, nil
}

type joinNode struct {
	left, right node
	kind        pg_query.JoinType
	on          *expr
	// equi-join keys, evaluated on the left and right rows alone.
	lkeys, rkeys []*expr
	cols         []scopeCol
}

func (j *joinNode) columns() []scopeCol { return j.cols }

func (j *joinNode) run(outer *env) ([][]any, error) {
	lrows, err := j.left.run(outer)
	if err != nil {
		return nil, err
	}
	rrows, err := j.right.run(outer)
	if err != nil {
		return nil, err
	}
	nl, nr := len(j.left.columns()), len(j.right.columns())
	e := &env{outer: outer, x: outer.x}
	if len(j.lkeys) == 1 {
		return j.runHash1(e, lrows, rrows, nl, nr)
	}
	if len(j.lkeys) == 0 {
		return j.combine(e, lrows, rrows, nl, nr, func(int, []any) ([]int, bool, error) { return nil, true, nil })
	}
	index := make(map[string][]int, len(rrows))
	var buf []byte
	for i, r := range rrows {
		e.row = r
		var ok bool
		var err error
		if buf, ok, err = joinKey(buf[:0], e, j.rkeys); err != nil {
			return nil, err
		}
		if ok {
			index[string(buf)] = append(index[string(buf)], i)
		}
	}
	return j.combine(e, lrows, rrows, nl, nr, func(_ int, l []any) ([]int, bool, error) {
		e.row = l
		var ok bool
		var err error
		if buf, ok, err = joinKey(buf[:0], e, j.lkeys); err != nil || !ok {
			return nil, false, err
		}
		return index[string(buf)], false, nil
	})
}

// combine joins each left row with its candidate right rows (every right
// row when candidates says all), keeps the pairs the ON condition accepts,
// and adds the unmatched rows that LEFT, RIGHT and FULL joins keep.
func (j *joinNode) combine(e *env, lrows, rrows [][]any, nl, nr int, candidates func(li int, l []any) ([]int, bool, error)) ([][]any, error) {
	var out [][]any
	var every []int // all right rows, for joins without keys
	matchedR := make([]bool, len(rrows))
	try := func(l []any, ri int) (bool, error) {
		row := make([]any, 0, nl+nr)
		row = append(append(row, l...), rrows[ri]...)
		if j.on != nil {
			e.row = row
			v, err := j.on.eval(e)
			if err != nil {
				return false, err
			}
			if b, ok := v.(bool); !ok || !b {
				return false, nil
			}
		}
		matchedR[ri] = true
		out = append(out, row)
		return true, nil
	}
	for li, l := range lrows {
		idx, all, err := candidates(li, l)
		if err != nil {
			return nil, err
		}
		if all {
			if every == nil {
				every = make([]int, len(rrows))
				for ri := range every {
					every[ri] = ri
				}
			}
			idx = every
		}
		matched := false
		for _, ri := range idx {
			ok, err := try(l, ri)
			if err != nil {
				return nil, err
			}
			matched = matched || ok
		}
		if !matched && (j.kind == pg_query.JoinType_JOIN_LEFT || j.kind == pg_query.JoinType_JOIN_FULL) {
			row := make([]any, nl+nr)
			copy(row, l)
			out = append(out, row)
		}
	}
	if j.kind == pg_query.JoinType_JOIN_RIGHT || j.kind == pg_query.JoinType_JOIN_FULL {
		for ri, r := range rrows {
			if !matchedR[ri] {
				row := make([]any, nl+nr)
				copy(row[nl:], r)
				out = append(out, row)
			}
		}
	}
	return out, nil
}

// joinKey encodes the key values; ok is false when one is NULL (no match).
func joinKey(buf []byte, e *env, keys []*expr) ([]byte, bool, error) {
	for _, k := range keys {
		v, err := k.eval(e)
		if err != nil || v == nil {
			return buf, false, err
		}
		buf = appendKey(buf, v)
	}
	return buf, true, nil
}

type setOpNode struct {
	op          pg_query.SetOperation
	all         bool
	left, right node
	cols        []scopeCol
}

func (s *setOpNode) columns() []scopeCol { return s.cols }
func (s *setOpNode) run(outer *env) ([][]any, error) {
	l, err := s.left.run(outer)
	if err != nil {
		return nil, err
	}
	r, err := s.right.run(outer)
	if err != nil {
		return nil, err
	}
	key := func(row []any) string {
		var b []byte
		for _, v := range row {
			b = appendKey(b, v)
		}
		return string(b)
	}
	switch s.op {
	case pg_query.SetOperation_SETOP_UNION:
		all := append(append([][]any{}, l...), r...)
		if s.all {
			return all, nil
		}
		return dedupe(all, key), nil
	case pg_query.SetOperation_SETOP_INTERSECT, pg_query.SetOperation_SETOP_EXCEPT:
		counts := map[string]int{}
		for _, row := range r {
			counts[key(row)]++
		}
		var out [][]any
		for _, row := range l {
			k := key(row)
			in := counts[k] > 0
			if s.op == pg_query.SetOperation_SETOP_INTERSECT == in {
				out = append(out, row)
				if s.all && s.op == pg_query.SetOperation_SETOP_INTERSECT {
					counts[k]--
				}
			}
		}
		if !s.all {
			out = dedupe(out, key)
		}
		return out, nil
	}
	return l, nil
}

func dedupe(rows [][]any, key func([]any) string) [][]any {
	seen := make(map[string]bool, len(rows))
	out := rows[:0:0]
	for _, r := range rows {
		k := key(r)
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

type sortKey struct {
	e          *expr // evaluated in the input (or group) environment
	out        int   // >= 0: index of an output column instead
	desc       bool
	nullsFirst bool
}

// selectNode is one SELECT: FROM, WHERE, grouping, projection, DISTINCT,
// ORDER BY, LIMIT/OFFSET.
type selectNode struct {
	from      node // nil: one empty row
	where     *expr
	aggregate bool
	groupBy   []*expr
	aggs      []*aggCall
	having    *expr
	srfs      []*srfCall
	wins      []*winCall
	targets   []*expr
	cols      []scopeCol
	distinct  bool
	orderBy   []sortKey
	limit     *expr
	offset    *expr
}

func (s *selectNode) columns() []scopeCol { return s.cols }

func (s *selectNode) run(outer *env) ([][]any, error) {
	var in [][]any
	var err error
	width := 0
	if s.from == nil {
		in = [][]any{{}}
	} else {
		if in, err = s.from.run(outer); err != nil {
			return nil, err
		}
		width = len(s.from.columns())
	}
	e := &env{outer: outer, x: outer.x}
	if s.where != nil {
		kept := make([][]any, 0, len(in))
		for _, r := range in {
			e.row = r
			v, err := s.where.eval(e)
			if err != nil {
				return nil, err
			}
			if b, ok := v.(bool); ok && b {
				kept = append(kept, r)
			}
		}
		in = kept
	}
	type projected struct {
		row  []any
		keys []any
	}
	var out []projected
	project := func(e *env) error {
		emit := func() error {
			row := make([]any, len(s.targets))
			for i, t := range s.targets {
				v, err := t.eval(e)
				if err != nil {
					return err
				}
				row[i] = v
			}
			var keys []any
			for _, k := range s.orderBy {
				if k.out >= 0 {
					keys = append(keys, row[k.out])
					continue
				}
				v, err := k.e.eval(e)
				if err != nil {
					return err
				}
				keys = append(keys, v)
			}
			out = append(out, projected{row, keys})
			return nil
		}
		if len(s.srfs) == 0 {
			return emit()
		}
		sets := make([][]any, len(s.srfs))
		n := 0
		for i, f := range s.srfs {
			args := make([]any, len(f.args))
			for j, a := range f.args {
				v, err := a.eval(e)
				if err != nil {
					return err
				}
				args[j] = v
			}
			vals, err := f.fn.eval(e.x, args)
			if err != nil {
				return err
			}
			sets[i] = vals
			n = max(n, len(vals))
		}
		e.srfs = make([]any, len(s.srfs))
		for k := 0; k < n; k++ {
			for i := range sets {
				e.srfs[i] = nil
				if k < len(sets[i]) {
					e.srfs[i] = sets[i][k]
				}
			}
			if err := emit(); err != nil {
				return err
			}
		}
		e.srfs = nil
		return nil
	}
	if s.aggregate {
		type group struct {
			rep  []any
			rows [][]any
		}
		var groups []*group
		if len(s.groupBy) == 0 {
			g := &group{rows: in}
			if len(in) > 0 {
				g.rep = in[0]
			} else {
				g.rep = make([]any, width)
			}
			groups = []*group{g}
		} else {
			byKey := map[string]*group{}
			var buf []byte
			for _, r := range in {
				e.row = r
				buf = buf[:0]
				for _, k := range s.groupBy {
					v, err := k.eval(e)
					if err != nil {
						return nil, err
					}
					buf = appendKey(buf, v)
				}
				g := byKey[string(buf)]
				if g == nil {
					g = &group{rep: r}
					byKey[string(buf)] = g
					groups = append(groups, g)
				}
				g.rows = append(g.rows, r)
			}
		}
		for _, g := range groups {
			aggs := make([]any, len(s.aggs))
			for i, a := range s.aggs {
				v, err := a.compute(e, g.rows)
				if err != nil {
					return nil, err
				}
				aggs[i] = v
			}
			ge := &env{row: g.rep, aggs: aggs, outer: outer, x: outer.x}
			if s.having != nil {
				v, err := s.having.eval(ge)
				if err != nil {
					return nil, err
				}
				if b, ok := v.(bool); !ok || !b {
					continue
				}
			}
			if err := project(ge); err != nil {
				return nil, err
			}
		}
	} else {
		var wins [][]any
		if len(s.wins) > 0 {
			if wins, err = computeWindows(outer, s.wins, in); err != nil {
				return nil, err
			}
		}
		for i, r := range in {
			e.row = r
			if wins != nil {
				e.wins = wins[i]
			}
			if err := project(e); err != nil {
				return nil, err
			}
		}
	}
	if s.distinct {
		seen := map[string]bool{}
		kept := out[:0]
		for _, p := range out {
			var b []byte
			for _, v := range p.row {
				b = appendKey(b, v)
			}
			if !seen[string(b)] {
				seen[string(b)] = true
				kept = append(kept, p)
			}
		}
		out = kept
	}
	if len(s.orderBy) > 0 {
		slices.SortStableFunc(out, func(a, b projected) int {
			for i, k := range s.orderBy {
				x, y := a.keys[i], b.keys[i]
				var c int
				if x == nil || y == nil {
					switch {
					case x == nil && y == nil:
						c = 0
					case x == nil:
						c = 1
					default:
						c = -1
					}
					if k.nullsFirst {
						c = -c
					}
				} else {
					c = sortCompare(x, y)
					if k.desc {
						c = -c
					}
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
	}
	rows := make([][]any, len(out))
	for i, p := range out {
		rows[i] = p.row
	}
	return limitRows(e, rows, s.limit, s.offset)
}

func limitRows(e *env, rows [][]any, limit, offset *expr) ([][]any, error) {
	if offset != nil {
		v, err := offset.eval(e)
		if err != nil {
			return nil, err
		}
		if n, ok := v.(int64); ok {
			if n >= int64(len(rows)) {
				rows = nil
			} else if n > 0 {
				rows = rows[n:]
			}
		}
	}
	if limit != nil {
		v, err := limit.eval(e)
		if err != nil {
			return nil, err
		}
		if n, ok := v.(int64); ok && n < int64(len(rows)) && n >= 0 {
			rows = rows[:n]
		}
	}
	return rows, nil
}

// sortedNode applies ORDER BY / LIMIT / OFFSET to a set operation's output.
type sortedNode struct {
	in            node
	orderBy       []sortKey
	limit, offset *expr
}

func (s *sortedNode) columns() []scopeCol { return s.in.columns() }
func (s *sortedNode) run(outer *env) ([][]any, error) {
	rows, err := s.in.run(outer)
	if err != nil {
		return nil, err
	}
	e := &env{outer: outer, x: outer.x}
	if len(s.orderBy) > 0 {
		type keyed struct {
			row  []any
			keys []any
		}
		ks := make([]keyed, len(rows))
		for i, r := range rows {
			e.row = r
			ks[i].row = r
			for _, k := range s.orderBy {
				v, err := k.e.eval(e)
				if err != nil {
					return nil, err
				}
				ks[i].keys = append(ks[i].keys, v)
			}
		}
		slices.SortStableFunc(ks, func(a, b keyed) int {
			for i, k := range s.orderBy {
				x, y := a.keys[i], b.keys[i]
				c := sortCompare(x, y)
				if (x == nil) != (y == nil) && k.nullsFirst {
					c = -c
				} else if x != nil && y != nil && k.desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
		rows = make([][]any, len(ks))
		for i := range ks {
			rows[i] = ks[i].row
		}
	}
	return limitRows(e, rows, s.limit, s.offset)
}

// compileQuery compiles a SelectStmt (plain, VALUES or set operation).
func (cc *compileCtx) compileQuery(stmt *pg_query.SelectStmt, parent *scope) (node, error) {
	if stmt.WithClause != nil {
		defs := map[string]*cteDef{}
		cc.ctes = append(cc.ctes, defs)
		defer func() { cc.ctes = cc.ctes[:len(cc.ctes)-1] }()
		for _, c := range stmt.WithClause.Ctes {
			cte := c.GetCommonTableExpr()
			q := cte.Ctequery.GetSelectStmt()
			if q == nil {
				return nil, unsupported("a data-modifying WITH")
			}
			if stmt.WithClause.Recursive && q.Op == pg_query.SetOperation_SETOP_UNION {
				if n, err := cc.compileRecursive(cte, q, parent); err != nil {
					return nil, err
				} else if n != nil {
					defs[cte.Ctename] = n
					continue
				}
			}
			n, err := cc.compileQuery(q, parent)
			if err != nil {
				return nil, err
			}
			cols := renameCols(n.columns(), cte.Ctename, cte.Aliascolnames)
			defs[cte.Ctename] = &cteDef{name: cte.Ctename, node: n, cols: cols}
		}
	}
	if stmt.Op != pg_query.SetOperation_SETOP_NONE {
		l, err := cc.compileQuery(stmt.Larg, parent)
		if err != nil {
			return nil, err
		}
		r, err := cc.compileQuery(stmt.Rarg, parent)
		if err != nil {
			return nil, err
		}
		lc, rc := l.columns(), r.columns()
		if len(lc) != len(rc) {
			return nil, errf(pgerr.SyntaxError, "each %s query must have the same number of columns", strings.ToUpper(strings.TrimPrefix(stmt.Op.String(), "SETOP_")))
		}
		cols := make([]scopeCol, len(lc))
		for i := range lc {
			cols[i] = scopeCol{name: lc[i].name, typ: lc[i].typ}
			if cols[i].typ == unknownT {
				cols[i].typ = rc[i].typ
			}
			if cols[i].typ == unknownT {
				cols[i].typ = textT
			}
		}
		var n node = &setOpNode{op: stmt.Op, all: stmt.All, left: l, right: r, cols: cols}
		if len(stmt.SortClause) > 0 || stmt.LimitCount != nil || stmt.LimitOffset != nil {
			sc := &scope{cols: cols, parent: parent, cc: cc}
			sn := &sortedNode{in: n}
			for _, sb := range stmt.SortClause {
				s := sb.GetSortBy()
				var k *expr
				if c, ok := s.Node.Node.(*pg_query.Node_AConst); ok {
					if iv, ok := c.AConst.Val.(*pg_query.A_Const_Ival); ok {
						i := int(iv.Ival.Ival) - 1
						if i < 0 || i >= len(cols) {
							return nil, errf(pgerr.UndefinedColumn, "ORDER BY position %d is not in select list", i+1)
						}
						k = &expr{typ: cols[i].typ, eval: func(e *env) (any, error) { return e.row[i], nil }}
					}
				}
				if k == nil {
					if k, err = sc.compileExpr(s.Node); err != nil {
						return nil, err
					}
				}
				sn.orderBy = append(sn.orderBy, makeSortKey(k, -1, s))
			}
			if sn.limit, sn.offset, err = cc.compileLimit(stmt, parent); err != nil {
				return nil, err
			}
			n = sn
		}
		return n, nil
	}
	if len(stmt.ValuesLists) > 0 {
		v := &valuesNode{}
		sc := &scope{parent: parent, cc: cc}
		for _, l := range stmt.ValuesLists {
			row, err := sc.compileList(l.GetList().GetItems())
			if err != nil {
				return nil, err
			}
			v.rows = append(v.rows, row)
		}
		for i, e := range v.rows[0] {
			col := make([]*expr, len(v.rows))
			for j := range v.rows {
				if i >= len(v.rows[j]) {
					return nil, errf(pgerr.SyntaxError, "VALUES lists must all be the same length")
				}
				col[j] = v.rows[j][i]
			}
			t := unifyTypes(col)
			for j := range v.rows {
				v.rows[j][i] = castExpr(v.rows[j][i], t)
			}
			_ = e
			v.cols = append(v.cols, scopeCol{name: "column" + itoa(int64(i+1)), typ: t})
		}
		return v, nil
	}
	return cc.compileSelect(stmt, parent)
}

// compileRecursive handles WITH RECURSIVE name AS (base UNION [ALL] step).
func (cc *compileCtx) compileRecursive(cte *pg_query.CommonTableExpr, q *pg_query.SelectStmt, parent *scope) (*cteDef, error) {
	base, err := cc.compileQuery(q.Larg, parent)
	if err != nil {
		return nil, err
	}
	cols := renameCols(base.columns(), cte.Ctename, cte.Aliascolnames)
	work := &cteDef{name: cte.Ctename, cols: cols}
	cc.ctes[len(cc.ctes)-1][cte.Ctename] = work
	step, err := cc.compileQuery(q.Rarg, parent)
	if err != nil {
		return nil, err
	}
	if len(step.columns()) != len(cols) {
		return nil, errf(pgerr.SyntaxError, "each UNION query must have the same number of columns")
	}
	work.node = &recursiveNode{base: base, step: step, work: work, all: q.All}
	return &cteDef{name: cte.Ctename, node: work.node, cols: cols}, nil
}

type recursiveNode struct {
	base, step node
	work       *cteDef
	all        bool
}

func (r *recursiveNode) columns() []scopeCol { return r.base.columns() }
func (r *recursiveNode) run(outer *env) ([][]any, error) {
	rows, err := r.base.run(outer)
	if err != nil {
		return nil, err
	}
	all := append([][]any{}, rows...)
	seen := map[string]bool{}
	key := func(row []any) string {
		var b []byte
		for _, v := range row {
			b = appendKey(b, v)
		}
		return string(b)
	}
	for _, row := range rows {
		seen[key(row)] = true
	}
	for i := 0; len(rows) > 0; i++ {
		if i > 10000 {
			return nil, errf(pgerr.FeatureNotSupported, "recursive query did not terminate")
		}
		outer.x.ctes[r.work] = rows
		next, err := r.step.run(outer)
		if err != nil {
			return nil, err
		}
		delete(outer.x.ctes, r.work)
		if !r.all {
			fresh := next[:0:0]
			for _, row := range next {
				if k := key(row); !seen[k] {
					seen[k] = true
					fresh = append(fresh, row)
				}
			}
			next = fresh
		}
		all = append(all, next...)
		rows = next
	}
	return all, nil
}

func renameCols(in []scopeCol, rel string, names []*pg_query.Node) []scopeCol {
	out := make([]scopeCol, len(in))
	for i, c := range in {
		c.rel = rel
		c.hidden = false
		if i < len(names) {
			c.name = names[i].GetString_().GetSval()
		}
		out[i] = c
	}
	return out
}

func (cc *compileCtx) compileLimit(stmt *pg_query.SelectStmt, parent *scope) (limit, offset *expr, err error) {
	sc := &scope{parent: parent, cc: cc}
	if stmt.LimitCount != nil {
		if limit, err = sc.compileExpr(stmt.LimitCount); err != nil {
			return nil, nil, err
		}
		limit = sc.coerce(limit, int8T)
	}
	if stmt.LimitOffset != nil {
		if offset, err = sc.compileExpr(stmt.LimitOffset); err != nil {
			return nil, nil, err
		}
		offset = sc.coerce(offset, int8T)
	}
	return limit, offset, nil
}

func makeSortKey(e *expr, out int, s *pg_query.SortBy) sortKey {
	k := sortKey{e: e, out: out, desc: s.SortbyDir == pg_query.SortByDir_SORTBY_DESC}
	// Postgres: NULLS LAST for ASC, NULLS FIRST for DESC, unless stated.
	k.nullsFirst = k.desc
	switch s.SortbyNulls {
	case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
		k.nullsFirst = true
	case pg_query.SortByNulls_SORTBY_NULLS_LAST:
		k.nullsFirst = false
	}
	return k
}

func (cc *compileCtx) compileSelect(stmt *pg_query.SelectStmt, parent *scope) (node, error) {
	s := &selectNode{}
	sc := &scope{parent: parent, cc: cc}
	if len(stmt.FromClause) > 0 {
		from, err := cc.compileFromList(stmt.FromClause, stmt.WhereClause, parent)
		if err != nil {
			return nil, err
		}
		s.from = from
		sc.cols = from.columns()
	}
	var err error
	if stmt.WhereClause != nil {
		if s.where, err = sc.compileExpr(stmt.WhereClause); err != nil {
			return nil, err
		}
		s.where = sc.coerce(s.where, boolT)
	}
	// The select list, HAVING and ORDER BY may hold aggregates.
	agg := &aggCollector{}
	srf := &srfCollector{}
	win := &winCollector{}
	tsc := &scope{cols: sc.cols, parent: parent, cc: cc, agg: agg, srf: srf, win: win}
	for _, t := range stmt.TargetList {
		rt := t.GetResTarget()
		if cr := rt.Val.GetColumnRef(); cr != nil {
			if last := cr.Fields[len(cr.Fields)-1]; last.GetAStar() != nil {
				rel := ""
				if len(cr.Fields) > 1 {
					rel = cr.Fields[len(cr.Fields)-2].GetString_().GetSval()
				}
				found := false
				for i, c := range sc.cols {
					if c.hidden || rel != "" && c.rel != rel {
						continue
					}
					found = true
					i := i
					s.targets = append(s.targets, &expr{typ: c.typ, name: c.name, eval: func(e *env) (any, error) { return e.row[i], nil }})
					s.cols = append(s.cols, scopeCol{name: c.name, typ: c.typ, table: c.table, attnum: c.attnum, rec: c.rec})
				}
				if !found {
					if rel != "" {
						return nil, errf(pgerr.UndefinedTable, "missing FROM-clause entry for table %q", rel)
					}
					return nil, errf(pgerr.SyntaxError, "SELECT * with no tables specified is not valid")
				}
				continue
			}
		}
		e, err := tsc.compileExpr(rt.Val)
		if err != nil {
			return nil, err
		}
		if e.typ == unknownT {
			e = castExpr(e, textT)
		}
		if e.typ == paramType {
			e = tsc.resolveParam(e, textT)
		}
		name := rt.Name
		if name == "" {
			name = figureColname(rt.Val)
		}
		col := scopeCol{name: name, typ: e.typ, rec: recordOf(e.fields, e.fieldTypes)}
		if cr := rt.Val.GetColumnRef(); cr != nil {
			if c := lookupPlain(sc, cr); c != nil {
				col.table, col.attnum = c.table, c.attnum
			}
		}
		s.targets = append(s.targets, e)
		s.cols = append(s.cols, col)
	}
	if stmt.HavingClause != nil {
		if s.having, err = tsc.compileExpr(stmt.HavingClause); err != nil {
			return nil, err
		}
	}
	// GROUP BY: ordinals and output names refer to the select list.
	gsc := &scope{cols: sc.cols, parent: parent, cc: cc}
	for _, g := range stmt.GroupClause {
		if k := outputRef(g, s); k >= 0 {
			s.groupBy = append(s.groupBy, s.targets[k])
			continue
		}
		e, err := gsc.compileExpr(g)
		if err != nil {
			return nil, err
		}
		s.groupBy = append(s.groupBy, e)
	}
	for _, sb := range stmt.SortClause {
		so := sb.GetSortBy()
		if k := outputRef(so.Node, s); k >= 0 {
			s.orderBy = append(s.orderBy, makeSortKey(nil, k, so))
			continue
		}
		e, err := tsc.compileExpr(so.Node)
		if err != nil {
			return nil, err
		}
		s.orderBy = append(s.orderBy, makeSortKey(e, -1, so))
	}
	s.aggs = agg.aggs
	s.srfs = srf.srfs
	s.wins = win.calls
	s.aggregate = len(stmt.GroupClause) > 0 || len(agg.aggs) > 0
	if len(stmt.DistinctClause) > 0 {
		s.distinct = true
		for _, d := range stmt.DistinctClause {
			if d != nil && d.Node != nil {
				return nil, unsupported("DISTINCT ON")
			}
		}
	}
	if s.limit, s.offset, err = cc.compileLimit(stmt, parent); err != nil {
		return nil, err
	}
	if stmt.LockingClause != nil {
		return nil, unsupported("FOR UPDATE/SHARE")
	}
	return s, nil
}

// outputRef returns the select-list index an ORDER BY / GROUP BY item
// names (an ordinal or a bare output column name), or -1.
func outputRef(n *pg_query.Node, s *selectNode) int {
	if c := n.GetAConst(); c != nil {
		if iv, ok := c.Val.(*pg_query.A_Const_Ival); ok {
			i := int(iv.Ival.Ival) - 1
			if i >= 0 && i < len(s.targets) {
				return i
			}
		}
		return -1
	}
	if cr := n.GetColumnRef(); cr != nil && len(cr.Fields) == 1 {
		name := cr.Fields[0].GetString_().GetSval()
		for i, c := range s.cols {
			if c.name == name {
				return i
			}
		}
	}
	return -1
}

// lookupPlain finds the source column of a plain column reference.
func lookupPlain(sc *scope, cr *pg_query.ColumnRef) *scopeCol {
	var names []string
	for _, f := range cr.Fields {
		names = append(names, f.GetString_().GetSval())
	}
	name, rel := names[len(names)-1], ""
	if len(names) > 1 {
		rel = names[len(names)-2]
	}
	for i, c := range sc.cols {
		if c.name == name && (rel == "" || c.rel == rel) {
			return &sc.cols[i]
		}
	}
	return nil
}

// compileFromItem compiles one FROM item. push holds WHERE conjuncts that
// may filter this item before it is joined (the caller checked that the
// item is not on the nullable side of an outer join); those that read
// only the item's own columns are applied to it.
func (cc *compileCtx) compileFromItem(n *pg_query.Node, parent *scope, push []*pg_query.Node) (node, error) {
	if j := n.GetJoinExpr(); j != nil {
		return cc.compileJoin(j, parent, push)
	}
	item, err := cc.compileFromLeaf(n, parent)
	if err != nil {
		return nil, err
	}
	sc := &scope{cols: item.columns(), cc: cc}
	for _, c := range push {
		if cc.compilesIn(c, item.columns()) {
			e, err := sc.compileExpr(c)
			if err != nil {
				continue // the WHERE clause reports it
			}
			item = &filterNode{in: item, cond: sc.coerce(e, boolT)}
		}
	}
	return item, nil
}

// compilesIn reports whether n reads only cols (no outer references, no
// subqueries).
func (cc *compileCtx) compilesIn(n *pg_query.Node, cols []scopeCol) bool {
	if containsSubLink(n) {
		return false
	}
	ok, any := true, false
	complete := forEachColumnRef(n, func(cr *pg_query.ColumnRef) {
		any = true
		if lookupPlain(&scope{cols: cols}, cr) == nil {
			ok = false
		}
	})
	return ok && any && complete
}

func (cc *compileCtx) compileFromLeaf(n *pg_query.Node, parent *scope) (node, error) {
	switch v := n.Node.(type) {
	case *pg_query.Node_RangeVar:
		return cc.compileRangeVar(v.RangeVar)
	case *pg_query.Node_RangeSubselect:
		q := v.RangeSubselect.Subquery.GetSelectStmt()
		if q == nil {
			return nil, unsupported("this subquery")
		}
		sub, err := cc.compileQuery(q, parent)
		if err != nil {
			return nil, err
		}
		alias := ""
		var names []*pg_query.Node
		if a := v.RangeSubselect.Alias; a != nil {
			alias, names = a.Aliasname, a.Colnames
		}
		return &renamed{in: sub, cols: renameCols(sub.columns(), alias, names)}, nil
	case *pg_query.Node_RangeFunction:
		return cc.compileRangeFunction(v.RangeFunction, parent)
	}
	return nil, unsupported("this FROM item")
}

// renamed gives a subquery in FROM its alias.
type renamed struct {
	in   node
	cols []scopeCol
}

func (r *renamed) columns() []scopeCol             { return r.cols }
func (r *renamed) run(outer *env) ([][]any, error) { return r.in.run(outer) }

func (cc *compileCtx) compileRangeVar(rv *pg_query.RangeVar) (node, error) {
	alias := rv.Relname
	var aliasCols []*pg_query.Node
	if rv.Alias != nil {
		alias, aliasCols = rv.Alias.Aliasname, rv.Alias.Colnames
	}
	if rv.Schemaname == "" {
		for i := len(cc.ctes) - 1; i >= 0; i-- {
			if def := cc.ctes[i][rv.Relname]; def != nil {
				return &cteRef{def: def, cols: renameCols(def.cols, alias, aliasCols)}, nil
			}
		}
	}
	var t *table
	switch rv.Schemaname {
	case "", "pg_catalog":
		t = tablesByName["pg_catalog."+rv.Relname]
	case "information_schema":
		t = tablesByName["information_schema."+rv.Relname]
	}
	if t != nil {
		cols := make([]scopeCol, len(t.cols))
		for i, c := range t.cols {
			cols[i] = scopeCol{rel: alias, name: c.name, typ: c.typ, attnum: int16(i + 1)}
		}
		cols = renameCols(cols, alias, aliasCols)
		scan := &tableScan{t: t, cols: cols}
		if cc.refs != nil && !cc.refs[alias] && !cc.refs[wholeRelation+alias] && len(aliasCols) == 0 {
			var kept []scopeCol
			for i, c := range cols {
				if cc.refs[c.name] {
					scan.keep = append(scan.keep, i)
					kept = append(kept, c)
				}
			}
			if len(scan.keep) < len(cols) {
				scan.cols = kept
			} else {
				scan.keep = nil
			}
		}
		return scan, nil
	}
	if rv.Schemaname == "" || rv.Schemaname == "public" {
		if r := cc.snap.byName[rv.Relname]; r != nil && r.kind == "r" {
			cols := make([]scopeCol, len(r.cols))
			for i, c := range r.cols {
				cols[i] = scopeCol{rel: alias, name: c.name, typ: c.typ, table: r.oid, attnum: int16(i + 1)}
			}
			return &emptyScan{cols: renameCols(cols, alias, aliasCols)}, nil
		}
	}
	name := rv.Relname
	if rv.Schemaname != "" {
		name = rv.Schemaname + "." + name
	}
	return nil, errf(pgerr.UndefinedTable, "relation %q does not exist", name)
}

func (cc *compileCtx) compileJoin(j *pg_query.JoinExpr, parent *scope, push []*pg_query.Node) (node, error) {
	var lpush, rpush []*pg_query.Node
	switch j.Jointype {
	case pg_query.JoinType_JOIN_INNER:
		lpush, rpush = push, push
	case pg_query.JoinType_JOIN_LEFT:
		lpush = push
	case pg_query.JoinType_JOIN_RIGHT:
		rpush = push
	}
	l, err := cc.compileFromItem(j.Larg, parent, lpush)
	if err != nil {
		return nil, err
	}
	r, err := cc.compileFromItem(j.Rarg, parent, rpush)
	if err != nil {
		return nil, err
	}
	if j.IsNatural {
		return nil, unsupported("NATURAL JOIN")
	}
	lc, rc := l.columns(), r.columns()
	jn := &joinNode{left: l, right: r, kind: j.Jointype}
	if len(j.UsingClause) > 0 {
		cols := append(slices.Clip(lc), rc...)
		jn.cols = cols
		var conds []*expr
		hidden := slices.Clone(cols)
		for _, u := range j.UsingClause {
			name := u.GetString_().GetSval()
			li, ri := -1, -1
			for i, c := range lc {
				if c.name == name && li < 0 {
					li = i
				}
			}
			for i, c := range rc {
				if c.name == name && ri < 0 {
					ri = i
				}
			}
			if li < 0 || ri < 0 {
				return nil, errf(pgerr.UndefinedColumn, "column %q specified in USING clause does not exist", name)
			}
			a, b := li, len(lc)+ri
			conds = append(conds, &expr{typ: boolT, eval: func(e *env) (any, error) {
				x, y := e.row[a], e.row[b]
				if x == nil || y == nil {
					return nil, nil
				}
				c, _ := compareValues(x, y)
				return c == 0, nil
			}})
			hidden[b].hidden = true
			hidden[b].name = ""
		}
		jn.cols = hidden
		jn.on = andAll(conds)
		return jn, nil
	}
	var quals []*pg_query.Node
	if j.Quals != nil {
		quals = []*pg_query.Node{j.Quals}
	}
	if jn, err = cc.makeJoin(l, r, jn.kind, quals, parent); err != nil {
		return nil, err
	}
	if j.Alias != nil {
		jn.cols = renameCols(jn.cols, j.Alias.Aliasname, j.Alias.Colnames)
	}
	return jn, nil
}

// refsOuter is conservative: key expressions must be plain column refs.
func refsOuter(n *pg_query.Node) bool {
	switch n.Node.(type) {
	case *pg_query.Node_ColumnRef:
		return false
	case *pg_query.Node_TypeCast:
		return refsOuter(n.GetTypeCast().Arg)
	}
	return true
}

func hashable(a, b uint32) bool {
	return a == b || isIntLike(a) && isIntLike(b) || isTextLike(a) && isTextLike(b) && a != unknownT && b != unknownT
}

func conjuncts(n *pg_query.Node) []*pg_query.Node {
	if b := n.GetBoolExpr(); b != nil && b.Boolop == pg_query.BoolExprType_AND_EXPR {
		var out []*pg_query.Node
		for _, a := range b.Args {
			out = append(out, conjuncts(a)...)
		}
		return out
	}
	return []*pg_query.Node{n}
}

func andAll(conds []*expr) *expr {
	return &expr{typ: boolT, eval: func(e *env) (any, error) {
		for _, c := range conds {
			v, err := c.eval(e)
			if err != nil || v == nil {
				return nil, err
			}
			if !v.(bool) {
				return false, nil
			}
		}
		return true, nil
	}}
}

func (cc *compileCtx) compileRangeFunction(rf *pg_query.RangeFunction, parent *scope) (node, error) {
	if len(rf.Functions) != 1 || rf.IsRowsfrom {
		return nil, unsupported("ROWS FROM")
	}
	call := rf.Functions[0].GetList().GetItems()[0].GetFuncCall()
	if call == nil {
		return nil, unsupported("this function in FROM")
	}
	name := funcName(call)
	sc := &scope{parent: parent, cc: cc}
	if !srfs[name] {
		// A scalar function in FROM is a one-row relation.
		e, err := sc.compileFuncCall(call)
		if err != nil {
			return nil, err
		}
		alias := name
		var aliasCols []*pg_query.Node
		if rf.Alias != nil {
			alias, aliasCols = rf.Alias.Aliasname, rf.Alias.Colnames
		}
		fn := &srfDef{ret: func([]*expr) uint32 { return e.typ }, eval: func(x *execCtx, a []any) ([]any, error) {
			v, err := e.eval(&env{x: x})
			return []any{v}, err
		}}
		cols := []scopeCol{{name: alias, typ: e.typ}}
		if rf.Ordinality {
			cols = append(cols, scopeCol{name: "ordinality", typ: int8T})
		}
		return &funcScan{fn: fn, ordinality: rf.Ordinality, cols: renameCols(cols, alias, aliasCols)}, nil
	}
	args, err := sc.compileList(call.Args)
	if err != nil {
		return nil, err
	}
	fn, err := lookupSRF(name, args)
	if err != nil {
		return nil, err
	}
	for i := range args {
		if args[i].typ == paramType {
			args[i] = sc.resolveParam(args[i], fn.argType(i, args))
		}
	}
	alias := name
	var aliasCols []*pg_query.Node
	if rf.Alias != nil {
		alias, aliasCols = rf.Alias.Aliasname, rf.Alias.Colnames
	}
	var cols []scopeCol
	rt := fn.ret(args)
	if fn.fields != nil {
		for i, f := range fn.fields {
			cols = append(cols, scopeCol{name: f, typ: fn.fieldTypes[i]})
		}
	} else {
		cols = []scopeCol{{name: alias, typ: rt}}
		if rf.Alias == nil {
			cols[0].name = name
		}
	}
	if rf.Ordinality {
		cols = append(cols, scopeCol{name: "ordinality", typ: int8T})
	}
	return &funcScan{fn: fn, args: args, ordinality: rf.Ordinality, cols: renameCols(cols, alias, aliasCols)}, nil
}

// filterNode keeps the rows of in for which cond is true.
type filterNode struct {
	in   node
	cond *expr
}

func (f *filterNode) columns() []scopeCol { return f.in.columns() }
func (f *filterNode) run(outer *env) ([][]any, error) {
	rows, err := f.in.run(outer)
	if err != nil {
		return nil, err
	}
	e := &env{outer: outer, x: outer.x}
	var out [][]any
	for _, r := range rows {
		e.row = r
		v, err := f.cond.eval(e)
		if err != nil {
			return nil, err
		}
		if b, ok := v.(bool); ok && b {
			out = append(out, r)
		}
	}
	return out, nil
}

// permuteNode restores FROM-list column order after joins were reordered.
type permuteNode struct {
	in   node
	perm []int
	cols []scopeCol
}

func (p *permuteNode) columns() []scopeCol { return p.cols }
func (p *permuteNode) run(outer *env) ([][]any, error) {
	rows, err := p.in.run(outer)
	if err != nil {
		return nil, err
	}
	out := make([][]any, len(rows))
	for i, r := range rows {
		o := make([]any, len(p.perm))
		for j, k := range p.perm {
			o[j] = r[k]
		}
		out[i] = o
	}
	return out, nil
}

// compileFromList joins the items of a FROM list. Catalog queries often
// list many tables separated by commas and join them in WHERE (pgjdbc):
// WHERE conjuncts that only read one item filter it before the join, and
// conjuncts connecting the items joined so far to the next become that
// join's condition (hash-joined when they are equalities). Items are
// joined in an order that avoids cross products where possible. The WHERE
// clause is still applied in full afterwards, so this only saves work.
func (cc *compileCtx) compileFromList(items []*pg_query.Node, where *pg_query.Node, parent *scope) (node, error) {
	var conj []*pg_query.Node
	if where != nil {
		conj = conjuncts(where)
	}
	compilesIn := cc.compilesIn
	nodes := make([]node, len(items))
	for i, item := range items {
		n, err := cc.compileFromItem(item, parent, conj)
		if err != nil {
			return nil, err
		}
		nodes[i] = n
	}
	// Correlated conjuncts (a subquery's WHERE t.oid = outer.col) filter
	// the one item they read, when every other reference is certainly to
	// an enclosing query: psql runs such subqueries once per column.
	if parent != nil && len(nodes) > 1 {
		for i := range nodes {
			for _, c := range conj {
				if containsSubLink(c) || compilesIn(c, nodes[i].columns()) || !refsOnly(c, i, nodes) {
					continue
				}
				sc := &scope{cols: nodes[i].columns(), parent: parent, cc: cc}
				e, err := sc.compileExpr(c)
				if err != nil {
					continue
				}
				nodes[i] = &filterNode{in: nodes[i], cond: sc.coerce(e, boolT)}
			}
		}
	}
	if len(nodes) == 1 {
		return nodes[0], nil
	}
	used := make([]bool, len(nodes))
	order := []int{0}
	used[0] = true
	acc := nodes[0]
	for len(order) < len(nodes) {
		next, var_quals := -1, []*pg_query.Node(nil)
		for i := range nodes {
			if used[i] {
				continue
			}
			cols := append(slices.Clip(acc.columns()), nodes[i].columns()...)
			var quals []*pg_query.Node
			for _, c := range conj {
				if !compilesIn(c, acc.columns()) && !compilesIn(c, nodes[i].columns()) && compilesIn(c, cols) {
					quals = append(quals, c)
				}
			}
			if len(quals) > 0 {
				next, var_quals = i, quals
				break
			}
			if next < 0 {
				next = i
			}
		}
		used[next] = true
		order = append(order, next)
		j, err := cc.makeJoin(acc, nodes[next], pg_query.JoinType_JOIN_INNER, var_quals, parent)
		if err != nil {
			return nil, err
		}
		acc = j
	}
	if slices.IsSorted(order) {
		return acc, nil
	}
	// Map original positions to the reordered join's columns.
	offsets := make([]int, len(nodes))
	off := 0
	for _, i := range order {
		offsets[i] = off
		off += len(nodes[i].columns())
	}
	p := &permuteNode{in: acc}
	for i, n := range nodes {
		for k, c := range n.columns() {
			p.perm = append(p.perm, offsets[i]+k)
			p.cols = append(p.cols, c)
		}
	}
	return p, nil
}

func containsSubLink(n *pg_query.Node) bool {
	found := false
	var walk func(any)
	walk = func(v any) {
		if found {
			return
		}
		switch x := v.(type) {
		case *pg_query.Node:
			if x == nil {
				return
			}
			if _, ok := x.Node.(*pg_query.Node_SubLink); ok {
				found = true
				return
			}
			walk(x.Node)
		case *pg_query.Node_AExpr:
			walk(x.AExpr.Lexpr)
			walk(x.AExpr.Rexpr)
		case *pg_query.Node_BoolExpr:
			for _, a := range x.BoolExpr.Args {
				walk(a)
			}
		case *pg_query.Node_FuncCall:
			for _, a := range x.FuncCall.Args {
				walk(a)
			}
		case *pg_query.Node_TypeCast:
			walk(x.TypeCast.Arg)
		case *pg_query.Node_NullTest:
			walk(x.NullTest.Arg)
		case *pg_query.Node_List:
			for _, a := range x.List.Items {
				walk(a)
			}
		case *pg_query.Node_CaseExpr, *pg_query.Node_CoalesceExpr, *pg_query.Node_AIndirection:
			found = true // conservative
		}
	}
	walk(n)
	return found
}

// makeJoin builds a join with condition quals (a conjunction), extracting
// equi-join keys for a hash join.
func (cc *compileCtx) makeJoin(l, r node, kind pg_query.JoinType, quals []*pg_query.Node, parent *scope) (*joinNode, error) {
	lc, rc := l.columns(), r.columns()
	cols := append(slices.Clip(lc), rc...)
	jn := &joinNode{left: l, right: r, kind: kind, cols: cols}
	if len(quals) == 0 {
		return jn, nil
	}
	sc := &scope{cols: cols, parent: parent, cc: cc}
	var conds []*expr
	for _, q := range quals {
		e, err := sc.compileExpr(q)
		if err != nil {
			return nil, err
		}
		conds = append(conds, sc.coerce(e, boolT))
	}
	if len(conds) == 1 {
		jn.on = conds[0]
	} else {
		jn.on = junction(conds, true)
	}
	lsc := &scope{cols: lc, parent: parent, cc: cc}
	rsc := &scope{cols: rc, parent: parent, cc: cc}
	for _, q := range quals {
		for _, qq := range conjuncts(q) {
			a := qq.GetAExpr()
			if a == nil || a.Kind != pg_query.A_Expr_Kind_AEXPR_OP || len(a.Name) != 1 || a.Name[0].GetString_().GetSval() != "=" {
				continue
			}
			for _, pair := range [][2]*pg_query.Node{{a.Lexpr, a.Rexpr}, {a.Rexpr, a.Lexpr}} {
				if refsOuter(pair[0]) || refsOuter(pair[1]) {
					continue
				}
				lk, err1 := lsc.compileExpr(pair[0])
				rk, err2 := rsc.compileExpr(pair[1])
				if err1 != nil || err2 != nil || !hashable(lk.typ, rk.typ) || !ownCols(pair[0], lc) || !ownCols(pair[1], rc) {
					continue
				}
				jn.lkeys = append(jn.lkeys, lk)
				jn.rkeys = append(jn.rkeys, rk)
				break
			}
		}
	}
	return jn, nil
}

// ownCols reports whether a plain column reference resolves among cols
// (not in an enclosing query).
func ownCols(n *pg_query.Node, cols []scopeCol) bool {
	if tc := n.GetTypeCast(); tc != nil {
		return ownCols(tc.Arg, cols)
	}
	cr := n.GetColumnRef()
	if cr == nil {
		return false
	}
	sc := &scope{cols: cols}
	return lookupPlain(sc, cr) != nil
}

// refsOnly reports whether every column reference in n resolves in
// nodes[i] or in none of nodes (so it is an outer reference).
func refsOnly(n *pg_query.Node, i int, nodes []node) bool {
	ok, own := true, false
	complete := forEachColumnRef(n, func(cr *pg_query.ColumnRef) {
		if lookupPlain(&scope{cols: nodes[i].columns()}, cr) != nil {
			own = true
			return
		}
		for j, o := range nodes {
			if j != i && lookupPlain(&scope{cols: o.columns()}, cr) != nil {
				ok = false
			}
		}
	})
	return ok && own && complete
}

// forEachColumnRef calls f for each column reference in n. It returns
// false when n holds a node it does not walk (the caller must then not
// rely on having seen every reference).
func forEachColumnRef(n *pg_query.Node, f func(*pg_query.ColumnRef)) bool {
	if n == nil {
		return true
	}
	all := func(ns []*pg_query.Node) bool {
		ok := true
		for _, a := range ns {
			ok = forEachColumnRef(a, f) && ok
		}
		return ok
	}
	switch x := n.Node.(type) {
	case *pg_query.Node_ColumnRef:
		f(x.ColumnRef)
	case *pg_query.Node_AConst, *pg_query.Node_ParamRef:
	case *pg_query.Node_AExpr:
		return all([]*pg_query.Node{x.AExpr.Lexpr, x.AExpr.Rexpr})
	case *pg_query.Node_BoolExpr:
		return all(x.BoolExpr.Args)
	case *pg_query.Node_FuncCall:
		if x.FuncCall.Over != nil || aggregates[funcName(x.FuncCall)] != nil || srfs[funcName(x.FuncCall)] {
			return false
		}
		return all(x.FuncCall.Args)
	case *pg_query.Node_TypeCast:
		return forEachColumnRef(x.TypeCast.Arg, f)
	case *pg_query.Node_NullTest:
		return forEachColumnRef(x.NullTest.Arg, f)
	case *pg_query.Node_List:
		return all(x.List.Items)
	case *pg_query.Node_CollateClause:
		return forEachColumnRef(x.CollateClause.Arg, f)
	case *pg_query.Node_AArrayExpr:
		return all(x.AArrayExpr.Elements)
	default:
		return false
	}
	return true
}

// hashKey normalizes a join key so that equal values of different Go
// types (int64 and integral float64) meet.
func hashKey(v any) any {
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return int64(f)
	}
	if _, ok := v.([]any); ok {
		return string(appendKey(nil, v))
	}
	return v
}

// runHash1 is the join with a single equi-join key. The hash table is
// built on the smaller side: a filtered pg_class row probing all of
// pg_attribute is the common shape.
func (j *joinNode) runHash1(e *env, lrows, rrows [][]any, nl, nr int) ([][]any, error) {
	if len(lrows) < len(rrows) {
		return j.runHash1Left(e, lrows, rrows, nl, nr)
	}
	index, err := hashIndex(e, rrows, j.rkeys[0])
	if err != nil {
		return nil, err
	}
	return j.combine(e, lrows, rrows, nl, nr, func(_ int, l []any) ([]int, bool, error) {
		e.row = l
		v, err := j.lkeys[0].eval(e)
		if err != nil || v == nil {
			return nil, false, err
		}
		return index[hashKey(v)], false, nil
	})
}

// runHash1Left indexes the left rows and probes with the right ones; the
// output keeps the order of the nested loop (left rows, then right rows).
func (j *joinNode) runHash1Left(e *env, lrows, rrows [][]any, nl, nr int) ([][]any, error) {
	index, err := hashIndex(e, lrows, j.lkeys[0])
	if err != nil {
		return nil, err
	}
	matches := make([][]int, len(lrows))
	for ri, r := range rrows {
		e.row = r
		v, err := j.rkeys[0].eval(e)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		for _, li := range index[hashKey(v)] {
			matches[li] = append(matches[li], ri)
		}
	}
	return j.combine(e, lrows, rrows, nl, nr, func(li int, _ []any) ([]int, bool, error) { return matches[li], false, nil })
}

// hashIndex maps each row's non-NULL key to the rows that have it.
func hashIndex(e *env, rows [][]any, key *expr) (map[any][]int, error) {
	index := make(map[any][]int, len(rows))
	for i, r := range rows {
		e.row = r
		v, err := key.eval(e)
		if err != nil {
			return nil, err
		}
		if v != nil {
			k := hashKey(v)
			index[k] = append(index[k], i)
		}
	}
	return index, nil
}
