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
		{"proargdefaults", pgNodeTreeT, false},
		{"protrftypes", oidArrT, false},
		{"prosrc", textT, true},
		{"probin", textT, false},
		{"prosqlbody", pgNodeTreeT, false},
		{"proconfig", textArrT, false},
		{"proacl", aclArrT, false},
	},
}

// procNames and procByName map the functions of the pg_proc dump, for
// regproc input and output.
var (
	procNames  = map[int64]string{}
	procByName = map[string]int64{}
)

func init() {
	rows := staticRows(pgProc, "pg_proc.tsv")
	for _, r := range rows {
		oid, name := r[pgProc.index["oid"]].(int64), r[pgProc.index["proname"]].(string)
		procNames[oid] = name
		if _, dup := procByName[name]; !dup {
			procByName[name] = oid
		}
	}
	pgProc.rows = func(*snapshot, *Session) [][]any { return rows }
}
