package schema

import "github.com/lattice-sql/lattice/schema/pgerr"

// A JoinStep is one join of a join path, walked in the declared direction
// (From to To) or, when Reversed, from To back to From.
type JoinStep struct {
	Join     *Join
	Reversed bool
}

// From is the cube the step starts from, already part of the query.
func (s JoinStep) From() *Cube {
	if s.Reversed {
		return s.Join.To
	}
	return s.Join.From
}

// To is the cube the step adds to the query.
func (s JoinStep) To() *Cube {
	if s.Reversed {
		return s.Join.From
	}
	return s.Join.To
}

// Relationship is the join's cardinality seen in the walking direction: a
// many_to_one join walked in reverse is one_to_many.
func (s JoinStep) Relationship() Relationship {
	if !s.Reversed {
		return s.Join.Relationship
	}
	switch s.Join.Relationship {
	case ManyToOne:
		return OneToMany
	case OneToMany:
		return ManyToOne
	}
	return s.Join.Relationship
}

// Multiplies reports whether walking the step can repeat rows of the cubes
// already joined (fan-out): their measures then need distinct primary keys.
func (s JoinStep) Multiplies() bool { return s.Relationship() == OneToMany }

// JoinPath returns the shortest join path from one cube to another. Every
// declared join can be walked both ways; among paths of equal length the one
// whose joins come first (the starting cube's own joins, then the model's
// declaration order) wins. The path from a cube to itself is empty.
func (m *Model) JoinPath(from, to *Cube) ([]JoinStep, error) {
	tree := m.joinTree(from)
	path, ok := tree.path(to)
	if !ok {
		return nil, noPath(from, to)
	}
	return path, nil
}

// JoinTree returns the joins that connect root to every cube in cubes: the
// union of their join paths taken from one shortest-path tree, so each cube
// is reached exactly once. Steps come in the order of cubes, each path from
// root outward, so every step's From is root or the To of an earlier step.
func (m *Model) JoinTree(root *Cube, cubes []*Cube) ([]JoinStep, error) {
	tree := m.joinTree(root)
	var steps []JoinStep
	seen := make(map[*Join]bool)
	for _, c := range cubes {
		path, ok := tree.path(c)
		if !ok {
			return nil, noPath(root, c)
		}
		for _, s := range path {
			if !seen[s.Join] {
				seen[s.Join] = true
				steps = append(steps, s)
			}
		}
	}
	return steps, nil
}

func noPath(from, to *Cube) error {
	return pgerr.New(pgerr.FeatureNotSupported, "cannot join cube %q to cube %q: the data model has no join path between them", from.Name, to.Name).
		WithHint("Declare a join between the cubes in the data model.")
}

// bfsTree records, for each cube (by index), the step that first reached it.
type bfsTree struct {
	root *Cube
	via  []JoinStep // zero Join: not reached
}

func (m *Model) joinTree(root *Cube) bfsTree {
	t := bfsTree{root: root, via: make([]JoinStep, len(m.Cubes))}
	if root == nil || root.index >= len(m.Cubes) || m.Cubes[root.index] != root {
		return t // not a cube of this model
	}
	queue := make([]*Cube, 1, len(m.Cubes))
	queue[0] = root
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for _, s := range c.edges {
			to := s.To()
			if to == root || t.via[to.index].Join != nil {
				continue
			}
			t.via[to.index] = s
			queue = append(queue, to)
		}
	}
	return t
}

func (t bfsTree) path(to *Cube) ([]JoinStep, bool) {
	if to == t.root && to != nil {
		return nil, true
	}
	if to == nil || to.index >= len(t.via) || t.root == nil {
		return nil, false
	}
	n := 0
	for c := to; c != t.root; n++ {
		s := t.via[c.index]
		if s.Join == nil || s.To() != c { // unreached, or a cube of another model
			return nil, false
		}
		c = s.From()
	}
	path := make([]JoinStep, n)
	for c := to; c != t.root; {
		n--
		path[n] = t.via[c.index]
		c = path[n].From()
	}
	return path, true
}

// indexJoins fills every cube's edges once, so path searches do no scanning.
func (m *Model) indexJoins() {
	for i, c := range m.Cubes {
		c.index = i
		c.edges = c.edges[:0]
		for _, j := range c.Joins {
			c.edges = append(c.edges, JoinStep{Join: j})
		}
	}
	for _, c := range m.Cubes {
		for _, j := range c.Joins {
			j.To.edges = append(j.To.edges, JoinStep{Join: j, Reversed: true})
		}
	}
}
