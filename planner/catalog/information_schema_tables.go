package catalog

// information_schema.tables.
var isTables = &table{
	schema: "information_schema", name: "tables",
	cols: []col{
		{"table_catalog", nameT, false},
		{"table_schema", nameT, false},
		{"table_name", nameT, false},
		{"table_type", varcharT, false},
		{"self_referencing_column_name", nameT, false},
		{"reference_generation", varcharT, false},
		{"user_defined_type_catalog", nameT, false},
		{"user_defined_type_schema", nameT, false},
		{"user_defined_type_name", nameT, false},
		{"is_insertable_into", varcharT, false},
		{"is_typed", varcharT, false},
		{"commit_action", varcharT, false},
	},
}

func init() {
	isTables.perSession = true
	isTables.rows = func(c *snapshot, s *Session) [][]any {
		var rows [][]any
		for _, r := range c.rels {
			if r.kind == "r" {
				rows = append(rows, isTables.row("table_catalog", s.Database, "table_schema", "public", "table_name", r.name,
					"table_type", "BASE TABLE", "is_insertable_into", "YES", "is_typed", "NO"))
			}
		}
		return rows
	}
}
