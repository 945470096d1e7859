package schema

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// Compile loads the model files and resolves them into an immutable Model.
// Files are compiled in the order given. On any problem it returns a
// *pgerr.Error with code 42P17 whose Err is the Errors found, every one with
// its file, line and column.
func Compile(files []File) (*Model, error) {
	c := &compiler{model: &Model{}}
	c.errs.files = make(map[string]int, len(files))
	for i, f := range files {
		if _, ok := c.errs.files[f.Name]; !ok {
			c.errs.files[f.Name] = i
		}
	}
	for _, f := range files {
		c.src, c.lines = f.Content, nil
		c.loadFile(f)
	}
	c.file, c.src, c.lines = "", nil, nil
	c.indexCubes()
	c.resolveJoins()
	c.resolveTemplates()
	c.checkCycles()
	if err := c.errs.err(); err != nil {
		return nil, err
	}
	c.model.indexJoins()
	return c.model, nil
}

type compiler struct {
	model         *Model
	errs          errList
	file          string
	src           []byte
	lines         []int // byte offsets of line starts in src, built on first error
	aliases       int   // alias nodes followed so far
	aliasReported bool

	pending     []pending
	joinTargets []joinTarget
	deps        map[any][]dep // member → the members its SQL references
}

type role uint8

const (
	roleCube role = iota
	roleMeasure
	roleFilter
	roleDimension
	roleSegment
	roleJoin
)

// A pending template waits for every cube to be known.
type pending struct {
	dst   *Template
	cube  *Cube // the cube whose {CUBE} this is
	owner any   // *Cube, *Measure, *Dimension, *Segment or *Join
	role  role
	node  *yaml.Node
	file  string
	src   []byte
	raw   []rawPart
}

type joinTarget struct {
	join *Join
	name string
	pos  Pos
}

type dep struct {
	member any
	at     *pending // where the reference is, for messages
	off    int
}

// template records the SQL template in n for resolution; it reports syntax
// errors now. It returns false when n holds no SQL.
func (c *compiler) template(n *yaml.Node, dst *Template, cube *Cube, owner any, r role) bool {
	n = c.deref(n)
	s, ok := c.str(n, "sql")
	if !ok {
		return n.Kind != yaml.ScalarNode && !isNull(n) // not a string: already reported
	}
	if strings.TrimSpace(s) == "" {
		return false
	}
	dst.Source = s
	raw, off, msg := parseTemplate(s)
	if msg != "" {
		c.errs.add(c.refPos(n, s, off), "%s", msg)
		return true
	}
	c.pending = append(c.pending, pending{dst: dst, cube: cube, owner: owner, role: r,
		node: n, file: c.file, src: c.src, raw: raw})
	return true
}

func (c *compiler) indexCubes() {
	m := c.model
	m.byName = make(map[string]*Cube, len(m.Cubes))
	m.byFold = make(map[string]*Cube, len(m.Cubes))
	kept := m.Cubes[:0]
	for _, cube := range m.Cubes {
		if prev, ok := m.byName[cube.Name]; ok {
			c.errs.add(cube.Pos, "duplicate cube %q (first defined at %s)", cube.Name, prev.Pos)
			continue
		}
		m.byName[cube.Name] = cube
		if _, ok := m.byFold[lower(cube.Name)]; !ok {
			m.byFold[lower(cube.Name)] = cube
		}
		if cube.members == nil {
			cube.members = map[string]any{}
			cube.folded = map[string]any{}
		}
		kept = append(kept, cube)
	}
	m.Cubes = kept
}

func (c *compiler) resolveJoins() {
	for _, t := range c.joinTargets {
		to, ok := c.model.byName[t.name]
		switch {
		case !ok:
			c.errs.add(t.pos, "join to unknown cube %q", t.name)
		case to == t.join.From:
			c.errs.add(t.pos, "cube %q cannot join itself", t.name)
		default:
			t.join.To = to
			for _, other := range t.join.From.Joins {
				if other != t.join && other.To == to {
					c.errs.add(t.pos, "duplicate join from %q to %q (first at %s)", t.join.From.Name, t.name, other.Pos)
					break
				}
				if other == t.join {
					break
				}
			}
		}
	}
}

func (c *compiler) resolveTemplates() {
	c.deps = make(map[any][]dep)
	for i := range c.pending {
		c.resolve(&c.pending[i])
	}
}

// posAt is the position of byte off of p's template. Positions are only
// computed for messages: finding the column needs the source line.
func (c *compiler) posAt(p *pending, off int) Pos {
	if c.file != p.file || len(c.src) != len(p.src) || len(p.src) > 0 && &c.src[0] != &p.src[0] {
		c.file, c.src, c.lines = p.file, p.src, nil
	}
	return c.refPos(p.node, p.dst.Source, off)
}

func (c *compiler) resolve(p *pending) {
	if p.role != roleCube && p.role != roleJoin && len(p.raw) == 1 && !p.raw[0].ref {
		// A bare column, as Cube does: sql: status means {CUBE}.status, so
		// the column stays unambiguous once other cubes are joined.
		if col := strings.TrimSpace(p.raw[0].text); isIdent(col) && !sqlConstants[lower(col)] {
			p.dst.Parts = []Part{{Kind: CubePart, Cube: p.cube}, {Kind: TextPart, Text: "." + col}}
			return
		}
	}
	parts := make([]Part, 0, len(p.raw))
	for _, r := range p.raw {
		if !r.ref {
			parts = append(parts, Part{Kind: TextPart, Text: r.text})
			continue
		}
		part, ok := c.lookup(p, r)
		if !ok {
			continue
		}
		if part.Kind == MemberPart && !c.allowed(p, part.Member, r.off) {
			continue
		}
		if p.role == roleCube {
			c.errs.add(c.posAt(p, r.off), "the sql of cube %q cannot contain references", p.cube.Name)
			continue
		}
		if part.Kind == MemberPart && p.role != roleJoin {
			c.deps[p.owner] = append(c.deps[p.owner], dep{member: part.Member, at: p, off: r.off})
		}
		parts = append(parts, part)
	}
	p.dst.Parts = parts
}

