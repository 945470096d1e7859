package catalog

// information_schema.column_privileges.
var isColumnPrivileges = &table{
	schema: "information_schema", name: "column_privileges",
	cols: []col{
		{"grantor", nameT, false},
		{"grantee", nameT, false},
		{"table_catalog", nameT, false},
		{"table_schema", nameT, false},
		{"table_name", nameT, false},
		{"column_name", nameT, false},
		{"privilege_type", varcharT, false},
		{"is_grantable", varcharT, false},
	},
}
