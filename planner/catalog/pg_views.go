package catalog

// pg_catalog.pg_views.
var pgViews = &table{
	schema: "pg_catalog", name: "pg_views",
	cols: []col{
		{"schemaname", nameT, false},
		{"viewname", nameT, false},
		{"viewowner", nameT, false},
		{"definition", textT, false},
	},
}
