package catalog

// pg_catalog.pg_class.
var pgClass = &table{
	schema: "pg_catalog", name: "pg_class",
	cols: []col{
		{"oid", oidT, true},
		{"relname", nameT, true},
		{"relnamespace", oidT, true},
		{"reltype", oidT, true},
		{"reloftype", oidT, true},
		{"relowner", oidT, true},
		{"relam", oidT, true},
		{"relfilenode", oidT, true},
		{"reltablespace", oidT, true},
		{"relpages", int4T, true},
		{"reltuples", float4T, true},
		{"relallvisible", int4T, true},
		{"reltoastrelid", oidT, true},
		{"relhasindex", boolT, true},
		{"relisshared", boolT, true},
		{"relpersistence", charT, true},
		{"relkind", charT, true},
		{"relnatts", int2T, true},
		{"relchecks", int2T, true},
		{"relhasrules", boolT, true},
		{"relhastriggers", boolT, true},
		{"relhassubclass", boolT, true},
		{"relrowsecurity", boolT, true},
		{"relforcerowsecurity", boolT, true},
		{"relispopulated", boolT, true},
		{"relreplident", charT, true},
		{"relispartition", boolT, true},
		{"relrewrite", oidT, true},
		{"relfrozenxid", xidT, true},
		{"relminmxid", xidT, true},
		{"relacl", aclArrT, false},
		{"reloptions", textArrT, false},
		{"relpartbound", pgNodeTreeT, false},
	},
}

func init() { pgClass.rows = pgClassRows }

func pgClassRows(s *snapshot, _ *Session) [][]any {
	var rows [][]any
	for _, r := range s.rels {
		t := pgClass
		if r.kind == "r" {
			rows = append(rows, t.row(
				"oid", int64(r.oid), "relname", r.name, "relnamespace", int64(publicNS),
				"reltype", int64(r.typeOID), "relowner", int64(bootstrapRole), "relam", int64(2),
				"relfilenode", int64(r.oid), "reltuples", float64(-1),
				"relhasindex", r.pkey != nil, "relpersistence", "p", "relkind", "r",
				"relnatts", int64(len(r.cols)), "relispopulated", true, "relreplident", "d",
				"relfrozenxid", int64(716), "relminmxid", int64(1),
			))
			continue
		}
		rows = append(rows, t.row(
			"oid", int64(r.oid), "relname", r.name, "relnamespace", int64(publicNS),
			"relowner", int64(bootstrapRole), "relam", int64(403),
			"relfilenode", int64(r.oid), "reltuples", float64(0), "relpages", int64(1),
			"relpersistence", "p", "relkind", "i",
			"relnatts", int64(len(r.cols)), "relispopulated", true, "relreplident", "n",
		))
	}
	return rows
}
