package catalog

// pg_catalog.pg_tables.
var pgTables = &table{
	schema: "pg_catalog", name: "pg_tables",
	cols: []col{
		{"schemaname", nameT, false},
		{"tablename", nameT, false},
		{"tableowner", nameT, false},
		{"tablespace", nameT, false},
		{"hasindexes", boolT, false},
		{"hasrules", boolT, false},
		{"hastriggers", boolT, false},
		{"rowsecurity", boolT, false},
	},
}

func init() {
	pgTables.perSession = true
	pgTables.rows = func(c *snapshot, s *Session) [][]any {
		var rows [][]any
		for _, r := range c.rels {
			if r.kind == "r" {
				rows = append(rows, pgTables.row("schemaname", "public", "tablename", r.name, "tableowner", s.User,
					"hasindexes", r.pkey != nil, "hasrules", false, "hastriggers", false, "rowsecurity", false))
			}
		}
		return rows
	}
}
