package planner

import (
	"strconv"
	"strings"

	"github.com/lattice-sql/lattice/planner/catalog"
	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema"
)

// gen renders one bound query in one dialect.
type gen struct {
	d    dialect.Dialect
	q    *query
	tree *joinTree
	// star is the cube whose rows are exactly the rows being aggregated,
	// so its count measures may be COUNT(*).
	star *schema.Cube
	// args are the client parameter indexes of the placeholders written so
	// far. SQL is always built left to right, so the n-th placeholder
	// rendered is the n-th in the text (a WHERE repeated in subqueries
	// gets fresh placeholders for the same parameter).
	args []int
}

func (p *planner) generate(q *query) (*Statement, error) {
	if len(q.items) == 0 {
		return nil, notSupported("a query on cubes must select at least one column")
	}
	tree, err := buildJoinTree(p.m, withReferenced(q))
	if err != nil {
		return nil, err
	}
	g := &gen{d: p.d, q: q, tree: tree, star: tree.root}
	var sql string
	if g.fanOut() {
		sql, err = g.fanOutSQL()
	} else {
		sql, err = g.simpleSQL()
	}
	if err != nil {
		return nil, err
	}
	st := &Statement{Kind: KindBackend, Tag: "SELECT"}
	st.SQL, st.Args = sql, g.args
	st.Columns = make([]Column, len(q.items))
	for i, e := range q.items {
		st.Columns[i] = column(q.names[i], exprOID(e))
		if member := originMember(e, q.grouped); member != "" {
			st.Columns[i].TableOID, st.Columns[i].AttNum = catalog.CubeColumn(p.m, e.cube, member)
		}
	}
	n := len(q.paramOIDs)
	for _, a := range st.Args {
		if a+1 > n {
			n = a + 1
		}
	}
	if len(p.declared) > n {
		n = len(p.declared)
	}
	if n > 0 {
		st.ParamOIDs = make([]uint32, n)
		copy(st.ParamOIDs, q.paramOIDs)
		for i, o := range p.declared {
			if o != 0 {
				st.ParamOIDs[i] = o
			}
		}
	}
	return st, nil
}

// originMember names the cube column a result column selects directly, as
// PostgreSQL reports the table and attnum of a plain column reference (also
// through GROUP BY): dimensions without granularity, function or cast (a
// cast of text to text changes nothing), segments, measures per row,
// __user and __cubeJoinField. Aggregates and expressions have no origin.
func originMember(e *expr, grouped bool) string {
	switch e.kind {
	case exprDimension:
		if e.gran != "" || e.fn != "" || e.tz != "" || e.cast != "" && (e.cast != "text" || e.dim.Type != schema.String) {
			return ""
		}
		return e.dim.Name
	case exprSegment:
		return e.seg.Name
	case exprMeasure:
		if grouped {
			return ""
		}
		return e.meas.Name
	case exprNull:
		if strings.EqualFold(e.name, colUser) {
			return "__user"
		}
		return "__cubeJoinField"
	}
	return ""
}

func column(name string, oid uint32) Column {
	c := Column{Name: name, OID: oid, TypeSize: -1, TypeMod: -1}
	switch oid {
	case oidBool:
		c.TypeSize = 1
	case oidInt4:
		c.TypeSize = 4
	case oidInt8, oidTimestamp:
		c.TypeSize = 8
	case oidDate:
		c.TypeSize = 4
	}
	return c
}

// fanOut reports whether a measure whose cube the joins multiply needs
// aggregating over distinct primary keys.
func (g *gen) fanOut() bool {
	if !g.q.grouped || len(g.tree.multiplied) == 0 {
		return false
	}
	for _, m := range g.measures() {
		if g.needsKeys(m) {
			return true
		}
	}
	return false
}

func (g *gen) needsKeys(e *expr) bool {
	if !g.tree.multiplied[e.cube] {
		return false
	}
	switch e.meas.Type {
	case schema.CountDistinct, schema.CountDistinctApprox, schema.Min, schema.Max:
		return false // not changed by repeated rows
	}
	return true
}

