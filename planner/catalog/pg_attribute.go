package catalog

// pg_catalog.pg_attribute.
var pgAttribute = &table{
	schema: "pg_catalog", name: "pg_attribute",
	cols: []col{
		{"attrelid", oidT, true},
		{"attname", nameT, true},
		{"atttypid", oidT, true},
		{"attstattarget", int4T, true},
		{"attlen", int2T, true},
		{"attnum", int2T, true},
		{"attndims", int4T, true},
		{"attcacheoff", int4T, true},
		{"atttypmod", int4T, true},
		{"attbyval", boolT, true},
		{"attalign", charT, true},
		{"attstorage", charT, true},
		{"attcompression", charT, true},
		{"attnotnull", boolT, true},
		{"atthasdef", boolT, true},
		{"atthasmissing", boolT, true},
		{"attidentity", charT, true},
		{"attgenerated", charT, true},
		{"attisdropped", boolT, true},
		{"attislocal", boolT, true},
		{"attinhcount", int4T, true},
		{"attcollation", oidT, true},
		{"attacl", aclArrT, false},
		{"attoptions", textArrT, false},
		{"attfdwoptions", textArrT, false},
		{"attmissingval", anyarrayT, false},
	},
}

func init() { pgAttribute.rows = pgAttributeRows }

// systemColumns are the attributes every heap table has, with attnum < 0.
var systemColumns = []struct {
	name string
	typ  uint32
	num  int64
}{{"tableoid", oidT, -6}, {"cmax", 29, -5}, {"xmax", xidT, -4}, {"cmin", 29, -3}, {"xmin", xidT, -2}, {"ctid", 27, -1}}

func attributeRow(relOID uint32, name string, typ uint32, num int64, notNull bool) []any {
	ti := types[typ]
	coll := int64(0)
	if typ == textT || typ == varcharT {
		coll = 100
	}
	return pgAttribute.row(
		"attrelid", int64(relOID), "attname", name, "atttypid", int64(typ),
		"attstattarget", int64(-1), "attlen", int64(ti.length), "attnum", num,
		"attcacheoff", int64(-1), "atttypmod", int64(-1), "attbyval", ti.byval,
		"attalign", ti.align, "attstorage", ti.storage, "attcompression", "",
		"attnotnull", notNull, "attidentity", "", "attgenerated", "", "attislocal", true,
		"attcollation", coll,
	)
}

func pgAttributeRows(s *snapshot, _ *Session) [][]any {
	var rows [][]any
	for _, r := range s.rels {
		for i, c := range r.cols {
			row := attributeRow(r.oid, c.name, c.typ, int64(i+1), c.notNull)
			if r.kind == "i" {
				row[pgAttribute.index["attnotnull"]] = false
				row[pgAttribute.index["attstattarget"]] = int64(-1)
			}
			rows = append(rows, row)
		}
		if r.kind == "r" {
			for _, sc := range systemColumns {
				row := attributeRow(r.oid, sc.name, sc.typ, sc.num, true)
				row[pgAttribute.index["attstattarget"]] = int64(0)
				rows = append(rows, row)
			}
		}
	}
	return rows
}
