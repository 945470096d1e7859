package catalog

// pg_catalog.pg_namespace.
var pgNamespace = &table{
	schema: "pg_catalog", name: "pg_namespace",
	cols: []col{
		{"oid", oidT, true},
		{"nspname", nameT, true},
		{"nspowner", oidT, true},
		{"nspacl", aclArrT, false},
	},
}

func init() {
	rows := staticRows(pgNamespace, "pg_namespace.tsv")
	pgNamespace.rows = func(*snapshot, *Session) [][]any { return rows }
}
