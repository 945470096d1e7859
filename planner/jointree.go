package planner

import "github.com/lattice-sql/lattice/schema"

// A joinTree is how the FROM cubes are joined: the first cube is the root
// and every step LEFT JOINs one more cube along the model's join graph.
type joinTree struct {
	root  *schema.Cube
	steps []schema.JoinStep
	// multiplied are the cubes whose rows the joins repeat: their additive
	// measures must be aggregated over distinct primary keys.
	multiplied map[*schema.Cube]bool
}

func buildJoinTree(m *schema.Model, cubes []*schema.Cube) (*joinTree, error) {
	t := &joinTree{root: cubes[0]}
	if len(cubes) == 1 {
		return t, nil
	}
	steps, err := m.JoinTree(t.root, cubes[1:])
	if err != nil {
		return nil, err
	}
	t.steps = steps
	parentOf := make(map[*schema.Cube]*schema.Cube, len(steps))
	for _, s := range steps {
		parentOf[s.To()] = s.From()
	}
	all := t.order()
	// Removing a step splits the tree in two: a to-many step repeats the
	// rows of the side it starts from, a to-one step those of the side it
	// reaches.
	for _, s := range steps {
		rel := s.Relationship()
		if rel == schema.OneToOne {
			continue
		}
		for _, c := range all {
			below := inSubtree(c, s.To(), parentOf)
			if rel == schema.OneToMany && !below || rel == schema.ManyToOne && below {
				if t.multiplied == nil {
					t.multiplied = map[*schema.Cube]bool{}
				}
				t.multiplied[c] = true
			}
		}
	}
	return t, nil
}

func inSubtree(c, top *schema.Cube, parentOf map[*schema.Cube]*schema.Cube) bool {
	for ; c != nil; c = parentOf[c] {
		if c == top {
			return true
		}
	}
	return false
}

// order lists the tree's cubes, root first.
func (t *joinTree) order() []*schema.Cube {
	out := []*schema.Cube{t.root}
	for _, s := range t.steps {
		out = append(out, s.To())
	}
	return out
}

// withReferenced returns the FROM cubes followed by any other cube that the
// used members' SQL refers to (a dimension such as {users.name} on orders
// needs users joined).
func withReferenced(q *query) []*schema.Cube {
	cubes := q.cubes
	have := func(c *schema.Cube) bool {
		for _, x := range cubes {
			if x == c {
				return true
			}
		}
		return false
	}
	seen := map[any]bool{}
	var tmpl func(t schema.Template)
	member := func(m any) {
		if seen[m] {
			return
		}
		seen[m] = true
		switch m := m.(type) {
		case *schema.Dimension:
			tmpl(m.SQL)
		case *schema.Segment:
			tmpl(m.SQL)
		case *schema.Measure:
			tmpl(m.SQL)
			for _, f := range m.Filters {
				tmpl(f)
			}
		}
	}
	tmpl = func(t schema.Template) {
		for _, p := range t.Parts {
			if p.Kind == schema.TextPart || p.Cube == nil {
				continue
			}
			if !have(p.Cube) {
				if len(cubes) == len(q.cubes) {
					cubes = append([]*schema.Cube(nil), cubes...)
				}
				cubes = append(cubes, p.Cube)
			}
			if p.Kind == schema.MemberPart {
				member(p.Member)
			}
		}
	}
	use := func(e *expr) {
		switch {
		case e == nil:
		case e.kind == exprDimension:
			member(e.dim)
		case e.kind == exprSegment:
			member(e.seg)
		case e.kind == exprMeasure:
			member(e.meas)
		}
	}
	for _, e := range q.items {
		use(e)
	}
	for _, e := range q.group {
		use(e)
	}
	for _, o := range q.order {
		use(o.e)
	}
	var walk func(c *cond)
	walk = func(c *cond) {
		if c == nil {
			return
		}
		use(c.left)
		use(c.right)
		for _, k := range c.kids {
			walk(k)
		}
	}
	walk(q.where)
	walk(q.having)
	return cubes
}
