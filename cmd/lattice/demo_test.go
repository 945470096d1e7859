package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/examples/demo"
	"github.com/lattice-sql/lattice/tenancy/config"
)

// TestDemo runs `lattice demo` as a user does: the built binary, a fresh
// data directory, the psql lines it prints pasted into the real psql. The
// answers are computed from the demo's own generators.
func TestDemo(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatalf("the demo test needs the psql client: %v", err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "lattice")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dataDir := filepath.Join(tmp, "data")
	addr := freeAddr(t)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "demo", "--listen", addr, "--http-listen", "127.0.0.1:0", "--data-dir", dataDir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	banner, err := readBanner(stdout, 30*time.Second)
	if err != nil {
		t.Fatalf("demo output: %v\nstdout so far:\n%s\nstderr:\n%s", err, banner, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout); exited <- cmd.Wait() }()

	printed := parseDemoOutput(t, banner)
	tenants := demo.Tenants()
	if got, want := len(printed), len(tenants); got != want {
		t.Fatalf("demo printed %d tenants, want %d:\n%s", got, want, banner)
	}

	// The demo must not depend on a database server: its config names
	// nothing but SQLite files in the data directory.
	cfg, err := config.Load(filepath.Join(dataDir, demo.ConfigName))
	if err != nil {
		t.Fatal(err)
	}
	for typ := range cfg.Tenancy.DriverFactory {
		if typ != "sqlite" {
			t.Errorf("demo config has a %q driver; want only sqlite", typ)
		}
	}

	for i, tn := range tenants {
		p := printed[i]
		t.Run(tn.Name, func(t *testing.T) {
			if p.name != tn.Name {
				t.Fatalf("tenant %d printed as %q, want %q", i, p.name, tn.Name)
			}
			if _, port, _ := net.SplitHostPort(addr); !strings.Contains(p.conninfo, "port="+port) {
				t.Errorf("psql line %q does not name the port %s", p.conninfo, port)
			}
			if diff := gocmp.Diff(tn.Examples, p.examples); diff != "" {
				t.Errorf("printed examples (-want +got):\n%s", diff)
			}
			want := expectedAnswers(tn)
			if len(want) != len(tn.Examples) {
				t.Fatalf("the test knows %d answers for %d examples", len(want), len(tn.Examples))
			}
			for j, q := range p.examples {
				if len(want[j]) == 0 {
					t.Fatalf("no expected rows for %s", q)
				}
				got, errText := runPsql(t, psql, p, q)
				if errText != "" {
					t.Errorf("%s\nfailed: %s", q, errText)
					continue
				}
				if !sameRows(got, want[j]) {
					t.Errorf("%s\ngot  %q\nwant %q", q, got, want[j])
				}
			}
		})
	}

	// A tenant sees only its own cubes: the other tenant's examples name
	// relations that do not exist for it.
	for i := range printed {
		other := printed[(i+1)%len(printed)]
		_, errText := runPsql(t, psql, printed[i], other.examples[0])
		if !strings.Contains(errText, "42P01") {
			t.Errorf("tenant %s ran tenant %s's query %q: want SQLSTATE 42P01, got %q", printed[i].name, other.name, other.examples[0], errText)
		}
	}

	// A wrong token is refused.
	bad := printed[0]
	bad.password = bad.password[:len(bad.password)-4] + "AAAA"
	if _, errText := runPsql(t, psql, bad, "SELECT 1"); !strings.Contains(errText, "password authentication failed") {
		t.Errorf("a token with a bad signature: want an authentication error, got %q", errText)
	}

	// Ctrl-C stops it cleanly.
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("demo exited with %v after SIGINT; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Errorf("demo did not stop within 15s of SIGINT")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// readBanner reads the demo's stdout up to its last line ("Press Ctrl-C").
func readBanner(r io.Reader, timeout time.Duration) (string, error) {
	var b strings.Builder
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "Press Ctrl-C") {
				done <- nil
				return
			}
		}
		done <- fmt.Errorf("stdout ended before the banner was complete (%v)", sc.Err())
	}()
	select {
	case err := <-done:
		return b.String(), err
	case <-time.After(timeout):
		return "", fmt.Errorf("no banner within %s", timeout)
	}
}

