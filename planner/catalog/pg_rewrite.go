package catalog

// pg_catalog.pg_rewrite.
var pgRewrite = &table{
	schema: "pg_catalog", name: "pg_rewrite",
	cols: []col{
		{"oid", oidT, true},
		{"rulename", nameT, true},
		{"ev_class", oidT, true},
		{"ev_type", charT, true},
		{"ev_enabled", charT, true},
		{"is_instead", boolT, true},
		{"ev_qual", pgNodeTreeT, true},
		{"ev_action", pgNodeTreeT, true},
	},
}
