package planner

import (
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

const (
	oidBool      = pgtype.BoolOID
	oidInt4      = pgtype.Int4OID
	oidInt8      = pgtype.Int8OID
	oidText      = pgtype.TextOID
	oidNumeric   = pgtype.NumericOID
	oidTimestamp = pgtype.TimestampOID
	oidDate      = pgtype.DateOID
)

// Hidden columns every cube exposes for BI-tool compatibility.
const (
	colUser      = "__user"
	colJoinField = "__cubejoinfield"
)

// binder turns one SELECT's AST into the IR.
type binder struct {
	*planner
	q       *query
	aliases map[string]*schema.Cube // FROM alias (or cube name) → cube
}

func notSupported(format string, args ...any) *pgerr.Error {
	return pgerr.New(pgerr.FeatureNotSupported, format, args...)
}

// semantic plans a SELECT over cubes.
func (p *planner) semantic(s *pg_query.SelectStmt) (*Statement, error) {
	q, err := p.bind(s)
	if err != nil {
		return nil, err
	}
	return p.generate(q)
}

func (p *planner) bind(s *pg_query.SelectStmt) (*query, error) {
	switch {
	case s.Larg != nil || s.Rarg != nil:
		return nil, notSupported("UNION, INTERSECT and EXCEPT are not supported on cubes")
	case s.WithClause != nil:
		return nil, notSupported("WITH is not supported on cubes")
	case len(s.WindowClause) > 0:
		return nil, notSupported("window functions are not supported on cubes")
	case len(s.LockingClause) > 0:
		return nil, pgerr.New(pgerr.ReadOnlyTransaction, "cannot execute SELECT FOR UPDATE in a read-only transaction")
	case s.IntoClause != nil:
		return nil, pgerr.New(pgerr.ReadOnlyTransaction, "cannot execute SELECT INTO in a read-only transaction")
	case s.LimitOption == pg_query.LimitOption_LIMIT_OPTION_WITH_TIES:
		return nil, notSupported("FETCH ... WITH TIES is not supported on cubes")
	}
	b := &binder{planner: p, q: &query{}, aliases: map[string]*schema.Cube{}}
	for _, f := range s.FromClause {
		if err := b.from(f); err != nil {
			return nil, err
		}
	}
	q := b.q
	q.grouped = len(s.GroupClause) > 0 || len(s.DistinctClause) > 0 || hasAggregate(s)
	if len(s.DistinctClause) > 0 && s.DistinctClause[0] != nil && s.DistinctClause[0].Node != nil {
		return nil, notSupported("DISTINCT ON is not supported on cubes")
	}
	for _, t := range s.TargetList {
		if err := b.target(t.GetResTarget()); err != nil {
			return nil, err
		}
	}
	if err := b.groupBy(s); err != nil {
		return nil, err
	}
	var err error
	if s.WhereClause != nil {
		if q.where, err = b.cond(s.WhereClause, false); err != nil {
			return nil, err
		}
	}
	if s.HavingClause != nil {
		if !q.grouped {
			q.grouped = true
		}
		if q.having, err = b.cond(s.HavingClause, true); err != nil {
			return nil, err
		}
	}
	for _, o := range s.SortClause {
		if err := b.orderBy(o.GetSortBy()); err != nil {
			return nil, err
		}
	}
	if q.limit, err = b.limitValue(s.LimitCount); err != nil {
		return nil, err
	}
	if q.offset, err = b.limitValue(s.LimitOffset); err != nil {
		return nil, err
	}
	return q, nil
}

// from adds the cubes of one FROM item; joins must be the model's.
func (b *binder) from(n *pg_query.Node) error {
	switch f := n.Node.(type) {
	case *pg_query.Node_RangeVar:
		rv := f.RangeVar
		c := b.cubeOf(rv)
		if c == nil {
			name := rv.Relname
			if rv.Schemaname != "" {
				name = rv.Schemaname + "." + name
			}
			if rv.Schemaname == "pg_catalog" || rv.Schemaname == "information_schema" || strings.HasPrefix(rv.Relname, "pg_") {
				return notSupported("cannot join catalog table %s with cubes", name)
			}
			return pgerr.New(pgerr.UndefinedTable, "relation \"%s\" does not exist", name).At(b.pos(rv.Location))
		}
		alias := c.Name
		if rv.Alias != nil && rv.Alias.Aliasname != "" {
			alias = rv.Alias.Aliasname
		}
		if _, dup := b.aliases[alias]; dup {
			return pgerr.New(pgerr.FeatureNotSupported, "table name \"%s\" specified more than once", alias).
				WithHint("each cube can appear once in FROM")
		}
		for _, have := range b.q.cubes {
			if have == c {
				return notSupported("cube %s appears twice in FROM", c.Name).WithHint("self-joins are not supported")
			}
		}
		b.aliases[alias] = c
		b.q.cubes = append(b.q.cubes, c)
		return nil
	case *pg_query.Node_JoinExpr:
		j := f.JoinExpr
		if j.Jointype != pg_query.JoinType_JOIN_INNER && j.Jointype != pg_query.JoinType_JOIN_LEFT {
			return notSupported("only CROSS JOIN, JOIN and LEFT JOIN of cubes are supported")
		}
		if j.IsNatural || len(j.UsingClause) > 0 {
			return notSupported("NATURAL and USING joins of cubes are not supported").
				WithHint("join cubes with CROSS JOIN or ON a.__cubeJoinField = b.__cubeJoinField")
		}
		if err := b.from(j.Larg); err != nil {
			return err
		}
		if err := b.from(j.Rarg); err != nil {
			return err
		}
		if j.Quals != nil && !b.joinFieldQuals(j.Quals) {
			return notSupported("join conditions between cubes are defined by the data model").
				WithHint("write ON a.__cubeJoinField = b.__cubeJoinField, or CROSS JOIN")
		}
		return nil
	case *pg_query.Node_RangeSubselect:
		return notSupported("subqueries over cubes are not supported").
			WithHint("query the cube directly; the semantic layer does the aggregation")
	case *pg_query.Node_RangeFunction:
		return notSupported("functions in FROM are not supported with cubes")
	}
	return notSupported("unsupported FROM item")
}

// joinFieldQuals accepts a.__cubeJoinField = b.__cubeJoinField, ANDed.
func (b *binder) joinFieldQuals(n *pg_query.Node) bool {
	if be := n.GetBoolExpr(); be != nil && be.Boolop == pg_query.BoolExprType_AND_EXPR {
		for _, a := range be.Args {
			if !b.joinFieldQuals(a) {
				return false
			}
		}
		return true
	}
	e := n.GetAExpr()
	if e == nil || e.Kind != pg_query.A_Expr_Kind_AEXPR_OP || opName(e.Name) != "=" {
		return false
	}
	isJoinField := func(n *pg_query.Node) bool {
		cr := n.GetColumnRef()
		if cr == nil || len(cr.Fields) == 0 {
			return false
		}
		return strings.ToLower(cr.Fields[len(cr.Fields)-1].GetString_().GetSval()) == colJoinField
	}
	return isJoinField(e.Lexpr) && isJoinField(e.Rexpr)
}

func opName(names []*pg_query.Node) string {
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1].GetString_().GetSval()
}

