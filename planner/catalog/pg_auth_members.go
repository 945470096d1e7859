package catalog

// pg_catalog.pg_auth_members.
var pgAuthMembers = &table{
	schema: "pg_catalog", name: "pg_auth_members",
	cols: []col{
		{"roleid", oidT, true},
		{"member", oidT, true},
		{"grantor", oidT, true},
		{"admin_option", boolT, true},
	},
}
