package httpapi

import (
	"net/http"

	"github.com/lattice-sql/lattice/schema"
)

type metaResponse struct {
	Cubes []metaCube `json:"cubes"`
}

type metaCube struct {
	Name               string          `json:"name"`
	Title              string          `json:"title"`
	Description        string          `json:"description,omitempty"`
	Type               string          `json:"type"`
	IsVisible          bool            `json:"isVisible"`
	Public             bool            `json:"public"`
	ConnectedComponent int             `json:"connectedComponent"`
	Measures           []metaMeasure   `json:"measures"`
	Dimensions         []metaDimension `json:"dimensions"`
	Segments           []metaSegment   `json:"segments"`
	Hierarchies        []any           `json:"hierarchies"`
	Folders            []any           `json:"folders"`
	NestedFolders      []any           `json:"nestedFolders"`
}

type metaMeasure struct {
	Name                string      `json:"name"`
	Title               string      `json:"title"`
	ShortTitle          string      `json:"shortTitle"`
	Description         string      `json:"description,omitempty"`
	Type                string      `json:"type"`
	AggType             string      `json:"aggType"`
	Cumulative          bool        `json:"cumulative"`
	CumulativeTotal     bool        `json:"cumulativeTotal"`
	DrillMembers        []string    `json:"drillMembers"`
	DrillMembersGrouped drillGroups `json:"drillMembersGrouped"`
	IsVisible           bool        `json:"isVisible"`
	Public              bool        `json:"public"`
}

type metaDimension struct {
	Name                string        `json:"name"`
	Title               string        `json:"title"`
	ShortTitle          string        `json:"shortTitle"`
	Description         string        `json:"description,omitempty"`
	Type                string        `json:"type"`
	SuggestFilterValues bool          `json:"suggestFilterValues"`
	PrimaryKey          bool          `json:"primaryKey"`
	IsVisible           bool          `json:"isVisible"`
	Public              bool          `json:"public"`
	Granularities       []granularity `json:"granularities,omitempty"`
}

type metaSegment struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	ShortTitle  string `json:"shortTitle"`
	Description string `json:"description,omitempty"`
	IsVisible   bool   `json:"isVisible"`
	Public      bool   `json:"public"`
}

// meta describes the model's public cubes and members as Cube's /v1/meta.
func meta(m *schema.Model) metaResponse {
	comp := components(m)
	out := metaResponse{Cubes: []metaCube{}}
	for _, c := range m.Cubes {
		if !c.Public {
			continue
		}
		mc := metaCube{Name: c.Name, Title: cubeTitle(c), Description: c.Description, Type: "cube", IsVisible: true, Public: true,
			ConnectedComponent: comp[c], Measures: []metaMeasure{}, Dimensions: []metaDimension{}, Segments: []metaSegment{},
			Hierarchies: []any{}, Folders: []any{}, NestedFolders: []any{}}
		for _, x := range c.Measures {
			if !x.Public {
				continue
			}
			t, st := titles(c, x.Name, x.Title)
			mc.Measures = append(mc.Measures, metaMeasure{Name: c.Name + "." + x.Name, Title: t, ShortTitle: st, Description: x.Description,
				Type: measureType(x), AggType: aggType(x), DrillMembers: []string{},
				DrillMembersGrouped: drillGroups{Measures: []string{}, Dimensions: []string{}}, IsVisible: true, Public: true})
		}
		for _, x := range c.Dimensions {
			if !x.Public {
				continue
			}
			t, st := titles(c, x.Name, x.Title)
			md := metaDimension{Name: c.Name + "." + x.Name, Title: t, ShortTitle: st, Description: x.Description, Type: string(x.Type),
				SuggestFilterValues: true, PrimaryKey: x.PrimaryKey, IsVisible: true, Public: true}
			if x.Type == schema.Time {
				for _, g := range granularities {
					md.Granularities = append(md.Granularities, granularity{Name: g, Title: humanize(g), Interval: "1 " + g, Type: "built-in"})
				}
			}
			mc.Dimensions = append(mc.Dimensions, md)
		}
		for _, x := range c.Segments {
			if !x.Public {
				continue
			}
			t, st := titles(c, x.Name, x.Title)
			mc.Segments = append(mc.Segments, metaSegment{Name: c.Name + "." + x.Name, Title: t, ShortTitle: st, Description: x.Description,
				IsVisible: true, Public: true})
		}
		out.Cubes = append(out.Cubes, mc)
	}
	return out
}