var aggregates = map[string]bool{"measure": true, "count": true, "sum": true, "avg": true, "min": true, "max": true}

// hasAggregate reports whether the select list or ORDER BY aggregates.
func hasAggregate(s *pg_query.SelectStmt) bool {
	var walk func(n *pg_query.Node) bool
	walk = func(n *pg_query.Node) bool {
		if n == nil {
			return false
		}
		switch v := n.Node.(type) {
		case *pg_query.Node_FuncCall:
			if aggregates[strings.ToLower(opName(v.FuncCall.Funcname))] {
				return true
			}
			for _, a := range v.FuncCall.Args {
				if walk(a) {
					return true
				}
			}
		case *pg_query.Node_ResTarget:
			return walk(v.ResTarget.Val)
		case *pg_query.Node_TypeCast:
			return walk(v.TypeCast.Arg)
		case *pg_query.Node_SortBy:
			return walk(v.SortBy.Node)
		case *pg_query.Node_AExpr:
			return walk(v.AExpr.Lexpr) || walk(v.AExpr.Rexpr)
		}
		return false
	}
	for _, t := range s.TargetList {
		if walk(t) {
			return true
		}
	}
	for _, t := range s.SortClause {
		if walk(t) {
			return true
		}
	}
	return false
}

// target binds one select-list item.
func (b *binder) target(rt *pg_query.ResTarget) error {
	if rt == nil {
		return notSupported("unsupported select list item")
	}
	if cr := rt.Val.GetColumnRef(); cr != nil {
		if _, ok := cr.Fields[len(cr.Fields)-1].Node.(*pg_query.Node_AStar); ok {
			return b.star(cr)
		}
	}
	e, err := b.expr(rt.Val, true)
	if err != nil {
		return err
	}
	if e.kind == exprParam {
		return notSupported("parameters in the select list are not supported on cubes")
	}
	name := e.name
	if rt.Name != "" {
		name = rt.Name
	}
	b.q.items = append(b.q.items, e)
	b.q.names = append(b.q.names, name)
	return nil
}

