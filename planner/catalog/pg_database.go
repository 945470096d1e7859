package catalog

// pg_catalog.pg_database.
var pgDatabase = &table{
	schema: "pg_catalog", name: "pg_database",
	cols: []col{
		{"oid", oidT, true},
		{"datname", nameT, true},
		{"datdba", oidT, true},
		{"encoding", int4T, true},
		{"datlocprovider", charT, true},
		{"datistemplate", boolT, true},
		{"datallowconn", boolT, true},
		{"datconnlimit", int4T, true},
		{"datfrozenxid", xidT, true},
		{"datminmxid", xidT, true},
		{"dattablespace", oidT, true},
		{"datcollate", textT, true},
		{"datctype", textT, true},
		{"daticulocale", textT, false},
		{"datcollversion", textT, false},
		{"datacl", aclArrT, false},
	},
}

func init() {
	pgDatabase.perSession = true
	pgDatabase.rows = func(_ *snapshot, s *Session) [][]any {
		return [][]any{pgDatabase.row(
			"oid", int64(databaseOID), "datname", s.Database, "datdba", int64(bootstrapRole),
			"encoding", int64(6), "datlocprovider", "c", "datallowconn", true,
			"datconnlimit", int64(-1), "datfrozenxid", int64(716), "datminmxid", int64(1),
			"dattablespace", int64(1663), "datcollate", setting(s, "lc_collate"), "datctype", setting(s, "lc_ctype"),
		)}
	}
}
