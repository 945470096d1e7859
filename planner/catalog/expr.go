package catalog

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// An expr is a compiled expression: its static type (known before
// execution, for Describe) and a closure that evaluates it in an env.
type expr struct {
	typ  uint32
	eval func(e *env) (any, error)
	// constant is set for literals, so that their unknown type can be
	// resolved from context at compile time.
	constant bool
	val      any
	// fields names the fields of a record-typed expression.
	fields     []string
	fieldTypes []uint32
	// name is the column name Postgres gives this expression in a select list.
	name string
}

// env is the evaluation environment of one row.
type env struct {
	row   []any
	aggs  []any // aggregate results of the current group
	srfs  []any // current values of set-returning functions in the select list
	wins  []any // window function values of the current row
	outer *env
	x     *execCtx
}

// execCtx is the state of one execution of a statement.
type execCtx struct {
	snap   *snapshot
	sess   *Session
	params []any
	ctes   map[*cteDef][][]any
}

// scopeCol is a column visible to expressions.
type scopeCol struct {
	rel    string // the relation's alias
	name   string
	typ    uint32
	table  uint32 // Column.TableOID for plain catalog columns
	attnum int16
	hidden bool // not expanded by *
	// rec describes a record-typed column (nil otherwise); a pointer keeps
	// scopeCol small, as joins copy column lists.
	rec *recordInfo
}

type recordInfo struct {
	fields     []string
	fieldTypes []uint32
}

func recordOf(fields []string, types []uint32) *recordInfo {
	if fields == nil {
		return nil
	}
	return &recordInfo{fields, types}
}

// scope is the set of columns an expression can reference, with the
// enclosing query's scope as parent (correlated subqueries).
type scope struct {
	cols   []scopeCol
	parent *scope
	// agg is set while compiling the select list, HAVING and ORDER BY of an
	// aggregating query: aggregate calls register there.
	agg *aggCollector
	// srf is set while compiling a select list that may hold set-returning
	// functions.
	srf *srfCollector
	win *winCollector
	cc  *compileCtx
}

type compileCtx struct {
	snap       *snapshot
	paramTypes []uint32
	ctes       []map[string]*cteDef
	// refs holds every column name the statement mentions (nil: keep all
	// columns, e.g. when it uses *).
	refs map[string]bool
}

func constExpr(v any, t uint32) *expr {
	return &expr{typ: t, constant: true, val: v, eval: func(*env) (any, error) { return v, nil }}
}

func errf(code, format string, args ...any) *pgerr.Error { return pgerr.New(code, format, args...) }

func unsupported(what string) *pgerr.Error {
	return pgerr.New(pgerr.FeatureNotSupported, "%s is not supported in catalog queries", what).
		WithHint("Lattice answers catalog queries itself; query the cubes in schema public for data.")
}

// compileExpr compiles n in scope sc.
// compilePair compiles the two operands of a binary construct.
func (sc *scope) compilePair(a, b *pg_query.Node) (*expr, *expr, error) {
	l, err := sc.compileExpr(a)
	if err != nil {
		return nil, nil, err
	}
	r, err := sc.compileExpr(b)
	if err != nil {
		return nil, nil, err
	}
	return l, r, nil
}

