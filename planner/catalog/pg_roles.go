package catalog

// pg_catalog.pg_roles.
var pgRoles = &table{
	schema: "pg_catalog", name: "pg_roles",
	cols: []col{
		{"rolname", nameT, false},
		{"rolsuper", boolT, false},
		{"rolinherit", boolT, false},
		{"rolcreaterole", boolT, false},
		{"rolcreatedb", boolT, false},
		{"rolcanlogin", boolT, false},
		{"rolreplication", boolT, false},
		{"rolconnlimit", int4T, false},
		{"rolpassword", textT, false},
		{"rolvaliduntil", timestamptzT, false},
		{"rolbypassrls", boolT, false},
		{"rolconfig", textArrT, false},
		{"oid", oidT, false},
	},
}

func init() {
	pgRoles.perSession = true
	pgRoles.rows = func(_ *snapshot, s *Session) [][]any {
		return [][]any{pgRoles.row(
			"rolname", s.User, "rolsuper", false, "rolinherit", true, "rolcreaterole", false, "rolcreatedb", false, "rolcanlogin", true,
			"rolreplication", false, "rolbypassrls", false,
			"rolconnlimit", int64(-1), "rolpassword", "********", "oid", int64(bootstrapRole),
		)}
	}
}