// components numbers the connected components of the join graph from 1,
// in model order: cubes with the same number can be queried together.
func components(m *schema.Model) map[*schema.Cube]int {
	parent := map[*schema.Cube]*schema.Cube{}
	var find func(c *schema.Cube) *schema.Cube
	find = func(c *schema.Cube) *schema.Cube {
		p, ok := parent[c]
		if !ok || p == c {
			parent[c] = c
			return c
		}
		r := find(p)
		parent[c] = r
		return r
	}
	for _, c := range m.Cubes {
		for _, j := range c.Joins {
			if j.From != nil && j.To != nil {
				a, b := find(j.From), find(j.To)
				if a != b {
					parent[b] = a
				}
			}
		}
	}
	ids := map[*schema.Cube]int{}
	out := map[*schema.Cube]int{}
	for _, c := range m.Cubes {
		r := find(c)
		if ids[r] == 0 {
			ids[r] = len(ids) + 1
		}
		out[c] = ids[r]
	}
	return out
}

func (s *Server) handleMeta(w http.ResponseWriter, r *http.Request) (int, error) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return 0, errMethod
	}
	t, err := s.tenant(r)
	if err != nil {
		return 0, err
	}
	defer t.Release()
	return writeJSON(w, http.StatusOK, meta(t.App.Model))
}

// sqlResult is one query's entry in a /v1/sql response.
type sqlResult struct {
	SQL                [2]any            `json:"sql"`
	DataSource         string            `json:"dataSource"`
	External           bool              `json:"external"`
	PreAggregations    []any             `json:"preAggregations"`
	AliasNameToMember  map[string]string `json:"aliasNameToMember"`
	Order              Order             `json:"order"`
	TimeDimensionAlias string            `json:"timeDimensionAlias,omitempty"`
	TimeDimensionField string            `json:"timeDimensionField,omitempty"`
}

func (s *Server) handleSQL(w http.ResponseWriter, r *http.Request) (int, error) {
	p, _, err := s.prepare(w, r)
	if err != nil {
		return 0, err
	}
	defer p.tenant.Release()
	var out []map[string]sqlResult
	for _, c := range p.queries {
		st, err := s.planOne(p, c)
		if err != nil {
			return 0, err
		}
		args, err := bindArgs(st, c.params)
		if err != nil {
			return 0, err
		}
		params := make([]any, len(args))
		for i, idx := range st.Args {
			if v := c.params[idx]; v != nil {
				params[i] = *v
			}
		}
		aliases := map[string]string{}
		for i, col := range c.cols {
			aliases[st.Columns[i].Name+"_"+itoa(int64(i+1))] = col.keys[0]
		}
		res := sqlResult{SQL: [2]any{st.SQL, params}, DataSource: "default", PreAggregations: []any{},
			AliasNameToMember: aliases, Order: c.query.Order}
		if td := firstGranular(c.query); td != nil {
			res.TimeDimensionAlias = td.Dimension + "." + td.Granularity
			res.TimeDimensionField = td.Dimension
		}
		out = append(out, map[string]sqlResult{"sql": res})
	}
	if len(out) == 1 {
		return writeJSON(w, http.StatusOK, out[0])
	}
	return writeJSON(w, http.StatusOK, out)
}

type dryRun struct {
	QueryType          string              `json:"queryType"`
	NormalizedQueries  []*Query            `json:"normalizedQueries"`
	PivotQuery         *Query              `json:"pivotQuery"`
	QueryOrder         []map[string]string `json:"queryOrder"`
	TransformedQueries []any               `json:"transformedQueries"`
}

func (s *Server) handleDryRun(w http.ResponseWriter, r *http.Request) (int, error) {
	p, _, err := s.prepare(w, r)
	if err != nil {
		return 0, err
	}
	defer p.tenant.Release()
	out := dryRun{QueryType: p.queryType, PivotQuery: pivotQuery(p.queryType, p.queries), QueryOrder: []map[string]string{}, TransformedQueries: []any{}}
	for _, c := range p.queries {
		// Planning checks what compile cannot: measure types, joins.
		if _, err := s.planOne(p, c); err != nil {
			return 0, err
		}
		out.NormalizedQueries = append(out.NormalizedQueries, c.query)
		out.TransformedQueries = append(out.TransformedQueries, nil)
	}
	for _, it := range p.queries[0].query.Order {
		dir := "asc"
		if it.Desc {
			dir = "desc"
		}
		out.QueryOrder = append(out.QueryOrder, map[string]string{it.ID: dir})
	}
	return writeJSON(w, http.StatusOK, out)
}
