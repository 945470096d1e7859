package catalog

// pg_catalog.pg_stat_activity.
var pgStatActivity = &table{
	schema: "pg_catalog", name: "pg_stat_activity",
	cols: []col{
		{"datid", oidT, false},
		{"datname", nameT, false},
		{"pid", int4T, false},
		{"leader_pid", int4T, false},
		{"usesysid", oidT, false},
		{"usename", nameT, false},
		{"application_name", textT, false},
		{"client_addr", inetT, false},
		{"client_hostname", textT, false},
		{"client_port", int4T, false},
		{"backend_start", timestamptzT, false},
		{"xact_start", timestamptzT, false},
		{"query_start", timestamptzT, false},
		{"state_change", timestamptzT, false},
		{"wait_event_type", textT, false},
		{"wait_event", textT, false},
		{"state", textT, false},
		{"backend_xid", xidT, false},
		{"backend_xmin", xidT, false},
		{"query_id", int8T, false},
		{"query", textT, false},
		{"backend_type", textT, false},
	},
}
