package catalog

// information_schema.schemata.
var isSchemata = &table{
	schema: "information_schema", name: "schemata",
	cols: []col{
		{"catalog_name", nameT, false},
		{"schema_name", nameT, false},
		{"schema_owner", nameT, false},
		{"default_character_set_catalog", nameT, false},
		{"default_character_set_schema", nameT, false},
		{"default_character_set_name", nameT, false},
		{"sql_path", varcharT, false},
	},
}

func init() {
	isSchemata.perSession = true
	isSchemata.rows = func(_ *snapshot, s *Session) [][]any {
		var rows [][]any
		for _, n := range []string{"public", "information_schema", "pg_catalog", "pg_toast"} {
			rows = append(rows, isSchemata.row("catalog_name", s.Database, "schema_name", n, "schema_owner", s.User))
		}
		return rows
	}
}
