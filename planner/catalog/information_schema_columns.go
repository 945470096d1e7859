package catalog

// information_schema.columns.
var isColumns = &table{
	schema: "information_schema", name: "columns",
	cols: []col{
		{"table_catalog", nameT, false},
		{"table_schema", nameT, false},
		{"table_name", nameT, false},
		{"column_name", nameT, false},
		{"ordinal_position", int4T, false},
		{"column_default", varcharT, false},
		{"is_nullable", varcharT, false},
		{"data_type", varcharT, false},
		{"character_maximum_length", int4T, false},
		{"character_octet_length", int4T, false},
		{"numeric_precision", int4T, false},
		{"numeric_precision_radix", int4T, false},
		{"numeric_scale", int4T, false},
		{"datetime_precision", int4T, false},
		{"interval_type", varcharT, false},
		{"interval_precision", int4T, false},
		{"character_set_catalog", nameT, false},
		{"character_set_schema", nameT, false},
		{"character_set_name", nameT, false},
		{"collation_catalog", nameT, false},
		{"collation_schema", nameT, false},
		{"collation_name", nameT, false},
		{"domain_catalog", nameT, false},
		{"domain_schema", nameT, false},
		{"domain_name", nameT, false},
		{"udt_catalog", nameT, false},
		{"udt_schema", nameT, false},
		{"udt_name", nameT, false},
		{"scope_catalog", nameT, false},
		{"scope_schema", nameT, false},
		{"scope_name", nameT, false},
		{"maximum_cardinality", int4T, false},
		{"dtd_identifier", nameT, false},
		{"is_self_referencing", varcharT, false},
		{"is_identity", varcharT, false},
		{"identity_generation", varcharT, false},
		{"identity_start", varcharT, false},
		{"identity_increment", varcharT, false},
		{"identity_maximum", varcharT, false},
		{"identity_minimum", varcharT, false},
		{"identity_cycle", varcharT, false},
		{"is_generated", varcharT, false},
		{"generation_expression", varcharT, false},
		{"is_updatable", varcharT, false},
	},
}

func init() {
	isColumns.perSession = true
	isColumns.rows = func(c *snapshot, s *Session) [][]any {
		var rows [][]any
		for _, r := range c.rels {
			if r.kind != "r" {
				continue
			}
			for i, col := range r.cols {
				nullable := "YES"
				if col.notNull {
					nullable = "NO"
				}
				row := isColumns.row(
					"table_catalog", s.Database, "table_schema", "public", "table_name", r.name,
					"column_name", col.name, "ordinal_position", int64(i+1), "is_nullable", nullable,
					"data_type", formatType(col.typ, -1), "udt_catalog", s.Database,
					"udt_schema", "pg_catalog", "udt_name", typeName(col.typ),
					"dtd_identifier", itoa(int64(i+1)), "is_self_referencing", "NO",
					"is_identity", "NO", "identity_cycle", "NO", "is_generated", "NEVER", "is_updatable", "YES",
				)
				set := func(k string, v any) { row[isColumns.index[k]] = v }
				switch col.typ {
				case textT:
					set("character_octet_length", int64(1073741824))
				case int8T:
					set("numeric_precision", int64(64))
					set("numeric_precision_radix", int64(2))
					set("numeric_scale", int64(0))
				case numericT:
					set("numeric_precision_radix", int64(10))
				case timestampT:
					set("datetime_precision", int64(6))
				}
				rows = append(rows, row)
			}
		}
		return rows
	}
}
