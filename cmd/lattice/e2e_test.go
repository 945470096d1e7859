package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lattice-sql/lattice/examples/seed"
	"github.com/lattice-sql/lattice/tenancy"
)

// The end-to-end tests run the seed's multitenancy example: four tenants on
// the real PostgreSQL and MariaDB, each app with its own model, served by an
// in-process Lattice built exactly as `lattice serve` builds it.

const (
	e2eSecret = "e2e-secret-with-enough-bytes-for-hs512-0123456789abcdef"
	e2ePrefix = "lattice_test_e2e_app_"
)

var (
	e2eAddr    string // the running Lattice's Postgres listener, set by TestMain
	e2eAPIAddr string // its REST API
)

func TestMain(m *testing.M) {
	os.Exit(runE2E(m))
}

func runE2E(m *testing.M) int {
	ctx := context.Background()
	for _, t := range seed.Tenants {
		if err := seed.Create(ctx, t, e2ePrefix); err != nil {
			fmt.Fprintln(os.Stderr, "e2e setup:", err)
			return 1
		}
	}
	defer func() {
		for _, t := range seed.Tenants {
			_ = seed.Drop(ctx, t, e2ePrefix)
		}
	}()
	model, err := filepath.Abs("../../examples/seed/model")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cfg := strings.NewReplacer("MODEL", model, "PREFIX", e2ePrefix).Replace(`
listen: 127.0.0.1:0
http:
  listen: 127.0.0.1:0
auth:
  jwt:
    secret: ${LATTICE_E2E_SECRET}
tenancy:
  context_to_app_id: "CUBEJS_APP_{{ authInfo.appId }}_{{ authInfo.userId }}"
  db_type: "{{ authInfo.appId == 3 ? 'mongobi' : 'postgres' }}"
  driver_factory:
    postgres:
      host: 127.0.0.1
      port: 5432
      user: postgres
      database: "PREFIX{{ authInfo.appId }}_{{ authInfo.userId }}"
    mongobi:
      host: 127.0.0.1
      port: 3306
      user: root
      database: "PREFIX{{ authInfo.appId }}_{{ authInfo.userId }}"
  repository_factory:
    path: "MODEL/{{ authInfo.appId }}"
`)
	os.Setenv("LATTICE_E2E_SECRET", e2eSecret)
	srv, err := startFromConfig([]byte(cfg), model, discardLogger())
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e start:", err)
		return 1
	}
	defer srv.Close()
	e2eAddr = srv.Addr().String()
	e2eAPIAddr = srv.apiAddr.String()
	return m.Run()
}

