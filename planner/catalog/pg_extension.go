package catalog

// pg_catalog.pg_extension.
var pgExtension = &table{
	schema: "pg_catalog", name: "pg_extension",
	cols: []col{
		{"oid", oidT, true},
		{"extname", nameT, true},
		{"extowner", oidT, true},
		{"extnamespace", oidT, true},
		{"extrelocatable", boolT, true},
		{"extversion", textT, true},
		{"extconfig", oidArrT, false},
		{"extcondition", textArrT, false},
	},
}

func init() {
	rows := staticRows(pgExtension, "pg_extension.tsv")
	pgExtension.rows = func(*snapshot, *Session) [][]any { return rows }
}