func (sc *scope) compileExpr(n *pg_query.Node) (*expr, error) {
	if n == nil {
		return constExpr(nil, unknownT), nil
	}
	switch v := n.Node.(type) {
	case *pg_query.Node_AConst:
		return compileConst(v.AConst), nil
	case *pg_query.Node_ColumnRef:
		return sc.compileColumnRef(v.ColumnRef)
	case *pg_query.Node_ParamRef:
		return sc.compileParam(int(v.ParamRef.Number))
	case *pg_query.Node_TypeCast:
		arg, err := sc.compileExpr(v.TypeCast.Arg)
		if err != nil {
			return nil, err
		}
		t, typmod, err := resolveTypeName(v.TypeCast.TypeName)
		if err != nil {
			return nil, err
		}
		e := castExpr(arg, t)
		e.name = typeColumnName(v.TypeCast.TypeName)
		if arg.name != "" && arg.name != "?column?" {
			e.name = arg.name
		}
		_ = typmod
		return e, nil
	case *pg_query.Node_AExpr:
		return sc.compileAExpr(v.AExpr)
	case *pg_query.Node_BoolExpr:
		return sc.compileBoolExpr(v.BoolExpr)
	case *pg_query.Node_NullTest:
		arg, err := sc.compileExpr(v.NullTest.Arg)
		if err != nil {
			return nil, err
		}
		not := v.NullTest.Nulltesttype == pg_query.NullTestType_IS_NOT_NULL
		return &expr{typ: boolT, eval: func(e *env) (any, error) {
			x, err := arg.eval(e)
			if err != nil {
				return nil, err
			}
			return (x == nil) != not, nil
		}}, nil
	case *pg_query.Node_BooleanTest:
		arg, err := sc.compileExpr(v.BooleanTest.Arg)
		if err != nil {
			return nil, err
		}
		kind := v.BooleanTest.Booltesttype
		return &expr{typ: boolT, eval: func(e *env) (any, error) {
			x, err := arg.eval(e)
			if err != nil {
				return nil, err
			}
			b, isBool := x.(bool)
			switch kind {
			case pg_query.BoolTestType_IS_TRUE:
				return isBool && b, nil
			case pg_query.BoolTestType_IS_NOT_TRUE:
				return !(isBool && b), nil
			case pg_query.BoolTestType_IS_FALSE:
				return isBool && !b, nil
			case pg_query.BoolTestType_IS_NOT_FALSE:
				return !(isBool && !b), nil
			case pg_query.BoolTestType_IS_UNKNOWN:
				return x == nil, nil
			}
			return x != nil, nil
		}}, nil
	case *pg_query.Node_FuncCall:
		return sc.compileFuncCall(v.FuncCall)
	case *pg_query.Node_CaseExpr:
		return sc.compileCase(v.CaseExpr)
	case *pg_query.Node_CoalesceExpr:
		args, err := sc.compileList(v.CoalesceExpr.Args)
		if err != nil {
			return nil, err
		}
		t := unifyTypes(args)
		for i := range args {
			args[i] = castExpr(args[i], t)
		}
		return &expr{typ: t, name: "coalesce", eval: func(e *env) (any, error) {
			for _, a := range args {
				x, err := a.eval(e)
				if err != nil || x != nil {
					return x, err
				}
			}
			return nil, nil
		}}, nil
	case *pg_query.Node_MinMaxExpr:
		args, err := sc.compileList(v.MinMaxExpr.Args)
		if err != nil {
			return nil, err
		}
		t := unifyTypes(args)
		for i := range args {
			args[i] = castExpr(args[i], t)
		}
		greatest := v.MinMaxExpr.Op == pg_query.MinMaxOp_IS_GREATEST
		name := "least"
		if greatest {
			name = "greatest"
		}
		return &expr{typ: t, name: name, eval: func(e *env) (any, error) {
			var best any
			for _, a := range args {
				x, err := a.eval(e)
				if err != nil {
					return nil, err
				}
				if x == nil {
					continue
				}
				if best == nil {
					best = x
					continue
				}
				c, _ := compareValues(x, best)
				if greatest && c > 0 || !greatest && c < 0 {
					best = x
				}
			}
			return best, nil
		}}, nil
	case *pg_query.Node_SubLink:
		return sc.compileSubLink(v.SubLink)
	case *pg_query.Node_AArrayExpr:
		elems, err := sc.compileList(v.AArrayExpr.Elements)
		if err != nil {
			return nil, err
		}
		et := unifyTypes(elems)
		if et == unknownT {
			et = textT
		}
		for i := range elems {
			elems[i] = castExpr(elems[i], et)
		}
		at := arrayOf(et)
		if elemOf(et) != 0 {
			at = et // ARRAY[ARRAY[...]]: flattening is not supported; keep the type
		}
		return &expr{typ: at, name: "array", eval: func(e *env) (any, error) {
			out := make([]any, len(elems))
			for i, a := range elems {
				x, err := a.eval(e)
				if err != nil {
					return nil, err
				}
				out[i] = x
			}
			return out, nil
		}}, nil
	case *pg_query.Node_AIndirection:
		return sc.compileIndirection(v.AIndirection)
	case *pg_query.Node_SqlvalueFunction:
		return compileSQLValueFunction(v.SqlvalueFunction)
	case *pg_query.Node_CollateClause:
		return sc.compileExpr(v.CollateClause.Arg)
	case *pg_query.Node_RowExpr:
		args, err := sc.compileList(v.RowExpr.Args)
		if err != nil {
			return nil, err
		}
		e := &expr{typ: recordT, name: "row", eval: func(e *env) (any, error) {
			out := make([]any, len(args))
			for i, a := range args {
				x, err := a.eval(e)
				if err != nil {
					return nil, err
				}
				out[i] = x
			}
			return out, nil
		}}
		for i, a := range args {
			e.fields = append(e.fields, "f"+itoa(int64(i+1)))
			e.fieldTypes = append(e.fieldTypes, a.typ)
		}
		return e, nil
	}
	return nil, unsupported(nodeName(n))
}

func nodeName(n *pg_query.Node) string {
	s := strings.TrimPrefix(strings.TrimPrefix(fmt.Sprintf("%T", n.Node), "*pg_query.Node_"), "*pg_query.")
	return "expression " + s
}