func token(t testing.TB, claims map[string]any, ttl time.Duration) string {
	t.Helper()
	tok, err := tenancy.Sign([]byte(e2eSecret), "HS256", claims, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func connString(password string) string {
	host, port, _ := strings.Cut(e2eAddr, ":")
	return fmt.Sprintf("host=%s port=%s user=any dbname=any sslmode=disable password=%s", host, port, password)
}

func connect(t testing.TB, password string) (*pgx.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connString(password))
	if err == nil {
		t.Cleanup(func() { conn.Close(context.Background()) })
	}
	return conn, err
}

func mustConnect(t testing.TB, tn seed.Tenant) *pgx.Conn {
	t.Helper()
	conn, err := connect(t, token(t, tn.Claims(), time.Hour))
	if err != nil {
		t.Fatalf("connect as app %d user %d: %v", tn.AppID, tn.UserID, err)
	}
	return conn
}

// rowsText runs sql and returns every row as strings (NULL as "<null>").
func rowsText(t testing.TB, conn *pgx.Conn, sql string, args ...any) [][]string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		var row []string
		for _, raw := range rows.RawValues() {
			if raw == nil {
				row = append(row, "<null>")
			} else {
				row = append(row, string(raw))
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// statusCounts is the expected answer of the scenario's query, computed
// from the rows the tenant's database was filled with.
func statusCounts(tn seed.Tenant) [][]string {
	counts := map[string]int{}
	for _, o := range tn.Orders() {
		counts[o.Status]++
	}
	var out [][]string
	for s, n := range counts {
		out = append(out, []string{s, fmt.Sprint(n)})
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}

func TestEachTenantSeesOnlyItsOwnData(t *testing.T) {
	for _, tn := range seed.Tenants {
		if tn.AppID == 2 {
			continue
		}
		t.Run(tn.Database(""), func(t *testing.T) {
			conn := mustConnect(t, tn)
			got := rowsText(t, conn, "SELECT status, MEASURE(count) FROM orders GROUP BY 1 ORDER BY 1")
			if diff := cmp.Diff(statusCounts(tn), got); diff != "" {
				t.Errorf("status counts (-want +got):\n%s", diff)
			}
			for _, other := range seed.Tenants {
				if other != tn && slices.ContainsFunc(got, func(r []string) bool { return r[0] == other.UniqueStatus() }) {
					t.Errorf("app %d user %d sees a row of app %d user %d", tn.AppID, tn.UserID, other.AppID, other.UserID)
				}
			}
		})
	}
}

func TestAppTwoHasItsOwnModel(t *testing.T) {
	tn := seed.Tenants[2]
	conn := mustConnect(t, tn)
	states := map[string]int{}
	for _, tk := range tn.Tickets() {
		states[tk.State]++
	}
	var want [][]string
	for s, n := range states {
		want = append(want, []string{s, fmt.Sprint(n)})
	}
	slices.SortFunc(want, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	got := rowsText(t, conn, "SELECT state, MEASURE(count) FROM tickets GROUP BY 1 ORDER BY 1")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ticket states (-want +got):\n%s", diff)
	}
	// App 1's cube does not exist in app 2's model, and the reverse.
	wantCode(t, conn, "SELECT status, MEASURE(count) FROM orders GROUP BY 1", "42P01")
	wantCode(t, mustConnect(t, seed.Tenants[0]), "SELECT MEASURE(count) FROM tickets", "42P01")
}

func TestResultTypesAreExact(t *testing.T) {
	conn := mustConnect(t, seed.Tenants[0])
	rows, err := conn.Query(context.Background(), "SELECT status, MEASURE(count), MEASURE(total_amount), DATE_TRUNC('month', created_at) FROM orders GROUP BY 1, 4 LIMIT 1")
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	var got []uint32
	for _, f := range rows.FieldDescriptions() {
		got = append(got, f.DataTypeOID)
	}
	want := []uint32{25, 20, 1700, 1114} // text, int8, numeric, timestamp
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("column type OIDs (-want +got):\n%s", diff)
	}
}

func TestMariaDBTenantAgreesWithItsData(t *testing.T) {
	tn := seed.Tenants[3]
	conn := mustConnect(t, tn)
	var total float64
	for _, o := range tn.Orders() {
		var f float64
		fmt.Sscan(o.Amount, &f)
		total += f
	}
	got := rowsText(t, conn, "SELECT MEASURE(total_amount) FROM orders")
	if len(got) != 1 || got[0][0] != fmt.Sprintf("%.2f", total) {
		t.Errorf("total_amount on MariaDB = %v, want %.2f", got, total)
	}
}

func TestPsqlClient(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatal("psql is not installed (scripts/services.sh installs it)")
	}
	for _, tn := range []seed.Tenant{seed.Tenants[1], seed.Tenants[3]} {
		host, port, _ := strings.Cut(e2eAddr, ":")
		cmd := exec.Command(psql, "-X", "-At", "-F", ",", "-c", "SELECT status, MEASURE(count) FROM orders GROUP BY 1 ORDER BY 1",
			fmt.Sprintf("host=%s port=%s user=any dbname=any sslmode=disable", host, port))
		cmd.Env = append(os.Environ(), "PGPASSWORD="+token(t, tn.Claims(), time.Hour))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("psql: %v\n%s", err, out)
		}
		var want []string
		for _, r := range statusCounts(tn) {
			want = append(want, strings.Join(r, ","))
		}
		if diff := cmp.Diff(strings.Join(want, "\n")+"\n", string(out)); diff != "" {
			t.Errorf("psql output for app %d (-want +got):\n%s", tn.AppID, diff)
		}
	}
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func wantCode(t testing.TB, conn *pgx.Conn, sql, code string) *pgconn.PgError {
	t.Helper()
	_, err := conn.Exec(context.Background(), sql)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != code {
		t.Fatalf("%s: got error %v, want SQLSTATE %s", sql, err, code)
	}
	return pe
}

func TestBadTokensAreRefused(t *testing.T) {
	claims := seed.Tenants[0].Claims()
	wrongKey, _ := tenancy.Sign([]byte("another-secret-another-secret-another-secret"), "HS256", claims, time.Hour)
	expired := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"appId": 1, "userId": 2, "exp": time.Now().Add(-time.Hour).Unix()})
	expiredTok, _ := expired.SignedString([]byte(e2eSecret))
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"appId": 1, "userId": 2})
	noneTok, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	for name, pw := range map[string]string{
		"wrong signature": wrongKey,
		"expired":         expiredTok,
		"alg none":        noneTok,
		"not a jwt":       "hunter2",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := connect(t, pw)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "28P01" || pe.Severity != "FATAL" {
				t.Fatalf("got %v, want FATAL 28P01", err)
			}
		})
	}
}

