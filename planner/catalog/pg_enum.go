package catalog

// pg_catalog.pg_enum.
var pgEnum = &table{
	schema: "pg_catalog", name: "pg_enum",
	cols: []col{
		{"oid", oidT, true},
		{"enumtypid", oidT, true},
		{"enumsortorder", float4T, true},
		{"enumlabel", nameT, true},
	},
}
