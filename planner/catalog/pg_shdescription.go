package catalog

// pg_catalog.pg_shdescription.
var pgShdescription = &table{
	schema: "pg_catalog", name: "pg_shdescription",
	cols: []col{
		{"objoid", oidT, true},
		{"classoid", oidT, true},
		{"description", textT, true},
	},
}
