package catalog

// pg_catalog.pg_authid.
var pgAuthid = &table{
	schema: "pg_catalog", name: "pg_authid",
	cols: []col{
		{"oid", oidT, true},
		{"rolname", nameT, true},
		{"rolsuper", boolT, true},
		{"rolinherit", boolT, true},
		{"rolcreaterole", boolT, true},
		{"rolcreatedb", boolT, true},
		{"rolcanlogin", boolT, true},
		{"rolreplication", boolT, true},
		{"rolbypassrls", boolT, true},
		{"rolconnlimit", int4T, true},
		{"rolpassword", textT, false},
		{"rolvaliduntil", timestamptzT, false},
	},
}

func init() {
	pgAuthid.perSession = true
	pgAuthid.rows = func(_ *snapshot, s *Session) [][]any {
		return [][]any{pgAuthid.row("oid", int64(bootstrapRole), "rolname", s.User, "rolinherit", true, "rolcanlogin", true, "rolconnlimit", int64(-1))}
	}
}
