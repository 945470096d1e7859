package catalog

// pg_catalog.pg_stat_user_tables.
var pgStatUserTables = &table{
	schema: "pg_catalog", name: "pg_stat_user_tables",
	cols: []col{
		{"relid", oidT, false},
		{"schemaname", nameT, false},
		{"relname", nameT, false},
		{"seq_scan", int8T, false},
		{"seq_tup_read", int8T, false},
		{"idx_scan", int8T, false},
		{"idx_tup_fetch", int8T, false},
		{"n_tup_ins", int8T, false},
		{"n_tup_upd", int8T, false},
		{"n_tup_del", int8T, false},
		{"n_tup_hot_upd", int8T, false},
		{"n_live_tup", int8T, false},
		{"n_dead_tup", int8T, false},
		{"n_mod_since_analyze", int8T, false},
		{"n_ins_since_vacuum", int8T, false},
		{"last_vacuum", timestamptzT, false},
		{"last_autovacuum", timestamptzT, false},
		{"last_analyze", timestamptzT, false},
		{"last_autoanalyze", timestamptzT, false},
		{"vacuum_count", int8T, false},
		{"autovacuum_count", int8T, false},
		{"analyze_count", int8T, false},
		{"autoanalyze_count", int8T, false},
	},
}

func init() {
	pgStatUserTables.rows = func(c *snapshot, _ *Session) [][]any {
		var rows [][]any
		for _, r := range c.rels {
			if r.kind == "r" {
				row := pgStatUserTables.row("relid", int64(r.oid), "schemaname", "public", "relname", r.name)
				for i, col := range pgStatUserTables.cols {
					if col.typ == int8T {
						row[i] = int64(0)
					}
				}
				rows = append(rows, row)
			}
		}
		return rows
	}
}
