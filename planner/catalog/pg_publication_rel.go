package catalog

// pg_catalog.pg_publication_rel (always empty).
var pgPublicationRel = &table{
	schema: "pg_catalog", name: "pg_publication_rel",
	cols: []col{
		{"oid", oidT, true},
		{"prpubid", oidT, true},
		{"prrelid", oidT, true},
		{"prqual", textT, false},
		{"prattrs", int2vectorT, false},
	},
}
