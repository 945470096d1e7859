package catalog

// pg_catalog.pg_conversion: the built-in encoding conversions, which
// DBeaver reads to list the character sets.
var pgConversion = &table{
	schema: "pg_catalog", name: "pg_conversion",
	cols: []col{
		{"oid", oidT, true},
		{"conname", nameT, true},
		{"connamespace", oidT, true},
		{"conowner", oidT, true},
		{"conforencoding", int4T, true},
		{"contoencoding", int4T, true},
		{"conproc", regprocT, true},
		{"condefault", boolT, true},
	},
}

func init() {
	rows := staticRows(pgConversion, "pg_conversion.tsv")
	pgConversion.rows = func(*snapshot, *Session) [][]any { return rows }
}