// measures lists the distinct measures the query uses anywhere.
func (g *gen) measures() []*expr {
	var out []*expr
	seen := map[*schema.Measure]bool{}
	add := func(e *expr) {
		if e != nil && e.kind == exprMeasure && !seen[e.meas] {
			seen[e.meas] = true
			out = append(out, e)
		}
	}
	for _, e := range g.q.items {
		add(e)
	}
	var walk func(c *cond)
	walk = func(c *cond) {
		if c == nil {
			return
		}
		add(c.left)
		add(c.right)
		for _, k := range c.kids {
			walk(k)
		}
	}
	walk(g.q.having)
	for _, o := range g.q.order {
		add(o.e)
	}
	return out
}

func (g *gen) simpleSQL() (string, error) {
	q := g.q
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, e := range q.items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(g.out(e))
	}
	b.WriteString(" FROM ")
	g.from(&b)
	if q.where != nil {
		b.WriteString(" WHERE ")
		b.WriteString(g.cond(q.where, g.filterRef))
	}
	if q.grouped && len(q.group) > 0 {
		b.WriteString(" GROUP BY ")
		for i, e := range q.group {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(g.out(e))
		}
	}
	if q.having != nil {
		b.WriteString(" HAVING ")
		b.WriteString(g.cond(q.having, g.filterRef))
	}
	g.orderLimit(&b, g.out)
	return b.String(), nil
}

