package catalog

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgtype"
	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// TestAPI covers what the differential test cannot: Describe metadata,
// parameter types, SHOW, and the SQLSTATE of errors. Regenerate with
// go test ./planner/catalog -run TestAPI -rewrite (then review the diff).
func TestAPI(t *testing.T) {
	m := pgtype.NewMap()
	RegisterTypes(m)
	datadriven.Walk(t, "testdata/api", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			var res *Result
			var err error
			switch d.Cmd {
			case "show":
				res, err = Show(strings.TrimSpace(d.Input))
			case "plan", "exec":
				var tree *pg_query.ParseResult
				if tree, err = pg_query.Parse(d.Input); err != nil {
					return "parse error: " + err.Error()
				}
				var declared []uint32
				for _, a := range d.CmdArgs {
					if a.Key == "types" {
						for _, v := range a.Vals {
							var oid uint32
							fmt.Sscan(v, &oid)
							declared = append(declared, oid)
						}
					}
				}
				res, err = Plan(sharedFixture, tree.Stmts[0].Stmt, declared)
			default:
				t.Fatalf("unknown command %s", d.Cmd)
			}
			if err != nil {
				return formatErr(err)
			}
			var b strings.Builder
			for _, c := range res.Columns {
				fmt.Fprintf(&b, "column %s oid=%d size=%d table=%d attnum=%d\n", c.Name, c.OID, c.TypeSize, c.TableOID, c.AttNum)
			}
			if len(res.ParamOIDs) > 0 {
				fmt.Fprintf(&b, "params %v\n", res.ParamOIDs)
			}
			if d.Cmd == "plan" {
				return b.String()
			}
			var params []any
			for _, a := range d.CmdArgs {
				if a.Key == "args" {
					for _, v := range a.Vals {
						if v == "NULL" {
							params = append(params, nil)
						} else {
							params = append(params, v)
						}
					}
				}
			}
			sess := testSession()
			if d.HasArg("search_path") {
				var sp string
				d.ScanArgs(t, "search_path", &sp)
				sess.Settings["search_path"] = sp
			}
			rows, err := res.Rows(sess, params)
			if err != nil {
				return b.String() + formatErr(err)
			}
			for _, r := range rows {
				var cells []string
				for i, v := range r {
					if v == nil {
						cells = append(cells, "NULL")
						continue
					}
					buf, err := m.Encode(res.Columns[i].OID, pgtype.TextFormatCode, v, []byte{})
					if err != nil {
						t.Fatalf("encode %T for oid %d: %v", v, res.Columns[i].OID, err)
					}
					cells = append(cells, string(buf))
				}
				b.WriteString(strings.Join(cells, " | ") + "\n")
			}
			return b.String()
		})
	})
}

func formatErr(err error) string {
	var pe *pgerr.Error
	if !errors.As(err, &pe) {
		return "error (not a *pgerr.Error): " + err.Error()
	}
	s := fmt.Sprintf("error %s: %s", pe.Code, pe.Message)
	if pe.Hint != "" {
		s += "\nhint: " + pe.Hint
	}
	return s + "\n"
}

// TestBinaryEncoding checks that every column of every catalog table
// encodes in binary format too (pgx and Npgsql ask for binary), except the
// text-only types RegisterTypes declares.
func TestBinaryEncoding(t *testing.T) {
	m := pgtype.NewMap()
	RegisterTypes(m)
	for _, tbl := range registry {
		tree, err := pg_query.Parse("SELECT * FROM " + tbl.schema + "." + tbl.name)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Plan(sharedFixture, tree.Stmts[0].Stmt, nil)
		if err != nil {
			t.Fatalf("%s: %v", tbl.name, err)
		}
		rows, err := res.Rows(testSession(), nil)
		if err != nil {
			t.Fatalf("%s: %v", tbl.name, err)
		}
		for _, r := range rows {
			for i, v := range r {
				col := res.Columns[i]
				format := int16(pgtype.BinaryFormatCode)
				if typ, ok := m.TypeForOID(col.OID); ok && !typ.Codec.FormatSupported(pgtype.BinaryFormatCode) {
					format = pgtype.TextFormatCode
				}
				if _, err := m.Encode(col.OID, format, v, nil); err != nil {
					t.Errorf("%s.%s: %T (oid %d): %v", tbl.name, col.Name, v, col.OID, err)
				}
			}
		}
	}
}

func TestDefaultSettings(t *testing.T) {
	s := DefaultSettings()
	for _, name := range []string{"server_version", "server_version_num", "server_encoding", "client_encoding", "datestyle", "intervalstyle", "integer_datetimes", "standard_conforming_strings", "timezone", "search_path", "transaction_isolation", "default_transaction_isolation", "transaction_read_only", "max_identifier_length", "extra_float_digits", "application_name", "is_superuser", "session_authorization", "lc_collate", "lc_ctype", "max_index_keys", "block_size"} {
		if _, ok := s[name]; !ok {
			t.Errorf("DefaultSettings lacks %s", name)
		}
	}
	for k := range s {
		if k != strings.ToLower(k) {
			t.Errorf("setting %q is not lowercase", k)
		}
	}
	// Callers own the returned map.
	s["datestyle"] = "x"
	if diff := cmp.Diff("ISO, MDY", DefaultSettings()["datestyle"]); diff != "" {
		t.Error(diff)
	}
}

func TestShowAll(t *testing.T) {
	res, err := Show("ALL")
	if err != nil {
		t.Fatal(err)
	}
	sess := testSession()
	sess.Settings["application_name"] = "psql"
	sess.Settings["lattice.custom"] = "x"
	rows, err := res.Rows(sess, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for _, r := range rows {
		got[r[0].(string)] = r[1]
	}
	for name, want := range map[string]string{"server_version": "15.0", "DateStyle": "ISO, MDY", "application_name": "psql", "lattice.custom": "x", "work_mem": "4MB"} {
		if got[name] != want {
			t.Errorf("SHOW ALL %s = %v, want %q", name, got[name], want)
		}
	}
	if len(rows) < 300 {
		t.Errorf("SHOW ALL has %d rows; PostgreSQL 15 has over 300 parameters", len(rows))
	}
}

// TestConcurrentPlans runs the same catalog queries from many goroutines:
// snapshots and cached plans are shared.
func TestConcurrentPlans(t *testing.T) {
	m := bigModel(5)
	queries := []string{
		"SELECT relname FROM pg_class WHERE relkind = 'r' ORDER BY 1",
		"SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = 'orders_1' AND a.attnum > 0",
	}
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func() {
			for _, q := range queries {
				tree, err := pg_query.Parse(q)
				if err != nil {
					done <- err
					return
				}
				res, err := Plan(m, tree.Stmts[0].Stmt, nil)
				if err != nil {
					done <- err
					return
				}
				if _, err := res.Rows(testSession(), nil); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