// sqlConstants are identifiers that are not columns.
var sqlConstants = map[string]bool{
	"true": true, "false": true, "null": true, "current_date": true,
	"current_time": true, "current_timestamp": true, "localtime": true,
	"localtimestamp": true, "current_user": true, "session_user": true,
}

// lookup resolves {a} or {a.b} in the context of p's cube.
func (c *compiler) lookup(p *pending, r rawPart) (Part, bool) {
	cube := p.cube
	self := r.a == "CUBE" || r.a == "TABLE"
	if r.b == "" {
		if self {
			return Part{Kind: CubePart, Cube: cube}, true
		}
		if m, ok := cube.members[r.a]; ok {
			return Part{Kind: MemberPart, Cube: cube, Member: m}, true
		}
		if other, ok := c.model.byName[r.a]; ok {
			return Part{Kind: CubePart, Cube: other}, true
		}
		c.errs.add(c.posAt(p, r.off), "unknown member or cube %q in cube %q", r.a, cube.Name)
		return Part{}, false
	}
	target := cube
	if !self {
		var ok bool
		if target, ok = c.model.byName[r.a]; !ok {
			c.errs.add(c.posAt(p, r.off), "unknown cube %q", r.a)
			return Part{}, false
		}
	}
	m, ok := target.members[r.b]
	if !ok {
		c.errs.add(c.posAt(p, r.off), "unknown member %q in cube %q", r.b, target.Name)
		return Part{}, false
	}
	return Part{Kind: MemberPart, Cube: target, Member: m}, true
}

// allowed applies the typing rules: aggregates nest only through number
// measures, and row-level SQL never sees a measure.
func (c *compiler) allowed(p *pending, ref any, off int) bool {
	refMeasure, isMeasure := ref.(*Measure)
	switch p.role {
	case roleMeasure:
		m := p.owner.(*Measure)
		if m.Type == Number && !isMeasure {
			c.errs.add(c.posAt(p, off), "measure %q of type number can only reference measures, not %s", m.Name, describe(ref))
			return false
		}
		if m.Type != Number && isMeasure {
			c.errs.add(c.posAt(p, off), "measure %q of type %s cannot reference measure %q (use type number)", m.Name, m.Type, refMeasure.Name)
			return false
		}
	case roleFilter:
		if isMeasure {
			c.errs.add(c.posAt(p, off), "a filter of measure %q cannot reference measure %q", p.owner.(*Measure).Name, refMeasure.Name)
			return false
		}
	case roleDimension, roleSegment, roleJoin:
		if isMeasure {
			c.errs.add(c.posAt(p, off), "%s cannot reference measure %q", describe(p.owner), refMeasure.Name)
			return false
		}
	}
	return true
}

func describe(x any) string {
	switch x := x.(type) {
	case *Measure:
		return `measure "` + x.Name + `"`
	case *Dimension:
		return `dimension "` + x.Name + `"`
	case *Segment:
		return `segment "` + x.Name + `"`
	case *Join:
		return `the join from "` + x.From.Name + `"`
	case *Cube:
		return `cube "` + x.Name + `"`
	}
	return "?"
}

func memberPos(x any) Pos {
	switch x := x.(type) {
	case *Measure:
		return x.Pos
	case *Dimension:
		return x.Pos
	case *Segment:
		return x.Pos
	}
	return Pos{}
}

func memberName(x any) string {
	switch x := x.(type) {
	case *Measure:
		return x.Cube.Name + "." + x.Name
	case *Dimension:
		return x.Cube.Name + "." + x.Name
	case *Segment:
		return x.Cube.Name + "." + x.Name
	}
	return "?"
}

// checkCycles reports every reference cycle among members: expanding such a
// member's SQL would never end.
func (c *compiler) checkCycles() {
	const (
		unvisited = iota
		active
		done
	)
	state := make(map[any]uint8, len(c.deps))
	var stack []any
	var visit func(m any)
	visit = func(m any) {
		state[m] = active
		stack = append(stack, m)
		for _, d := range c.deps[m] {
			switch state[d.member] {
			case unvisited:
				visit(d.member)
			case active:
				i := len(stack) - 1
				for stack[i] != d.member {
					i--
				}
				names := make([]string, 0, len(stack)-i+1)
				for _, s := range stack[i:] {
					names = append(names, memberName(s))
				}
				names = append(names, memberName(d.member))
				c.errs.add(c.posAt(d.at, d.off), "reference cycle: %s", strings.Join(names, " -> "))
			}
		}
		stack = stack[:len(stack)-1]
		state[m] = done
	}
	// Walk in model order so the report is deterministic.
	for _, cube := range c.model.Cubes {
		for _, m := range cube.Measures {
			if state[m] == unvisited {
				visit(m)
			}
		}
		for _, d := range cube.Dimensions {
			if state[d] == unvisited {
				visit(d)
			}
		}
		for _, s := range cube.Segments {
			if state[s] == unvisited {
				visit(s)
			}
		}
	}
}
