package catalog

// information_schema.key_column_usage.
var isKeyColumnUsage = &table{
	schema: "information_schema", name: "key_column_usage",
	cols: []col{
		{"constraint_catalog", nameT, false},
		{"constraint_schema", nameT, false},
		{"constraint_name", nameT, false},
		{"table_catalog", nameT, false},
		{"table_schema", nameT, false},
		{"table_name", nameT, false},
		{"column_name", nameT, false},
		{"ordinal_position", int4T, false},
		{"position_in_unique_constraint", int4T, false},
	},
}

func init() {
	isKeyColumnUsage.perSession = true
	isKeyColumnUsage.rows = func(c *snapshot, s *Session) [][]any {
		var rows [][]any
		for _, r := range c.rels {
			if r.pkey == nil {
				continue
			}
			for i, col := range r.pkey.cols {
				rows = append(rows, isKeyColumnUsage.row(
					"constraint_catalog", s.Database, "constraint_schema", "public", "constraint_name", r.pkey.name,
					"table_catalog", s.Database, "table_schema", "public", "table_name", r.name,
					"column_name", col.name, "ordinal_position", int64(i+1),
				))
			}
		}
		return rows
	}
}