func (g *gen) orderLimit(b *strings.Builder, ref func(*expr) string) {
	q := g.q
	for i, o := range q.order {
		if i == 0 {
			b.WriteString(" ORDER BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(g.d.OrderBy(ref(o.e), o.desc, o.nullsFirst))
	}
	var limit, offset string
	if q.limit != nil {
		limit = g.value(q.limit, nil)
	}
	if q.offset != nil {
		offset = g.value(q.offset, nil)
	}
	b.WriteString(g.d.Limit(limit, offset))
}

func (g *gen) from(b *strings.Builder) {
	b.WriteString(g.table(g.tree.root))
	for _, st := range g.tree.steps {
		b.WriteString(" LEFT JOIN ")
		b.WriteString(g.table(st.To()))
		b.WriteString(" ON ")
		b.WriteString(g.tmpl(st.Join.SQL, st.Join.From))
	}
}

func (g *gen) table(c *schema.Cube) string {
	if c.SQLTable != "" {
		return c.SQLTable + " AS " + g.d.Quote(c.Name)
	}
	return "(" + g.tmpl(c.SQL, c) + ") AS " + g.d.Quote(c.Name)
}

// fanOutSQL aggregates each multiplied cube's additive measures in its own
// subquery over the distinct (dimensions, primary key) pairs of the joined
// rows, then joins those to the main aggregate on the dimensions.
func (g *gen) fanOutSQL() (string, error) {
	q, d := g.q, g.d
	type sub struct {
		cube  *schema.Cube
		alias string
		meas  []*expr
	}
	main := &sub{alias: "q0"}
	subs := []*sub{}
	where := func(b *strings.Builder) {
		if q.where != nil {
			b.WriteString(" WHERE ")
			b.WriteString(g.cond(q.where, g.filterRef))
		}
	}
	for _, m := range g.measures() {
		if !g.needsKeys(m) {
			main.meas = append(main.meas, m)
			continue
		}
		var s *sub
		for _, have := range subs {
			if have.cube == m.cube {
				s = have
			}
		}
		if s == nil {
			if len(m.cube.PrimaryKeys()) == 0 {
				return "", notSupported("cube %s needs a primary key to aggregate %s across this join", m.cube.Name, m.meas.Name).
					WithHint("declare primary_key: true on a dimension of %s", m.cube.Name)
			}
			s = &sub{cube: m.cube, alias: "q" + strconv.Itoa(len(subs)+1)}
			subs = append(subs, s)
		}
		s.meas = append(s.meas, m)
	}
	var b strings.Builder
	refs := map[string]string{} // groupKey → outer column
	for i, e := range q.group {
		refs[e.groupKey()] = "q0." + d.Quote("d"+strconv.Itoa(i))
	}
	hasMain := len(q.group) > 0 || len(main.meas) > 0
	var parts []string
	if hasMain {
		for i, m := range main.meas {
			refs[m.groupKey()] = "q0." + d.Quote("m"+strconv.Itoa(i))
		}
		var s strings.Builder
		s.WriteString("SELECT ")
		n := 0
		for i, e := range q.group {
			if n > 0 {
				s.WriteString(", ")
			}
			n++
			s.WriteString(g.out(e) + " AS " + d.Quote("d"+strconv.Itoa(i)))
		}
		for i, m := range main.meas {
			if n > 0 {
				s.WriteString(", ")
			}
			n++
			s.WriteString(g.agg(m.meas) + " AS " + d.Quote("m"+strconv.Itoa(i)))
		}
		s.WriteString(" FROM ")
		g.from(&s)
		where(&s)
		if len(q.group) > 0 {
			s.WriteString(" GROUP BY ")
			for i, e := range q.group {
				if i > 0 {
					s.WriteString(", ")
				}
				s.WriteString(g.out(e))
			}
		}
		parts = append(parts, "("+s.String()+") AS q0")
	}
	for _, sb := range subs {
		c := sb.cube
		pks := c.PrimaryKeys()
		var keys strings.Builder
		keys.WriteString("SELECT DISTINCT ")
		for i, e := range q.group {
			keys.WriteString(g.out(e) + " AS " + d.Quote("d"+strconv.Itoa(i)) + ", ")
		}
		for i, pk := range pks {
			if i > 0 {
				keys.WriteString(", ")
			}
			keys.WriteString(g.tmpl(pk.SQL, c) + " AS " + d.Quote("k"+strconv.Itoa(i)))
		}
		keys.WriteString(" FROM ")
		g.from(&keys)
		where(&keys)

		var s strings.Builder
		s.WriteString("SELECT ")
		for i := range q.group {
			col := d.Quote("d" + strconv.Itoa(i))
			s.WriteString("k." + col + " AS " + col + ", ")
		}
		prev := g.star
		g.star = c
		for i, m := range sb.meas {
			if i > 0 {
				s.WriteString(", ")
			}
			s.WriteString(g.agg(m.meas) + " AS " + d.Quote("m"+strconv.Itoa(i)))
			ref := sb.alias + "." + d.Quote("m"+strconv.Itoa(i))
			if m.meas.Type == schema.Count {
				ref = "COALESCE(" + ref + ", 0)"
			}
			refs[m.groupKey()] = ref
		}
		g.star = prev
		s.WriteString(" FROM (" + keys.String() + ") AS k INNER JOIN " + g.table(c) + " ON ")
		for i, pk := range pks {
			if i > 0 {
				s.WriteString(" AND ")
			}
			s.WriteString(g.tmpl(pk.SQL, c) + " = k." + d.Quote("k"+strconv.Itoa(i)))
		}
		if len(q.group) > 0 {
			s.WriteString(" GROUP BY ")
			for i := range q.group {
				if i > 0 {
					s.WriteString(", ")
				}
				s.WriteString("k." + d.Quote("d"+strconv.Itoa(i)))
			}
		}
		part := "(" + s.String() + ") AS " + sb.alias
		if len(parts) == 0 {
			parts = append(parts, part)
			continue
		}
		if !hasMain || len(q.group) == 0 {
			parts = append(parts, " CROSS JOIN "+part)
			continue
		}
		on := make([]string, len(q.group))
		for i := range q.group {
			col := d.Quote("d" + strconv.Itoa(i))
			on[i] = d.NullSafeEqual("q0."+col, sb.alias+"."+col)
		}
		parts = append(parts, " LEFT JOIN "+part+" ON "+strings.Join(on, " AND "))
	}
	ref := func(e *expr) string {
		if r, ok := refs[e.groupKey()]; ok {
			return r
		}
		if r, ok := refs[baseKey(e)]; ok && e.kind == exprDimension {
			if e.cast == "text" {
				r = d.ExactString(d.Text(r))
			}
			if e.fn != "" {
				r = e.fn + "(" + r + ")"
			}
			return r
		}
		return g.out(e) // constants
	}
	b.WriteString("SELECT ")
	for i, e := range q.items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ref(e))
	}
	b.WriteString(" FROM ")
	for _, p := range parts {
		b.WriteString(p)
	}
	if q.having != nil {
		b.WriteString(" WHERE ")
		b.WriteString(g.cond(q.having, func(e *expr) string {
			if e.kind == exprMeasure {
				return ref(e)
			}
			return g.filterRef(e)
		}))
	}
	g.orderLimit(&b, ref)
	return b.String(), nil
}