func TestBadSQLGetsItsSQLSTATE(t *testing.T) {
	conn := mustConnect(t, seed.Tenants[0])
	wantCode(t, conn, "SELECT MEASURE(count) FROM nowhere", "42P01")
	wantCode(t, conn, "SELECT colour, MEASURE(count) FROM orders GROUP BY 1", "42703")
	pe := wantCode(t, conn, "SELECT status FROM orders GROUP BY GROUP", "42601")
	if pe.Position == 0 {
		t.Errorf("syntax error has no position: %+v", pe)
	}
	// The connection is still usable after each error.
	if got := rowsText(t, conn, "SELECT MEASURE(count) FROM orders"); len(got) != 1 {
		t.Errorf("after errors: %v", got)
	}
}

func TestMissingTenantDatabaseFailsAlone(t *testing.T) {
	lost := seed.Tenant{AppID: 1, UserID: 99, DBType: "postgres"} // no database was created
	conn, err := connect(t, token(t, lost.Claims(), time.Hour))
	if err == nil {
		_, err = conn.Exec(context.Background(), "SELECT MEASURE(count) FROM orders")
	}
	if code := pgCode(err); code == "" || code == "XX000" {
		t.Fatalf("tenant without a database: got %v, want a SQLSTATE error", err)
	}
	// Every other tenant keeps being served.
	for _, tn := range seed.Tenants {
		if tn.AppID == 2 {
			continue
		}
		if got := rowsText(t, mustConnect(t, tn), "SELECT MEASURE(count) FROM orders"); got[0][0] != fmt.Sprint(len(tn.Orders())) {
			t.Errorf("app %d user %d count = %v, want %d", tn.AppID, tn.UserID, got, len(tn.Orders()))
		}
	}
}

