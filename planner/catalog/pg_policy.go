package catalog

// pg_catalog.pg_policy.
var pgPolicy = &table{
	schema: "pg_catalog", name: "pg_policy",
	cols: []col{
		{"oid", oidT, true},
		{"polname", nameT, true},
		{"polrelid", oidT, true},
		{"polcmd", charT, true},
		{"polpermissive", boolT, true},
		{"polroles", oidArrT, true},
		{"polqual", pgNodeTreeT, false},
		{"polwithcheck", pgNodeTreeT, false},
	},
}
