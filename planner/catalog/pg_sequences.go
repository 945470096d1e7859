package catalog

// pg_catalog.pg_sequences.
var pgSequences = &table{
	schema: "pg_catalog", name: "pg_sequences",
	cols: []col{
		{"schemaname", nameT, false},
		{"sequencename", nameT, false},
		{"sequenceowner", nameT, false},
		{"data_type", regtypeT, false},
		{"start_value", int8T, false},
		{"min_value", int8T, false},
		{"max_value", int8T, false},
		{"increment_by", int8T, false},
		{"cycle", boolT, false},
		{"cache_size", int8T, false},
		{"last_value", int8T, false},
	},
}
