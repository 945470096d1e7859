package schema

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// This file is the strict loader: YAML nodes to unresolved model objects.
// Templates are only recorded here; compile.go resolves them once every cube
// is known.

// Keys that Cube defines but that change nothing Lattice computes: accepted
// and ignored, so a Cube model loads unchanged.
var ignoredKeys = map[string]map[string]bool{
	"cube": {"meta": true, "pre_aggregations": true, "refresh_key": true,
		"data_source": true, "sql_alias": true, "hierarchies": true},
	"measure":   {"meta": true, "format": true, "drill_members": true},
	"dimension": {"meta": true, "format": true},
	"segment":   {"meta": true},
	"join":      {},
	"filter":    {},
	"file":      {},
}

// Keys that Cube defines with a meaning Lattice does not implement: ignoring
// them would silently change answers, so they are errors.
var unsupportedKeys = map[string]map[string]bool{
	"cube": {"extends": true, "access_policy": true,
		"rewrite_queries": true, "calendar": true},
	"measure": {"rolling_window": true, "multi_stage": true, "time_shift": true,
		"reduce_by": true, "add_group_by": true, "group_by": true, "case": true},
	"dimension": {"sub_query": true, "propagate_filters_to_sub_query": true,
		"case": true, "granularities": true, "multi_stage": true, "time_shift": true},
	"segment": {},
	"join":    {},
	"filter":  {},
	"file":    {},
}

type pair struct {
	key string // normalised to snake_case
	k   *yaml.Node
	v   *yaml.Node
}

// loadFile parses one file into c.model.Cubes and c.pending.
func (c *compiler) loadFile(f File) {
	c.file = f.Name
	dec := yaml.NewDecoder(bytes.NewReader(f.Content))
	for {
		var doc yaml.Node
		err := decode(dec, &doc)
		if err == io.EOF {
			return
		}
		if err != nil {
			c.yamlError(err)
			return
		}
		c.document(&doc)
	}
}

// decode guards against panics inside the YAML library: a tenant's file must
// never take the process down.
func decode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

func (c *compiler) yamlError(err error) {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line = n
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	}
	if parserProblems[msg] {
		// The YAML parser (unlike its scanner) reports 0-based lines, of
		// the enclosing construct when it has one.
		line++
	}
	c.errs.add(Pos{File: c.file, Line: line}, "invalid YAML: %s", msg)
}

var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected key":              true,
	"did not find expected '-' indicator":    true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found undefined tag handle":             true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

func (c *compiler) pos(n *yaml.Node) Pos {
	return Pos{File: c.file, Line: n.Line, Column: n.Column}
}

// deref follows aliases. The budget bounds how much work aliases can
// multiply (a "billion laughs" model).
func (c *compiler) deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		c.aliases++
		n = n.Alias
	}
	return n
}

func (c *compiler) document(doc *yaml.Node) {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return
	}
	root := c.deref(doc.Content[0])
	if isNull(root) {
		return
	}
	if root.Kind != yaml.MappingNode {
		c.errs.add(c.pos(root), "a model file must be a mapping with a cubes key")
		return
	}
	for _, p := range c.pairs(root, "file") {
		switch p.key {
		case "cubes":
			for _, item := range c.seq(p.v, "cubes") {
				c.cube(item)
			}
		}
	}
}

// pairs returns the known entries of a mapping (what names its kind in
// knownKeys), reporting duplicate, unknown and unsupported keys. Ignored keys
// are dropped; an unsupported key comes back with a nil value.
func (c *compiler) pairs(n *yaml.Node, what string) []pair {
	n = c.deref(n)
	if n.Kind != yaml.MappingNode {
		c.errs.add(c.pos(n), "%s must be a mapping", display(what))
		return nil
	}
	out := make([]pair, 0, len(n.Content)/2)
	return c.collect(n, what, out, false, 0)
}

