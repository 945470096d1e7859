package catalog

// pg_catalog.pg_range.
var pgRange = &table{
	schema: "pg_catalog", name: "pg_range",
	cols: []col{
		{"rngtypid", oidT, true},
		{"rngsubtype", oidT, true},
		{"rngmultitypid", oidT, true},
		{"rngcollation", oidT, true},
		{"rngsubopc", oidT, true},
		{"rngcanonical", regprocT, true},
		{"rngsubdiff", regprocT, true},
	},
}

func init() {
	rows := staticRows(pgRange, "pg_range.tsv")
	pgRange.rows = func(*snapshot, *Session) [][]any { return rows }
}