// star expands * or cube.* to the dimensions of the cubes.
func (b *binder) star(cr *pg_query.ColumnRef) error {
	cubes := b.q.cubes
	if len(cr.Fields) > 1 {
		c, err := b.qualifier(cr.Fields[:len(cr.Fields)-1], cr.Location)
		if err != nil {
			return err
		}
		cubes = []*schema.Cube{c}
	}
	for _, c := range cubes {
		for _, d := range c.Dimensions {
			b.q.items = append(b.q.items, &expr{kind: exprDimension, cube: c, dim: d, name: d.Name})
			b.q.names = append(b.q.names, d.Name)
		}
	}
	return nil
}

// qualifier resolves [schema.]cube-or-alias.
func (b *binder) qualifier(fields []*pg_query.Node, loc int32) (*schema.Cube, error) {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.GetString_().GetSval()
	}
	rel := names[len(names)-1]
	if len(names) >= 2 && names[len(names)-2] != "public" {
		return nil, pgerr.New(pgerr.UndefinedTable, "missing FROM-clause entry for table \"%s\"", strings.Join(names, ".")).At(b.pos(loc))
	}
	if len(names) == 1 {
		if c, ok := b.aliases[rel]; ok {
			return c, nil
		}
	}
	for alias, c := range b.aliases {
		if c.Name == rel || strings.EqualFold(c.Name, rel) && alias == c.Name {
			return c, nil
		}
	}
	return nil, pgerr.New(pgerr.UndefinedTable, "missing FROM-clause entry for table \"%s\"", rel).At(b.pos(loc))
}

// column resolves a column reference to a member of a FROM cube.
func (b *binder) column(cr *pg_query.ColumnRef) (*expr, error) {
	last := cr.Fields[len(cr.Fields)-1].GetString_()
	if last == nil {
		return nil, notSupported("unsupported column reference")
	}
	name := last.Sval
	var cubes []*schema.Cube
	if len(cr.Fields) > 1 {
		c, err := b.qualifier(cr.Fields[:len(cr.Fields)-1], cr.Location)
		if err != nil {
			return nil, err
		}
		cubes = []*schema.Cube{c}
	} else {
		cubes = b.q.cubes
	}
	var found *expr
	for _, c := range cubes {
		var e *expr
		switch m := c.Member(name).(type) {
		case *schema.Dimension:
			e = &expr{kind: exprDimension, cube: c, dim: m}
		case *schema.Measure:
			e = &expr{kind: exprMeasure, cube: c, meas: m}
		case *schema.Segment:
			e = &expr{kind: exprSegment, cube: c, seg: m}
		default:
			if l := strings.ToLower(name); l == colUser || l == colJoinField {
				e = &expr{kind: exprNull, cube: c}
			}
		}
		if e == nil {
			continue
		}
		if found != nil {
			return nil, pgerr.New(pgerr.AmbiguousColumn, "column reference \"%s\" is ambiguous", name).At(b.pos(cr.Location))
		}
		e.name, e.loc = name, cr.Location
		found = e
	}
	if found == nil {
		return nil, pgerr.New(pgerr.UndefinedColumn, "column \"%s\" does not exist", name).At(b.pos(cr.Location))
	}
	return found, nil
}