type printedTenant struct {
	name     string
	password string
	conninfo string
	examples []string
}

// parseDemoOutput reads "Tenant NAME (...)" blocks, each with one
// `PGPASSWORD=... psql "..."` line and its example queries.
func parseDemoOutput(t *testing.T, out string) []printedTenant {
	t.Helper()
	var ts []printedTenant
	for _, line := range strings.Split(out, "\n") {
		s := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(s, "Tenant "):
			name, _, _ := strings.Cut(strings.TrimPrefix(s, "Tenant "), " ")
			ts = append(ts, printedTenant{name: name})
		case strings.HasPrefix(s, "PGPASSWORD="):
			if len(ts) == 0 {
				t.Fatalf("psql line before any tenant: %q", s)
			}
			tok, rest, ok := strings.Cut(strings.TrimPrefix(s, "PGPASSWORD="), " psql ")
			if !ok || len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
				t.Fatalf("psql line %q is not PGPASSWORD=<token> psql \"<conninfo>\"", s)
			}
			ts[len(ts)-1].password = tok
			ts[len(ts)-1].conninfo = rest[1 : len(rest)-1]
		case strings.HasPrefix(s, "SELECT "):
			if len(ts) == 0 {
				t.Fatalf("example before any tenant: %q", s)
			}
			ts[len(ts)-1].examples = append(ts[len(ts)-1].examples, s)
		}
	}
	for _, p := range ts {
		if p.password == "" || len(p.examples) < 2 {
			t.Fatalf("tenant %s: want a psql line and at least two examples, output:\n%s", p.name, out)
		}
		if want := "user=demo dbname=demo sslmode=disable"; !strings.Contains(p.conninfo, want) {
			t.Errorf("tenant %s: conninfo %q lacks %q", p.name, p.conninfo, want)
		}
	}
	return ts
}

// runPsql runs q with the printed line's password and conninfo and returns
// the rows (unaligned, '|'-separated) or psql's error text.
func runPsql(t *testing.T, psql string, p printedTenant, q string) ([][]string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, p.conninfo, "-X", "-A", "-t", "-F", "|",
		"-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose", "-c", q)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+p.password, "PGCONNECT_TIMEOUT=10")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, strings.TrimSpace(errb.String()) + " (" + err.Error() + ")"
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if line != "" {
			rows = append(rows, strings.Split(line, "|"))
		}
	}
	return rows, ""
}

// sameRows compares cell by cell; numbers may differ by float noise only
// (SQLite sums money as REAL).
func sameRows(got, want [][]string) bool {
	return slices.EqualFunc(got, want, func(g, w []string) bool {
		return slices.EqualFunc(g, w, func(a, b string) bool {
			if a == b {
				return true
			}
			x, err1 := strconv.ParseFloat(a, 64)
			y, err2 := strconv.ParseFloat(b, 64)
			return err1 == nil && err2 == nil && math.Abs(x-y) < 1e-6
		})
	})
}

