package catalog

// pg_catalog.pg_type.
var pgType = &table{
	schema: "pg_catalog", name: "pg_type",
	cols: []col{
		{"oid", oidT, true},
		{"typname", nameT, true},
		{"typnamespace", oidT, true},
		{"typowner", oidT, true},
		{"typlen", int2T, true},
		{"typbyval", boolT, true},
		{"typtype", charT, true},
		{"typcategory", charT, true},
		{"typispreferred", boolT, true},
		{"typisdefined", boolT, true},
		{"typdelim", charT, true},
		{"typrelid", oidT, true},
		{"typsubscript", regprocT, true},
		{"typelem", oidT, true},
		{"typarray", oidT, true},
		{"typinput", regprocT, true},
		{"typoutput", regprocT, true},
		{"typreceive", regprocT, true},
		{"typsend", regprocT, true},
		{"typmodin", regprocT, true},
		{"typmodout", regprocT, true},
		{"typanalyze", regprocT, true},
		{"typalign", charT, true},
		{"typstorage", charT, true},
		{"typnotnull", boolT, true},
		{"typbasetype", oidT, true},
		{"typtypmod", int4T, true},
		{"typndims", int4T, true},
		{"typcollation", oidT, true},
		{"typdefaultbin", pgNodeTreeT, false},
		{"typdefault", textT, false},
		{"typacl", aclArrT, false},
	},
}

func init() {
	base := staticRows(pgType, "pg_type.tsv")
	pgType.rows = func(s *snapshot, _ *Session) [][]any {
		rows := append([][]any{}, base...)
		for _, r := range s.rels {
			if r.kind != "r" {
				continue
			}
			rows = append(rows, pgType.row(
				"oid", int64(r.typeOID), "typname", r.name, "typnamespace", int64(publicNS),
				"typowner", int64(bootstrapRole), "typlen", int64(-1), "typbyval", false,
				"typtype", "c", "typcategory", "C", "typisdefined", true, "typdelim", ",",
				"typrelid", int64(r.oid), "typarray", int64(r.arrayOID),
				"typinput", procByName["record_in"], "typoutput", procByName["record_out"], "typreceive", procByName["record_recv"],
				"typsend", procByName["record_send"], "typalign", "d", "typstorage", "x", "typtypmod", int64(-1),
			), pgType.row(
				"oid", int64(r.arrayOID), "typname", "_"+r.name, "typnamespace", int64(publicNS),
				"typowner", int64(bootstrapRole), "typlen", int64(-1), "typbyval", false,
				"typtype", "b", "typcategory", "A", "typisdefined", true, "typdelim", ",",
				"typsubscript", procByName["array_subscript_handler"], "typelem", int64(r.typeOID),
				"typinput", procByName["array_in"], "typoutput", procByName["array_out"], "typreceive", procByName["array_recv"],
				"typsend", procByName["array_send"], "typanalyze", procByName["array_typanalyze"],
				"typalign", "d", "typstorage", "x", "typtypmod", int64(-1),
			))
		}
		return rows
	}
}