// expr binds a value expression. Measures must be aggregated when the
// query is grouped; agg says whether aggregates are allowed here.
func (b *binder) expr(n *pg_query.Node, agg bool) (*expr, error) {
	if n == nil {
		return nil, notSupported("unsupported expression in a query on cubes")
	}
	switch v := n.Node.(type) {
	case *pg_query.Node_ColumnRef:
		e, err := b.column(v.ColumnRef)
		if err != nil {
			return nil, err
		}
		if e.kind == exprMeasure && b.q.grouped {
			return nil, pgerr.New(pgerr.GroupingError, "measure \"%s\" must be used in an aggregate function", e.name).
				At(b.pos(v.ColumnRef.Location)).WithHint("use MEASURE(%s) or the aggregate its type allows", e.name)
		}
		if e.kind == exprMeasure && e.meas.Type == schema.Number {
			return nil, notSupported("number measure \"%s\" cannot be shown per row", e.name).
				WithHint("aggregate the query with GROUP BY and MEASURE(%s)", e.name)
		}
		return e, nil
	case *pg_query.Node_AConst:
		return constExpr(v.AConst), nil
	case *pg_query.Node_ParamRef:
		if v.ParamRef.Number < 1 {
			return nil, pgerr.New(pgerr.UndefinedParameter, "there is no parameter $%d", v.ParamRef.Number)
		}
		return &expr{kind: exprParam, num: int(v.ParamRef.Number), name: "?column?", loc: v.ParamRef.Location}, nil
	case *pg_query.Node_FuncCall:
		return b.call(v.FuncCall, agg)
	case *pg_query.Node_TypeCast:
		return b.typeCast(v.TypeCast, agg)
	case *pg_query.Node_SqlvalueFunction:
		return b.sqlValue(v.SqlvalueFunction)
	case *pg_query.Node_AExpr:
		return b.arith(v.AExpr, agg)
	}
	return nil, notSupported("unsupported expression in a query on cubes").
		WithHint("select dimensions, MEASURE(measure) or the matching aggregate, and DATE_TRUNC of time dimensions")
}

func constExpr(c *pg_query.A_Const) *expr {
	e := &expr{kind: exprConst, name: "?column?", loc: c.Location}
	if c.Isnull {
		e.lk, e.lit = constNull, "NULL"
		return e
	}
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Ival:
		e.lk, e.lit = constInt, strconv.Itoa(int(v.Ival.Ival))
	case *pg_query.A_Const_Fval:
		e.lk, e.lit = constFloat, v.Fval.Fval
	case *pg_query.A_Const_Sval:
		e.lk, e.lit = constString, v.Sval.Sval
	case *pg_query.A_Const_Boolval:
		e.lk, e.lit = constBool, "FALSE"
		if v.Boolval.Boolval {
			e.lit = "TRUE"
		}
	default:
		e.lk, e.lit = constNull, "NULL"
	}
	return e
}

var granularities = map[string]bool{"second": true, "minute": true, "hour": true, "day": true, "week": true, "month": true, "quarter": true, "year": true}

