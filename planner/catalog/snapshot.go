package catalog

import (
	"strings"
	"sync"

	"github.com/lattice-sql/lattice/schema"
)

// Well-known OIDs of a Lattice database.
const (
	pgCatalogNS   = 11
	publicNS      = 2200
	infoSchemaNS  = 13207 // as in PostgreSQL 15
	bootstrapRole = 10
	databaseOID   = 16383 // below the first user OID, so never a cube's
	firstUserOID  = 16384
)

// A relation is one entry of pg_class: a cube, or a cube's primary key index.
type relation struct {
	oid, typeOID, arrayOID uint32
	name                   string
	kind                   string // "r" table, "i" index
	cube                   *schema.Cube
	cols                   []relColumn
	pkey                   *relation        // the cube's <cube>_pkey index, or nil
	pkeyCols               []int16          // attnums of the primary key
	conOID                 uint32           // pg_constraint OID of the primary key
	attnums                map[string]int16 // column name → attnum, for CubeColumn
	table                  *relation        // for an index: its table
	description            string
}

// relColumn is one attribute of a cube table.
type relColumn struct {
	name        string
	typ         uint32
	notNull     bool
	description string
}

// A snapshot is the catalog of one model: relations with stable OIDs
// (assigned in cube order from 16384) and a cache of computed table rows.
// It is immutable once built, apart from the row cache.
type snapshot struct {
	model   *schema.Model
	rels    []*relation
	byOID   map[uint32]*relation
	byName  map[string]*relation // exact names
	byCube  map[*schema.Cube]*relation
	mu      sync.Mutex
	rowsFor map[*table][][]any
	plans   map[string]*Result // see Plan; bounded by maxCachedPlans
	// projected caches table rows narrowed to the columns a query reads.
	projected map[projKey][][]any
}

const maxCachedPlans = 1024

func (s *snapshot) cachedPlan(key string) *Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.plans[key]
}

func (s *snapshot) storePlan(key string, r *Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.plans == nil || len(s.plans) >= maxCachedPlans {
		s.plans = map[string]*Result{} // crude, but bounded and rare
	}
	s.plans[key] = r
}

// cubeColumnType is the result type of a cube column (ARCHITECTURE §4).
func measureType(t schema.MeasureType) uint32 {
	switch t {
	case schema.Count, schema.CountDistinct, schema.CountDistinctApprox:
		return int8T
	}
	return numericT
}

func dimensionType(t schema.DimensionType) uint32 {
	switch t {
	case schema.Numeric:
		return numericT
	case schema.Time:
		return timestampT
	case schema.Boolean:
		return boolT
	}
	return textT
}

func describe(title, description string) string {
	if description != "" {
		return description
	}
	return title
}

func buildSnapshot(m *schema.Model) *snapshot {
	s := &snapshot{model: m, byOID: map[uint32]*relation{}, byName: map[string]*relation{}, byCube: map[*schema.Cube]*relation{}, rowsFor: map[*table][][]any{}}
	next := uint32(firstUserOID)
	alloc := func() uint32 { next++; return next - 1 }
	if m == nil {
		return s
	}
	for _, c := range m.Cubes {
		r := &relation{name: c.Name, kind: "r", cube: c, description: describe(c.Title, c.Description)}
		r.oid, r.arrayOID, r.typeOID = alloc(), alloc(), alloc()
		pk := map[string]bool{}
		for _, d := range c.PrimaryKeys() {
			pk[d.Name] = true
		}
		for _, ms := range c.Measures {
			r.cols = append(r.cols, relColumn{name: ms.Name, typ: measureType(ms.Type), description: describe(ms.Title, ms.Description)})
		}
		for _, d := range c.Dimensions {
			r.cols = append(r.cols, relColumn{name: d.Name, typ: dimensionType(d.Type), notNull: pk[d.Name], description: describe(d.Title, d.Description)})
			if pk[d.Name] {
				r.pkeyCols = append(r.pkeyCols, int16(len(r.cols)))
			}
		}
		for _, sg := range c.Segments {
			r.cols = append(r.cols, relColumn{name: sg.Name, typ: boolT, description: describe(sg.Title, sg.Description)})
		}
		r.cols = append(r.cols, relColumn{name: "__user", typ: textT}, relColumn{name: "__cubeJoinField", typ: textT})
		r.attnums = make(map[string]int16, len(r.cols))
		for i, col := range r.cols {
			r.attnums[col.name] = int16(i + 1)
		}
		s.add(r)
		s.byCube[c] = r
		if len(r.pkeyCols) > 0 {
			ix := &relation{oid: alloc(), name: c.Name + "_pkey", kind: "i", table: r}
			for _, n := range r.pkeyCols {
				col := r.cols[n-1]
				col.description = ""
				ix.cols = append(ix.cols, col)
			}
			r.pkey = ix
			r.conOID = alloc()
			s.add(ix)
		}
	}
	return s
}

func (s *snapshot) add(r *relation) {
	s.rels = append(s.rels, r)
	s.byOID[r.oid] = r
	s.byName[r.name] = r
}

