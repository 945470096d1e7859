package catalog

// pg_catalog.pg_publication.
var pgPublication = &table{
	schema: "pg_catalog", name: "pg_publication",
	cols: []col{
		{"oid", oidT, true},
		{"pubname", nameT, true},
		{"pubowner", oidT, true},
		{"puballtables", boolT, true},
		{"pubinsert", boolT, true},
		{"pubupdate", boolT, true},
		{"pubdelete", boolT, true},
		{"pubtruncate", boolT, true},
		{"pubviaroot", boolT, true},
	},
}
