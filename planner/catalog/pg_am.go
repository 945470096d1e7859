package catalog

// pg_catalog.pg_am.
var pgAm = &table{
	schema: "pg_catalog", name: "pg_am",
	cols: []col{
		{"oid", oidT, true},
		{"amname", nameT, true},
		{"amhandler", regprocT, true},
		{"amtype", charT, true},
	},
}

func init() {
	rows := staticRows(pgAm, "pg_am.tsv")
	pgAm.rows = func(*snapshot, *Session) [][]any { return rows }
}
