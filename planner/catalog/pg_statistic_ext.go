package catalog

// pg_catalog.pg_statistic_ext.
var pgStatisticExt = &table{
	schema: "pg_catalog", name: "pg_statistic_ext",
	cols: []col{
		{"oid", oidT, true},
		{"stxrelid", oidT, true},
		{"stxname", nameT, true},
		{"stxnamespace", oidT, true},
		{"stxowner", oidT, true},
		{"stxstattarget", int4T, true},
		{"stxkeys", int2vectorT, true},
		{"stxkind", charArrT, true},
		{"stxexprs", pgNodeTreeT, false},
	},
}
