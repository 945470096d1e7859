package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

// cond binds a WHERE (having=false: dimensions and segments) or HAVING
// (having=true: measures too) condition.
func (b *binder) cond(n *pg_query.Node, having bool) (*cond, error) {
	if n == nil {
		return nil, notSupported("unsupported filter expression")
	}
	switch v := n.Node.(type) {
	case *pg_query.Node_BoolExpr:
		c := &cond{op: condAnd}
		switch v.BoolExpr.Boolop {
		case pg_query.BoolExprType_OR_EXPR:
			c.op = condOr
		case pg_query.BoolExprType_NOT_EXPR:
			c.op = condNot
		}
		for _, a := range v.BoolExpr.Args {
			k, err := b.cond(a, having)
			if err != nil {
				return nil, err
			}
			c.kids = append(c.kids, k)
		}
		return c, nil
	case *pg_query.Node_AExpr:
		return b.aexpr(v.AExpr, having)
	case *pg_query.Node_NullTest:
		l, err := b.operand(v.NullTest.Arg, having)
		if err != nil {
			return nil, err
		}
		return &cond{op: condNull, left: l, not: v.NullTest.Nulltesttype == pg_query.NullTestType_IS_NOT_NULL}, nil
	case *pg_query.Node_BooleanTest:
		l, err := b.boolOperand(v.BooleanTest.Arg, having)
		if err != nil {
			return nil, err
		}
		c := &cond{op: condBool, left: l, cmp: "TRUE"}
		switch v.BooleanTest.Booltesttype {
		case pg_query.BoolTestType_IS_TRUE:
		case pg_query.BoolTestType_IS_NOT_TRUE:
			c.not = true
		case pg_query.BoolTestType_IS_FALSE:
			c.cmp = "FALSE"
		case pg_query.BoolTestType_IS_NOT_FALSE:
			c.cmp, c.not = "FALSE", true
		default:
			return &cond{op: condNull, left: l, not: v.BooleanTest.Booltesttype == pg_query.BoolTestType_IS_NOT_UNKNOWN}, nil
		}
		return c, nil
	case *pg_query.Node_AConst:
		e := constExpr(v.AConst)
		if e.lk != constBool {
			return nil, pgerr.New(pgerr.DatatypeMismatch, "argument of WHERE must be type boolean").At(b.pos(v.AConst.Location))
		}
		return &cond{op: condConst, cmp: e.lit}, nil
	case *pg_query.Node_ColumnRef, *pg_query.Node_TypeCast:
		l, err := b.boolOperand(n, having)
		if err != nil {
			return nil, err
		}
		return &cond{op: condBool, left: l}, nil
	case *pg_query.Node_SubLink:
		return nil, notSupported("subqueries in filters are not supported on cubes")
	}
	return nil, notSupported("unsupported filter expression").
		WithHint("filters compare dimensions (WHERE) or measures (HAVING) with literals or parameters")
}

// operand binds one side of a filter.
func (b *binder) operand(n *pg_query.Node, having bool) (*expr, error) {
	e, err := b.expr(n, having)
	if err != nil {
		return nil, err
	}
	if e.kind == exprMeasure && !having {
		return nil, pgerr.New(pgerr.GroupingError, "measures are not allowed in WHERE").At(b.pos(e.loc)).
			WithHint("filter measures in HAVING")
	}
	if e.kind == exprNull {
		return nil, notSupported("%s cannot be filtered", e.name)
	}
	if having && (e.kind == exprDimension || e.kind == exprSegment) {
		return nil, notSupported("HAVING on dimensions is not supported").At(b.pos(e.loc)).
			WithHint("filter dimensions in WHERE, measures in HAVING")
	}
	return e, nil
}

// boolOperand binds a segment or a boolean dimension used as a condition.
func (b *binder) boolOperand(n *pg_query.Node, having bool) (*expr, error) {
	e, err := b.operand(n, having)
	if err != nil {
		return nil, err
	}
	if e.kind == exprSegment || e.kind == exprDimension && e.dim.Type == schema.Boolean && e.cast == "" {
		return e, nil
	}
	return nil, pgerr.New(pgerr.DatatypeMismatch, "argument of WHERE must be type boolean").At(b.pos(e.loc))
}

