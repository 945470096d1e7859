package catalog

// pg_catalog.pg_foreign_server.
var pgForeignServer = &table{
	schema: "pg_catalog", name: "pg_foreign_server",
	cols: []col{
		{"oid", oidT, true},
		{"srvname", nameT, true},
		{"srvowner", oidT, true},
		{"srvfdw", oidT, true},
		{"srvtype", textT, false},
		{"srvversion", textT, false},
		{"srvacl", aclArrT, false},
		{"srvoptions", textArrT, false},
	},
}
