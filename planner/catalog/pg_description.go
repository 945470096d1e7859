package catalog

// pg_catalog.pg_description.
var pgDescription = &table{
	schema: "pg_catalog", name: "pg_description",
	cols: []col{
		{"objoid", oidT, true},
		{"classoid", oidT, true},
		{"objsubid", int4T, true},
		{"description", textT, true},
	},
}

// typeDescriptions are the comments of the built-in types (a dump of a
// real PostgreSQL 15), by type OID; obj_description reads them too.
var typeDescriptions = map[int64]string{}

var typeDescriptionRows [][]any

func init() {
	pgDescription.rows = pgDescriptionRows
	typeDescriptionRows = staticRows(pgDescription, "pg_description_types.tsv")
	for _, r := range typeDescriptionRows {
		typeDescriptions[r[0].(int64)] = r[3].(string)
	}
}

func pgDescriptionRows(s *snapshot, _ *Session) [][]any {
	var rows [][]any
	for _, ns := range []int64{99, pgCatalogNS, publicNS} {
		rows = append(rows, pgDescription.row("objoid", ns, "classoid", int64(pgNamespaceOID), "objsubid", int64(0), "description", namespaceComments[ns]))
	}
	for _, r := range s.rels {
		if r.description != "" {
			rows = append(rows, pgDescription.row("objoid", int64(r.oid), "classoid", int64(pgClassOID), "objsubid", int64(0), "description", r.description))
		}
		for i, c := range r.cols {
			if c.description != "" && r.kind == "r" {
				rows = append(rows, pgDescription.row("objoid", int64(r.oid), "classoid", int64(pgClassOID), "objsubid", int64(i+1), "description", c.description))
			}
		}
	}
	return append(rows, typeDescriptionRows...)
}
