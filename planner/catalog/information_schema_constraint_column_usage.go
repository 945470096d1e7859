package catalog

// information_schema.constraint_column_usage.
var isConstraintColumnUsage = &table{
	schema: "information_schema", name: "constraint_column_usage",
	cols: []col{
		{"table_catalog", nameT, false},
		{"table_schema", nameT, false},
		{"table_name", nameT, false},
		{"column_name", nameT, false},
		{"constraint_catalog", nameT, false},
		{"constraint_schema", nameT, false},
		{"constraint_name", nameT, false},
	},
}

func init() {
	isConstraintColumnUsage.perSession = true
	isConstraintColumnUsage.rows = func(c *snapshot, s *Session) [][]any {
		var rows [][]any
		for _, r := range c.rels {
			if r.pkey == nil {
				continue
			}
			for _, col := range r.pkey.cols {
				rows = append(rows, isConstraintColumnUsage.row(
					"table_catalog", s.Database, "table_schema", "public", "table_name", r.name, "column_name", col.name,
					"constraint_catalog", s.Database, "constraint_schema", "public", "constraint_name", r.pkey.name,
				))
			}
		}
		return rows
	}
}
