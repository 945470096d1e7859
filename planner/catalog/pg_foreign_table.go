package catalog

// pg_catalog.pg_foreign_table.
var pgForeignTable = &table{
	schema: "pg_catalog", name: "pg_foreign_table",
	cols: []col{
		{"ftrelid", oidT, true},
		{"ftserver", oidT, true},
		{"ftoptions", textArrT, false},
	},
}
