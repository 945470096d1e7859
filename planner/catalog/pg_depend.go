package catalog

// pg_catalog.pg_depend.
var pgDepend = &table{
	schema: "pg_catalog", name: "pg_depend",
	cols: []col{
		{"classid", oidT, true},
		{"objid", oidT, true},
		{"objsubid", int4T, true},
		{"refclassid", oidT, true},
		{"refobjid", oidT, true},
		{"refobjsubid", int4T, true},
		{"deptype", charT, true},
	},
}
