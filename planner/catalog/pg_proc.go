package catalog

// pg_catalog.pg_proc.
var pgProc = &table{
	schema: "pg_catalog", name: "pg_proc",
	cols: []col{
		{"oid", oidT, true},
		{"proname", nameT, true},
		{"pronamespace", oidT, true},
		{"proowner", oidT, true},
		{"prolang", oidT, true},
		{"procost", float4T, true},
		{"prorows", float4T, true},
		{"provariadic", oidT, true},
		{"prosupport", regprocT, true},
		{"prokind", charT, true},
		{"prosecdef", boolT, true},
		{"proleakproof", boolT, true},
		{"proisstrict", boolT, true},
		{"proretset", boolT, true},
		{"provolatile", charT, true},
		{"proparallel", charT, true},
		{"pronargs", int2T, true},
		{"pronargdefaults", int2T, true},
		{"prorettype", oidT, true},
		{"proargtypes", oidvectorT, true},
		{"proallargtypes", oidArrT, false},
		{"proargmodes", charArrT, false},
		{"proargnames", textArrT, false},
		{"proargdefaults", textT, false},
		{"protrftypes", oidArrT, false},
		{"prosrc", textT, true},
		{"probin", textT, false},
		{"prosqlbody", textT, false},
		{"proconfig", textArrT, false},
		{"proacl", aclArrT, false},
	},
}

func init() {
	rows := staticRows(pgProc, "pg_proc.tsv")
	pgProc.rows = func(*snapshot, *Session) [][]any { return rows }
}
