package catalog

// pg_catalog.pg_locks.
var pgLocks = &table{
	schema: "pg_catalog", name: "pg_locks",
	cols: []col{
		{"locktype", textT, false},
		{"database", oidT, false},
		{"relation", oidT, false},
		{"page", int4T, false},
		{"tuple", int2T, false},
		{"virtualxid", textT, false},
		{"transactionid", xidT, false},
		{"classid", oidT, false},
		{"objid", oidT, false},
		{"objsubid", int2T, false},
		{"virtualtransaction", textT, false},
		{"pid", int4T, false},
		{"mode", textT, false},
		{"granted", boolT, false},
		{"fastpath", boolT, false},
		{"waitstart", timestamptzT, false},
	},
}
