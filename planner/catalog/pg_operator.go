package catalog

// pg_catalog.pg_operator.
var pgOperator = &table{
	schema: "pg_catalog", name: "pg_operator",
	cols: []col{
		{"oid", oidT, true},
		{"oprname", nameT, true},
		{"oprnamespace", oidT, true},
		{"oprowner", oidT, true},
		{"oprkind", charT, true},
		{"oprcanmerge", boolT, true},
		{"oprcanhash", boolT, true},
		{"oprleft", oidT, true},
		{"oprright", oidT, true},
		{"oprresult", oidT, true},
		{"oprcom", oidT, true},
		{"oprnegate", oidT, true},
		{"oprcode", regprocT, true},
		{"oprrest", regprocT, true},
		{"oprjoin", regprocT, true},
	},
}