// collect appends the entries of mapping n to out. Entries of a YAML merge
// (<<: *base) come after the mapping's own and lose to them, silently.
func (c *compiler) collect(n *yaml.Node, what string, out []pair, merged bool, depth int) []pair {
	known := knownKeys[what]
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := c.deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			c.errs.add(c.pos(k), "a key in %s must be a string", display(what))
			continue
		}
		if k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		key := snake(k.Value)
		dup := false
		for _, p := range out {
			if p.key == key {
				if !merged {
					c.errs.add(c.pos(k), "duplicate key %q in %s (first at line %d)", k.Value, display(what), p.k.Line)
				}
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		switch {
		case known[key]:
			out = append(out, pair{key: key, k: k, v: v})
		case ignoredKeys[what][key]:
		case key == "views" && what == "file":
			c.errs.add(c.pos(k), "views are not supported: declare cubes")
			out = append(out, pair{key: key, k: k})
		case unsupportedKeys[what][key]:
			c.errs.add(c.pos(k), "%s is not supported in a %s", k.Value, what)
			// Keep it so a later duplicate is still reported.
			out = append(out, pair{key: key, k: k})
		default:
			c.errs.add(c.pos(k), "unknown key %q in %s", k.Value, display(what))
		}
	}
	for _, m := range merges {
		m = c.deref(m)
		sources := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			sources = m.Content
		}
		for _, src := range sources {
			src = c.deref(src)
			if src.Kind != yaml.MappingNode {
				c.errs.add(c.pos(src), "a merge (<<) must be a mapping or a list of mappings")
				continue
			}
			if depth >= maxMergeDepth || c.aliases > maxAliases {
				c.errs.add(c.pos(src), "merges (<<) are nested too deeply")
				continue
			}
			out = c.collect(src, what, out, true, depth+1)
		}
	}
	return out
}

// maxMergeDepth bounds merges of merges (a merge can even include itself).
const maxMergeDepth = 10

func display(what string) string {
	if what == "file" {
		return "model file"
	}
	return what
}

var knownKeys = map[string]map[string]bool{
	"file": {"cubes": true},
	"cube": {"name": true, "sql_table": true, "sql": true, "title": true,
		"description": true, "public": true, "shown": true, "measures": true,
		"dimensions": true, "segments": true, "joins": true},
	"measure": {"name": true, "type": true, "sql": true, "title": true,
		"description": true, "public": true, "shown": true, "filters": true},
	"dimension": {"name": true, "type": true, "sql": true, "title": true,
		"description": true, "public": true, "shown": true, "primary_key": true},
	"segment": {"name": true, "sql": true, "title": true, "description": true,
		"public": true, "shown": true},
	"join":   {"name": true, "relationship": true, "sql": true},
	"filter": {"sql": true},
}

// seq returns the items of a list; null is an empty list.
func (c *compiler) seq(n *yaml.Node, what string) []*yaml.Node {
	n = c.deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		c.errs.add(c.pos(n), "%s must be a list", what)
		return nil
	}
	if c.aliases > maxAliases {
		if !c.aliasReported {
			c.aliasReported = true
			c.errs.add(c.pos(n), "too many YAML aliases (more than %d)", maxAliases)
		}
		return nil
	}
	return n.Content
}

// maxAliases bounds alias expansion; real models use a handful.
const maxAliases = 10000

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// str returns a scalar's text; ok is false (and nothing reported) for null.
func (c *compiler) str(n *yaml.Node, what string) (s string, ok bool) {
	n = c.deref(n)
	if isNull(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		c.errs.add(c.pos(n), "%s must be a string", what)
		return "", false
	}
	return n.Value, true
}

func (c *compiler) boolean(n *yaml.Node, what string) (b, ok bool) {
	n = c.deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		switch {
		case strings.EqualFold(n.Value, "true"):
			return true, true
		case strings.EqualFold(n.Value, "false"):
			return false, true
		}
	}
	c.errs.add(c.pos(n), "%s must be true or false", what)
	return false, false
}

