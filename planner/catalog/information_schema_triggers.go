package catalog

// information_schema.triggers.
var isTriggers = &table{
	schema: "information_schema", name: "triggers",
	cols: []col{
		{"trigger_catalog", nameT, false},
		{"trigger_schema", nameT, false},
		{"trigger_name", nameT, false},
		{"event_manipulation", varcharT, false},
		{"event_object_catalog", nameT, false},
		{"event_object_schema", nameT, false},
		{"event_object_table", nameT, false},
		{"action_order", int4T, false},
		{"action_condition", varcharT, false},
		{"action_statement", varcharT, false},
		{"action_orientation", varcharT, false},
		{"action_timing", varcharT, false},
		{"action_reference_old_table", nameT, false},
		{"action_reference_new_table", nameT, false},
		{"action_reference_old_row", nameT, false},
		{"action_reference_new_row", nameT, false},
		{"created", timestamptzT, false},
	},
}
