package catalog

// information_schema.table_constraints.
var isTableConstraints = &table{
	schema: "information_schema", name: "table_constraints",
	cols: []col{
		{"constraint_catalog", nameT, false},
		{"constraint_schema", nameT, false},
		{"constraint_name", nameT, false},
		{"table_catalog", nameT, false},
		{"table_schema", nameT, false},
		{"table_name", nameT, false},
		{"constraint_type", varcharT, false},
		{"is_deferrable", varcharT, false},
		{"initially_deferred", varcharT, false},
		{"enforced", varcharT, false},
		{"nulls_distinct", varcharT, false},
	},
}

func init() {
	isTableConstraints.perSession = true
	isTableConstraints.rows = func(c *snapshot, s *Session) [][]any {
		var rows [][]any
		for _, r := range c.rels {
			if r.pkey != nil {
				rows = append(rows, isTableConstraints.row(
					"constraint_catalog", s.Database, "constraint_schema", "public", "constraint_name", r.pkey.name,
					"table_catalog", s.Database, "table_schema", "public", "table_name", r.name,
					"constraint_type", "PRIMARY KEY", "is_deferrable", "NO", "initially_deferred", "NO", "enforced", "YES",
				))
			}
		}
		return rows
	}
}
