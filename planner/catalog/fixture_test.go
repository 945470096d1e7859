package catalog

import (
	"fmt"
	"strings"

	"github.com/lattice-sql/lattice/schema"
)

// fixtureModel is a hand-built compiled model covering every column type,
// primary keys (one cube without), titles and descriptions.
func fixtureModel() *schema.Model {
	cube := func(name, title, desc string) *schema.Cube {
		return &schema.Cube{Name: name, Title: title, Description: desc, Public: true, SQLTable: "public." + name}
	}
	meas := func(c *schema.Cube, name string, t schema.MeasureType, desc string) {
		c.Measures = append(c.Measures, &schema.Measure{Cube: c, Name: name, Type: t, Description: desc, Public: true})
	}
	dim := func(c *schema.Cube, name string, t schema.DimensionType, pk bool, title string) {
		c.Dimensions = append(c.Dimensions, &schema.Dimension{Cube: c, Name: name, Type: t, PrimaryKey: pk, Title: title, Public: true})
	}
	seg := func(c *schema.Cube, name string) {
		c.Segments = append(c.Segments, &schema.Segment{Cube: c, Name: name, Public: true})
	}
	orders := cube("orders", "Orders", "Customer orders")
	meas(orders, "count", schema.Count, "")
	meas(orders, "total_amount", schema.Sum, "Sum of amounts")
	meas(orders, "avg_amount", schema.Avg, "")
	meas(orders, "customers_count", schema.CountDistinct, "")
	dim(orders, "id", schema.Numeric, true, "")
	dim(orders, "status", schema.String, false, "Order status")
	dim(orders, "created_at", schema.Time, false, "")
	dim(orders, "is_paid", schema.Boolean, false, "")
	seg(orders, "completed")

	customers := cube("customers", "", "")
	meas(customers, "count", schema.Count, "")
	dim(customers, "id", schema.String, true, "")
	dim(customers, "name", schema.String, false, "")
	dim(customers, "city", schema.String, false, "City")

	items := cube("line_items", "Line items", "")
	meas(items, "count", schema.Count, "")
	meas(items, "quantity", schema.Sum, "")
	dim(items, "order_id", schema.Numeric, true, "")
	dim(items, "line", schema.Numeric, true, "")
	dim(items, "product", schema.String, false, "Product name")
	seg(items, "big_items")

	events := cube("events", "", "Raw events, no key")
	meas(events, "count", schema.Count, "")
	dim(events, "name", schema.String, false, "")
	dim(events, "ts", schema.Time, false, "")

	return &schema.Model{Cubes: []*schema.Cube{orders, customers, items, events}}
}

// bigModel has n cubes shaped like orders, for benchmarks.
func bigModel(n int) *schema.Model {
	m := &schema.Model{}
	base := fixtureModel().Cubes[0]
	for i := 0; i < n; i++ {
		c := *base
		c.Name = base.Name
		if i > 0 {
			c.Name = fmt.Sprintf("%s_%d", base.Name, i)
		}
		m.Cubes = append(m.Cubes, &c)
	}
	return m
}

// mirrorDDL is the PostgreSQL DDL of tables that mirror m's cubes: same
// names, columns, types, primary keys and comments.
func mirrorDDL(m *schema.Model) []string {
	s := buildSnapshot(m)
	var out []string
	for _, r := range s.rels {
		if r.kind != "r" {
			continue
		}
		var cols []string
		for _, c := range r.cols {
			cols = append(cols, quoteIdentIfNeeded(c.name)+" "+formatType(c.typ, -1))
		}
		if r.pkey != nil {
			var pk []string
			for _, c := range r.pkey.cols {
				pk = append(pk, quoteIdentIfNeeded(c.name))
			}
			cols = append(cols, "PRIMARY KEY ("+strings.Join(pk, ", ")+")")
		}
		out = append(out, "CREATE TABLE public."+quoteIdentIfNeeded(r.name)+" ("+strings.Join(cols, ", ")+")")
		if r.description != "" {
			out = append(out, "COMMENT ON TABLE public."+quoteIdentIfNeeded(r.name)+" IS "+quoteLiteral(r.description))
		}
		for _, c := range r.cols {
			if c.description != "" {
				out = append(out, "COMMENT ON COLUMN public."+quoteIdentIfNeeded(r.name)+"."+quoteIdentIfNeeded(c.name)+" IS "+quoteLiteral(c.description))
			}
		}
	}
	return out
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
