package catalog

// pg_catalog.pg_settings.
var pgSettings = &table{
	schema: "pg_catalog", name: "pg_settings",
	cols: []col{
		{"name", textT, false},
		{"setting", textT, false},
		{"unit", textT, false},
		{"category", textT, false},
		{"short_desc", textT, false},
		{"extra_desc", textT, false},
		{"context", textT, false},
		{"vartype", textT, false},
		{"source", textT, false},
		{"min_val", textT, false},
		{"max_val", textT, false},
		{"enumvals", textArrT, false},
		{"boot_val", textT, false},
		{"reset_val", textT, false},
		{"sourcefile", textT, false},
		{"sourceline", int4T, false},
		{"pending_restart", boolT, false},
	},
}

func init() {
	pgSettings.perSession = true
	pgSettings.rows = func(_ *snapshot, s *Session) [][]any {
		rows := make([][]any, len(settingRows))
		for i, r := range settingRows {
			row := append([]any(nil), r...)
			if v, ok := lookupSetting(s, r[0].(string)); ok {
				row[1] = v
			}
			rows[i] = row
		}
		return rows
	}
}
