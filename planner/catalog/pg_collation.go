package catalog

// pg_catalog.pg_collation.
var pgCollation = &table{
	schema: "pg_catalog", name: "pg_collation",
	cols: []col{
		{"oid", oidT, true},
		{"collname", nameT, true},
		{"collnamespace", oidT, true},
		{"collowner", oidT, true},
		{"collprovider", charT, true},
		{"collisdeterministic", boolT, true},
		{"collencoding", int4T, true},
		{"collcollate", textT, false},
		{"collctype", textT, false},
		{"colliculocale", textT, false},
		{"collversion", textT, false},
	},
}

func init() {
	rows := staticRows(pgCollation, "pg_collation.tsv")
	pgCollation.rows = func(*snapshot, *Session) [][]any { return rows }
}
