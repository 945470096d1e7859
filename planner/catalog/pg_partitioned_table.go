package catalog

// pg_catalog.pg_partitioned_table.
var pgPartitionedTable = &table{
	schema: "pg_catalog", name: "pg_partitioned_table",
	cols: []col{
		{"partrelid", oidT, true},
		{"partstrat", charT, true},
		{"partnatts", int2T, true},
		{"partdefid", oidT, true},
		{"partattrs", int2vectorT, true},
		{"partclass", oidvectorT, true},
		{"partcollation", oidvectorT, true},
		{"partexprs", pgNodeTreeT, false},
	},
}
