package catalog

// pg_catalog.pg_timezone_names.
var pgTimezoneNames = &table{
	schema: "pg_catalog", name: "pg_timezone_names",
	cols: []col{
		{"name", textT, false},
		{"abbrev", textT, false},
		{"utc_offset", intervalT, false},
		{"is_dst", boolT, false},
	},
}
