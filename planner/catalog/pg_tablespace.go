package catalog

// pg_catalog.pg_tablespace.
var pgTablespace = &table{
	schema: "pg_catalog", name: "pg_tablespace",
	cols: []col{
		{"oid", oidT, true},
		{"spcname", nameT, true},
		{"spcowner", oidT, true},
		{"spcacl", aclArrT, false},
		{"spcoptions", textArrT, false},
	},
}

func init() {
	rows := staticRows(pgTablespace, "pg_tablespace.tsv")
	pgTablespace.rows = func(*snapshot, *Session) [][]any { return rows }
}
