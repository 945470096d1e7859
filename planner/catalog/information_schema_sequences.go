package catalog

// information_schema.sequences.
var isSequences = &table{
	schema: "information_schema", name: "sequences",
	cols: []col{
		{"sequence_catalog", nameT, false},
		{"sequence_schema", nameT, false},
		{"sequence_name", nameT, false},
		{"data_type", varcharT, false},
		{"numeric_precision", int4T, false},
		{"numeric_precision_radix", int4T, false},
		{"numeric_scale", int4T, false},
		{"start_value", varcharT, false},
		{"minimum_value", varcharT, false},
		{"maximum_value", varcharT, false},
		{"increment", varcharT, false},
		{"cycle_option", varcharT, false},
	},
}
