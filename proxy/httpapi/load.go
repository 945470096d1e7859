package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy"
)

const (
	regularQuery  = "regularQuery"
	blendingQuery = "blendingQuery"
	frontend      = "http"
)

// result is one query's answer, as Cube's load returns it.
type result struct {
	Query               json.RawMessage `json:"query"`
	LastRefreshTime     string          `json:"lastRefreshTime"`
	RefreshKeyValues    []any           `json:"refreshKeyValues"`
	UsedPreAggregations map[string]any  `json:"usedPreAggregations"`
	Transformed         any             `json:"transformedQuery"`
	RequestID           string          `json:"requestId,omitempty"`
	Annotation          json.RawMessage `json:"annotation"`
	DataSource          string          `json:"dataSource"`
	DBType              string          `json:"dbType"`
	ExtDBType           string          `json:"extDbType"`
	External            bool            `json:"external"`
	SlowQuery           bool            `json:"slowQuery"`
	Total               *int64          `json:"total"`
	Data                json.RawMessage `json:"data"`
}

type multiResult struct {
	QueryType  string    `json:"queryType"`
	Results    []*result `json:"results"`
	PivotQuery *Query    `json:"pivotQuery"`
	SlowQuery  bool      `json:"slowQuery"`
}

// prepared is an authenticated request's tenant and compiled queries.
type prepared struct {
	tenant    *tenancy.Tenant
	dialect   dialect.Dialect
	queries   []*compiled
	queryType string
}

// prepare authenticates r, reads and compiles its query for the tenant.
// The caller releases p.tenant when p is not nil.
func (s *Server) prepare(w http.ResponseWriter, r *http.Request) (*prepared, string, error) {
	raw, qt, err := s.readQuery(w, r)
	if err != nil {
		return nil, "", err
	}
	t, err := s.tenant(r)
	if err != nil {
		return nil, "", err
	}
	p := &prepared{tenant: t, queryType: regularQuery}
	fail := func(err error) (*prepared, string, error) {
		t.Release()
		return nil, "", err
	}
	if p.dialect, err = dialect.ForDBType(t.DBType); err != nil {
		return fail(pgerr.Wrap(err, pgerr.InternalError, "tenant has an unknown db_type %q", t.DBType))
	}
	key := compiledKey{model: t.App.Model, dialect: p.dialect.Name(), raw: string(raw)}
	if cq, ok := s.queries.get(key); ok {
		p.queries = cq.queries
	} else {
		req, err := parseQuery(raw)
		if err != nil {
			return fail(err)
		}
		now := s.now()
		cacheable := len(raw) <= maxCachedQuery
		for _, q := range req.Queries {
			c, err := compile(t.App.Model, q, now)
			if err != nil {
				return fail(err)
			}
			cacheable = cacheable && !c.usesNow
			p.queries = append(p.queries, c)
		}
		if cacheable {
			s.queries.put(key, cachedQuery{queries: p.queries})
		}
	}
	if len(p.queries) > 1 {
		p.queryType = blendingQuery
		g := ""
		for i, c := range p.queries {
			td := firstGranular(c.query)
			if td == nil {
				return fail(badQuery("a data blending query needs a time dimension with a granularity in each query"))
			}
			if i == 0 {
				g = td.Granularity
			} else if td.Granularity != g {
				return fail(badQuery("the time dimension granularities of a data blending query must match"))
			}
		}
	}
	return p, qt, nil
}

func firstGranular(q *Query) *TimeDimension {
	for i := range q.TimeDimensions {
		if q.TimeDimensions[i].Granularity != "" {
			return &q.TimeDimensions[i]
		}
	}
	return nil
}

// pivotQuery is what Cube's client pivots a multi response by.
func pivotQuery(queryType string, qs []*compiled) *Query {
	p := *qs[0].query
	if queryType == blendingQuery {
		p = Query{Measures: []string{}, Dimensions: []string{}, Segments: []string{}, Filters: []Filter{}, Order: Order{}}
		seen := map[string]bool{}
		for _, c := range qs {
			for _, m := range c.query.Measures {
				if !seen[m] {
					seen[m] = true
					p.Measures = append(p.Measures, m)
				}
			}
			for _, d := range c.query.Dimensions {
				if !seen[d] {
					seen[d] = true
					p.Dimensions = append(p.Dimensions, d)
				}
			}
		}
		p.TimeDimensions = []TimeDimension{{Dimension: "time", Granularity: firstGranular(qs[0].query).Granularity}}
	}
	p.QueryType = queryType
	return &p
}

