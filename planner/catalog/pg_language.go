package catalog

// pg_catalog.pg_language.
var pgLanguage = &table{
	schema: "pg_catalog", name: "pg_language",
	cols: []col{
		{"oid", oidT, true},
		{"lanname", nameT, true},
		{"lanowner", oidT, true},
		{"lanispl", boolT, true},
		{"lanpltrusted", boolT, true},
		{"lanplcallfoid", oidT, true},
		{"laninline", oidT, true},
		{"lanvalidator", oidT, true},
		{"lanacl", aclArrT, false},
	},
}

func init() {
	rows := staticRows(pgLanguage, "pg_language.tsv")
	pgLanguage.rows = func(*snapshot, *Session) [][]any { return rows }
}
