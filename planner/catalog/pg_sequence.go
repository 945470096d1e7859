package catalog

// pg_catalog.pg_sequence.
var pgSequence = &table{
	schema: "pg_catalog", name: "pg_sequence",
	cols: []col{
		{"seqrelid", oidT, true},
		{"seqtypid", oidT, true},
		{"seqstart", int8T, true},
		{"seqincrement", int8T, true},
		{"seqmax", int8T, true},
		{"seqmin", int8T, true},
		{"seqcache", int8T, true},
		{"seqcycle", boolT, true},
	},
}
