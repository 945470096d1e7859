package catalog

// information_schema.views.
var isViews = &table{
	schema: "information_schema", name: "views",
	cols: []col{
		{"table_catalog", nameT, false},
		{"table_schema", nameT, false},
		{"table_name", nameT, false},
		{"view_definition", varcharT, false},
		{"check_option", varcharT, false},
		{"is_updatable", varcharT, false},
		{"is_insertable_into", varcharT, false},
		{"is_trigger_updatable", varcharT, false},
		{"is_trigger_deletable", varcharT, false},
		{"is_trigger_insertable_into", varcharT, false},
	},
}