// expectedAnswers computes each example's result from the generated rows.
func expectedAnswers(tn demo.Tenant) [][][]string {
	switch tn.Name {
	case "shop":
		orders := rowsByName(tn.Table("orders"))
		customers := map[int64]map[string]any{}
		for _, c := range rowsByName(tn.Table("customers")) {
			customers[num(c["id"])] = c
		}
		type agg struct {
			n     int64
			cents int64
		}
		byStatus := map[string]*agg{}
		byCountry := map[string]*agg{}
		byQuarter := map[string]int64{}
		for _, o := range orders {
			cents := int64(math.Round(o["amount"].(float64) * 100))
			add := func(m map[string]*agg, k string) {
				if m[k] == nil {
					m[k] = &agg{}
				}
				m[k].n++
				m[k].cents += cents
			}
			add(byStatus, o["status"].(string))
			add(byCountry, customers[num(o["customer_id"])]["country"].(string))
			ts, _ := time.Parse("2006-01-02 15:04:05", o["created_at"].(string))
			q := time.Date(ts.Year(), (ts.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02 15:04:05")
			byQuarter[q] += 0
			if o["status"] == "completed" {
				byQuarter[q]++
			}
		}
		money := func(c int64) string { return strconv.FormatFloat(float64(c)/100, 'f', 2, 64) }
		var q0, q1, q2 [][]string
		for _, k := range sortedKeys(byStatus) {
			q0 = append(q0, []string{k, strconv.FormatInt(byStatus[k].n, 10), money(byStatus[k].cents)})
		}
		countries := sortedKeys(byCountry)
		slices.SortStableFunc(countries, func(a, b string) int { return cmp.Compare(byCountry[b].cents, byCountry[a].cents) })
		for _, k := range countries {
			q1 = append(q1, []string{k, money(byCountry[k].cents)})
		}
		for _, k := range sortedKeys(byQuarter) {
			q2 = append(q2, []string{k, strconv.FormatInt(byQuarter[k], 10)})
		}
		return [][][]string{q0, q1, q2}
	case "saas":
		type agg struct {
			active int64
			cents  int64
		}
		byPlan := map[string]*agg{}
		for _, s := range rowsByName(tn.Table("subscriptions")) {
			p := s["plan"].(string)
			if byPlan[p] == nil {
				byPlan[p] = &agg{}
			}
			if s["status"] == "active" {
				byPlan[p].active++
				byPlan[p].cents += int64(math.Round(s["mrr"].(float64) * 100))
			}
		}
		industry := map[int64]string{}
		for _, a := range rowsByName(tn.Table("accounts")) {
			industry[num(a["id"])] = a["industry"].(string)
		}
		accountsBy := map[string]map[int64]bool{}
		byKind := map[string]int64{}
		for _, e := range rowsByName(tn.Table("events")) {
			ind := industry[num(e["account_id"])]
			if accountsBy[ind] == nil {
				accountsBy[ind] = map[int64]bool{}
			}
			accountsBy[ind][num(e["account_id"])] = true
			if e["occurred_at"].(string) >= "2025-07-01" {
				byKind[e["kind"].(string)]++
			}
		}
		var q0, q1, q2 [][]string
		for _, k := range sortedKeys(byPlan) {
			mrr := ""
			if byPlan[k].active > 0 {
				mrr = strconv.FormatFloat(float64(byPlan[k].cents)/100, 'f', 2, 64)
			}
			q0 = append(q0, []string{k, strconv.FormatInt(byPlan[k].active, 10), mrr})
		}
		for _, k := range sortedKeys(accountsBy) {
			q1 = append(q1, []string{k, strconv.Itoa(len(accountsBy[k]))})
		}
		kinds := sortedKeys(byKind)
		slices.SortStableFunc(kinds, func(a, b string) int { return cmp.Compare(byKind[b], byKind[a]) })
		for _, k := range kinds {
			q2 = append(q2, []string{k, strconv.FormatInt(byKind[k], 10)})
		}
		return [][][]string{q0, q1, q2}
	}
	return nil
}

// rowsByName returns a table's rows as column name → value.
func rowsByName(tb demo.Table) []map[string]any {
	out := make([]map[string]any, len(tb.Rows))
	for i, r := range tb.Rows {
		m := map[string]any{}
		for j, c := range tb.Columns {
			name, _, _ := strings.Cut(c, " ")
			m[name] = r[j]
		}
		out[i] = m
	}
	return out
}

func num(v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	}
	panic(fmt.Sprintf("not an integer: %T", v))
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
