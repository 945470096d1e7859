package catalog

// pg_catalog.pg_cast.
var pgCast = &table{
	schema: "pg_catalog", name: "pg_cast",
	cols: []col{
		{"oid", oidT, true},
		{"castsource", oidT, true},
		{"casttarget", oidT, true},
		{"castfunc", oidT, true},
		{"castcontext", charT, true},
		{"castmethod", charT, true},
	},
}