var flipped = map[string]string{"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

func (b *binder) aexpr(a *pg_query.A_Expr, having bool) (*cond, error) {
	op := opName(a.Name)
	switch a.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP:
		if op == "!=" {
			op = "<>"
		}
		if _, ok := flipped[op]; !ok {
			return nil, notSupported("operator %s is not supported on cubes", op).At(b.pos(a.Location))
		}
		l, err := b.operand(a.Lexpr, having)
		if err != nil {
			return nil, err
		}
		r, err := b.operand(a.Rexpr, having)
		if err != nil {
			return nil, err
		}
		if isValue(l) && !isValue(r) {
			l, r, op = r, l, flipped[op]
		}
		b.unify(l, r)
		return &cond{op: condCompare, left: l, right: r, cmp: op}, nil
	case pg_query.A_Expr_Kind_AEXPR_IN:
		l, err := b.operand(a.Lexpr, having)
		if err != nil {
			return nil, err
		}
		list := a.Rexpr.GetList()
		if list == nil {
			return nil, notSupported("IN needs a list of values")
		}
		c := &cond{op: condIn, left: l, not: op == "<>"}
		for _, it := range list.Items {
			v, err := b.value(it, l)
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, v)
		}
		return c, nil
	case pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE:
		l, err := b.operand(a.Lexpr, having)
		if err != nil {
			return nil, err
		}
		if exprOID(l) != oidText {
			return nil, pgerr.New(pgerr.UndefinedFunction, "operator does not exist: %s ~~ unknown", typeName(exprOID(l))).
				At(b.pos(a.Location)).WithHint("LIKE applies to string dimensions; cast others to text")
		}
		r, err := b.value(a.Rexpr, l)
		if err != nil {
			return nil, err
		}
		return &cond{op: condLike, left: l, right: r, not: op == "!~~" || op == "!~~*",
			ilike: a.Kind == pg_query.A_Expr_Kind_AEXPR_ILIKE}, nil
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN:
		l, err := b.operand(a.Lexpr, having)
		if err != nil {
			return nil, err
		}
		list := a.Rexpr.GetList()
		if list == nil || len(list.Items) != 2 {
			return nil, notSupported("BETWEEN needs two values")
		}
		c := &cond{op: condBetween, left: l, not: a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN}
		for _, it := range list.Items {
			v, err := b.value(it, l)
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, v)
		}
		return c, nil
	case pg_query.A_Expr_Kind_AEXPR_DISTINCT, pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		return nil, notSupported("IS [NOT] DISTINCT FROM is not supported on cubes").WithHint("use = or IS NULL")
	}
	return nil, notSupported("unsupported operator in a filter on cubes").At(b.pos(a.Location))
}

// value binds a literal or parameter compared with l.
func (b *binder) value(n *pg_query.Node, l *expr) (*expr, error) {
	e, err := b.expr(n, false)
	if err != nil {
		return nil, err
	}
	if !isValue(e) {
		return nil, notSupported("lists and patterns must be literals or parameters").At(b.pos(e.loc))
	}
	b.unify(l, e)
	return e, nil
}

func isValue(e *expr) bool { return e.kind == exprConst || e.kind == exprParam || e.kind == exprTime }

// unify gives a parameter the type of the member it is compared with.
func (b *binder) unify(l, r *expr) {
	if r.kind == exprParam && !isValue(l) {
		b.inferParam(r, exprOID(l))
	}
	if l.kind == exprParam && !isValue(r) {
		b.inferParam(l, exprOID(r))
	}
}

func typeName(oid uint32) string {
	switch oid {
	case oidBool:
		return "boolean"
	case oidInt8:
		return "bigint"
	case oidInt4:
		return "integer"
	case oidNumeric:
		return "numeric"
	case oidTimestamp:
		return "timestamp without time zone"
	case oidDate:
		return "date"
	}
	return "text"
}
