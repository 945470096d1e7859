package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTemplate(t *testing.T) {
	ref := func(a, b string, off int) rawPart { return rawPart{ref: true, a: a, b: b, off: off} }
	text := func(s string) rawPart { return rawPart{text: s} }
	tests := []struct {
		src     string
		want    []rawPart
		errOff  int
		errText string
	}{
		{src: "amount", want: []rawPart{text("amount")}},
		{src: "{CUBE}.status", want: []rawPart{ref("CUBE", "", 0), text(".status")}},
		{src: "${CUBE}.status", want: []rawPart{ref("CUBE", "", 0), text(".status")}},
		{src: "{CUBE.id}", want: []rawPart{ref("CUBE", "id", 0)}},
		{src: "x = {users.name}", want: []rawPart{text("x = "), ref("users", "name", 4)}},
		{src: "{a}{b}", want: []rawPart{ref("a", "", 0), ref("b", "", 3)}},
		{src: "{ a . b }", errOff: 0, errText: "invalid reference { a . b }: want {member}, {cube}, {CUBE.member} or {cube.member}"},
		{src: "{ count }", want: []rawPart{ref("count", "", 0)}},
		{src: "1.0 * ${completed} / NULLIF(${count}, 0)", want: []rawPart{
			text("1.0 * "), ref("completed", "", 6), text(" / NULLIF("), ref("count", "", 28), text(", 0)"),
		}},
		{src: "a $ b", want: []rawPart{text("a $ b")}},
		{src: "json -> '}'", want: []rawPart{text("json -> '}'")}},
		{src: "x {", errOff: 2, errText: "unterminated reference: missing }"},
		{src: "ab ${x", errOff: 3, errText: "unterminated reference: missing }"},
		{src: "{}", errOff: 0, errText: "invalid reference {}: want {member}, {cube}, {CUBE.member} or {cube.member}"},
		{src: "{a.}", errOff: 0, errText: "invalid reference {a.}: want {member}, {cube}, {CUBE.member} or {cube.member}"},
		{src: "ok {x} then {1}", errOff: 12, errText: "invalid reference {1}: want {member}, {cube}, {CUBE.member} or {cube.member}"},
		{src: "{users.sql()}", errOff: 0, errText: "invalid reference {users.sql()}: want {member}, {cube}, {CUBE.member} or {cube.member}"},
		{src: "{a{b}", errOff: 0, errText: "invalid reference {a{b}: want {member}, {cube}, {CUBE.member} or {cube.member}"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, off, msg := parseTemplate(tt.src)
			if msg != tt.errText || off != tt.errOff {
				t.Fatalf("error = %d %q, want %d %q", off, msg, tt.errOff, tt.errText)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(rawPart{})); diff != "" {
				t.Errorf("parts (-want +got):\n%s", diff)
			}
		})
	}
}

// Error positions point into the template when the value is verbatim on its
// line, and at the value otherwise.
func TestReferencePositions(t *testing.T) {
	const head = "cubes:\n  - name: c\n    sql_table: c\n    dimensions:\n      - name: d\n        type: string\n"
	tests := []struct{ sql, want string }{
		{"sql: a || {x}", "m.yml:7:19"},
		{`sql: "a || {x}"`, "m.yml:7:20"},
		{`sql: 'a || {x}'`, "m.yml:7:20"},
		{`sql: 'it''s {x}'`, "m.yml:7:14"},        // '' escape: the value is not verbatim
		{`sql: "\u00e9 {x}"`, "m.yml:7:14"},       // escape
		{`sql: "é {x}"`, "m.yml:7:17"},            // columns count characters
		{"sql: >\n          a {x}", "m.yml:7:14"}, // block scalar
		{"sql: a\n          {x}", "m.yml:7:14"},   // folded plain scalar
		{"sql: a    # {y}\n", ""},                 // comments are not SQL
		{"sql: \"a\" # {y}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			got := compileErrors(t, map[string]string{"m.yml": head + "        " + tt.sql + "\n"})
			if tt.want == "" {
				if got != nil {
					t.Fatalf("errors %v", got)
				}
				return
			}
			want := []string{tt.want + `: unknown member or cube "x" in cube "c"`}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
