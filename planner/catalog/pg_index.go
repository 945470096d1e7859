package catalog

// pg_catalog.pg_index.
var pgIndex = &table{
	schema: "pg_catalog", name: "pg_index",
	cols: []col{
		{"indexrelid", oidT, true},
		{"indrelid", oidT, true},
		{"indnatts", int2T, true},
		{"indnkeyatts", int2T, true},
		{"indisunique", boolT, true},
		{"indnullsnotdistinct", boolT, true},
		{"indisprimary", boolT, true},
		{"indisexclusion", boolT, true},
		{"indimmediate", boolT, true},
		{"indisclustered", boolT, true},
		{"indisvalid", boolT, true},
		{"indcheckxmin", boolT, true},
		{"indisready", boolT, true},
		{"indislive", boolT, true},
		{"indisreplident", boolT, true},
		{"indkey", int2vectorT, true},
		{"indcollation", oidvectorT, true},
		{"indclass", oidvectorT, true},
		{"indoption", int2vectorT, true},
		{"indexprs", pgNodeTreeT, false},
		{"indpred", pgNodeTreeT, false},
	},
}

func init() { pgIndex.rows = pgIndexRows }

// btree operator classes of the column types a cube has.
var btreeOpclass = map[uint32]int64{textT: 3126, numericT: 3125, boolT: 10003, timestampT: 3128, int8T: 3124}

func pgIndexRows(s *snapshot, _ *Session) [][]any {
	var rows [][]any
	for _, r := range s.rels {
		if r.pkey == nil {
			continue
		}
		var keys, colls, classes, opts []any
		for i, n := range r.pkeyCols {
			c := r.pkey.cols[i]
			keys = append(keys, int64(n))
			coll := int64(0)
			if c.typ == textT {
				coll = 100
			}
			colls = append(colls, coll)
			classes = append(classes, btreeOpclass[c.typ])
			opts = append(opts, int64(0))
		}
		rows = append(rows, pgIndex.row(
			"indexrelid", int64(r.pkey.oid), "indrelid", int64(r.oid),
			"indnatts", int64(len(keys)), "indnkeyatts", int64(len(keys)),
			"indisunique", true, "indisprimary", true, "indimmediate", true,
			"indisvalid", true, "indisready", true, "indislive", true,
			"indkey", keys, "indcollation", colls, "indclass", classes, "indoption", opts,
		))
	}
	return rows
}
