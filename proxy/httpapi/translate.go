package httpapi

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

const (
	// DefaultLimit is the row limit of a query without one, as Cube's.
	DefaultLimit = 10000
	// MaxLimit is the largest limit a query may ask for, as Cube's.
	MaxLimit = 50000
)

var granularities = []string{"second", "minute", "hour", "day", "week", "month", "quarter", "year"}

// memberName is Cube's member path syntax: it also guarantees that the
// names quoted into the semantic SQL are plain identifiers.
var memberName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$`)

// colKind says how a result column's text becomes JSON.
type colKind uint8

const (
	colString colKind = iota // strings and numbers: JSON strings, as Cube
	colTime                  // Cube's local ISO time
	colBool                  // JSON true/false
)

// column is one column of the semantic SELECT and the result keys it
// fills (a time dimension with granularity fills cube.dim.gran and, for
// compatibility, cube.dim).
type column struct {
	keys    []string
	kind    colKind
	measure bool
}

// compiled is a normalized query and its semantic SQL.
type compiled struct {
	query  *Query
	sql    string
	params []*string // $n values, nil for SQL NULL (never used: NULLs become IS NULL)
	cols   []column
	ann    annotation
	// usesNow: a relative date range was resolved against the clock, so
	// the result must not be cached.
	usesNow bool
	// The response's query and annotation, marshaled once.
	queryJSON, annJSON json.RawMessage
}

// resolved is one member of the query.
type resolved struct {
	cube *schema.Cube
	m    *schema.Measure
	d    *schema.Dimension
	s    *schema.Segment
}

func (r resolved) id() string {
	switch {
	case r.m != nil:
		return r.cube.Name + "." + r.m.Name
	case r.d != nil:
		return r.cube.Name + "." + r.d.Name
	}
	return r.cube.Name + "." + r.s.Name
}

func (r resolved) sqlRef() string {
	name := ""
	switch {
	case r.m != nil:
		name = r.m.Name
	case r.d != nil:
		name = r.d.Name
	default:
		name = r.s.Name
	}
	return quoteIdent(r.cube.Name) + "." + quoteIdent(name)
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// compiler builds one query's SQL.
type compiler struct {
	usesNow bool
	model   *schema.Model
	now     time.Time
	// loc is the query's timezone; zone is its name when it is not UTC,
	// and every time dimension reference is then converted to it.
	loc    *time.Location
	zone   string
	cubes  []string
	params []*string
}

// timeRef is a time dimension as local time in the query's timezone: the
// planner's AT TIME ZONE, so granularities truncate and date filters
// compare in that zone, and results are local times.
func (c *compiler) timeRef(r resolved) string {
	if c.zone == "" {
		return r.sqlRef()
	}
	return r.sqlRef() + " AT TIME ZONE '" + strings.ReplaceAll(c.zone, "'", "''") + "'"
}

// queryZone checks a query's timezone (an IANA name, UTC when empty) and
// returns its location and the name to convert to ("" for UTC itself).
func queryZone(tz string) (*time.Location, string, error) {
	switch strings.ToUpper(tz) {
	case "", "UTC", "ETC/UTC":
		return time.UTC, "", nil
	}
	// LoadLocation also takes "Local" (the server's zone), not a zone name.
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return nil, "", badQuery("invalid query format: unknown timezone %q (use an IANA name such as America/New_York)", tz)
	}
	return loc, tz, nil
}

func (c *compiler) lookup(id, want string) (resolved, error) {
	if !memberName.MatchString(id) {
		return resolved{}, badQuery("invalid query format: %q is not a member name (cube.member)", id)
	}
	cubeName, name, _ := strings.Cut(id, ".")
	cube := c.model.Cube(cubeName)
	if cube == nil || !cube.Public {
		return resolved{}, pgerr.New(pgerr.UndefinedTable, "cube %q not found for path %q", cubeName, id)
	}
	r := resolved{cube: cube}
	switch x := cube.Member(name).(type) {
	case *schema.Measure:
		r.m = x
		if !x.Public {
			return resolved{}, pgerr.New(pgerr.UndefinedColumn, "%q not found for path %q", name, id)
		}
	case *schema.Dimension:
		r.d = x
		if !x.Public {
			return resolved{}, pgerr.New(pgerr.UndefinedColumn, "%q not found for path %q", name, id)
		}
	case *schema.Segment:
		r.s = x
		if !x.Public {
			return resolved{}, pgerr.New(pgerr.UndefinedColumn, "%q not found for path %q", name, id)
		}
	default:
		return resolved{}, pgerr.New(pgerr.UndefinedColumn, "%q not found for path %q", name, id)
	}
	ok := want == "" || want == "measure" && r.m != nil || want == "dimension" && r.d != nil ||
		want == "segment" && r.s != nil || want == "time" && r.d != nil && r.d.Type == schema.Time
	if !ok {
		what := want
		if want == "time" {
			what = "time dimension"
		}
		return resolved{}, badQuery("%q is not a %s", id, what)
	}
	if !slices.Contains(c.cubes, r.cube.Name) {
		c.cubes = append(c.cubes, r.cube.Name)
	}
	return r, nil
}

// param adds a parameter and returns its marker.
func (c *compiler) param(v string) string {
	c.params = append(c.params, &v)
	return fmt.Sprintf("$%d", len(c.params))
}

// compile normalizes q against model and writes its semantic SQL: cubes
// are tables joined by CROSS JOIN (the model's joins), measures are
// MEASURE(cube.m), time dimensions DATE_TRUNC, segments boolean columns
// in WHERE; every client value is a $n parameter.
func compile(model *schema.Model, q *Query, now time.Time) (*compiled, error) {
	if q.CompareDateRange() {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "compareDateRange is not supported")
	}
	loc, zone, err := queryZone(q.Timezone)
	if err != nil {
		return nil, err
	}
	// Relative date ranges ("today") are days of the query's timezone.
	now = now.In(loc)
	c := &compiler{model: model, now: now, loc: loc, zone: zone}
	tz := "UTC"
	if zone != "" {
		tz = zone
	}
	if q.ResponseFormat != "" && q.ResponseFormat != "default" {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "responseFormat %q is not supported", q.ResponseFormat)
	}
	n := &Query{Measures: []string{}, Dimensions: []string{}, Segments: []string{}, TimeDimensions: []TimeDimension{},
		Filters: []Filter{}, Timezone: tz, Ungrouped: q.Ungrouped}

	var selects []string
	var cols []column
	keyCol := map[string]int{}
	addCol := func(expr string, col column) {
		if i := slices.Index(selects, expr); i >= 0 {
			for _, k := range col.keys {
				if _, ok := keyCol[k]; !ok {
					keyCol[k] = i
					cols[i].keys = append(cols[i].keys, k)
				}
			}
			return
		}
		selects = append(selects, expr)
		for _, k := range col.keys {
			if _, ok := keyCol[k]; !ok {
				keyCol[k] = len(cols)
			}
		}
		cols = append(cols, col)
	}
	ann := newAnnotation()

	var timeDims []TimeDimension
	for _, id := range q.Dimensions {
		// cube.dim.granularity is a time dimension, as Cube reads it.
		if parts := strings.Split(id, "."); len(parts) == 3 {
			timeDims = append(timeDims, TimeDimension{Dimension: parts[0] + "." + parts[1], Granularity: parts[2]})
			continue
		}
		r, err := c.lookup(id, "dimension")
		if err != nil {
			return nil, err
		}
		n.Dimensions = append(n.Dimensions, r.id())
		ref := r.sqlRef()
		if r.d.Type == schema.Time {
			ref = c.timeRef(r)
		}
		addCol(ref, column{keys: []string{r.id()}, kind: dimKind(r.d)})
		ann.dimension(r)
	}
	var where, having []string
	for _, td := range append(slices.Clone(q.TimeDimensions), timeDims...) {
		r, err := c.lookup(td.Dimension, "time")
		if err != nil {
			return nil, err
		}
		out := TimeDimension{Dimension: r.id(), Granularity: td.Granularity}
		if td.Granularity != "" {
			if !slices.Contains(granularities, td.Granularity) {
				return nil, badQuery("invalid query format: granularity %q must be one of %s", td.Granularity, strings.Join(granularities, ", "))
			}
			key := r.id() + "." + td.Granularity
			keys := []string{key}
			if !slices.Contains(n.Dimensions, r.id()) {
				keys = append(keys, r.id())
			}
			addCol("DATE_TRUNC('"+td.Granularity+"', "+c.timeRef(r)+")", column{keys: keys, kind: colTime})
			ann.timeDimension(r, td.Granularity, !slices.Contains(n.Dimensions, r.id()))
		}
		if !td.DateRange.IsZero() {
			c.usesNow = c.usesNow || td.DateRange.Relative != ""
			rng, err := resolveDateRange(td.DateRange, now)
			if err != nil {
				return nil, err
			}
			out.DateRange = DateRange{Pair: rng[:]}
			x := c.timeRef(r)
			where = append(where, x+" >= "+c.param(rng[0])+" AND "+x+" <= "+c.param(rng[1]))
		}
		n.TimeDimensions = append(n.TimeDimensions, out)
	}
	for _, id := range q.Measures {
		r, err := c.lookup(id, "measure")
		if err != nil {
			return nil, err
		}
		n.Measures = append(n.Measures, r.id())
		expr := "MEASURE(" + r.sqlRef() + ")"
		if q.Ungrouped {
			expr = r.sqlRef()
		}
		addCol(expr, column{keys: []string{r.id()}, measure: true})
		ann.measure(r)
	}
	if len(selects) == 0 {
		return nil, badQuery("query should contain either measures, dimensions or timeDimensions with granularities in order to be valid")
	}
	for _, id := range q.Segments {
		r, err := c.lookup(id, "segment")
		if err != nil {
			return nil, err
		}
		n.Segments = append(n.Segments, r.id())
		where = append(where, r.sqlRef())
		ann.segment(r)
	}
	for _, f := range q.Filters {
		nf, cond, isMeasure, err := c.filter(f, 0)
		if err != nil {
			return nil, err
		}
		n.Filters = append(n.Filters, nf)
		if isMeasure {
			if q.Ungrouped {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "measure filters are not supported in ungrouped queries")
			}
			having = append(having, cond)
		} else {
			where = append(where, cond)
		}
	}

	// Order: as asked, or Cube's default (the first time dimension with
	// a granularity, else the first measure descending, else the first
	// dimension).
	order := q.Order
	if order == nil {
		switch {
		case hasGranularity(n.TimeDimensions):
			for _, td := range n.TimeDimensions {
				if td.Granularity != "" {
					order = Order{{ID: td.Dimension + "." + td.Granularity}}
					break
				}
			}
		case len(n.Measures) > 0:
			order = Order{{ID: n.Measures[0], Desc: true}}
		case len(n.Dimensions) > 0:
			order = Order{{ID: n.Dimensions[0]}}
		}
	}
	n.Order = Order{}
	var orderBy []string
	for _, it := range order {
		i, ok := keyCol[it.ID]
		if !ok {
			// Accept a differently-cased spelling of a selected member.
			r, err := c.lookup(it.ID, "")
			if err == nil {
				i, ok = keyCol[r.id()]
			}
			if !ok {
				return nil, badQuery("order member %q is not in the query: order by measures, dimensions or time dimensions it selects", it.ID)
			}
		}
		n.Order = append(n.Order, OrderItem{ID: cols[i].keys[0], Desc: it.Desc})
		item := fmt.Sprint(i + 1)
		if it.Desc {
			item += " DESC"
		}
		orderBy = append(orderBy, item)
	}

	limit := int64(DefaultLimit)
	if q.Limit != nil {
		limit = *q.Limit
	} else if q.RowLimit != nil {
		limit = *q.RowLimit
	}
	if limit < 1 {
		return nil, badQuery("invalid query format: limit must be at least 1")
	}
	if limit > MaxLimit {
		return nil, badQuery("the query limit has been exceeded: %d is over the maximum of %d", limit, MaxLimit)
	}
	n.Limit, n.RowLimit = &limit, &limit
	if q.Offset != nil {
		if *q.Offset < 0 {
			return nil, badQuery("invalid query format: offset must be 0 or more")
		}
		off := *q.Offset
		n.Offset = &off
	}

	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(strings.Join(selects, ", "))
	b.WriteString(" FROM ")
	// The first measure's cube leads the join, as the fact table: the
	// planner LEFT JOINs the others from it.
	cubes := slices.Clone(c.cubes)
	if len(n.Measures) > 0 {
		lead, _, _ := strings.Cut(n.Measures[0], ".")
		i := slices.Index(cubes, lead)
		cubes = append([]string{lead}, slices.Delete(cubes, i, i+1)...)
	}
	for i, cube := range cubes {
		if i > 0 {
			b.WriteString(" CROSS JOIN ")
		}
		b.WriteString(quoteIdent(cube))
	}
	if len(where) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(andAll(where))
	}
	if !q.Ungrouped {
		var groups []string
		for i, col := range cols {
			if !col.measure {
				groups = append(groups, fmt.Sprint(i+1))
			}
		}
		if len(groups) > 0 {
			b.WriteString(" GROUP BY ")
			b.WriteString(strings.Join(groups, ", "))
		}
	}
	if len(having) > 0 {
		b.WriteString(" HAVING ")
		b.WriteString(andAll(having))
	}
	if len(orderBy) > 0 {
		b.WriteString(" ORDER BY ")
		b.WriteString(strings.Join(orderBy, ", "))
	}
	// Limit and offset are integers checked above, not client text.
	b.WriteString(" LIMIT " + itoa(limit))
	if n.Offset != nil && *n.Offset > 0 {
		b.WriteString(" OFFSET " + itoa(*n.Offset))
	}
	out := &compiled{query: n, sql: b.String(), params: c.params, cols: cols, ann: ann, usesNow: c.usesNow}
	if out.queryJSON, err = json.Marshal(n); err != nil {
		return nil, pgerr.Wrap(err, pgerr.InternalError, "encoding the normalized query")
	}
	if out.annJSON, err = json.Marshal(ann); err != nil {
		return nil, pgerr.Wrap(err, pgerr.InternalError, "encoding the annotation")
	}
	return out, nil
}

// CompareDateRange reports whether a time dimension asks for one.
func (q *Query) CompareDateRange() bool {
	for _, td := range q.TimeDimensions {
		if len(td.CompareDateRange) > 0 && string(td.CompareDateRange) != "null" {
			return true
		}
	}
	return false
}

func hasGranularity(tds []TimeDimension) bool {
	return slices.ContainsFunc(tds, func(td TimeDimension) bool { return td.Granularity != "" })
}

func andAll(conds []string) string {
	if len(conds) == 1 {
		return conds[0]
	}
	return "(" + strings.Join(conds, ") AND (") + ")"
}

func dimKind(d *schema.Dimension) colKind {
	switch d.Type {
	case schema.Time:
		return colTime
	case schema.Boolean:
		return colBool
	}
	return colString
}

const maxFilterDepth = 16

// filter writes one filter or group as a condition; isMeasure says
// whether it belongs in HAVING. A group may not mix measures and
// dimensions: WHERE and HAVING cannot share one boolean expression.
func (c *compiler) filter(f Filter, depth int) (Filter, string, bool, error) {
	if depth > maxFilterDepth {
		return Filter{}, "", false, badQuery("invalid query format: filters are nested more than %d deep", maxFilterDepth)
	}
	if f.And != nil || f.Or != nil {
		if f.And != nil && f.Or != nil || f.Member != "" || f.Dimension != "" || f.Operator != "" {
			return Filter{}, "", false, badQuery("invalid query format: a filter group has either and or or, and nothing else")
		}
		items, op := f.And, " AND "
		if f.Or != nil {
			items, op = f.Or, " OR "
		}
		if len(items) == 0 {
			return Filter{}, "", false, badQuery("invalid query format: an empty and/or filter group")
		}
		var conds []string
		var out []Filter
		kind := -1
		for _, it := range items {
			nf, cond, m, err := c.filter(it, depth+1)
			if err != nil {
				return Filter{}, "", false, err
			}
			k := 0
			if m {
				k = 1
			}
			if kind >= 0 && k != kind {
				return Filter{}, "", false, pgerr.New(pgerr.FeatureNotSupported, "a filter group cannot mix measures and dimensions")
			}
			kind = k
			conds = append(conds, "("+cond+")")
			out = append(out, nf)
		}
		nf := Filter{And: out}
		if f.Or != nil {
			nf = Filter{Or: out}
		}
		return nf, strings.Join(conds, op), kind == 1, nil
	}
	id := f.Member
	if id == "" {
		id = f.Dimension
	} else if f.Dimension != "" {
		return Filter{}, "", false, badQuery("invalid query format: a filter has member or dimension, not both")
	}
	if id == "" {
		return Filter{}, "", false, badQuery("invalid query format: a filter needs a member")
	}
	if f.Operator == "" {
		return Filter{}, "", false, badQuery("operator required for filter on %q", id)
	}
	r, err := c.lookup(id, "")
	if err != nil {
		return Filter{}, "", false, err
	}
	if r.s != nil {
		return Filter{}, "", false, badQuery("%q is a segment: put it in segments, not filters", id)
	}
	nf := Filter{Member: r.id(), Operator: f.Operator, Values: f.Values}
	cond, err := c.condition(r, f.Operator, f.Values)
	if err != nil {
		return Filter{}, "", false, err
	}
	return nf, cond, r.m != nil, nil
}

func (c *compiler) condition(r resolved, op string, values Values) (string, error) {
	x := r.sqlRef()
	if r.m != nil {
		x = "MEASURE(" + x + ")"
	}
	isTime := r.d != nil && r.d.Type == schema.Time
	if isTime {
		x = c.timeRef(r)
	}
	var nonNull []string
	hasNull := false
	for _, v := range values {
		if v == nil {
			hasNull = true
			continue
		}
		nonNull = append(nonNull, *v)
	}
	need := func(n int) error {
		if len(nonNull) < n {
			return badQuery("values required for filter %q on %q", op, r.id())
		}
		return nil
	}
	timeParam := func(v string, end bool) (string, error) {
		t, err := absoluteTimeIn(v, end, c.loc)
		if err != nil {
			return "", err
		}
		return c.param(t.Format(cubeTime)), nil
	}
	value := func(v string) (string, error) {
		if isTime {
			return timeParam(v, false)
		}
		return c.param(v), nil
	}
	// params turns the filter's non-NULL values into parameter markers.
	params := func() ([]string, error) {
		ps := make([]string, len(nonNull))
		for i, v := range nonNull {
			p, err := value(v)
			if err != nil {
				return nil, err
			}
			ps[i] = p
		}
		return ps, nil
	}
	switch op {
	case "equals", "in":
		if len(nonNull) == 0 && !hasNull {
			return "", need(1)
		}
		var conds []string
		if len(nonNull) > 0 {
			ps, err := params()
			if err != nil {
				return "", err
			}
			if len(ps) == 1 {
				conds = append(conds, x+" = "+ps[0])
			} else {
				conds = append(conds, x+" IN ("+strings.Join(ps, ", ")+")")
			}
		}
		if hasNull {
			conds = append(conds, x+" IS NULL")
		}
		return strings.Join(conds, " OR "), nil
	case "notEquals", "notIn":
		if len(nonNull) == 0 && !hasNull {
			return "", need(1)
		}
		if len(nonNull) == 0 {
			return x + " IS NOT NULL", nil
		}
		ps, err := params()
		if err != nil {
			return "", err
		}
		cond := x + " <> " + ps[0]
		if len(ps) > 1 {
			cond = x + " NOT IN (" + strings.Join(ps, ", ") + ")"
		}
		if hasNull {
			return cond + " AND " + x + " IS NOT NULL", nil
		}
		// As Cube: a NULL is not equal to the values, so it passes.
		return cond + " OR " + x + " IS NULL", nil
	case "contains", "notContains", "startsWith", "notStartsWith", "endsWith", "notEndsWith":
		if err := need(1); err != nil {
			return "", err
		}
		if r.m != nil {
			return "", badQuery("operator %s does not apply to measure %q", op, r.id())
		}
		not := strings.HasPrefix(op, "not")
		var conds []string
		for _, v := range nonNull {
			pat := likeEscape(v)
			switch strings.TrimPrefix(strings.ToLower(op), "not") {
			case "contains":
				pat = "%" + pat + "%"
			case "startswith":
				pat = pat + "%"
			case "endswith":
				pat = "%" + pat
			}
			if not {
				conds = append(conds, x+" NOT ILIKE "+c.param(pat))
			} else {
				conds = append(conds, x+" ILIKE "+c.param(pat))
			}
		}
		if not {
			return "(" + strings.Join(conds, " AND ") + ") OR " + x + " IS NULL", nil
		}
		return strings.Join(conds, " OR "), nil
	case "gt", "gte", "lt", "lte":
		if err := need(1); err != nil {
			return "", err
		}
		p, err := value(nonNull[0])
		if err != nil {
			return "", err
		}
		return x + " " + map[string]string{"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op] + " " + p, nil
	case "set":
		return x + " IS NOT NULL", nil
	case "notSet":
		return x + " IS NULL", nil
	case "inDateRange", "notInDateRange", "beforeDate", "beforeOrOnDate", "afterDate", "afterOrOnDate", "onTheDate":
		if !isTime {
			return "", badQuery("operator %s needs a time dimension, and %q is not one", op, r.id())
		}
		switch op {
		case "inDateRange", "notInDateRange":
			if len(nonNull) != 2 {
				return "", badQuery("%s on %q takes two dates, got %d", op, r.id(), len(nonNull))
			}
			from, err := timeParam(nonNull[0], false)
			if err != nil {
				return "", err
			}
			to, err := timeParam(nonNull[1], true)
			if err != nil {
				return "", err
			}
			if op == "inDateRange" {
				return x + " >= " + from + " AND " + x + " <= " + to, nil
			}
			return x + " < " + from + " OR " + x + " > " + to, nil
		case "onTheDate":
			if err := need(1); err != nil {
				return "", err
			}
			from, err := timeParam(nonNull[0], false)
			if err != nil {
				return "", err
			}
			to, err := timeParam(nonNull[0], true)
			if err != nil {
				return "", err
			}
			return x + " >= " + from + " AND " + x + " <= " + to, nil
		}
		if err := need(1); err != nil {
			return "", err
		}
		// before: earlier than the start of the value; after: later than
		// its end (a date alone is its whole day).
		switch op {
		case "beforeDate":
			p, err := timeParam(nonNull[0], false)
			return x + " < " + p, err
		case "beforeOrOnDate":
			p, err := timeParam(nonNull[0], true)
			return x + " <= " + p, err
		case "afterDate":
			p, err := timeParam(nonNull[0], true)
			return x + " > " + p, err
		default:
			p, err := timeParam(nonNull[0], false)
			return x + " >= " + p, err
		}
	case "measureFilter":
		return "", pgerr.New(pgerr.FeatureNotSupported, "operator measureFilter is not supported")
	}
	return "", badQuery("operator %q not supported for filter on %q", op, r.id())
}

// likeEscape makes a value match literally inside a LIKE pattern; both
// backends use backslash as the default escape.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
