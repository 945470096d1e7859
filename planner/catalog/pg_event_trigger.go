package catalog

// pg_catalog.pg_event_trigger.
var pgEventTrigger = &table{
	schema: "pg_catalog", name: "pg_event_trigger",
	cols: []col{
		{"oid", oidT, true},
		{"evtname", nameT, true},
		{"evtevent", nameT, true},
		{"evtowner", oidT, true},
		{"evtfoid", oidT, true},
		{"evtenabled", charT, true},
		{"evttags", textArrT, false},
	},
}