func (b *binder) call(f *pg_query.FuncCall, agg bool) (*expr, error) {
	name := strings.ToLower(opName(f.Funcname))
	if len(f.Funcname) == 2 && f.Funcname[0].GetString_().GetSval() != "pg_catalog" {
		return nil, pgerr.New(pgerr.UndefinedFunction, "function %s does not exist", name).At(b.pos(f.Location))
	}
	if f.Over != nil {
		return nil, notSupported("window functions are not supported on cubes")
	}
	if f.AggFilter != nil || len(f.AggOrder) > 0 || f.AggWithinGroup || f.FuncVariadic {
		return nil, notSupported("aggregate FILTER, ORDER BY and WITHIN GROUP are not supported on cubes").
			WithHint("declare a measure with filters in the data model")
	}
	if name == "date_trunc" {
		return b.dateTrunc(f, agg)
	}
	if name == "timezone" {
		return b.atTimeZone(f, agg)
	}
	if (name == "now" || name == "localtimestamp" || name == "current_timestamp") && len(f.Args) == 0 {
		return &expr{kind: exprTime, tv: &timeValue{op: 'n'}, name: name, loc: f.Location}, nil
	}
	if (name == "lower" || name == "upper") && len(f.Args) == 1 {
		// Metabase's case-insensitive filters: LOWER(col) LIKE '%x%'.
		e, err := b.expr(f.Args[0], agg)
		if err != nil {
			return nil, err
		}
		if e.kind != exprDimension || exprOID(e) != oidText || e.fn != "" {
			return nil, notSupported("%s needs a string dimension", strings.ToUpper(name)).At(b.pos(f.Location))
		}
		e.fn, e.name, e.loc = strings.ToUpper(name), name, f.Location
		return e, nil
	}
	if !aggregates[name] {
		return nil, notSupported("function %s is not supported on cubes", name).At(b.pos(f.Location)).
			WithHint("Lattice supports MEASURE, COUNT, SUM, AVG, MIN, MAX, DATE_TRUNC, AT TIME ZONE, LOWER and UPPER on cubes")
	}
	if !agg {
		return nil, pgerr.New(pgerr.GroupingError, "aggregate functions are not allowed here").At(b.pos(f.Location)).
			WithHint("filter measures in HAVING")
	}
	star := f.AggStar
	if name == "count" && len(f.Args) == 1 && !f.AggDistinct {
		if c := f.Args[0].GetAConst(); c != nil && !c.Isnull {
			star = true // COUNT(1) counts rows like COUNT(*)
		}
	}
	if name == "count" && star {
		for _, c := range b.q.cubes {
			for _, m := range c.Measures {
				if m.Type == schema.Count {
					return &expr{kind: exprMeasure, cube: c, meas: m, name: "count", loc: f.Location}, nil
				}
			}
		}
		return nil, pgerr.New(pgerr.GroupingError, "COUNT(*) needs a measure of type count").At(b.pos(f.Location)).
			WithHint("declare a count measure in the data model, or use MEASURE() on an existing measure")
	}
	if len(f.Args) != 1 {
		return nil, notSupported("%s takes exactly one measure", strings.ToUpper(name)).At(b.pos(f.Location))
	}
	cr := f.Args[0].GetColumnRef()
	if cr == nil {
		return nil, notSupported("%s of an expression is not supported on cubes", strings.ToUpper(name)).
			At(b.pos(f.Location)).WithHint("aggregate a measure column, e.g. MEASURE(count)")
	}
	e, err := b.column(cr)
	if err != nil {
		return nil, err
	}
	if e.kind != exprMeasure {
		return nil, pgerr.New(pgerr.GroupingError, "%s is not a measure and cannot be aggregated", e.name).
			At(b.pos(cr.Location)).WithHint("aggregate measures; group by dimensions")
	}
	if !aggregateMatches(name, f.AggDistinct, e.meas.Type) {
		fn := strings.ToUpper(name)
		if f.AggDistinct {
			fn += "(DISTINCT)"
		}
		return nil, pgerr.New(pgerr.GroupingError, "measure \"%s\" of type %s cannot be aggregated with %s", e.name, e.meas.Type, fn).
			At(b.pos(f.Location)).WithHint("use MEASURE(%s)", e.name)
	}
	e.name, e.loc = name, f.Location
	return e, nil
}

// aggregateMatches says whether fn may aggregate a measure of type t.
func aggregateMatches(fn string, distinct bool, t schema.MeasureType) bool {
	if fn == "measure" || t == schema.Number {
		return true
	}
	switch t {
	case schema.Count:
		return fn == "count" && !distinct || fn == "sum" // SUM of a count is Tableau's way to total it
	case schema.CountDistinct, schema.CountDistinctApprox:
		return fn == "count" && distinct
	case schema.Sum:
		return fn == "sum"
	case schema.Avg:
		return fn == "avg"
	case schema.Min:
		return fn == "min"
	case schema.Max:
		return fn == "max"
	}
	return false
}

func (b *binder) dateTrunc(f *pg_query.FuncCall, agg bool) (*expr, error) {
	if len(f.Args) != 2 {
		return nil, notSupported("DATE_TRUNC takes a granularity and a time dimension").At(b.pos(f.Location))
	}
	g := f.Args[0].GetAConst().GetSval()
	if g == nil {
		return nil, notSupported("DATE_TRUNC needs a literal granularity").At(b.pos(f.Location))
	}
	gran := strings.ToLower(g.Sval)
	if !granularities[gran] {
		return nil, notSupported("granularity \"%s\" is not supported", g.Sval).At(b.pos(f.Location)).
			WithHint("use second, minute, hour, day, week, month, quarter or year")
	}
	e, err := b.expr(f.Args[1], agg)
	if err != nil {
		return nil, err
	}
	if e.kind == exprTime {
		return &expr{kind: exprTime, tv: &timeValue{op: 't', gran: gran, child: e.tv}, name: "date_trunc", loc: f.Location}, nil
	}
	if e.kind != exprDimension || e.dim.Type != schema.Time || e.cast == "text" || e.fn != "" {
		return nil, notSupported("DATE_TRUNC needs a time dimension").At(b.pos(f.Location))
	}
	e.cast = "" // DATE_TRUNC of a date is a timestamp, as in PostgreSQL
	if e.gran != "" && granOrder(gran) < granOrder(e.gran) {
		gran = e.gran
	}
	e.gran, e.name, e.loc = gran, "date_trunc", f.Location
	return e, nil
}