func (s *Server) handleLoad(w http.ResponseWriter, r *http.Request) (int, error) {
	p, qt, err := s.prepare(w, r)
	if err != nil {
		return 0, err
	}
	defer p.tenant.Release()
	if p.queryType != regularQuery && qt != "multi" {
		return 0, badQuery("'%s' query type is not supported by the client; send queryType=multi", p.queryType)
	}
	results := make([]*result, len(p.queries))
	for i, c := range p.queries {
		blendKey := ""
		if p.queryType == blendingQuery {
			blendKey = "time." + firstGranular(c.query).Granularity
		}
		res, err := s.load(r.Context(), p, c, blendKey)
		if err != nil {
			return 0, err
		}
		results[i] = res
	}
	if qt == "multi" {
		return writeJSON(w, http.StatusOK, multiResult{QueryType: p.queryType, Results: results, PivotQuery: pivotQuery(p.queryType, p.queries)})
	}
	return writeJSON(w, http.StatusOK, results[0])
}

// planOne plans a compiled query; it must be a single backend statement
// whose columns match the query's.
func (s *Server) planOne(p *prepared, c *compiled) (*planner.Statement, error) {
	start := time.Now()
	stmts, err := s.plan(p.tenant.App.Model, p.dialect, c.sql, nil)
	s.metrics.ObservePlanning(frontend, time.Since(start))
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 || stmts[0].Kind != planner.KindBackend || len(stmts[0].Columns) != len(c.cols) {
		return nil, pgerr.New(pgerr.InternalError, "the planner did not return one backend query for the JSON query")
	}
	return stmts[0], nil
}

// load runs one compiled query and shapes its rows.
func (s *Server) load(ctx context.Context, p *prepared, c *compiled, blendKey string) (res *result, err error) {
	defer func() { s.metrics.Query(frontend, err) }()
	st, err := s.planOne(p, c)
	if err != nil {
		return nil, err
	}
	args, err := bindArgs(st, c.params)
	if err != nil {
		return nil, err
	}
	if s.opts.QueryTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.QueryTimeout)
		defer cancel()
	}
	rows := rowWriter{cols: c.cols, blendKey: blendKey, buf: append(make([]byte, 0, 4096), '[')}
	start := time.Now()
	err = p.tenant.Driver.Query(ctx, st.SQL, args, rows.write)
	s.metrics.ObserveBackend(frontend, time.Since(start))
	if err != nil {
		if ctx.Err() != nil && !isPgErr(err) {
			return nil, pgerr.Wrap(err, pgerr.QueryCanceled, "canceling statement due to statement timeout")
		}
		return nil, err
	}
	if rows.err != nil {
		return nil, rows.err
	}
	rows.buf = append(rows.buf, ']')
	return &result{
		Query:               c.queryJSON,
		LastRefreshTime:     s.now().UTC().Format("2006-01-02T15:04:05.000Z"),
		RefreshKeyValues:    []any{},
		UsedPreAggregations: map[string]any{},
		Annotation:          c.annJSON,
		DataSource:          "default",
		DBType:              p.tenant.DBType,
		ExtDBType:           "cubestore",
		Data:                rows.buf,
	}, nil
}