// pgx's default mode prepares named statements and reads results in binary.
func TestPgxDefaultModeBinary(t *testing.T) {
	tn := seed.Tenants[0]
	conn := mustConnect(t, tn)
	ctx := context.Background()
	var n int64
	for _, status := range []string{"completed", "shipped", "completed"} {
		if err := conn.QueryRow(ctx, "SELECT MEASURE(count) FROM orders WHERE status = $1", status).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := int64(countStatus(tn, status)); n != want {
			t.Errorf("count(%s) = %d, want %d", status, n, want)
		}
	}
	rows, err := conn.Query(ctx, "SELECT DATE_TRUNC('year', created_at) AS y, MEASURE(total_amount) FROM orders GROUP BY 1 ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]float64{}
	for _, o := range tn.Orders() {
		var f float64
		fmt.Sscan(o.Amount, &f)
		want[o.CreatedAt.Year()] += f
	}
	got := map[int]float64{}
	for rows.Next() {
		var y time.Time
		var amt pgtype.Numeric
		if err := rows.Scan(&y, &amt); err != nil {
			t.Fatal(err)
		}
		if y != time.Date(y.Year(), 1, 1, 0, 0, 0, 0, time.UTC) {
			t.Errorf("bucket %v is not the start of a year", y)
		}
		f, _ := amt.Float64Value()
		got[y.Year()] = math.Round(f.Float64*100) / 100
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for y := range want {
		want[y] = math.Round(want[y]*100) / 100
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("total_amount per year (-want +got):\n%s", diff)
	}
}

// A client that asks for every column in binary still gets the catalog's
// text-only types (regclass, ...) as text, and RowDescription says so.
func TestBinaryRequestForTextOnlyCatalogType(t *testing.T) {
	conn := mustConnect(t, seed.Tenants[0])
	res := conn.PgConn().ExecParams(context.Background(), "SELECT 'orders'::regclass, 'orders'::regclass::oid", nil, nil, nil, []int16{1}).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	fd := res.FieldDescriptions
	if len(fd) != 2 || fd[0].Format != 0 || fd[1].Format != 1 {
		t.Fatalf("formats %+v: want regclass as text and oid as binary", fd)
	}
	if got := string(res.Rows[0][0]); got != "orders" {
		t.Errorf("regclass = %q, want orders", got)
	}
	if len(res.Rows[0][1]) != 4 {
		t.Errorf("binary oid is %d bytes, want 4", len(res.Rows[0][1]))
	}
}

// `lattice serve` also serves the Cube REST API from the same config, the
// same tenancy and the same planner: both front ends agree.
func TestRESTAPIAgreesWithSQL(t *testing.T) {
	for _, tn := range []seed.Tenant{seed.Tenants[0], seed.Tenants[3]} {
		q := url.QueryEscape(`{"measures":["orders.count"],"dimensions":["orders.status"],"order":{"orders.status":"asc"}}`)
		req, _ := http.NewRequest("GET", "http://"+e2eAPIAddr+"/cubejs-api/v1/load?query="+q, nil)
		req.Header.Set("Authorization", "Bearer "+token(t, tn.Claims(), time.Hour))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Data []map[string]any `json:"data"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("load: %d %v", resp.StatusCode, err)
		}
		var got [][]string
		for _, row := range body.Data {
			got = append(got, []string{fmt.Sprint(row["orders.status"]), fmt.Sprint(row["orders.count"])})
		}
		if diff := cmp.Diff(rowsText(t, mustConnect(t, tn), "SELECT status, MEASURE(count) FROM orders GROUP BY 1 ORDER BY 1"), got); diff != "" {
			t.Errorf("app %d: SQL (-) and REST (+) differ:\n%s", tn.AppID, diff)
		}
	}
	resp, err := http.Get("http://" + e2eAPIAddr + "/cubejs-api/v1/meta")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("meta without a token: %d, want 403", resp.StatusCode)
	}
}

// /metrics counts the Postgres front end's sessions and statements too,
// labelled by outcome and SQLSTATE class, never by tenant.
func TestMetricsCountWireQueries(t *testing.T) {
	conn := mustConnect(t, seed.Tenants[0])
	rowsText(t, conn, "SELECT MEASURE(count) FROM orders")
	wantCode(t, conn, "SELECT MEASURE(count) FROM nowhere", "42P01")
	resp, err := http.Get("http://" + e2eAPIAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`lattice_queries_total{frontend="pgwire",outcome="ok",class=""}`,
		`lattice_queries_total{frontend="pgwire",outcome="error",class="42"}`,
		`lattice_client_connections{frontend="pgwire"}`,
		`lattice_backend_seconds_count{frontend="pgwire"}`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(string(body), "CUBEJS_APP_") || strings.Contains(string(body), "appId") {
		t.Error("/metrics names a tenant")
	}
}