// atTimeZone binds time_dim AT TIME ZONE 'Zone' (pg_catalog.timezone):
// the time dimension, stored as UTC, as local time in the IANA zone.
// DATE_TRUNC of it truncates in that zone, and comparisons with it take
// local times.
func (b *binder) atTimeZone(f *pg_query.FuncCall, agg bool) (*expr, error) {
	if len(f.Args) != 2 {
		return nil, notSupported("AT TIME ZONE takes a time dimension and a zone").At(b.pos(f.Location))
	}
	z := f.Args[0].GetAConst().GetSval()
	if z == nil {
		return nil, notSupported("AT TIME ZONE needs a literal zone name").At(b.pos(f.Location)).
			WithHint("write time_dim AT TIME ZONE 'America/New_York'")
	}
	zone := z.Sval
	// LoadLocation also accepts "" and "Local", which are not IANA names.
	if _, err := time.LoadLocation(zone); err != nil || zone == "" || zone == "Local" {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "time zone \"%s\" not recognized", zone).At(b.pos(f.Location))
	}
	e, err := b.expr(f.Args[1], agg)
	if err != nil {
		return nil, err
	}
	if e.kind != exprDimension || e.dim.Type != schema.Time || e.gran != "" || e.cast != "" || e.fn != "" || e.tz != "" {
		return nil, notSupported("AT TIME ZONE needs a time dimension").At(b.pos(f.Location)).
			WithHint("apply DATE_TRUNC and casts outside: DATE_TRUNC('day', time_dim AT TIME ZONE 'Zone')")
	}
	if _, err := b.d.FromUTC("x", zone); err != nil {
		return nil, err
	}
	e.tz, e.name, e.loc = zone, "timezone", f.Location
	return e, nil
}

func granOrder(g string) int {
	switch g {
	case "second":
		return 1
	case "minute":
		return 2
	case "hour":
		return 3
	case "day":
		return 4
	case "week":
		return 5
	case "month":
		return 6
	case "quarter":
		return 7
	case "year":
		return 8
	}
	return 0
}

// typeCast accepts casts that keep the value (to its own type), casts of
// dimensions to text, and casts of time dimensions to timestamp or date.
func (b *binder) typeCast(tc *pg_query.TypeCast, agg bool) (*expr, error) {
	e, err := b.expr(tc.Arg, agg)
	if err != nil {
		return nil, err
	}
	typ := strings.ToLower(opName(tc.TypeName.GetNames()))
	if len(tc.TypeName.GetArrayBounds()) > 0 {
		return nil, notSupported("casts to arrays are not supported on cubes")
	}
	if e.kind == exprTime {
		switch typ {
		case "timestamp", "timestamptz":
			return e, nil
		case "date":
			return &expr{kind: exprTime, tv: &timeValue{op: 't', gran: "day", child: e.tv}, name: e.name, loc: e.loc}, nil
		}
		return nil, notSupported("cast of a relative time to %s is not supported", typ).At(b.pos(tc.Location))
	}
	if e.kind == exprConst || e.kind == exprParam {
		switch typ {
		case "text", "varchar", "bpchar", "timestamp", "timestamptz", "date", "int4", "int8", "int2", "numeric", "float8", "float4", "bool":
		default:
			return nil, notSupported("cast to %s is not supported on cubes", typ)
		}
		if e.kind == exprConst {
			e.name = typ
		}
		return e, nil
	}
	oid := exprOID(e)
	switch typ {
	case "text", "varchar", "bpchar":
		if e.kind == exprMeasure {
			return nil, notSupported("casting a measure to text is not supported")
		}
		if e.kind == exprDimension {
			e.cast = "text"
		}
		return e, nil
	case "timestamp":
		if oid == oidTimestamp {
			return e, nil
		}
	case "timestamptz":
		if oid == oidTimestamp {
			return e, nil
		}
	case "date":
		if e.kind == exprDimension && e.dim.Type == schema.Time {
			if granOrder(e.gran) < granOrder("day") {
				e.gran = "day"
			}
			e.cast = "date"
			return e, nil
		}
	case "numeric", "float8", "float4":
		if oid == oidNumeric || oid == oidInt8 {
			return e, nil
		}
	case "int8", "int4", "int2":
		if oid == oidInt8 {
			return e, nil
		}
	case "bool":
		if oid == oidBool {
			return e, nil
		}
	}
	return nil, notSupported("cast of %s to %s is not supported on cubes", e.name, typ).At(b.pos(tc.Location)).
		WithHint("dimensions can be cast to text, time dimensions to timestamp or date")
}

