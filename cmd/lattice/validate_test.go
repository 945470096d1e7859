package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateGoodModels(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"validate", "--model", "../../examples/seed/model/1"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
	t.Setenv("CUBEJS_API_SECRET", "s")
	out.Reset()
	if code := run([]string{"validate", "--config", "../../examples/seed/lattice.yml"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
	// Every app folder the repository_factory path can name is checked.
	if n := strings.Count(out.String(), ": ok ("); n != 3 {
		t.Errorf("checked %d model folders, want 3:\n%s", n, out.String())
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	model := `cubes:
  - name: orders
    sql_table: orders
    measures:
      - name: count
        type: cnt
    dimensions:
      - name: status
        sql: "{missing}"
        type: string
    joins:
      - name: nowhere
        relationship: many_to_one
        sql: "{CUBE}.x = {nowhere}.id"
`
	if err := os.WriteFile(filepath.Join(dir, "orders.yml"), []byte(model), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"validate", "--model", dir}, &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1: %s%s", code, out.String(), errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	// The bad type, the unknown member, the join's target and the join's
	// SQL reference to it.
	if len(lines) != 4 {
		t.Fatalf("want 4 problems, got:\n%s", out.String())
	}
	for _, want := range []string{"orders.yml:6:15:", "orders.yml:9:15:", "orders.yml:12:15:", "orders.yml:14:26:"} {
		found := false
		for _, l := range lines {
			// Every line is file:line:column: message.
			if strings.HasPrefix(l, filepath.Join(dir, want)+" ") {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem reported at %s:\n%s", want, out.String())
		}
	}
	if code := run([]string{"validate"}, &out, &errb); code == 0 {
		t.Error("validate without --model or --config succeeded")
	}
}
