package catalog

// pg_catalog.pg_matviews.
var pgMatviews = &table{
	schema: "pg_catalog", name: "pg_matviews",
	cols: []col{
		{"schemaname", nameT, false},
		{"matviewname", nameT, false},
		{"matviewowner", nameT, false},
		{"tablespace", nameT, false},
		{"hasindexes", boolT, false},
		{"ispopulated", boolT, false},
		{"definition", textT, false},
	},
}
