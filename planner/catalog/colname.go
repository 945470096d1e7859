package catalog

import pg_query "github.com/pganalyze/pg_query_go/v5"

// figureColname names a select-list expression the way PostgreSQL does
// (FigureColname): column references and function calls give strong names
// that win over the weak name of a cast ("int4") or a CASE ("case").
func figureColname(n *pg_query.Node) string {
	name, strength := figureColnameInternal(n)
	if strength == 0 {
		return "?column?"
	}
	return name
}

func figureColnameInternal(n *pg_query.Node) (string, int) {
	if n == nil {
		return "", 0
	}
	switch v := n.Node.(type) {
	case *pg_query.Node_ColumnRef:
		f := v.ColumnRef.Fields
		if s := f[len(f)-1].GetString_(); s != nil {
			return s.Sval, 2
		}
	case *pg_query.Node_AIndirection:
		ind := v.AIndirection.Indirection
		for i := len(ind) - 1; i >= 0; i-- {
			if s := ind[i].GetString_(); s != nil {
				return s.Sval, 2
			}
		}
		return figureColnameInternal(v.AIndirection.Arg)
	case *pg_query.Node_FuncCall:
		f := v.FuncCall.Funcname
		return f[len(f)-1].GetString_().GetSval(), 2
	case *pg_query.Node_AExpr:
		if v.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_NULLIF {
			return "nullif", 2
		}
	case *pg_query.Node_TypeCast:
		if name, s := figureColnameInternal(v.TypeCast.Arg); s == 2 {
			return name, 2
		}
		names := v.TypeCast.TypeName.Names
		return names[len(names)-1].GetString_().GetSval(), 1
	case *pg_query.Node_CollateClause:
		return figureColnameInternal(v.CollateClause.Arg)
	case *pg_query.Node_SubLink:
		switch v.SubLink.SubLinkType {
		case pg_query.SubLinkType_EXISTS_SUBLINK:
			return "exists", 2
		case pg_query.SubLinkType_ARRAY_SUBLINK:
			return "array", 2
		case pg_query.SubLinkType_EXPR_SUBLINK:
			if sel := v.SubLink.Subselect.GetSelectStmt(); sel != nil && len(sel.TargetList) > 0 {
				rt := sel.TargetList[0].GetResTarget()
				if rt.Name != "" {
					return rt.Name, 2
				}
				return figureColnameInternal(rt.Val)
			}
		}
	case *pg_query.Node_CaseExpr:
		if name, s := figureColnameInternal(v.CaseExpr.Defresult); s == 2 {
			return name, 2
		}
		return "case", 1
	case *pg_query.Node_AArrayExpr:
		return "array", 2
	case *pg_query.Node_RowExpr:
		return "row", 2
	case *pg_query.Node_CoalesceExpr:
		return "coalesce", 2
	case *pg_query.Node_MinMaxExpr:
		if v.MinMaxExpr.Op == pg_query.MinMaxOp_IS_GREATEST {
			return "greatest", 2
		}
		return "least", 2
	case *pg_query.Node_SqlvalueFunction:
		switch v.SqlvalueFunction.Op {
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
			return "current_date", 2
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
			return "current_timestamp", 2
		case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
			return "localtimestamp", 2
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
			return "current_role", 2
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER:
			return "current_user", 2
		case pg_query.SQLValueFunctionOp_SVFOP_USER:
			return "user", 2
		case pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER:
			return "session_user", 2
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
			return "current_catalog", 2
		case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
			return "current_schema", 2
		}
	}
	return "", 0
}