// exprOID is the result type of a bound expression (ARCHITECTURE §4).
func exprOID(e *expr) uint32 {
	switch e.kind {
	case exprMeasure:
		switch e.meas.Type {
		case schema.Count, schema.CountDistinct, schema.CountDistinctApprox:
			return oidInt8
		}
		return oidNumeric
	case exprSegment:
		return oidBool
	case exprNull:
		return oidText
	case exprTime:
		return oidTimestamp
	case exprDimension:
		switch {
		case e.cast == "text":
			return oidText
		case e.cast == "date":
			return oidDate
		}
		switch e.dim.Type {
		case schema.Numeric:
			return oidNumeric
		case schema.Time:
			return oidTimestamp
		case schema.Boolean:
			return oidBool
		}
		return oidText
	case exprConst:
		switch e.lk {
		case constInt:
			return oidInt4
		case constFloat:
			return oidNumeric
		case constBool:
			return oidBool
		}
		return oidText
	}
	return 0
}

// groupBy binds GROUP BY (ordinals, output names, members, expressions) and
// checks that every selected dimension is grouped.
func (b *binder) groupBy(s *pg_query.SelectStmt) error {
	q := b.q
	if !q.grouped {
		return nil
	}
	seen := map[string]bool{}
	add := func(e *expr) {
		if k := e.groupKey(); !seen[k] {
			seen[k] = true
			q.group = append(q.group, e)
		}
	}
	for _, g := range s.GroupClause {
		e, err := b.groupItem(g)
		if err != nil {
			return err
		}
		if e.kind == exprMeasure {
			return pgerr.New(pgerr.GroupingError, "aggregate functions are not allowed in GROUP BY").At(b.pos(e.loc))
		}
		if e.kind == exprDimension || e.kind == exprSegment {
			add(e)
		}
	}
	distinct := len(s.DistinctClause) > 0
	for _, e := range q.items {
		if e.kind != exprDimension && e.kind != exprSegment {
			continue
		}
		if distinct {
			add(e)
			continue
		}
		if !seen[baseKey(e)] && !seen[e.groupKey()] {
			return pgerr.New(pgerr.GroupingError, "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function", e.name).
				At(b.pos(e.loc)).WithHint("add it to GROUP BY")
		}
	}
	return nil
}

// baseKey is the group key without a text cast or LOWER/UPPER: GROUP BY
// status covers CAST(status AS TEXT) and LOWER(status).
func baseKey(e *expr) string {
	if e.kind != exprDimension || e.cast != "text" && e.fn == "" {
		return e.groupKey()
	}
	c := *e
	c.cast, c.fn = "", ""
	return c.groupKey()
}

func (b *binder) groupItem(g *pg_query.Node) (*expr, error) {
	if c := g.GetAConst(); c != nil {
		if iv, ok := c.Val.(*pg_query.A_Const_Ival); ok {
			i := int(iv.Ival.Ival)
			if i < 1 || i > len(b.q.items) {
				return nil, pgerr.New(pgerr.UndefinedColumn, "GROUP BY position %d is not in select list", i).At(b.pos(c.Location))
			}
			return b.q.items[i-1], nil
		}
		return nil, notSupported("non-integer constant in GROUP BY").At(b.pos(c.Location))
	}
	if cr := g.GetColumnRef(); cr != nil && len(cr.Fields) == 1 {
		// PostgreSQL prefers an input column over an output name.
		e, err := b.expr(g, true)
		if err == nil {
			return e, nil
		}
		if pgerr.Code(err) != pgerr.UndefinedColumn {
			return nil, err
		}
		name := cr.Fields[0].GetString_().GetSval()
		for i, n := range b.q.names {
			if n == name {
				return b.q.items[i], nil
			}
		}
		return nil, err
	}
	return b.expr(g, true)
}

