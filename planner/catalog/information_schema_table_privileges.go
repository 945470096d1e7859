package catalog

// information_schema.table_privileges.
var isTablePrivileges = &table{
	schema: "information_schema", name: "table_privileges",
	cols: []col{
		{"grantor", nameT, false},
		{"grantee", nameT, false},
		{"table_catalog", nameT, false},
		{"table_schema", nameT, false},
		{"table_name", nameT, false},
		{"privilege_type", varcharT, false},
		{"is_grantable", varcharT, false},
		{"with_hierarchy", varcharT, false},
	},
}

func init() {
	isTablePrivileges.perSession = true
	isTablePrivileges.rows = func(c *snapshot, s *Session) [][]any {
		var rows [][]any
		for _, r := range c.rels {
			if r.kind == "r" {
				rows = append(rows, isTablePrivileges.row("grantor", s.User, "grantee", s.User, "table_catalog", s.Database,
					"table_schema", "public", "table_name", r.name, "privilege_type", "SELECT", "is_grantable", "YES", "with_hierarchy", "YES"))
			}
		}
		return rows
	}
}
