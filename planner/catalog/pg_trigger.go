package catalog

// pg_catalog.pg_trigger.
var pgTrigger = &table{
	schema: "pg_catalog", name: "pg_trigger",
	cols: []col{
		{"oid", oidT, true},
		{"tgrelid", oidT, true},
		{"tgparentid", oidT, true},
		{"tgname", nameT, true},
		{"tgfoid", oidT, true},
		{"tgtype", int2T, true},
		{"tgenabled", charT, true},
		{"tgisinternal", boolT, true},
		{"tgconstrrelid", oidT, true},
		{"tgconstrindid", oidT, true},
		{"tgconstraint", oidT, true},
		{"tgdeferrable", boolT, true},
		{"tginitdeferred", boolT, true},
		{"tgnargs", int2T, true},
		{"tgattr", int2vectorT, true},
		{"tgargs", byteaT, true},
		{"tgqual", pgNodeTreeT, false},
		{"tgoldtable", nameT, false},
		{"tgnewtable", nameT, false},
	},
}