// out renders an expression as a result column.
func (g *gen) out(e *expr) string {
	d := g.d
	switch e.kind {
	case exprDimension:
		s := g.dimBase(e)
		switch {
		case e.cast == "text":
			s = d.Text(s)
		case e.cast == "date":
			s = "CAST(" + s + " AS DATE)"
		case e.dim.Type == schema.Boolean:
			s = d.Bool(s)
		}
		if exprOID(e) == oidText {
			// Selected, grouped and ordered by exact characters, even
			// after a cast to text (which takes MySQL's default collation).
			s = d.ExactString(s)
		}
		if e.fn != "" {
			s = e.fn + "(" + s + ")"
		}
		return s
	case exprSegment:
		return d.Bool("(" + g.tmpl(e.seg.SQL, e.cube) + ")")
	case exprMeasure:
		if g.q.grouped {
			return g.agg(e.meas)
		}
		return g.perRow(e.meas)
	case exprNull:
		return "NULL"
	}
	return g.value(e, nil)
}

// dimBase is a dimension's value: time dimensions truncated or normalized
// to a timestamp without zone.
func (g *gen) dimBase(e *expr) string {
	s := g.tmpl(e.dim.SQL, e.cube)
	if e.dim.Type == schema.Time {
		if e.tz != "" {
			// The binder already asked the dialect, so this cannot fail.
			s, _ = g.d.FromUTC(s, e.tz)
		}
		if e.gran != "" {
			return g.d.TimeTrunc(e.gran, s)
		}
		return g.d.Timestamp(s)
	}
	return s
}

// filterRef renders an expression on the left of a filter.
func (g *gen) filterRef(e *expr) string {
	switch e.kind {
	case exprDimension:
		if e.dim.Type == schema.Time && e.gran == "" && e.cast == "" && e.tz == "" {
			return g.tmpl(e.dim.SQL, e.cube) // keep the column bare so indexes apply
		}
		s := g.dimBase(e)
		switch e.cast {
		case "text":
			s = g.d.Text(s)
		case "date":
			s = "CAST(" + s + " AS DATE)"
		}
		if e.fn != "" {
			s = e.fn + "(" + s + ")"
		}
		return s
	case exprSegment:
		return "(" + g.tmpl(e.seg.SQL, e.cube) + ")"
	case exprMeasure:
		return g.agg(e.meas)
	}
	return g.value(e, nil)
}

// value renders a literal or parameter; compared with a time member it
// becomes a timestamp.
func (g *gen) value(e *expr, with *expr) string {
	var s string
	switch e.kind {
	case exprParam:
		g.args = append(g.args, e.num-1)
		s = g.d.Placeholder(len(g.args))
	case exprConst:
		switch e.lk {
		case constString:
			s = g.d.String(e.lit)
		default:
			s = e.lit
		}
	case exprTime:
		s = g.timeValue(e.tv)
		if with != nil && with.cast == "date" {
			return "CAST(" + s + " AS DATE)"
		}
		return s
	default:
		return g.filterRef(e)
	}
	if with != nil && isTime(with) && e.lk != constNull {
		if with.cast == "date" {
			return "CAST(" + s + " AS DATE)"
		}
		return g.d.Timestamp(s)
	}
	return s
}

