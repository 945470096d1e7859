package catalog

// pg_catalog.pg_publication_namespace (always empty: Lattice publishes nothing).
var pgPublicationNamespace = &table{
	schema: "pg_catalog", name: "pg_publication_namespace",
	cols: []col{
		{"oid", oidT, true},
		{"pnpubid", oidT, true},
		{"pnnspid", oidT, true},
	},
}
