package catalog

// pg_catalog.pg_user.
var pgUser = &table{
	schema: "pg_catalog", name: "pg_user",
	cols: []col{
		{"usename", nameT, false},
		{"usesysid", oidT, false},
		{"usecreatedb", boolT, false},
		{"usesuper", boolT, false},
		{"userepl", boolT, false},
		{"usebypassrls", boolT, false},
		{"passwd", textT, false},
		{"valuntil", timestamptzT, false},
		{"useconfig", textArrT, false},
	},
}

func init() {
	pgUser.perSession = true
	pgUser.rows = func(_ *snapshot, s *Session) [][]any {
		return [][]any{pgUser.row("usename", s.User, "usesysid", int64(bootstrapRole), "passwd", "********")}
	}
}