// bindArgs turns the query's parameter texts into the Go values the
// drivers take, by the type the planner inferred for each: a value of
// the wrong type is a client error (22P02), never sent on.
func bindArgs(st *planner.Statement, params []*string) ([]any, error) {
	vals := make([]any, len(params))
	for i, p := range params {
		var oid uint32
		if i < len(st.ParamOIDs) {
			oid = st.ParamOIDs[i]
		}
		v, err := paramValue(oid, p)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	args := make([]any, len(st.Args))
	for i, idx := range st.Args {
		if idx < 0 || idx >= len(vals) {
			return nil, pgerr.New(pgerr.InternalError, "the plan refers to parameter $%d of %d", idx+1, len(vals))
		}
		args[i] = vals[idx]
	}
	return args, nil
}

func paramValue(oid uint32, p *string) (any, error) {
	if p == nil {
		return nil, nil
	}
	v := *p
	bad := func(typ string) error {
		return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", typ, v)
	}
	switch oid {
	case pgtype.TimestampOID, pgtype.TimestamptzOID, pgtype.DateOID:
		t, err := absoluteTime(v, false)
		if err != nil {
			return nil, bad("timestamp")
		}
		return t, nil
	case pgtype.BoolOID:
		b, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			return nil, bad("boolean")
		}
		return b, nil
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, bad("bigint")
		}
		return n, nil
	case pgtype.Float4OID, pgtype.Float8OID:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, bad("double precision")
		}
		return f, nil
	case pgtype.NumericOID:
		// MySQL would read "abc" as 0: check the text is a number.
		if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			return nil, bad("numeric")
		}
		return strings.TrimSpace(v), nil
	}
	return v, nil
}

// rowWriter appends backend rows to a JSON array of objects keyed by
// member, with Cube's value forms.
type rowWriter struct {
	cols     []column
	blendKey string
	buf      []byte
	n        int
	err      error
}

func (w *rowWriter) write(vals [][]byte) error {
	if len(vals) != len(w.cols) {
		w.err = pgerr.New(pgerr.InternalError, "backend returned %d columns, expected %d", len(vals), len(w.cols))
		return w.err
	}
	if w.n > 0 {
		w.buf = append(w.buf, ',')
	}
	w.n++
	w.buf = append(w.buf, '{')
	first := true
	for i, col := range w.cols {
		for _, k := range col.keys {
			if !first {
				w.buf = append(w.buf, ',')
			}
			first = false
			w.buf = appendString(w.buf, k)
			w.buf = append(w.buf, ':')
			w.buf = appendValue(w.buf, col.kind, vals[i])
		}
	}
	if w.blendKey != "" {
		for i, col := range w.cols {
			if col.kind == colTime && len(col.keys) > 0 && strings.HasSuffix(col.keys[0], "."+strings.TrimPrefix(w.blendKey, "time.")) {
				w.buf = append(w.buf, ',')
				w.buf = appendString(w.buf, w.blendKey)
				w.buf = append(w.buf, ':')
				w.buf = appendValue(w.buf, colTime, vals[i])
				break
			}
		}
	}
	w.buf = append(w.buf, '}')
	return nil
}

func appendValue(dst []byte, kind colKind, v []byte) []byte {
	if v == nil {
		return append(dst, "null"...)
	}
	switch kind {
	case colTime:
		dst = append(dst, '"')
		dst = appendCubeTime(dst, v)
		return append(dst, '"')
	case colBool:
		switch string(v) {
		case "t", "true", "1", "TRUE":
			return append(dst, "true"...)
		case "f", "false", "0", "FALSE":
			return append(dst, "false"...)
		}
	}
	return appendString(dst, string(v))
}

// appendCubeTime writes a backend timestamp ("2024-01-01 10:00:00[.123456][+00]"
// or a date) as YYYY-MM-DDTHH:mm:ss.SSS. Backends run in UTC, so a zone
// suffix is dropped.
func appendCubeTime(dst, v []byte) []byte {
	if len(v) < 10 {
		return append(dst, v...)
	}
	dst = append(dst, v[:10]...)
	rest := v[10:]
	clock := []byte("00:00:00")
	frac := []byte{}
	if len(rest) >= 9 && (rest[0] == ' ' || rest[0] == 'T') {
		clock = rest[1:9]
		rest = rest[9:]
		if len(rest) > 0 && rest[0] == '.' {
			end := 1
			for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
				end++
			}
			frac = rest[1:end]
		}
	}
	dst = append(dst, 'T')
	dst = append(dst, clock...)
	dst = append(dst, '.')
	for i := range 3 {
		if i < len(frac) {
			dst = append(dst, frac[i])
		} else {
			dst = append(dst, '0')
		}
	}
	return dst
}

// appendString appends s as a JSON string.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	if !utf8.ValidString(s) {
		b, _ := json.Marshal(s) // replaces invalid bytes with U+FFFD
		return append(dst, b...)
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
