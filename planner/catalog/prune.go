package catalog

import (
	pg_query "github.com/pganalyze/pg_query_go/v5"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// referencedNames returns the last name of every column reference in the
// statement (and USING columns). Scans of catalog tables keep only those
// columns. It returns nil — keep everything — when the statement expands
// a star, since * needs every column.
func referencedNames(stmt *pg_query.Node) map[string]bool {
	names := map[string]bool{}
	star := false
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		switch x := m.Interface().(type) {
		case *pg_query.ColumnRef:
			last := x.Fields[len(x.Fields)-1]
			switch {
			case last.GetString_() != nil:
				// A bare name may also be a whole-row reference to a
				// relation: compileRangeVar checks aliases in names too.
				names[last.GetString_().Sval] = true
			case len(x.Fields) > 1:
				names[wholeRelation+x.Fields[len(x.Fields)-2].GetString_().GetSval()] = true // t.*
			}
			return
		case *pg_query.SelectStmt:
			// An unqualified * needs every column only when it expands a
			// table (pgjdbc wraps its queries in SELECT * FROM (...) c).
			for _, t := range x.TargetList {
				cr := t.GetResTarget().GetVal().GetColumnRef()
				if cr != nil && len(cr.Fields) == 1 && cr.Fields[0].GetAStar() != nil && fromHasTable(x.FromClause) {
					star = true
				}
			}
		case *pg_query.JoinExpr:
			for _, u := range x.UsingClause {
				names[u.GetString_().GetSval()] = true
			}
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					walk(l.Get(i).Message())
				}
			case fd.Message() != nil && !fd.IsMap():
				walk(v.Message())
			}
			return !star
		})
	}
	walk(stmt.ProtoReflect())
	if star {
		return nil
	}
	return names
}

// wholeRelation prefixes an alias whose every column is needed (t.*).
const wholeRelation = "\x00"

// fromHasTable reports whether a FROM list reads a table directly.
func fromHasTable(items []*pg_query.Node) bool {
	for _, n := range items {
		switch {
		case n.GetRangeVar() != nil:
			return true
		case n.GetJoinExpr() != nil:
			j := n.GetJoinExpr()
			if fromHasTable([]*pg_query.Node{j.Larg, j.Rarg}) {
				return true
			}
		}
	}
	return false
}
