package catalog

// information_schema.referential_constraints.
var isReferentialConstraints = &table{
	schema: "information_schema", name: "referential_constraints",
	cols: []col{
		{"constraint_catalog", nameT, false},
		{"constraint_schema", nameT, false},
		{"constraint_name", nameT, false},
		{"unique_constraint_catalog", nameT, false},
		{"unique_constraint_schema", nameT, false},
		{"unique_constraint_name", nameT, false},
		{"match_option", varcharT, false},
		{"update_rule", varcharT, false},
		{"delete_rule", varcharT, false},
	},
}
