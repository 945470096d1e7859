package catalog

// pg_catalog.pg_inherits.
var pgInherits = &table{
	schema: "pg_catalog", name: "pg_inherits",
	cols: []col{
		{"inhrelid", oidT, true},
		{"inhparent", oidT, true},
		{"inhseqno", int4T, true},
		{"inhdetachpending", boolT, true},
	},
}
