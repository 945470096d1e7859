package catalog

// pg_catalog.pg_constraint.
var pgConstraint = &table{
	schema: "pg_catalog", name: "pg_constraint",
	cols: []col{
		{"oid", oidT, true},
		{"conname", nameT, true},
		{"connamespace", oidT, true},
		{"contype", charT, true},
		{"condeferrable", boolT, true},
		{"condeferred", boolT, true},
		{"convalidated", boolT, true},
		{"conrelid", oidT, true},
		{"contypid", oidT, true},
		{"conindid", oidT, true},
		{"conparentid", oidT, true},
		{"confrelid", oidT, true},
		{"confupdtype", charT, true},
		{"confdeltype", charT, true},
		{"confmatchtype", charT, true},
		{"conislocal", boolT, true},
		{"coninhcount", int4T, true},
		{"connoinherit", boolT, true},
		{"conkey", int2ArrT, false},
		{"confkey", int2ArrT, false},
		{"conpfeqop", oidArrT, false},
		{"conppeqop", oidArrT, false},
		{"conffeqop", oidArrT, false},
		{"confdelsetcols", int2ArrT, false},
		{"conexclop", oidArrT, false},
		{"conbin", pgNodeTreeT, false},
	},
}

func init() { pgConstraint.rows = pgConstraintRows }

func pgConstraintRows(s *snapshot, _ *Session) [][]any {
	var rows [][]any
	for _, r := range s.rels {
		if r.pkey == nil {
			continue
		}
		var keys []any
		for _, n := range r.pkeyCols {
			keys = append(keys, int64(n))
		}
		rows = append(rows, pgConstraint.row(
			"oid", int64(r.conOID), "conname", r.pkey.name, "connamespace", int64(publicNS),
			"contype", "p", "convalidated", true, "conrelid", int64(r.oid),
			"conindid", int64(r.pkey.oid), "confupdtype", " ", "confdeltype", " ",
			"confmatchtype", " ", "conislocal", true, "connoinherit", true, "conkey", keys,
		))
	}
	return rows
}
