package catalog

// pg_catalog.pg_foreign_data_wrapper.
var pgForeignDataWrapper = &table{
	schema: "pg_catalog", name: "pg_foreign_data_wrapper",
	cols: []col{
		{"oid", oidT, true},
		{"fdwname", nameT, true},
		{"fdwowner", oidT, true},
		{"fdwhandler", oidT, true},
		{"fdwvalidator", oidT, true},
		{"fdwacl", aclArrT, false},
		{"fdwoptions", textArrT, false},
	},
}