func (b *binder) orderBy(sb *pg_query.SortBy) error {
	if sb == nil || sb.SortbyDir == pg_query.SortByDir_SORTBY_USING {
		return notSupported("ORDER BY ... USING is not supported")
	}
	q := b.q
	var e *expr
	if c := sb.Node.GetAConst(); c != nil {
		iv, ok := c.Val.(*pg_query.A_Const_Ival)
		if !ok {
			return notSupported("non-integer constant in ORDER BY").At(b.pos(c.Location))
		}
		i := int(iv.Ival.Ival)
		if i < 1 || i > len(q.items) {
			return pgerr.New(pgerr.UndefinedColumn, "ORDER BY position %d is not in select list", i).At(b.pos(c.Location))
		}
		e = q.items[i-1]
	} else if cr := sb.Node.GetColumnRef(); cr != nil && len(cr.Fields) == 1 {
		// PostgreSQL prefers an output name in ORDER BY.
		name := cr.Fields[0].GetString_().GetSval()
		for i, n := range q.names {
			if n == name {
				e = q.items[i]
				break
			}
		}
	}
	if e == nil {
		var err error
		if e, err = b.expr(sb.Node, true); err != nil {
			return err
		}
		if q.grouped && (e.kind == exprDimension || e.kind == exprSegment) {
			ok := false
			for _, g := range q.group {
				if g.groupKey() == baseKey(e) || g.groupKey() == e.groupKey() {
					ok = true
				}
			}
			if !ok {
				return pgerr.New(pgerr.GroupingError, "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function", e.name).
					At(b.pos(e.loc))
			}
		}
	}
	if e.kind == exprParam {
		return notSupported("parameters in ORDER BY are not supported")
	}
	desc := sb.SortbyDir == pg_query.SortByDir_SORTBY_DESC
	nullsFirst := desc
	switch sb.SortbyNulls {
	case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
		nullsFirst = true
	case pg_query.SortByNulls_SORTBY_NULLS_LAST:
		nullsFirst = false
	}
	q.order = append(q.order, orderItem{e: e, desc: desc, nullsFirst: nullsFirst})
	return nil
}

func (b *binder) limitValue(n *pg_query.Node) (*expr, error) {
	if n == nil {
		return nil, nil
	}
	if c := n.GetAConst(); c != nil {
		if c.Isnull {
			return nil, nil // LIMIT NULL / LIMIT ALL
		}
		if iv, ok := c.Val.(*pg_query.A_Const_Ival); ok && iv.Ival.Ival >= 0 {
			return constExpr(c), nil
		}
		if fv, ok := c.Val.(*pg_query.A_Const_Fval); ok {
			if _, err := strconv.ParseUint(fv.Fval.Fval, 10, 63); err == nil {
				return constExpr(c), nil
			}
		}
		return nil, pgerr.New("2201W", "LIMIT and OFFSET must not be negative").At(b.pos(c.Location))
	}
	if pr := n.GetParamRef(); pr != nil {
		if pr.Number < 1 {
			return nil, pgerr.New(pgerr.UndefinedParameter, "there is no parameter $%d", pr.Number).At(b.pos(pr.Location))
		}
		e := &expr{kind: exprParam, num: int(pr.Number), loc: pr.Location}
		b.inferParam(e, oidInt8)
		return e, nil
	}
	return nil, notSupported("LIMIT and OFFSET take a number or a parameter")
}

// inferParam records the type a parameter is compared with.
func (b *binder) inferParam(e *expr, oid uint32) {
	if e.kind != exprParam {
		return
	}
	for len(b.q.paramOIDs) < e.num {
		b.q.paramOIDs = append(b.q.paramOIDs, 0)
	}
	if b.q.paramOIDs[e.num-1] == 0 {
		b.q.paramOIDs[e.num-1] = oid
	}
}
