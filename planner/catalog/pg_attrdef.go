package catalog

// pg_catalog.pg_attrdef.
var pgAttrdef = &table{
	schema: "pg_catalog", name: "pg_attrdef",
	cols: []col{
		{"oid", oidT, true},
		{"adrelid", oidT, true},
		{"adnum", int2T, true},
		{"adbin", pgNodeTreeT, true},
	},
}