func isTime(e *expr) bool {
	return e.kind == exprDimension && e.dim.Type == schema.Time && e.cast != "text"
}

func isString(e *expr) bool {
	return exprOID(e) == oidText && e.kind != exprConst && e.kind != exprParam
}

// cond renders a filter tree; ref renders its member operands.
func (g *gen) cond(c *cond, ref func(*expr) string) string {
	d := g.d
	switch c.op {
	case condAnd, condOr:
		sep := " AND "
		if c.op == condOr {
			sep = " OR "
		}
		parts := make([]string, len(c.kids))
		for i, k := range c.kids {
			parts[i] = g.cond(k, ref)
		}
		return "(" + strings.Join(parts, sep) + ")"
	case condNot:
		return "NOT (" + g.cond(c.kids[0], ref) + ")"
	case condConst:
		return c.cmp
	case condNull:
		if c.not {
			return ref(c.left) + " IS NOT NULL"
		}
		return ref(c.left) + " IS NULL"
	case condBool:
		l := ref(c.left)
		if c.cmp == "" {
			return l
		}
		if c.not {
			return l + " IS NOT " + c.cmp
		}
		return l + " IS " + c.cmp
	}
	l := ref(c.left)
	opnd := func(e *expr) string {
		if isValue(e) {
			return g.value(e, c.left)
		}
		return ref(e)
	}
	switch c.op {
	case condCompare:
		r := opnd(c.right)
		if isString(c.left) {
			return d.StringCompare(l, c.cmp, r)
		}
		return l + " " + c.cmp + " " + r
	case condIn:
		vals := make([]string, len(c.args))
		for i, a := range c.args {
			vals[i] = opnd(a)
		}
		op := "IN"
		if c.not {
			op = "NOT IN"
		}
		list := "(" + strings.Join(vals, ", ") + ")"
		if isString(c.left) {
			return d.StringCompare(l, op, list)
		}
		return l + " " + op + " " + list
	case condLike:
		if c.ilike {
			return d.ILike(l, opnd(c.right), c.not)
		}
		return d.Like(l, opnd(c.right), c.not)
	case condBetween:
		op := "BETWEEN"
		if c.not {
			op = "NOT BETWEEN"
		}
		r := opnd(c.args[0]) + " AND " + opnd(c.args[1])
		if isString(c.left) {
			return "(" + d.StringCompare(l, op, r) + ")"
		}
		return "(" + l + " " + op + " " + r + ")"
	}
	return "TRUE"
}

// tmpl renders a model SQL template for cube c.
func (g *gen) tmpl(t schema.Template, c *schema.Cube) string {
	if len(t.Parts) == 0 {
		return bareColumn(g.d, t.Source, c)
	}
	if len(t.Parts) == 1 && t.Parts[0].Kind == schema.TextPart {
		return bareColumn(g.d, t.Parts[0].Text, c)
	}
	var b strings.Builder
	for _, p := range t.Parts {
		switch p.Kind {
		case schema.TextPart:
			b.WriteString(p.Text)
		case schema.CubePart:
			b.WriteString(g.d.Quote(p.Cube.Name))
		case schema.MemberPart:
			switch m := p.Member.(type) {
			case *schema.Dimension:
				b.WriteString(paren(g.tmpl(m.SQL, m.Cube)))
			case *schema.Segment:
				b.WriteString("(" + g.tmpl(m.SQL, m.Cube) + ")")
			case *schema.Measure:
				// Measures inside a number measure: exact decimals, so that
				// division means the same on every backend.
				b.WriteString(g.d.Decimal(g.agg(m), 30))
			}
		}
	}
	return b.String()
}

