package catalog

// information_schema.character_sets.
var isCharacterSets = &table{
	schema: "information_schema", name: "character_sets",
	cols: []col{
		{"character_set_catalog", nameT, false},
		{"character_set_schema", nameT, false},
		{"character_set_name", nameT, false},
		{"character_repertoire", nameT, false},
		{"form_of_use", nameT, false},
		{"default_collate_catalog", nameT, false},
		{"default_collate_schema", nameT, false},
		{"default_collate_name", nameT, false},
	},
}

func init() {
	isCharacterSets.perSession = true
	isCharacterSets.rows = func(_ *snapshot, s *Session) [][]any {
		return [][]any{isCharacterSets.row("character_set_name", "UTF8", "character_repertoire", "UCS", "form_of_use", "UTF8",
			"default_collate_catalog", s.Database, "default_collate_schema", "pg_catalog", "default_collate_name", setting(s, "lc_collate"))}
	}
}