func (sc *scope) compileList(nodes []*pg_query.Node) ([]*expr, error) {
	out := make([]*expr, len(nodes))
	for i, n := range nodes {
		e, err := sc.compileExpr(n)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func compileConst(c *pg_query.A_Const) *expr {
	if c.Isnull {
		e := constExpr(nil, unknownT)
		e.name = "?column?"
		return e
	}
	var e *expr
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Ival:
		e = constExpr(int64(v.Ival.Ival), int4T)
	case *pg_query.A_Const_Fval:
		f, err := parseText(v.Fval.Fval, numericT)
		if err != nil {
			e = constExpr(v.Fval.Fval, numericT)
		} else {
			// integers too large for int4 arrive as Fval
			if n, err := parseText(v.Fval.Fval, int8T); err == nil {
				e = constExpr(n, int8T)
			} else {
				e = constExpr(f, numericT)
			}
		}
	case *pg_query.A_Const_Sval:
		e = constExpr(v.Sval.Sval, unknownT)
	case *pg_query.A_Const_Boolval:
		e = constExpr(v.Boolval.Boolval, boolT)
	case *pg_query.A_Const_Bsval:
		e = constExpr(v.Bsval.Bsval, textT)
	default:
		e = constExpr(nil, unknownT)
	}
	e.name = "?column?"
	return e
}

// compileColumnRef resolves a column reference through the scopes.
func (sc *scope) compileColumnRef(c *pg_query.ColumnRef) (*expr, error) {
	var names []string
	for _, f := range c.Fields {
		switch x := f.Node.(type) {
		case *pg_query.Node_String_:
			names = append(names, x.String_.Sval)
		case *pg_query.Node_AStar:
			return nil, errf(pgerr.SyntaxError, "* is not allowed here")
		}
	}
	var rel, name string
	switch len(names) {
	case 1:
		name = names[0]
	case 0:
		return nil, errf(pgerr.SyntaxError, "empty column reference")
	default:
		rel, name = names[len(names)-2], names[len(names)-1]
	}
	depth := 0
	for s := sc; s != nil; s = s.parent {
		idx := -1
		for i, col := range s.cols {
			if col.name == name && (rel == "" || col.rel == rel) {
				idx = i
				break
			}
		}
		if idx < 0 && rel == "" {
			// a whole-row reference to a relation: (keys).x
			var fields []string
			var ftypes []uint32
			var idxs []int
			for i, col := range s.cols {
				if col.rel == name && !col.hidden {
					fields = append(fields, col.name)
					ftypes = append(ftypes, col.typ)
					idxs = append(idxs, i)
				}
			}
			if len(idxs) == 1 && s.cols[idxs[0]].typ == recordT {
				idx = idxs[0]
			} else if len(idxs) > 0 {
				d := depth
				return &expr{typ: recordT, name: name, fields: fields, fieldTypes: ftypes, eval: func(e *env) (any, error) {
					for i := 0; i < d; i++ {
						e = e.outer
					}
					out := make([]any, len(idxs))
					for i, j := range idxs {
						out[i] = e.row[j]
					}
					return out, nil
				}}, nil
			}
		}
		if idx >= 0 {
			col := s.cols[idx]
			d, i := depth, idx
			ex := &expr{typ: col.typ, name: name}
			if d == 0 {
				ex.eval = func(e *env) (any, error) { return e.row[i], nil }
			} else {
				ex.eval = func(e *env) (any, error) {
					for k := 0; k < d; k++ {
						e = e.outer
					}
					return e.row[i], nil
				}
			}
			if col.rec != nil {
				ex.fields, ex.fieldTypes = col.rec.fields, col.rec.fieldTypes
			}
			return ex, nil
		}
		depth++
	}
	full := strings.Join(names, ".")
	if rel != "" {
		if !sc.hasRel(rel) {
			return nil, errf(pgerr.UndefinedTable, "missing FROM-clause entry for table %q", rel)
		}
	}
	return nil, errf(pgerr.UndefinedColumn, "column %s does not exist", quoteRef(full))
}

func quoteRef(s string) string { return `"` + s + `"` }

func (sc *scope) hasRel(rel string) bool {
	for s := sc; s != nil; s = s.parent {
		for _, c := range s.cols {
			if c.rel == rel {
				return true
			}
		}
	}
	return false
}

func (sc *scope) compileParam(n int) (*expr, error) {
	cc := sc.cc
	if n < 1 || n > 65535 {
		return nil, errf(pgerr.UndefinedParameter, "there is no parameter $%d", n)
	}
	for len(cc.paramTypes) < n {
		cc.paramTypes = append(cc.paramTypes, 0)
	}
	i := n - 1
	return &expr{typ: paramType, name: "?column?", val: i, eval: func(e *env) (any, error) {
		if i >= len(e.x.params) {
			return nil, errf(pgerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement requires %d", len(e.x.params), n)
		}
		v := e.x.params[i]
		t := cc.paramTypes[i]
		if s, ok := v.(string); ok && t != 0 && !isTextLike(t) {
			return castValue(e.x, s, textT, t)
		}
		switch y := v.(type) {
		case int32:
			return int64(y), nil
		case int16:
			return int64(y), nil
		case uint32:
			return int64(y), nil
		case int:
			return int64(y), nil
		case float32:
			return float64(y), nil
		case []byte:
			return string(y), nil
		}
		return v, nil
	}}, nil
}

// paramType marks a parameter whose type comes from its context.
const paramType uint32 = 0xFFFFFFF0

// resolveParam fixes the type of parameter expression p to t.
func (sc *scope) resolveParam(p *expr, t uint32) *expr {
	i := p.val.(int)
	if sc.cc.paramTypes[i] == 0 {
		if t == unknownT || t == paramType {
			t = textT
		}
		sc.cc.paramTypes[i] = t
	}
	q := *p
	q.typ = sc.cc.paramTypes[i]
	return &q
}

// castExpr converts e to type t, folding literals at compile time.
func castExpr(e *expr, t uint32) *expr {
	if e.typ == t || t == unknownT || t == 0 {
		return e
	}
	from := e.typ
	if e.constant && e.val == nil {
		return &expr{typ: t, constant: true, name: e.name, eval: e.eval}
	}
	if e.constant && (from == unknownT) && !needsRuntime(t) {
		v, err := castValue(nil, e.val, textT, t)
		if err == nil {
			c := constExpr(v, t)
			c.name = e.name
			return c
		}
	}
	inner := e.eval
	return &expr{typ: t, name: e.name, eval: func(env *env) (any, error) {
		v, err := inner(env)
		if err != nil || v == nil {
			return v, err
		}
		return castValue(env.x, v, from, t)
	}}
}

// needsRuntime: these casts read the catalog or the session.
func needsRuntime(t uint32) bool {
	switch t {
	case regclassT, regroleT, regnamespaceT:
		return true
	}
	return false
}

func unifyTypes(es []*expr) uint32 {
	t := unknownT
	for _, e := range es {
		if e.typ == unknownT || e.typ == paramType {
			continue
		}
		if t == unknownT {
			t = e.typ
			continue
		}
		if t != e.typ {
			switch {
			case isNumeric(t) && isNumeric(e.typ):
				t = widerNumeric(t, e.typ)
			case isTextLike(t) && isTextLike(e.typ):
				t = textT
			}
		}
	}
	if t == unknownT {
		return textT
	}
	return t
}

func widerNumeric(a, b uint32) uint32 {
	rank := func(t uint32) int {
		switch t {
		case int2T:
			return 1
		case int4T:
			return 2
		case int8T, oidT:
			return 3
		case numericT:
			return 4
		case float4T:
			return 5
		case float8T:
			return 6
		}
		return 3
	}
	if rank(a) >= rank(b) {
		return a
	}
	return b
}

func (sc *scope) compileBoolExpr(b *pg_query.BoolExpr) (*expr, error) {
	args, err := sc.compileList(b.Args)
	if err != nil {
		return nil, err
	}
	for i := range args {
		args[i] = sc.coerce(args[i], boolT)
	}
	switch b.Boolop {
	case pg_query.BoolExprType_NOT_EXPR:
		a := args[0]
		return &expr{typ: boolT, eval: func(e *env) (any, error) {
			v, err := a.eval(e)
			if err != nil || v == nil {
				return v, err
			}
			return !v.(bool), nil
		}}, nil
	case pg_query.BoolExprType_AND_EXPR:
		return junction(args, true), nil
	}
	return junction(args, false), nil
}

// junction is SQL AND (and = true) or OR with three-valued logic: an
// operand equal to !and decides at once; otherwise any NULL makes NULL.
func junction(conds []*expr, and bool) *expr {
	return &expr{typ: boolT, eval: func(e *env) (any, error) {
		null := false
		for _, c := range conds {
			v, err := c.eval(e)
			if err != nil {
				return nil, err
			}
			if v == nil {
				null = true
			} else if v.(bool) != and {
				return !and, nil
			}
		}
		if null {
			return nil, nil
		}
		return and, nil
	}}
}

// coerce converts an argument to the type its context requires.
func (sc *scope) coerce(e *expr, t uint32) *expr {
	if e.typ == paramType {
		return sc.resolveParam(e, t)
	}
	if e.typ == t {
		return e
	}
	return castExpr(e, t)
}

// binaryTypes resolves unknown literals and parameters against the other side.
func (sc *scope) binaryTypes(l, r *expr) (*expr, *expr) {
	if l.typ == paramType {
		l = sc.resolveParam(l, r.typ)
	}
	if r.typ == paramType {
		r = sc.resolveParam(r, l.typ)
	}
	switch {
	case l.typ == unknownT && r.typ != unknownT:
		l = castExpr(l, r.typ)
	case r.typ == unknownT && l.typ != unknownT:
		r = castExpr(r, l.typ)
	case l.typ == unknownT && r.typ == unknownT:
		l, r = castExpr(l, textT), castExpr(r, textT)
	case l.typ == regclassT && isTextLike(r.typ), l.typ == regtypeT && isTextLike(r.typ):
		r = castExpr(r, l.typ)
	case r.typ == regclassT && isTextLike(l.typ), r.typ == regtypeT && isTextLike(l.typ):
		l = castExpr(l, r.typ)
	}
	return l, r
}

func (sc *scope) compileAExpr(a *pg_query.A_Expr) (*expr, error) {
	op := ""
	if len(a.Name) > 0 {
		op = a.Name[len(a.Name)-1].GetString_().GetSval()
	}
	switch a.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP:
		if a.Lexpr == nil {
			r, err := sc.compileExpr(a.Rexpr)
			if err != nil {
				return nil, err
			}
			return unaryOp(op, r)
		}
		l, r, err := sc.compilePair(a.Lexpr, a.Rexpr)
		if err != nil {
			return nil, err
		}
		return sc.binaryOp(op, l, r)
	case pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE:
		l, r, err := sc.compilePair(a.Lexpr, a.Rexpr)
		if err != nil {
			return nil, err
		}
		return sc.binaryOp(op, l, r)
	case pg_query.A_Expr_Kind_AEXPR_DISTINCT, pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		l, r, err := sc.compilePair(a.Lexpr, a.Rexpr)
		if err != nil {
			return nil, err
		}
		l, r = sc.binaryTypes(l, r)
		distinct := a.Kind == pg_query.A_Expr_Kind_AEXPR_DISTINCT
		return &expr{typ: boolT, eval: func(e *env) (any, error) {
			x, err := l.eval(e)
			if err != nil {
				return nil, err
			}
			y, err := r.eval(e)
			if err != nil {
				return nil, err
			}
			same := x == nil && y == nil
			if x != nil && y != nil {
				c, ok := compareValues(x, y)
				same = ok && c == 0
			}
			return same != distinct, nil
		}}, nil
	case pg_query.A_Expr_Kind_AEXPR_NULLIF:
		l, r, err := sc.compilePair(a.Lexpr, a.Rexpr)
		if err != nil {
			return nil, err
		}
		l, r = sc.binaryTypes(l, r)
		return &expr{typ: l.typ, name: "nullif", eval: func(e *env) (any, error) {
			x, err := l.eval(e)
			if err != nil || x == nil {
				return x, err
			}
			y, err := r.eval(e)
			if err != nil {
				return nil, err
			}
			if y != nil {
				if c, ok := compareValues(x, y); ok && c == 0 {
					return nil, nil
				}
			}
			return x, nil
		}}, nil
	case pg_query.A_Expr_Kind_AEXPR_IN:
		l, err := sc.compileExpr(a.Lexpr)
		if err != nil {
			return nil, err
		}
		list := a.Rexpr.GetList()
		if list == nil {
			return nil, unsupported("IN without a list")
		}
		items, err := sc.compileList(list.Items)
		if err != nil {
			return nil, err
		}
		for i := range items {
			l, items[i] = sc.binaryTypes(l, items[i])
		}
		not := op == "<>"
		return &expr{typ: boolT, eval: func(e *env) (any, error) {
			x, err := l.eval(e)
			if err != nil || x == nil {
				return nil, err
			}
			null := false
			for _, it := range items {
				y, err := it.eval(e)
				if err != nil {
					return nil, err
				}
				if y == nil {
					null = true
					continue
				}
				if c, ok := compareValues(x, y); ok && c == 0 {
					return !not, nil
				}
			}
			if null {
				return nil, nil
			}
			return not, nil
		}}, nil
	case pg_query.A_Expr_Kind_AEXPR_OP_ANY, pg_query.A_Expr_Kind_AEXPR_OP_ALL:
		l, r, err := sc.compilePair(a.Lexpr, a.Rexpr)
		if err != nil {
			return nil, err
		}
		et := elemOf(r.typ)
		if r.typ == paramType {
			r = sc.resolveParam(r, arrayOf(l.typ))
			et = elemOf(r.typ)
		}
		if r.typ == unknownT {
			at := arrayOf(l.typ)
			if l.typ == unknownT {
				at = textArrT
			}
			r = castExpr(r, at)
			et = elemOf(at)
		}
		if et == 0 {
			return nil, errf(pgerr.DatatypeMismatch, "op ANY/ALL (array) requires array on right side")
		}
		if l.typ == unknownT {
			l = castExpr(l, et)
		}
		cmp, err := sc.binaryOp(op, &expr{typ: l.typ, eval: func(e *env) (any, error) { return e.row[0], nil }},
			&expr{typ: et, eval: func(e *env) (any, error) { return e.row[1], nil }})
		if err != nil {
			return nil, err
		}
		all := a.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL
		return &expr{typ: boolT, eval: func(e *env) (any, error) {
			x, err := l.eval(e)
			if err != nil {
				return nil, err
			}
			arr, err := r.eval(e)
			if err != nil || arr == nil {
				return nil, err
			}
			return quantified(e, cmp, x, arr.([]any), all)
		}}, nil
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN:
		l, err := sc.compileExpr(a.Lexpr)
		if err != nil {
			return nil, err
		}
		bounds := a.Rexpr.GetList().GetItems()
		lo, hi, err := sc.compilePair(bounds[0], bounds[1])
		if err != nil {
			return nil, err
		}
		ge, err := sc.binaryOp(">=", l, lo)
		if err != nil {
			return nil, err
		}
		le, err := sc.binaryOp("<=", l, hi)
		if err != nil {
			return nil, err
		}
		not := a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN
		return &expr{typ: boolT, eval: func(e *env) (any, error) {
			x, err := ge.eval(e)
			if err != nil {
				return nil, err
			}
			y, err := le.eval(e)
			if err != nil {
				return nil, err
			}
			if x == nil || y == nil {
				return nil, nil
			}
			return (x.(bool) && y.(bool)) != not, nil
		}}, nil
	}
	return nil, unsupported("operator kind " + a.Kind.String())
}

// quantified evaluates x op ANY/ALL (arr) with SQL's three-valued logic.
func quantified(outer *env, cmp *expr, x any, arr []any, all bool) (any, error) {
	if x == nil {
		if len(arr) == 0 {
			return all, nil
		}
		return nil, nil
	}
	pair := &env{row: []any{x, nil}, x: outer.x}
	null := false
	for _, y := range arr {
		pair.row[1] = y
		v, err := cmp.eval(pair)
		if err != nil {
			return nil, err
		}
		if v == nil {
			null = true
			continue
		}
		if b := v.(bool); b != all {
			return b, nil
		}
	}
	if null {
		return nil, nil
	}
	return all, nil
}

func unaryOp(op string, r *expr) (*expr, error) {
	switch op {
	case "-":
		if r.constant {
			switch v := r.val.(type) {
			case int64:
				c := constExpr(-v, r.typ)
				c.name = "?column?"
				return c, nil
			case float64:
				c := constExpr(-v, r.typ)
				c.name = "?column?"
				return c, nil
			}
		}
		return &expr{typ: r.typ, name: "?column?", eval: func(e *env) (any, error) {
			v, err := r.eval(e)
			switch n := v.(type) {
			case int64:
				return -n, err
			case float64:
				return -n, err
			}
			return v, err
		}}, nil
	case "+":
		return r, nil
	}
	return nil, errf(pgerr.UndefinedFunction, "operator does not exist: %s %s", op, formatType(r.typ, -1))
}

var (
	regexMu    sync.Mutex
	regexCache = map[string]*regexp.Regexp{}
)

func cachedRegexp(pattern string) (*regexp.Regexp, error) {
	regexMu.Lock()
	re, ok := regexCache[pattern]
	regexMu.Unlock()
	if ok {
		return re, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, errf("2201B", "invalid regular expression: %v", err)
	}
	regexMu.Lock()
	if len(regexCache) > 1000 {
		regexCache = map[string]*regexp.Regexp{}
	}
	regexCache[pattern] = re
	regexMu.Unlock()
	return re, nil
}

// likeToRegexp translates a LIKE pattern (backslash escapes).
func likeToRegexp(p string, fold bool) string {
	var b strings.Builder
	if fold {
		b.WriteString("(?is)")
	} else {
		b.WriteString("(?s)")
	}
	b.WriteByte('^')
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteByte('.')
		case '\\':
			if i+1 < len(p) {
				i++
				b.WriteString(regexp.QuoteMeta(p[i : i+1]))
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteByte('$')
	return b.String()
}

func (sc *scope) binaryOp(op string, l, r *expr) (*expr, error) {
	switch op {
	case "=", "<>", "!=", "<", ">", "<=", ">=":
		l, r = sc.binaryTypes(l, r)
		return &expr{typ: boolT, name: "?column?", eval: func(e *env) (any, error) {
			x, err := l.eval(e)
			if err != nil || x == nil {
				return nil, err
			}
			y, err := r.eval(e)
			if err != nil || y == nil {
				return nil, err
			}
			c, ok := compareValues(x, y)
			if !ok {
				return nil, errf(pgerr.UndefinedFunction, "operator does not exist: %s %s %s", formatType(l.typ, -1), op, formatType(r.typ, -1))
			}
			switch op {
			case "=":
				return c == 0, nil
			case "<>", "!=":
				return c != 0, nil
			case "<":
				return c < 0, nil
			case ">":
				return c > 0, nil
			case "<=":
				return c <= 0, nil
			}
			return c >= 0, nil
		}}, nil
	case "~", "!~", "~*", "!~*", "~~", "!~~", "~~*", "!~~*":
		if l.typ == paramType {
			l = sc.resolveParam(l, textT)
		}
		if r.typ == paramType {
			r = sc.resolveParam(r, textT)
		}
		l, r = castExpr(l, textT), castExpr(r, textT)
		like := strings.Contains(op, "~~")
		fold := strings.HasSuffix(op, "*")
		neg := strings.HasPrefix(op, "!")
		return &expr{typ: boolT, name: "?column?", eval: func(e *env) (any, error) {
			x, err := l.eval(e)
			if err != nil || x == nil {
				return nil, err
			}
			y, err := r.eval(e)
			if err != nil || y == nil {
				return nil, err
			}
			pat := y.(string)
			if like {
				pat = likeToRegexp(pat, fold)
			} else if fold {
				pat = "(?i)" + pat
			}
			re, err := cachedRegexp(pat)
			if err != nil {
				return nil, err
			}
			return re.MatchString(x.(string)) != neg, nil
		}}, nil
	case "||":
		if elemOf(l.typ) != 0 || elemOf(r.typ) != 0 {
			at := l.typ
			if elemOf(at) == 0 {
				at = r.typ
			}
			return &expr{typ: at, name: "?column?", eval: func(e *env) (any, error) {
				x, err := l.eval(e)
				if err != nil {
					return nil, err
				}
				y, err := r.eval(e)
				if err != nil {
					return nil, err
				}
				var out []any
				for _, v := range []any{x, y} {
					if a, ok := v.([]any); ok {
						out = append(out, a...)
					} else if v != nil {
						out = append(out, v)
					}
				}
				return out, nil
			}}, nil
		}
		if l.typ == paramType {
			l = sc.resolveParam(l, textT)
		}
		if r.typ == paramType {
			r = sc.resolveParam(r, textT)
		}
		lt, rt := l.typ, r.typ
		return &expr{typ: textT, name: "?column?", eval: func(e *env) (any, error) {
			x, err := l.eval(e)
			if err != nil || x == nil {
				return nil, err
			}
			y, err := r.eval(e)
			if err != nil || y == nil {
				return nil, err
			}
			return toText(e.x, x, lt) + toText(e.x, y, rt), nil
		}}, nil
	case "+", "-", "*", "/", "%", "&", "|":
		l, r = sc.binaryTypes(l, r)
		t := widerNumeric(l.typ, r.typ)
		if !isNumeric(l.typ) || !isNumeric(r.typ) {
			if l.typ == oidT || r.typ == oidT {
				t = oidT
			} else {
				return nil, errf(pgerr.UndefinedFunction, "operator does not exist: %s %s %s", formatType(l.typ, -1), op, formatType(r.typ, -1))
			}
		}
		if isIntLike(t) && t != int2T && t != int4T && t != int8T {
			t = int8T
		}
		if t == int2T {
			t = int4T
		}
		return &expr{typ: t, name: "?column?", eval: func(e *env) (any, error) {
			x, err := l.eval(e)
			if err != nil || x == nil {
				return nil, err
			}
			y, err := r.eval(e)
			if err != nil || y == nil {
				return nil, err
			}
			return arith(op, x, y)
		}}, nil
	case "@>", "<@", "&&":
		return &expr{typ: boolT, name: "?column?", eval: func(e *env) (any, error) {
			x, err := l.eval(e)
			if err != nil || x == nil {
				return nil, err
			}
			y, err := r.eval(e)
			if err != nil || y == nil {
				return nil, err
			}
			a, b := x.([]any), y.([]any)
			if op == "<@" {
				a, b = b, a
			}
			contains := func(v any, in []any) bool {
				for _, w := range in {
					if c, ok := compareValues(v, w); ok && c == 0 {
						return true
					}
				}
				return false
			}
			if op == "&&" {
				for _, v := range b {
					if contains(v, a) {
						return true, nil
					}
				}
				return false, nil
			}
			for _, v := range b {
				if !contains(v, a) {
					return false, nil
				}
			}
			return true, nil
		}}, nil
	}
	return nil, errf(pgerr.UndefinedFunction, "operator does not exist: %s %s %s", formatType(l.typ, -1), op, formatType(r.typ, -1))
}

func arith(op string, x, y any) (any, error) {
	a, aInt := x.(int64)
	b, bInt := y.(int64)
	if aInt && bInt {
		switch op {
		case "&":
			return a & b, nil
		case "|":
			return a | b, nil
		case "+":
			return a + b, nil
		case "-":
			return a - b, nil
		case "*":
			return a * b, nil
		case "/", "%":
			if b == 0 {
				return nil, errf(pgerr.DivisionByZero, "division by zero")
			}
			if op == "/" {
				return a / b, nil
			}
			return a % b, nil
		}
	}
	f := func(v any) float64 {
		switch n := v.(type) {
		case int64:
			return float64(n)
		case float64:
			return n
		}
		return 0
	}
	p, q := f(x), f(y)
	switch op {
	case "+":
		return p + q, nil
	case "-":
		return p - q, nil
	case "*":
		return p * q, nil
	case "/":
		if q == 0 {
			return nil, errf(pgerr.DivisionByZero, "division by zero")
		}
		return p / q, nil
	}
	return nil, errf(pgerr.UndefinedFunction, "operator does not exist: numeric %s numeric", op)
}

func (sc *scope) compileCase(c *pg_query.CaseExpr) (*expr, error) {
	var arg *expr
	var err error
	if c.Arg != nil {
		if arg, err = sc.compileExpr(c.Arg); err != nil {
			return nil, err
		}
	}
	type when struct{ cond, result *expr }
	var whens []when
	var results []*expr
	for _, w := range c.Args {
		cw := w.GetCaseWhen()
		var cond *expr
		if arg != nil {
			v, err := sc.compileExpr(cw.Expr)
			if err != nil {
				return nil, err
			}
			if cond, err = sc.binaryOp("=", arg, v); err != nil {
				return nil, err
			}
		} else if cond, err = sc.compileExpr(cw.Expr); err != nil {
			return nil, err
		}
		res, err := sc.compileExpr(cw.Result)
		if err != nil {
			return nil, err
		}
		whens = append(whens, when{cond, res})
		results = append(results, res)
	}
	var def *expr
	if c.Defresult != nil {
		if def, err = sc.compileExpr(c.Defresult); err != nil {
			return nil, err
		}
		results = append(results, def)
	}
	t := unifyTypes(results)
	for i := range whens {
		whens[i].result = castExpr(whens[i].result, t)
	}
	if def != nil {
		def = castExpr(def, t)
	}
	return &expr{typ: t, name: "case", eval: func(e *env) (any, error) {
		for _, w := range whens {
			v, err := w.cond.eval(e)
			if err != nil {
				return nil, err
			}
			if b, ok := v.(bool); ok && b {
				return w.result.eval(e)
			}
		}
		if def != nil {
			return def.eval(e)
		}
		return nil, nil
	}}, nil
}

func (sc *scope) compileIndirection(ind *pg_query.A_Indirection) (*expr, error) {
	base, err := sc.compileExpr(ind.Arg)
	if err != nil {
		return nil, err
	}
	for _, in := range ind.Indirection {
		switch x := in.Node.(type) {
		case *pg_query.Node_AIndices:
			if x.AIndices.IsSlice {
				return nil, unsupported("array slices")
			}
			idx, err := sc.compileExpr(x.AIndices.Uidx)
			if err != nil {
				return nil, err
			}
			idx = castExpr(idx, int4T)
			arr := base
			et := elemOf(arr.typ)
			if et == 0 {
				return nil, errf(pgerr.DatatypeMismatch, "cannot subscript type %s because it does not support subscripting", formatType(arr.typ, -1))
			}
			lower := int64(1)
			if arr.typ == int2vectorT || arr.typ == oidvectorT {
				lower = 0
			}
			base = &expr{typ: et, name: arr.name, eval: func(e *env) (any, error) {
				a, err := arr.eval(e)
				if err != nil || a == nil {
					return nil, err
				}
				i, err := idx.eval(e)
				if err != nil || i == nil {
					return nil, err
				}
				k := i.(int64) - lower
				as := a.([]any)
				if k < 0 || k >= int64(len(as)) {
					return nil, nil
				}
				return as[k], nil
			}}
		case *pg_query.Node_String_:
			field := x.String_.Sval
			rec := base
			pos := -1
			for i, f := range rec.fields {
				if f == field {
					pos = i
				}
			}
			if pos < 0 {
				return nil, errf(pgerr.UndefinedColumn, "column %q not found in data type record", field)
			}
			base = &expr{typ: rec.fieldTypes[pos], name: field, eval: func(e *env) (any, error) {
				v, err := rec.eval(e)
				if err != nil || v == nil {
					return nil, err
				}
				return v.([]any)[pos], nil
			}}
		default:
			return nil, unsupported("this indirection")
		}
	}
	return base, nil
}

func compileSQLValueFunction(f *pg_query.SQLValueFunction) (*expr, error) {
	switch f.Op {
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
		return &expr{typ: nameT, name: "current_user", eval: func(e *env) (any, error) { return e.x.sess.User, nil }}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_USER:
		return &expr{typ: nameT, name: "current_user", eval: func(e *env) (any, error) { return e.x.sess.User, nil }}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER:
		return &expr{typ: nameT, name: "session_user", eval: func(e *env) (any, error) { return e.x.sess.User, nil }}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		return &expr{typ: nameT, name: "current_catalog", eval: func(e *env) (any, error) { return e.x.sess.Database, nil }}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		return &expr{typ: nameT, name: "current_schema", eval: func(e *env) (any, error) { return currentSchema(e.x.sess), nil }}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
		return &expr{typ: timestamptzT, name: "current_timestamp", eval: func(e *env) (any, error) { return nowUTC(), nil }}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		return &expr{typ: timestampT, name: "localtimestamp", eval: func(e *env) (any, error) { return nowUTC(), nil }}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		return &expr{typ: dateT, name: "current_date", eval: func(e *env) (any, error) { return nowUTC().Truncate(24 * 3600e9), nil }}, nil
	}
	return nil, unsupported(f.Op.String())
}
