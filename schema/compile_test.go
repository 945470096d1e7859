package schema

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

// compileErrors compiles files (name → YAML) in name order and returns every
// problem as "file:line:col: message".
func compileErrors(t *testing.T, files map[string]string) []string {
	t.Helper()
	fs, err := MemoryRepository(files).Files(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(fs)
	if err == nil {
		if m == nil {
			t.Fatal("Compile returned neither a model nor an error")
		}
		return nil
	}
	if m != nil {
		t.Error("Compile returned a model with an error")
	}
	var pe *pgerr.Error
	if !errors.As(err, &pe) || pe.Code != pgerr.InvalidObjectDefinition {
		t.Fatalf("error %v is not a 42P17 *pgerr.Error", err)
	}
	var es Errors
	if !errors.As(err, &es) || len(es) == 0 {
		t.Fatalf("error %v does not wrap Errors", err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Error())
	}
	return got
}

// The cube every error case below is a variation of.
const okCube = `cubes:
  - name: orders
    sql_table: orders
    measures:
      - name: count
        type: count
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
`

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"valid", map[string]string{"a.yml": okCube}, nil},
		{"empty file", map[string]string{"a.yml": ""}, nil},
		{"comment only", map[string]string{"a.yml": "# nothing yet\n"}, nil},
		{"null cubes", map[string]string{"a.yml": "cubes:\n"}, nil},
		{"syntax error in list", map[string]string{"a.yml": "cubes:\n  - name: a\n   sql: b\n"}, []string{
			"a.yml:2: invalid YAML: did not find expected '-' indicator",
		}},
		{"syntax error in mapping", map[string]string{"a.yml": "cubes:\n  - name: a\n    sql: b\n    - x\n"}, []string{
			"a.yml:2: invalid YAML: did not find expected key",
		}},
		{"syntax error at start", map[string]string{"a.yml": "a: b\n- c\n"}, []string{
			"a.yml:2: invalid YAML: did not find expected key",
		}},
		{"unclosed flow list", map[string]string{"a.yml": "cubes: [\n"}, []string{
			"a.yml:2: invalid YAML: did not find expected node content",
		}},
		{"unterminated string", map[string]string{"a.yml": "cubes:\n  - name: a\n    sql: \"b\n"}, []string{
			"a.yml:3: invalid YAML: found unexpected end of stream",
		}},
		{"colon in plain scalar", map[string]string{"a.yml": "cubes:\n  - name: a\n    sql: a: b\n"}, []string{
			"a.yml:3: invalid YAML: mapping values are not allowed in this context",
		}},
		{"tab indentation", map[string]string{"a.yml": "cubes:\n\t- name: a\n"}, []string{
			"a.yml:2: invalid YAML: found character that cannot start any token",
		}},
		{"top level not a mapping", map[string]string{"a.yml": "- a\n- b\n"}, []string{
			"a.yml:1:1: a model file must be a mapping with a cubes key",
		}},
		{"unknown top-level key", map[string]string{"a.yml": "cubs:\n  - name: a\n"}, []string{
			`a.yml:1:1: unknown key "cubs" in model file`,
		}},
		{"views", map[string]string{"a.yml": okCube + "views:\n  - name: v\n"}, []string{
			"a.yml:12:1: views are not supported: declare cubes",
		}},
		{"cubes not a list", map[string]string{"a.yml": "cubes:\n  orders: {}\n"}, []string{
			"a.yml:2:3: cubes must be a list",
		}},
		{"cube not a mapping", map[string]string{"a.yml": "cubes:\n  - orders\n"}, []string{
			"a.yml:2:5: cube must be a mapping",
		}},
		{"cube without name", map[string]string{"a.yml": "cubes:\n  - sql_table: t\n"}, []string{
			"a.yml:2:5: cube has no name",
		}},
		{"cube name not an identifier", map[string]string{"a.yml": "cubes:\n  - name: my-orders\n    sql_table: t\n"}, []string{
			`a.yml:2:11: invalid cube name "my-orders": a name must match [A-Za-z_][A-Za-z0-9_]*`,
		}},
		{"empty member name", map[string]string{"a.yml": okCube + "      - name:\n        sql: x\n        type: string\n"}, []string{
			"a.yml:12:14: dimension name is empty",
		}},
		{"reserved cube name", map[string]string{"a.yml": "cubes:\n  - name: CUBE\n    sql_table: t\n"}, []string{
			`a.yml:2:11: cube name "CUBE" is reserved`,
		}},
		{"reserved join name", map[string]string{"a.yml": okCube + "    joins:\n      - {name: TABLE, relationship: has_one, sql: x}\n"}, []string{
			`a.yml:13:16: join name "TABLE" is reserved`,
		}},
		{"cube name not a string", map[string]string{"a.yml": "cubes:\n  - name: [a]\n    sql_table: t\n"}, []string{
			"a.yml:2:11: cube name must be a string",
		}},
		{"neither sql_table nor sql", map[string]string{"a.yml": "cubes:\n  - name: a\n"}, []string{
			`a.yml:2:5: cube "a" needs sql_table or sql`,
		}},
		{"both sql_table and sql", map[string]string{"a.yml": "cubes:\n  - name: a\n    sql_table: t\n    sql: SELECT 1\n"}, []string{
			`a.yml:2:5: cube "a" has both sql_table and sql`,
		}},
		{"cube sql with references", map[string]string{"a.yml": "cubes:\n  - name: a\n    sql: SELECT * FROM {CUBE}\n"}, []string{
			`a.yml:3:24: the sql of cube "a" cannot contain references`,
		}},
		{"unknown cube key", map[string]string{"a.yml": "cubes:\n  - name: a\n    sql_table: t\n    sqltable: u\n"}, []string{
			`a.yml:4:5: unknown key "sqltable" in cube`,
		}},
		{"unsupported cube key", map[string]string{"a.yml": "cubes:\n  - name: a\n    sql_table: t\n    extends: b\n"}, []string{
			"a.yml:4:5: extends is not supported in a cube",
		}},
		{"duplicate key", map[string]string{"a.yml": "cubes:\n  - name: a\n    sql_table: t\n    sqlTable: u\n"}, []string{
			`a.yml:4:5: duplicate key "sqlTable" in cube (first at line 3)`,
		}},
		{"public not boolean", map[string]string{"a.yml": "cubes:\n  - name: a\n    sql_table: t\n    public: yes\n"}, []string{
			"a.yml:4:13: public must be true or false",
		}},
		{"public and shown", map[string]string{"a.yml": "cubes:\n  - name: a\n    sql_table: t\n    public: true\n    shown: false\n"}, []string{
			"a.yml:5:5: shown: public is already set at line 4",
		}},
		{"duplicate cube across files", map[string]string{"a.yml": okCube, "b.yml": okCube}, []string{
			`b.yml:2:5: duplicate cube "orders" (first defined at a.yml:2:5)`,
		}},
		{"measure without name", map[string]string{"a.yml": okCube + "    segments:\n      - sql: x\n"}, []string{
			"a.yml:13:9: segment has no name",
		}},
		{"measure without type", map[string]string{"a.yml": strings.Replace(okCube, "        type: count\n", "", 1)}, []string{
			`a.yml:5:9: measure "count" has no type`,
		}},
		{"bad measure type", map[string]string{"a.yml": strings.Replace(okCube, "type: count", "type: total", 1)}, []string{
			`a.yml:6:15: unknown measure type "total" (want count, count_distinct, count_distinct_approx, sum, avg, min, max or number)`,
		}},
		{"camelCase measure type", map[string]string{"a.yml": strings.Replace(okCube, "type: count", "type: countDistinct\n        sql: id", 1)}, nil},
		{"sum without sql", map[string]string{"a.yml": strings.Replace(okCube, "type: count", "type: sum", 1)}, []string{
			`a.yml:5:9: measure "count" of type sum has no sql`,
		}},
		{"blank sql", map[string]string{"a.yml": strings.Replace(okCube, "sql: id", `sql: " "`, 1)}, []string{
			`a.yml:8:9: dimension "id" has no sql`,
		}},
		{"dimension without sql", map[string]string{"a.yml": strings.Replace(okCube, "        sql: id\n", "", 1)}, []string{
			`a.yml:8:9: dimension "id" has no sql`,
		}},
		{"dimension without type", map[string]string{"a.yml": strings.Replace(okCube, "        type: number\n", "", 1)}, []string{
			`a.yml:8:9: dimension "id" has no type`,
		}},
		{"bad dimension type", map[string]string{"a.yml": strings.Replace(okCube, "type: number", "type: integer", 1)}, []string{
			`a.yml:10:15: unknown dimension type "integer" (want string, number, time or boolean)`,
		}},
		{"primary_key not boolean", map[string]string{"a.yml": strings.Replace(okCube, "primary_key: true", "primary_key: 1", 1)}, []string{
			"a.yml:11:22: primary_key must be true or false",
		}},
		{"unsupported dimension key", map[string]string{"a.yml": okCube + "        sub_query: true\n"}, []string{
			"a.yml:12:9: sub_query is not supported in a dimension",
		}},
		{"unknown measure key", map[string]string{"a.yml": strings.Replace(okCube, "type: count", "type: count\n        drill: [id]", 1)}, []string{
			`a.yml:7:9: unknown key "drill" in measure`,
		}},
		{"ignored keys", map[string]string{"a.yml": strings.Replace(okCube, "type: count", "type: count\n        format: percent\n        meta: {a: 1}\n        drill_members: [id]", 1) +
			"    pre_aggregations:\n      - name: main\n    refresh_key:\n      every: 1 hour\n    data_source: default\n"}, nil},
		{"duplicate member", map[string]string{"a.yml": okCube + "    segments:\n      - name: count\n        sql: x\n"}, []string{
			`a.yml:13:9: duplicate member "count" in cube "orders" (first defined at a.yml:5:9)`,
		}},
		{"reserved member", map[string]string{"a.yml": okCube + "      - name: __cubeJoinField\n        sql: x\n        type: string\n"}, []string{
			`a.yml:12:9: member name "__cubeJoinField" is reserved`,
		}},
		{"reserved member folded", map[string]string{"a.yml": okCube + "      - name: __USER\n        sql: x\n        type: string\n"}, []string{
			`a.yml:12:9: member name "__USER" is reserved`,
		}},
		{"member name not an identifier", map[string]string{"a.yml": okCube + "      - name: order date\n        sql: x\n        type: time\n"}, []string{
			`a.yml:12:15: invalid dimension name "order date": a name must match [A-Za-z_][A-Za-z0-9_]*`,
		}},
		{"filter without sql", map[string]string{"a.yml": strings.Replace(okCube, "type: count", "type: count\n        filters:\n          - {}", 1)}, []string{
			`a.yml:8:13: filter of measure "count" has no sql`,
		}},
		{"filters not a list", map[string]string{"a.yml": strings.Replace(okCube, "type: count", "type: count\n        filters: x", 1)}, []string{
			"a.yml:7:18: filters must be a list",
		}},
		{"unknown member", map[string]string{"a.yml": okCube + "      - name: label\n        sql: \"{CUBE}.x || {nme}\"\n        type: string\n"}, []string{
			`a.yml:13:27: unknown member or cube "nme" in cube "orders"`,
		}},
		{"unknown member of other cube", map[string]string{"a.yml": okCube + "      - name: label\n        sql: '{orders.nme}'\n        type: string\n"}, []string{
			`a.yml:13:15: unknown member "nme" in cube "orders"`,
		}},
		{"unknown cube in reference", map[string]string{"a.yml": okCube + "      - name: label\n        sql: ${users.name}\n        type: string\n"}, []string{
			`a.yml:13:14: unknown cube "users"`,
		}},
		{"reference in block scalar", map[string]string{"a.yml": okCube + "      - name: label\n        sql: |\n          CASE WHEN {nope}\n          END\n        type: string\n"}, []string{
			`a.yml:13:14: unknown member or cube "nope" in cube "orders"`,
		}},
		{"unterminated reference", map[string]string{"a.yml": okCube + "      - name: label\n        sql: \"{CUBE.id\"\n        type: string\n"}, []string{
			"a.yml:13:15: unterminated reference: missing }",
		}},
		{"invalid reference", map[string]string{"a.yml": okCube + "      - name: label\n        sql: \"x = '{1,2}'\"\n        type: string\n"}, []string{
			"a.yml:13:20: invalid reference {1,2}: want {member}, {cube}, {CUBE.member} or {cube.member}",
		}},
		{"three-part reference", map[string]string{"a.yml": okCube + "      - name: label\n        sql: \"{a.b.c}\"\n        type: string\n"}, []string{
			"a.yml:13:15: invalid reference {a.b.c}: want {member}, {cube}, {CUBE.member} or {cube.member}",
		}},
		{"dimension references measure", map[string]string{"a.yml": okCube + "      - name: label\n        sql: \"{count}\"\n        type: number\n"}, []string{
			`a.yml:13:15: dimension "label" cannot reference measure "count"`,
		}},
		{"segment references measure", map[string]string{"a.yml": okCube + "    segments:\n      - name: big\n        sql: \"{count} > 1\"\n"}, []string{
			`a.yml:14:15: segment "big" cannot reference measure "count"`,
		}},
		{"sum references measure", map[string]string{"a.yml": strings.Replace(okCube, "        type: count\n", "        type: count\n      - name: total\n        type: sum\n        sql: \"{count}\"\n", 1)}, []string{
			`a.yml:9:15: measure "total" of type sum cannot reference measure "count" (use type number)`,
		}},
		{"number references dimension", map[string]string{"a.yml": strings.Replace(okCube, "        type: count\n", "        type: count\n      - name: ratio\n        type: number\n        sql: \"{count} / {id}\"\n", 1)}, []string{
			`a.yml:9:25: measure "ratio" of type number can only reference measures, not dimension "id"`,
		}},
		{"filter references measure", map[string]string{"a.yml": strings.Replace(okCube, "type: count", "type: count\n        filters:\n          - sql: \"{count} > 0\"", 1)}, []string{
			`a.yml:8:19: a filter of measure "count" cannot reference measure "count"`,
		}},
		{"dimension cycle", map[string]string{"a.yml": okCube + "      - name: a\n        sql: \"{b}\"\n        type: string\n      - name: b\n        sql: \"{CUBE.a}\"\n        type: string\n"}, []string{
			"a.yml:16:15: reference cycle: orders.a -> orders.b -> orders.a",
		}},
		{"cycle through a segment", map[string]string{"a.yml": okCube + "      - name: a\n        sql: \"{s}\"\n        type: boolean\n    segments:\n      - name: s\n        sql: \"{a} OR {id} > 0\"\n"}, []string{
			"a.yml:17:15: reference cycle: orders.a -> orders.s -> orders.a",
		}},
		{"number references segment", map[string]string{"a.yml": strings.Replace(okCube, "        type: count\n", "        type: count\n      - name: r\n        type: number\n        sql: \"{s}\"\n", 1) + "    segments:\n      - name: s\n        sql: x\n"}, []string{
			`a.yml:9:15: measure "r" of type number can only reference measures, not segment "s"`,
		}},
		{"title not a string", map[string]string{"a.yml": strings.Replace(okCube, "sql_table: orders", "sql_table: orders\n    title: {a: 1}", 1)}, []string{
			"a.yml:4:12: title must be a string",
		}},
		{"self reference", map[string]string{"a.yml": okCube + "      - name: a\n        sql: \"{a} + 1\"\n        type: number\n"}, []string{
			"a.yml:13:15: reference cycle: orders.a -> orders.a",
		}},
		{"number measure cycle across cubes", map[string]string{
			"a.yml": "cubes:\n  - name: a\n    sql_table: a\n    measures:\n      - name: x\n        type: number\n        sql: \"{b.y}\"\n",
			"b.yml": "cubes:\n  - name: b\n    sql_table: b\n    measures:\n      - name: y\n        type: number\n        sql: \"1 + {a.x}\"\n",
		}, []string{
			"b.yml:7:19: reference cycle: a.x -> b.y -> a.x",
		}},
		{"join to unknown cube", map[string]string{"a.yml": okCube + "    joins:\n      - name: users\n        relationship: many_to_one\n        sql: \"{CUBE}.user_id = {users}.id\"\n"}, []string{
			`a.yml:13:15: join to unknown cube "users"`,
			`a.yml:15:32: unknown member or cube "users" in cube "orders"`,
		}},
		{"join without sql and relationship", map[string]string{"a.yml": okCube + "    joins:\n      - name: orders\n"}, []string{
			`a.yml:13:9: join "orders" has no relationship`,
			`a.yml:13:9: join "orders" has no sql`,
			`a.yml:13:15: cube "orders" cannot join itself`,
		}},
		{"bad relationship", map[string]string{
			"a.yml": okCube + "    joins:\n      - name: users\n        relationship: many_to_many\n        sql: \"{CUBE}.id = {users.id}\"\n",
			"b.yml": "cubes:\n  - name: users\n    sql_table: users\n    dimensions:\n      - name: id\n        sql: id\n        type: number\n",
		}, []string{
			`a.yml:14:23: unknown relationship "many_to_many" (want many_to_one, one_to_many or one_to_one)`,
		}},
		{"join references measure", map[string]string{
			"a.yml": okCube + "    joins:\n      - name: users\n        relationship: hasOne\n        sql: \"{CUBE}.id = {users.count}\"\n",
			"b.yml": "cubes:\n  - name: users\n    sql_table: users\n    measures:\n      - name: count\n        type: count\n",
		}, []string{
			`a.yml:15:27: the join from "orders" cannot reference measure "count"`,
		}},
		{"duplicate join", map[string]string{
			"a.yml": okCube + "    joins:\n      - name: users\n        relationship: many_to_one\n        sql: \"{CUBE}.id = {users}.id\"\n      - name: users\n        relationship: one_to_one\n        sql: \"{CUBE}.id = {users}.id\"\n",
			"b.yml": "cubes:\n  - name: users\n    sql_table: users\n",
		}, []string{
			`a.yml:16:15: duplicate join from "orders" to "users" (first at a.yml:13:9)`,
		}},
		{"errors sorted by file then line", map[string]string{
			"a.yml": "cubes:\n  - name: a\n    sql_table: a\n    dimensions:\n      - name: x\n        sql: \"{nope}\"\n        type: string\n",
			"b.yml": "cubes:\n  - name: b\n    sql_table: b\n    colour: red\n",
		}, []string{
			`a.yml:6:15: unknown member or cube "nope" in cube "a"`,
			`b.yml:4:5: unknown key "colour" in cube`,
		}},
		{"alias", map[string]string{"a.yml": "base: &pk\n  name: id\n  sql: id\n  type: number\n  primary_key: true\n"}, []string{
			`a.yml:1:1: unknown key "base" in model file`,
		}},
		{"aliases are followed", map[string]string{"a.yml": "cubes:\n  - name: a\n    sql_table: a\n    dimensions:\n      - &pk\n        name: id\n        sql: id\n        type: number\n  - name: b\n    sql_table: b\n    dimensions:\n      - *pk\n"}, nil},
		{"merge keys", map[string]string{"a.yml": "x: &base {type: string, title: T}\n" +
			"cubes:\n  - name: a\n    sql_table: a\n    dimensions:\n      - <<: *base\n        name: d\n        sql: d\n        title: own\n"}, []string{
			`a.yml:1:1: unknown key "x" in model file`,
		}},
		{"merge of a non-mapping", map[string]string{"a.yml": okCube + "      - <<: [1]\n        name: d\n        sql: d\n        type: string\n"}, []string{
			"a.yml:12:14: a merge (<<) must be a mapping or a list of mappings",
		}},
		{"self merge", map[string]string{"a.yml": "cubes:\n  - &c\n    name: a\n    sql_table: a\n    <<: *c\n"}, []string{
			"a.yml:2:5: merges (<<) are nested too deeply",
		}},
		{"second document", map[string]string{"a.yml": okCube + "---\ncubes:\n  - name: users\n"}, []string{
			`a.yml:14:5: cube "users" needs sql_table or sql`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := compileErrors(t, tt.files)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompileErrorMessage(t *testing.T) {
	_, err := Compile([]File{{Name: "m/a.yml", Content: []byte("cubes:\n  - name: a\n  - name: b\n    sql_table: b\n    colour: red\n")}})
	pe := pgerr.From(err)
	if pe.Code != pgerr.InvalidObjectDefinition {
		t.Errorf("code = %s, want 42P17", pe.Code)
	}
	want := `m/a.yml:2:5: cube "a" needs sql_table or sql (and 1 more)`
	if pe.Message != want {
		t.Errorf("message = %q, want %q", pe.Message, want)
	}
	wantDetail := "m/a.yml:2:5: cube \"a\" needs sql_table or sql\nm/a.yml:5:5: unknown key \"colour\" in cube"
	if pe.Detail != wantDetail {
		t.Errorf("detail = %q, want %q", pe.Detail, wantDetail)
	}

	_, err = Compile([]File{{Name: "b.yml", Content: []byte("cubes: 1\n")}})
	pe = pgerr.From(err)
	if pe.Message != "b.yml:1:8: cubes must be a list" || pe.Detail != "" {
		t.Errorf("single problem: message %q detail %q", pe.Message, pe.Detail)
	}
}

// Aliases must not multiply the work: 300 aliases of a cube that holds 300
// aliases of a measure would be 90,000 measures.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("cubes:\n  - &c\n    name: a\n    sql_table: a\n    measures:\n      - &m {name: m, type: count}\n")
	for range 300 {
		b.WriteString("      - *m\n")
	}
	for range 300 {
		b.WriteString("  - *c\n")
	}
	got := compileErrors(t, map[string]string{"a.yml": b.String()})
	found := 0
	for _, e := range got {
		if strings.Contains(e, "too many YAML aliases") {
			found++
		}
	}
	if found != 1 || len(got) > 20000 {
		t.Errorf("%d alias errors among %d problems", found, len(got))
	}
	_, err := Compile([]File{{Name: "a.yml", Content: []byte(b.String())}})
	detail := pgerr.From(err).Detail
	if n := strings.Count(detail, "\n"); n != maxDetail || !strings.HasSuffix(detail, fmt.Sprintf("... and %d more", len(got)-maxDetail)) {
		t.Errorf("detail has %d lines, ends %q", n, detail[max(0, len(detail)-40):])
	}
}
