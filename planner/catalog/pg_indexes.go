package catalog

// pg_catalog.pg_indexes.
var pgIndexes = &table{
	schema: "pg_catalog", name: "pg_indexes",
	cols: []col{
		{"schemaname", nameT, false},
		{"tablename", nameT, false},
		{"indexname", nameT, false},
		{"tablespace", nameT, false},
		{"indexdef", textT, false},
	},
}

func init() {
	pgIndexes.rows = func(c *snapshot, s *Session) [][]any {
		var rows [][]any
		x := &execCtx{snap: c, sess: s}
		for _, r := range c.rels {
			if r.pkey != nil {
				def, _ := pgGetIndexdef(x, []any{int64(r.pkey.oid)}, nil)
				rows = append(rows, pgIndexes.row("schemaname", "public", "tablename", r.name, "indexname", r.pkey.name, "indexdef", def))
			}
		}
		return rows
	}
}
