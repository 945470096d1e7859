package httpapi

import (
	"strings"
	"unicode"

	"github.com/lattice-sql/lattice/schema"
)

// memberAnnotation describes one member in a load response, as Cube's
// annotation does.
type memberAnnotation struct {
	Title               string       `json:"title"`
	ShortTitle          string       `json:"shortTitle"`
	Description         string       `json:"description,omitempty"`
	Type                string       `json:"type"`
	DrillMembers        []string     `json:"drillMembers,omitempty"`
	DrillMembersGrouped *drillGroups `json:"drillMembersGrouped,omitempty"`
	Granularity         *granularity `json:"granularity,omitempty"`
}

type drillGroups struct {
	Measures   []string `json:"measures"`
	Dimensions []string `json:"dimensions"`
}

type granularity struct {
	Name     string `json:"name"`
	Title    string `json:"title"`
	Interval string `json:"interval"`
	Type     string `json:"type"`
}

type annotation struct {
	Measures       map[string]memberAnnotation `json:"measures"`
	Dimensions     map[string]memberAnnotation `json:"dimensions"`
	Segments       map[string]memberAnnotation `json:"segments"`
	TimeDimensions map[string]memberAnnotation `json:"timeDimensions"`
}

func newAnnotation() annotation {
	return annotation{Measures: map[string]memberAnnotation{}, Dimensions: map[string]memberAnnotation{},
		Segments: map[string]memberAnnotation{}, TimeDimensions: map[string]memberAnnotation{}}
}

func (a annotation) measure(r resolved) {
	t, st := titles(r.cube, r.m.Name, r.m.Title)
	a.Measures[r.id()] = memberAnnotation{Title: t, ShortTitle: st, Description: r.m.Description, Type: measureType(r.m),
		DrillMembers: []string{}, DrillMembersGrouped: &drillGroups{Measures: []string{}, Dimensions: []string{}}}
}

func (a annotation) dimension(r resolved) {
	t, st := titles(r.cube, r.d.Name, r.d.Title)
	a.Dimensions[r.id()] = memberAnnotation{Title: t, ShortTitle: st, Description: r.d.Description, Type: string(r.d.Type)}
}

func (a annotation) segment(r resolved) {
	t, st := titles(r.cube, r.s.Name, r.s.Title)
	a.Segments[r.id()] = memberAnnotation{Title: t, ShortTitle: st, Description: r.s.Description, Type: "boolean"}
}

// timeDimension annotates cube.dim.granularity and, when the dimension is
// not also a plain dimension of the query, cube.dim.
func (a annotation) timeDimension(r resolved, g string, plain bool) {
	t, st := titles(r.cube, r.d.Name, r.d.Title)
	gt := humanize(g)
	a.TimeDimensions[r.id()+"."+g] = memberAnnotation{Title: t + " " + gt, ShortTitle: st + " " + gt, Description: r.d.Description,
		Type: "time", Granularity: &granularity{Name: g, Title: gt, Interval: "1 " + g, Type: "built-in"}}
	if plain {
		a.TimeDimensions[r.id()] = memberAnnotation{Title: t, ShortTitle: st, Description: r.d.Description, Type: "time"}
	}
}

// measureType is the type Cube reports for a measure: every aggregate
// here is numeric.
func measureType(*schema.Measure) string { return "number" }

// aggType is Cube's camelCase spelling of a measure type.
func aggType(m *schema.Measure) string {
	switch m.Type {
	case schema.CountDistinct:
		return "countDistinct"
	case schema.CountDistinctApprox:
		return "countDistinctApprox"
	}
	return string(m.Type)
}

// cubeTitle is the cube's title, or its humanized name.
func cubeTitle(c *schema.Cube) string {
	if c.Title != "" {
		return c.Title
	}
	return humanize(c.Name)
}

// titles returns a member's title ("Orders Total Amount") and short
// title ("Total Amount"), as Cube builds them.
func titles(c *schema.Cube, name, title string) (string, string) {
	short := title
	if short == "" {
		short = humanize(name)
	}
	return cubeTitle(c) + " " + short, short
}

// humanize turns snake_case or camelCase into Title Words.
func humanize(s string) string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			cur[0] = unicode.ToUpper(cur[0])
			words = append(words, string(cur))
			cur = nil
		}
	}
	prevLower := false
	for _, r := range s {
		switch {
		case r == '_' || r == '-' || r == ' ':
			flush()
			prevLower = false
			continue
		case unicode.IsUpper(r) && prevLower:
			flush()
		}
		cur = append(cur, r)
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	flush()
	return strings.Join(words, " ")
}