// name reads a cube, member or join name and checks it is an identifier.
func (c *compiler) name(n *yaml.Node, what string) string {
	n = c.deref(n)
	if isNull(n) {
		c.errs.add(c.pos(n), "%s name is empty", what)
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		c.errs.add(c.pos(n), "%s name must be a string", what)
		return ""
	}
	s := n.Value
	switch {
	case !isIdent(s):
		c.errs.add(c.pos(n), "invalid %s name %q: a name must match [A-Za-z_][A-Za-z0-9_]*", what, s)
		return ""
	case s == "CUBE" || s == "TABLE":
		// {CUBE} and {TABLE} always mean the current cube.
		c.errs.add(c.pos(n), "%s name %q is reserved", what, s)
		return ""
	}
	return s
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '_' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || i > 0 && ch >= '0' && ch <= '9' {
			continue
		}
		return false
	}
	return true
}

// snake turns Cube's camelCase spellings (primaryKey, manyToOne) into the
// snake_case ones.
func snake(s string) string {
	upper := false
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			upper = true
			break
		}
	}
	if !upper {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'A' && ch <= 'Z' {
			if i > 0 && s[i-1] != '_' {
				b.WriteByte('_')
			}
			ch += 'a' - 'A'
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// common holds the keys that cubes and members share.
type common struct {
	title, description string
	public             bool
	publicAt           *yaml.Node
}

func (c *compiler) commonKey(p pair, cm *common) bool {
	switch p.key {
	case "title":
		cm.title, _ = c.str(p.v, "title")
	case "description":
		cm.description, _ = c.str(p.v, "description")
	case "public", "shown": // shown is Cube's older spelling of public
		if cm.publicAt != nil {
			c.errs.add(c.pos(p.k), "%s: public is already set at line %d", p.k.Value, cm.publicAt.Line)
			return true
		}
		cm.publicAt = p.k
		if b, ok := c.boolean(p.v, p.k.Value); ok {
			cm.public = b
		}
	default:
		return false
	}
	return true
}

func (c *compiler) cube(n *yaml.Node) {
	n = c.deref(n)
	cube := &Cube{Pos: c.pos(n)}
	cm := common{public: true}
	var sqlNode *yaml.Node
	hasTable := false
	for _, p := range c.pairs(n, "cube") {
		if p.v == nil || c.commonKey(p, &cm) {
			continue
		}
		switch p.key {
		case "name":
			cube.Name = c.name(p.v, "cube")
		case "sql_table":
			cube.SQLTable, hasTable = c.str(p.v, "sql_table")
			if hasTable && strings.TrimSpace(cube.SQLTable) == "" {
				c.errs.add(c.pos(c.deref(p.v)), "sql_table is empty")
			}
		case "sql":
			sqlNode = p.v
		case "measures":
			for _, item := range c.seq(p.v, "measures") {
				c.measure(cube, item)
			}
		case "dimensions":
			for _, item := range c.seq(p.v, "dimensions") {
				c.dimension(cube, item)
			}
		case "segments":
			for _, item := range c.seq(p.v, "segments") {
				c.segment(cube, item)
			}
		case "joins":
			for _, item := range c.seq(p.v, "joins") {
				c.join(cube, item)
			}
		}
	}
	cube.Title, cube.Description, cube.Public = cm.title, cm.description, cm.public
	hasSQL := sqlNode != nil && c.template(sqlNode, &cube.SQL, cube, cube, roleCube)
	switch {
	case hasTable && hasSQL:
		c.errs.add(cube.Pos, "cube %q has both sql_table and sql", cube.Name)
	case !hasTable && !hasSQL && cube.Name != "":
		c.errs.add(cube.Pos, "cube %q needs sql_table or sql", cube.Name)
	}
	if cube.Name == "" {
		if !c.hasKey(n, "name") {
			c.errs.add(cube.Pos, "cube has no name")
		}
		return // its members were checked; it cannot be referenced
	}
	c.model.Cubes = append(c.model.Cubes, cube)
}

func (c *compiler) hasKey(n *yaml.Node, key string) bool {
	n = c.deref(n)
	if n.Kind != yaml.MappingNode {
		return true // already reported as not a mapping
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if snake(c.deref(n.Content[i]).Value) == key {
			return true
		}
	}
	return false
}

// member registers a member's name, reporting a missing name.
func (c *compiler) memberName(n *yaml.Node, name string, what string) bool {
	if name != "" {
		return true
	}
	if !c.hasKey(n, "name") {
		c.errs.add(c.pos(c.deref(n)), "%s has no name", what)
	}
	return false
}

var measureTypes = map[string]MeasureType{
	"count": Count, "count_distinct": CountDistinct,
	"count_distinct_approx": CountDistinctApprox, "sum": Sum, "avg": Avg,
	"min": Min, "max": Max, "number": Number,
}

func (c *compiler) measure(cube *Cube, n *yaml.Node) {
	n = c.deref(n)
	m := &Measure{Cube: cube, Pos: c.pos(n)}
	cm := common{public: true}
	var typeNode, sqlNode, filtersNode *yaml.Node
	for _, p := range c.pairs(n, "measure") {
		if p.v == nil || c.commonKey(p, &cm) {
			continue
		}
		switch p.key {
		case "name":
			m.Name = c.name(p.v, "measure")
		case "type":
			typeNode = p.v
		case "sql":
			sqlNode = p.v
		case "filters":
			filtersNode = p.v
		}
	}
	m.Title, m.Description, m.Public = cm.title, cm.description, cm.public
	if !c.memberName(n, m.Name, "measure") {
		return
	}
	if typeNode == nil {
		c.errs.add(m.Pos, "measure %q has no type", m.Name)
	} else if s, ok := c.str(typeNode, "type"); ok {
		t, known := measureTypes[snake(s)]
		if !known {
			c.errs.add(c.pos(c.deref(typeNode)), "unknown measure type %q (want count, count_distinct, count_distinct_approx, sum, avg, min, max or number)", s)
		}
		m.Type = t
	} else {
		c.errs.add(m.Pos, "measure %q has no type", m.Name)
	}
	hasSQL := sqlNode != nil && c.template(sqlNode, &m.SQL, cube, m, roleMeasure)
	if !hasSQL && m.Type != "" && m.Type != Count {
		c.errs.add(m.Pos, "measure %q of type %s has no sql", m.Name, m.Type)
	}
	if filtersNode != nil {
		var sqls []*yaml.Node
		for _, item := range c.seq(filtersNode, "filters") {
			var sql *yaml.Node
			for _, p := range c.pairs(item, "filter") {
				if p.key == "sql" {
					sql = p.v
				}
			}
			if sql == nil && c.deref(item).Kind == yaml.MappingNode {
				c.errs.add(c.pos(c.deref(item)), "filter of measure %q has no sql", m.Name)
			}
			if sql != nil {
				sqls = append(sqls, sql)
			}
		}
		// Sized once: pending templates point into this array.
		m.Filters = make([]Template, len(sqls))
		for i, sql := range sqls {
			if !c.template(sql, &m.Filters[i], cube, m, roleFilter) {
				c.errs.add(c.pos(c.deref(sql)), "filter of measure %q has empty sql", m.Name)
			}
		}
	}
	c.addMember(cube, m.Name, m, m.Pos)
	cube.Measures = append(cube.Measures, m)
}

var dimensionTypes = map[string]DimensionType{
	"string": String, "number": Numeric, "time": Time, "boolean": Boolean,
}

func (c *compiler) dimension(cube *Cube, n *yaml.Node) {
	n = c.deref(n)
	d := &Dimension{Cube: cube, Pos: c.pos(n)}
	cm := common{public: true}
	var typeNode, sqlNode *yaml.Node
	for _, p := range c.pairs(n, "dimension") {
		if p.v == nil || c.commonKey(p, &cm) {
			continue
		}
		switch p.key {
		case "name":
			d.Name = c.name(p.v, "dimension")
		case "type":
			typeNode = p.v
		case "sql":
			sqlNode = p.v
		case "primary_key":
			d.PrimaryKey, _ = c.boolean(p.v, p.k.Value)
		}
	}
	d.Title, d.Description, d.Public = cm.title, cm.description, cm.public
	if !c.memberName(n, d.Name, "dimension") {
		return
	}
	if typeNode == nil {
		c.errs.add(d.Pos, "dimension %q has no type", d.Name)
	} else if s, ok := c.str(typeNode, "type"); ok {
		t, known := dimensionTypes[s]
		if !known {
			c.errs.add(c.pos(c.deref(typeNode)), "unknown dimension type %q (want string, number, time or boolean)", s)
		}
		d.Type = t
	} else {
		c.errs.add(d.Pos, "dimension %q has no type", d.Name)
	}
	if sqlNode == nil || !c.template(sqlNode, &d.SQL, cube, d, roleDimension) {
		c.errs.add(d.Pos, "dimension %q has no sql", d.Name)
	}
	c.addMember(cube, d.Name, d, d.Pos)
	cube.Dimensions = append(cube.Dimensions, d)
}

func (c *compiler) segment(cube *Cube, n *yaml.Node) {
	n = c.deref(n)
	s := &Segment{Cube: cube, Pos: c.pos(n)}
	cm := common{public: true}
	var sqlNode *yaml.Node
	for _, p := range c.pairs(n, "segment") {
		if p.v == nil || c.commonKey(p, &cm) {
			continue
		}
		switch p.key {
		case "name":
			s.Name = c.name(p.v, "segment")
		case "sql":
			sqlNode = p.v
		}
	}
	s.Title, s.Description, s.Public = cm.title, cm.description, cm.public
	if !c.memberName(n, s.Name, "segment") {
		return
	}
	if sqlNode == nil || !c.template(sqlNode, &s.SQL, cube, s, roleSegment) {
		c.errs.add(s.Pos, "segment %q has no sql", s.Name)
	}
	c.addMember(cube, s.Name, s, s.Pos)
	cube.Segments = append(cube.Segments, s)
}

var relationships = map[string]Relationship{
	"many_to_one": ManyToOne, "belongs_to": ManyToOne,
	"one_to_many": OneToMany, "has_many": OneToMany,
	"one_to_one": OneToOne, "has_one": OneToOne,
}

func (c *compiler) join(cube *Cube, n *yaml.Node) {
	n = c.deref(n)
	j := &Join{From: cube, Pos: c.pos(n)}
	var target string
	var targetNode, relNode, sqlNode *yaml.Node
	for _, p := range c.pairs(n, "join") {
		if p.v == nil {
			continue
		}
		switch p.key {
		case "name":
			target = c.name(p.v, "join")
			targetNode = c.deref(p.v)
		case "relationship":
			relNode = p.v
		case "sql":
			sqlNode = p.v
		}
	}
	if target == "" {
		if !c.hasKey(n, "name") {
			c.errs.add(j.Pos, "join has no name (the cube to join)")
		}
		return
	}
	if relNode == nil {
		c.errs.add(j.Pos, "join %q has no relationship", target)
	} else if s, ok := c.str(relNode, "relationship"); ok {
		r, known := relationships[snake(s)]
		if !known {
			c.errs.add(c.pos(c.deref(relNode)), "unknown relationship %q (want many_to_one, one_to_many or one_to_one)", s)
		}
		j.Relationship = r
	} else {
		c.errs.add(j.Pos, "join %q has no relationship", target)
	}
	if sqlNode == nil || !c.template(sqlNode, &j.SQL, cube, j, roleJoin) {
		c.errs.add(j.Pos, "join %q has no sql", target)
	}
	cube.Joins = append(cube.Joins, j)
	c.joinTargets = append(c.joinTargets, joinTarget{join: j, name: target, pos: c.pos(targetNode)})
}

// addMember registers a member in its cube's namespace: measures, dimensions
// and segments share it, as they share the cube's table columns.
func (c *compiler) addMember(cube *Cube, name string, m any, pos Pos) {
	if cube.members == nil {
		cube.members = make(map[string]any)
		cube.folded = make(map[string]any)
	}
	fold := lower(name)
	if fold == "__user" || fold == "__cubejoinfield" {
		c.errs.add(pos, "member name %q is reserved", name)
		return
	}
	if prev, ok := cube.members[name]; ok {
		c.errs.add(pos, "duplicate member %q in cube %q (first defined at %s)", name, cube.Name, memberPos(prev))
		return
	}
	cube.members[name] = m
	if _, ok := cube.folded[fold]; !ok {
		cube.folded[fold] = m
	}
}