// bareColumn qualifies a template that is just a column name, as Cube
// does, so that joined cubes never make it ambiguous.
func bareColumn(d dialect.Dialect, s string, c *schema.Cube) string {
	if s == "" || c == nil {
		return s
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch == '_' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || i > 0 && ch >= '0' && ch <= '9') {
			return s
		}
	}
	switch strings.ToLower(s) {
	case "null", "true", "false", "current_date", "current_timestamp", "now":
		return s
	}
	return d.Quote(c.Name) + "." + s
}

func paren(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return "(" + s + ")"
		}
	}
	return s
}

// agg renders a measure's aggregate.
func (g *gen) agg(m *schema.Measure) string {
	d := g.d
	if m.Type == schema.Number {
		return d.Decimal(g.tmpl(m.SQL, m.Cube), 10)
	}
	val := ""
	if !m.SQL.IsEmpty() {
		val = g.tmpl(m.SQL, m.Cube)
	} else if m.Cube != g.star {
		if pks := m.Cube.PrimaryKeys(); len(pks) > 0 {
			val = g.tmpl(pks[0].SQL, m.Cube) // rows of a joined cube that exist
		}
	}
	if val != "" && (m.Type == schema.CountDistinct || m.Type == schema.CountDistinctApprox) && g.stringDimension(m.Cube, val) {
		val = d.ExactString(val) // count 'Apple' and 'apple' apart
	}
	filter := g.filters(m)
	if m.Type == schema.Count {
		switch {
		case filter != "" && val == "":
			return "COUNT(CASE WHEN " + filter + " THEN 1 END)"
		case filter != "":
			return "COUNT(CASE WHEN " + filter + " THEN " + val + " END)"
		case val == "":
			return "COUNT(*)"
		}
		return "COUNT(" + val + ")"
	}
	if filter != "" {
		val = "CASE WHEN " + filter + " THEN " + val + " END"
	}
	switch m.Type {
	case schema.CountDistinct, schema.CountDistinctApprox:
		return "COUNT(DISTINCT " + val + ")"
	case schema.Sum:
		return "SUM(" + val + ")"
	case schema.Avg:
		return d.Avg(val)
	case schema.Min:
		return "MIN(" + val + ")"
	case schema.Max:
		return "MAX(" + val + ")"
	}
	return "NULL"
}

// stringDimension reports whether the rendered SQL val is the value of a
// string dimension of cube c (the same column, or {dimension}): only then
// does the planner know that a measure counts strings.
func (g *gen) stringDimension(c *schema.Cube, val string) bool {
	for _, dim := range c.Dimensions {
		if dim.Type == schema.String && g.tmpl(dim.SQL, c) == val {
			return true
		}
	}
	return false
}

func (g *gen) filters(m *schema.Measure) string {
	if len(m.Filters) == 0 {
		return ""
	}
	parts := make([]string, len(m.Filters))
	for i, f := range m.Filters {
		parts[i] = "(" + g.tmpl(f, m.Cube) + ")"
	}
	return strings.Join(parts, " AND ")
}

// perRow renders a measure in an ungrouped query: its value for one row.
func (g *gen) perRow(m *schema.Measure) string {
	filter := g.filters(m)
	val := ""
	if !m.SQL.IsEmpty() {
		val = g.tmpl(m.SQL, m.Cube)
	}
	switch m.Type {
	case schema.Count, schema.CountDistinct, schema.CountDistinctApprox:
		c := filter
		if val != "" {
			if c != "" {
				c += " AND "
			}
			c += val + " IS NOT NULL"
		}
		if c == "" {
			return "1"
		}
		return "CASE WHEN " + c + " THEN 1 ELSE 0 END"
	}
	if filter != "" {
		val = "CASE WHEN " + filter + " THEN " + val + " END"
	}
	if m.Type == schema.Avg {
		return g.d.Decimal(val, 10)
	}
	return val
}
