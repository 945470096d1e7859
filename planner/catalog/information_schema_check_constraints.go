package catalog

// information_schema.check_constraints.
var isCheckConstraints = &table{
	schema: "information_schema", name: "check_constraints",
	cols: []col{
		{"constraint_catalog", nameT, false},
		{"constraint_schema", nameT, false},
		{"constraint_name", nameT, false},
		{"check_clause", varcharT, false},
	},
}