// rowsOf returns t's rows, cached per snapshot unless they read the session.
func (s *snapshot) rowsOf(t *table, sess *Session) [][]any {
	if t.rows == nil {
		return nil
	}
	if t.perSession {
		return t.rows(s, sess)
	}
	s.mu.Lock()
	rows, ok := s.rowsFor[t]
	s.mu.Unlock()
	if ok {
		return rows
	}
	rows = t.rows(s, sess)
	s.mu.Lock()
	s.rowsFor[t] = rows
	s.mu.Unlock()
	return rows
}

// projectedRowsOf returns t's rows reduced to the columns keep, cached
// like rowsOf.
func (s *snapshot) projectedRowsOf(t *table, keep []int, sess *Session) [][]any {
	rows := s.rowsOf(t, sess)
	project := func() [][]any {
		out := make([][]any, len(rows))
		flat := make([]any, len(rows)*len(keep))
		for i, r := range rows {
			o := flat[i*len(keep) : (i+1)*len(keep) : (i+1)*len(keep)]
			for j, k := range keep {
				o[j] = r[k]
			}
			out[i] = o
		}
		return out
	}
	if t.perSession {
		return project()
	}
	key := projKey{t, string(appendKey(nil, intsToAny(keep)))}
	s.mu.Lock()
	p, ok := s.projected[key]
	s.mu.Unlock()
	if ok {
		return p
	}
	p = project()
	s.mu.Lock()
	if s.projected == nil {
		s.projected = map[projKey][][]any{}
	}
	s.projected[key] = p
	s.mu.Unlock()
	return p
}

type projKey struct {
	t    *table
	cols string
}

func intsToAny(xs []int) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = int64(x)
	}
	return out
}

// relationNamed resolves a (possibly schema-qualified) relation name as
// ::regclass does: public cubes and indexes, then catalog tables.
func (s *snapshot) relationOID(schemaName, name string) (uint32, bool) {
	if schemaName == "" || schemaName == "public" {
		if r, ok := s.byName[name]; ok {
			return r.oid, true
		}
		if schemaName == "public" {
			return 0, false
		}
	}
	for _, sch := range []string{"pg_catalog", "information_schema"} {
		if schemaName != "" && schemaName != sch {
			continue
		}
		if schemaName == "" && sch == "information_schema" {
			continue
		}
		if t := tablesByName[sch+"."+name]; t != nil {
			return catalogTableOID(t), true
		}
	}
	return 0, false
}

// relationName is the regclass output of oid: the name, schema-qualified
// when not visible on the search path.
func (s *snapshot) relationName(oid uint32) string {
	if r := s.byOID[oid]; r != nil {
		return quoteIdentIfNeeded(r.name)
	}
	if t := catalogTableByOID[oid]; t != nil {
		if t.schema == "information_schema" {
			return t.schema + "." + t.name
		}
		return t.name
	}
	return itoa(int64(oid))
}

// catalog tables get OIDs too, so that 'pg_class'::regclass works.
var catalogTableByOID = map[uint32]*table{}

func catalogTableOID(t *table) uint32 { return catalogOIDs[t.schema+"."+t.name] }

func init() {
	for _, t := range registry {
		if oid := catalogTableOID(t); oid != 0 {
			catalogTableByOID[oid] = t
		}
	}
}

var (
	snapMu    sync.Mutex
	snapCache = map[*schema.Model]*snapshot{}
	snapOrder []*schema.Model
)

// snapshotOf returns the model's snapshot, building it on first use. A few
// recent models are kept (one per App in practice; old ones age out).
// CubeColumn returns the pg_class OID of cube's table in the catalog of m
// and the attnum of its column member (a measure, dimension, segment,
// __user or __cubeJoinField), as pg_attribute shows them: the origin of a
// result column that selects the member directly, which clients such as
// pgjdbc read to answer getTableName or isNullable. It returns 0, 0 for a
// cube or member the model does not have. The OIDs come from the model's
// cached snapshot, so this is a few map lookups after the first call.
func CubeColumn(m *schema.Model, cube *schema.Cube, member string) (tableOID uint32, attnum int16) {
	if m == nil || cube == nil {
		return 0, 0
	}
	r := snapshotOf(m).byCube[cube]
	if r == nil {
		return 0, 0
	}
	n := r.attnums[member]
	if n == 0 {
		return 0, 0
	}
	return r.oid, n
}

func snapshotOf(m *schema.Model) *snapshot {
	snapMu.Lock()
	defer snapMu.Unlock()
	if s, ok := snapCache[m]; ok {
		return s
	}
	s := buildSnapshot(m)
	snapCache[m] = s
	snapOrder = append(snapOrder, m)
	if len(snapOrder) > 256 {
		delete(snapCache, snapOrder[0])
		snapOrder = snapOrder[1:]
	}
	return s
}

func quoteIdentIfNeeded(s string) string {
	if s == "" {
		return `""`
	}
	safe := true
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c == '_' || (i > 0 && (c >= '0' && c <= '9' || c == '$'))) {
			safe = false
			break
		}
	}
	if safe && !isReservedKeyword(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
