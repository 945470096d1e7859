package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"
)

func ctx5s(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Severity + " " + pe.Code + " " + pe.Message
	}
	return fmt.Sprintf("not a PgError: %v", err)
}

func TestStartupParameters(t *testing.T) {
	ts := startServer(t, Options{Settings: map[string]string{"server_version": "15.4 (Lattice)", "TimeZone": "Europe/Paris"}})
	c := ts.connect(t)
	got := map[string]string{}
	for _, k := range []string{"server_version", "server_encoding", "client_encoding", "DateStyle", "integer_datetimes",
		"IntervalStyle", "standard_conforming_strings", "TimeZone", "application_name", "is_superuser",
		"session_authorization", "default_transaction_read_only", "in_hot_standby"} {
		got[k] = c.ParameterStatus(k)
	}
	want := map[string]string{
		"server_version": "15.4 (Lattice)", "server_encoding": "UTF8", "client_encoding": "UTF8",
		"DateStyle": "ISO, MDY", "integer_datetimes": "on", "IntervalStyle": "postgres",
		"standard_conforming_strings": "on", "TimeZone": "Europe/Paris", "application_name": "tests",
		"is_superuser": "off", "session_authorization": "alice", "default_transaction_read_only": "off",
		"in_hot_standby": "off",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParameterStatus (-want +got):\n%s", diff)
	}
	if c.PID() == 0 || len(c.SecretKey()) != 4 {
		t.Errorf("BackendKeyData pid=%d secret=%x", c.PID(), c.SecretKey())
	}
	if c.TxStatus() != 'I' {
		t.Errorf("TxStatus = %c", c.TxStatus())
	}
}

func TestAuthFailure(t *testing.T) {
	ts := startServer(t, Options{})
	for _, tc := range []struct{ password, want string }{
		{"bad-token", `FATAL 28P01 password authentication failed for user "alice"`},
		{"unresolvable", `FATAL 28000 claim "appId" is not allowed`},
	} {
		t.Run(tc.password, func(t *testing.T) {
			_, err := pgconn.Connect(ctx5s(t), ts.connString(tc.password))
			if got := pgCode(err); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if strings.Contains(err.Error(), "secret detail") {
				t.Errorf("the reason leaked to the client: %v", err)
			}
		})
	}
	// The server keeps serving.
	ts.connect(t)
}

func TestTLS(t *testing.T) {
	t.Run("with TLS", func(t *testing.T) {
		ts := startServer(t, Options{TLSConfig: selfSigned(t)})
		cs := strings.Replace(ts.connString("good"), "sslmode=disable", "sslmode=require", 1)
		c, err := pgconn.Connect(ctx5s(t), cs)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(context.Background())
		if _, ok := c.Conn().(*tls.Conn); !ok {
			t.Errorf("connection is %T, want *tls.Conn", c.Conn())
		}
		if _, err := c.Exec(ctx5s(t), "SELECT 1").ReadAll(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("without TLS", func(t *testing.T) {
		ts := startServer(t, Options{})
		cs := strings.Replace(ts.connString("good"), "sslmode=disable", "sslmode=require", 1)
		if _, err := pgconn.Connect(ctx5s(t), cs); err == nil || !strings.Contains(err.Error(), "server refused TLS") {
			t.Errorf("sslmode=require against a server without TLS: %v", err)
		}
		cs = strings.Replace(ts.connString("good"), "sslmode=disable", "sslmode=prefer", 1)
		c, err := pgconn.Connect(ctx5s(t), cs)
		if err != nil {
			t.Fatalf("sslmode=prefer falls back to clear text: %v", err)
		}
		c.Close(context.Background())
	})
	t.Run("GSSENC then SSL", func(t *testing.T) {
		ts := startServer(t, Options{})
		rc := ts.raw(t)
		rc.writeRaw([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30}) // GSSENCRequest
		rc.writeRaw([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}) // SSLRequest
		buf := make([]byte, 2)
		if _, err := rc.nc.Read(buf[:1]); err != nil {
			t.Fatal(err)
		}
		if _, err := rc.nc.Read(buf[1:]); err != nil {
			t.Fatal(err)
		}
		if string(buf) != "NN" {
			t.Errorf("answers %q, want NN", buf)
		}
		rc.startup()
	})
}

func TestInsecureListen(t *testing.T) {
	for _, tc := range []struct {
		listen  string
		tls     bool
		allow   bool
		wantErr bool
	}{
		{"127.0.0.1:15432", false, false, false},
		{"localhost:15432", false, false, false},
		{"[::1]:15432", false, false, false},
		{"0.0.0.0:15432", false, false, true},
		{":15432", false, false, true},
		{"10.1.2.3:15432", false, false, true},
		{"0.0.0.0:15432", true, false, false},
		{"0.0.0.0:15432", false, true, false},
	} {
		opts := Options{Listen: tc.listen, AllowInsecure: tc.allow}
		if tc.tls {
			opts.TLSConfig = &tls.Config{}
		}
		_, err := New(opts, fakeAuth{}, fakeResolver{})
		if (err != nil) != tc.wantErr {
			t.Errorf("New(listen=%s tls=%v allow=%v) error = %v, want error %v", tc.listen, tc.tls, tc.allow, err, tc.wantErr)
		}
	}
}

func TestSimpleQuery(t *testing.T) {
	ts := startServer(t, Options{})
	rc := ts.raw(t)
	rc.startup()
	for _, tc := range []struct {
		sql  string
		want []string
	}{
		{"SELECT 1; SELECT * FROM orders", []string{
			"RowDescription ?column?:23:0", "DataRow 1", "CommandComplete SELECT 1",
			"RowDescription status:25:0,count:20:0,amount:1700:0,created:1114:0,ok:16:0",
			"DataRow shipped|3|12.50|2024-01-02 03:04:05|t",
			"DataRow new|1|NULL|2024-02-01 00:00:00|f",
			"CommandComplete SELECT 2", "ReadyForQuery I"}},
		{"", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		{" ; ", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		// An error aborts the rest of the string.
		{"SELECT 1; FAIL; SELECT 1", []string{
			"RowDescription ?column?:23:0", "DataRow 1", "CommandComplete SELECT 1",
			"RowDescription n:20:0", `ErrorResponse ERROR 42P01 relation "missing" does not exist`, "ReadyForQuery I"}},
		{"BAD", []string{`ErrorResponse ERROR 42601 syntax error at or near "BAD"`, "ReadyForQuery I"}},
	} {
		rc.fe.Send(&pgproto3.Query{String: tc.sql})
		rc.flush()
		if diff := cmp.Diff(tc.want, rc.until()); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.sql, diff)
		}
	}
}

func TestErrorFields(t *testing.T) {
	ts := startServer(t, Options{})
	c := ts.connect(t)
	_, err := c.Exec(ctx5s(t), "BAD").ReadAll()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v", err)
	}
	if pe.Code != "42601" || pe.Position != 1 || pe.Severity != "ERROR" {
		t.Errorf("got code=%s position=%d severity=%s", pe.Code, pe.Position, pe.Severity)
	}
}

func TestTransactions(t *testing.T) {
	ts := startServer(t, Options{})
	rc := ts.raw(t)
	rc.startup()
	steps := []struct {
		sql  string
		want []string
	}{
		{"COMMIT", []string{"NoticeResponse 25P01 there is no transaction in progress", "CommandComplete COMMIT", "ReadyForQuery I"}},
		{"BEGIN", []string{"CommandComplete BEGIN", "ReadyForQuery T"}},
		{"BEGIN", []string{"NoticeResponse 25001 there is already a transaction in progress", "CommandComplete BEGIN", "ReadyForQuery T"}},
		{"SET LOCAL TimeZone = 'Asia/Tokyo'", []string{"ParameterStatus TimeZone=Asia/Tokyo", "CommandComplete SET", "ReadyForQuery T"}},
		{"SET application_name = 'bi'", []string{"ParameterStatus application_name=bi", "CommandComplete SET", "ReadyForQuery T"}},
		{"FAIL", []string{"RowDescription n:20:0", `ErrorResponse ERROR 42P01 relation "missing" does not exist`, "ReadyForQuery E"}},
		{"SELECT 1", []string{"ErrorResponse ERROR 25P02 current transaction is aborted, commands ignored until end of transaction block", "ReadyForQuery E"}},
		{"BAD", []string{"ErrorResponse ERROR 25P02 current transaction is aborted, commands ignored until end of transaction block", "ReadyForQuery E"}},
		// COMMIT of a failed transaction rolls back, and the SETs with it.
		{"COMMIT", []string{"ParameterStatus application_name=", "ParameterStatus TimeZone=UTC", "CommandComplete ROLLBACK", "ReadyForQuery I"}},
		{"BEGIN; SET application_name = 'kept'; SET LOCAL TimeZone = 'Asia/Tokyo'; COMMIT", []string{
			"CommandComplete BEGIN", "ParameterStatus application_name=kept", "CommandComplete SET",
			"ParameterStatus TimeZone=Asia/Tokyo", "CommandComplete SET",
			"ParameterStatus TimeZone=UTC", "CommandComplete COMMIT", "ReadyForQuery I"}},
		{"SHOW application_name", []string{"RowDescription application_name:25:0", "DataRow kept", "CommandComplete SHOW", "ReadyForQuery I"}},
		{"RESET application_name", []string{"ParameterStatus application_name=", "CommandComplete RESET", "ReadyForQuery I"}},
		{"SET LOCAL TimeZone = 'Asia/Tokyo'", []string{"NoticeResponse 25P01 SET LOCAL can only be used in transaction blocks", "CommandComplete SET", "ReadyForQuery I"}},
		{"SET server_version = '1'", []string{`ErrorResponse ERROR 55P02 parameter "server_version" cannot be changed`, "ReadyForQuery I"}},
		{"SET client_encoding = 'LATIN1'", []string{`ErrorResponse ERROR 22023 invalid value for parameter "client_encoding": "LATIN1"`, "ReadyForQuery I"}},
		{"BEGIN; DISCARD ALL", []string{"CommandComplete BEGIN", "ErrorResponse ERROR 25001 DISCARD ALL cannot run inside a transaction block", "ReadyForQuery E"}},
		{"ROLLBACK; DISCARD ALL", []string{"CommandComplete ROLLBACK", "CommandComplete DISCARD ALL", "ReadyForQuery I"}},
	}
	for _, s := range steps {
		rc.fe.Send(&pgproto3.Query{String: s.sql})
		rc.flush()
		if diff := cmp.Diff(s.want, rc.until()); diff != "" {
			t.Errorf("%q (-want +got):\n%s", s.sql, diff)
		}
	}
}

func TestCursors(t *testing.T) {
	ts := startServer(t, Options{})
	rc := ts.raw(t)
	rc.startup()
	steps := []struct {
		sql  string
		want []string
	}{
		{"BEGIN; DECLARE c CURSOR FOR SELECT n FROM nums", []string{"CommandComplete BEGIN", "CommandComplete DECLARE CURSOR", "ReadyForQuery T"}},
		{"FETCH 3 FROM c", []string{"RowDescription n:20:0", "DataRow 1", "DataRow 2", "DataRow 3", "CommandComplete FETCH 3", "ReadyForQuery T"}},
		{"FETCH 2 FROM c", []string{"RowDescription n:20:0", "DataRow 4", "DataRow 5", "CommandComplete FETCH 2", "ReadyForQuery T"}},
		{"FETCH ALL FROM c", []string{"RowDescription n:20:0", "DataRow 6", "DataRow 7", "DataRow 8", "DataRow 9", "DataRow 10", "CommandComplete FETCH 5", "ReadyForQuery T"}},
		{"FETCH 1 FROM c", []string{"RowDescription n:20:0", "CommandComplete FETCH 0", "ReadyForQuery T"}},
		{"DECLARE c CURSOR FOR SELECT 1", []string{`ErrorResponse ERROR 42P03 cursor "c" already exists`, "ReadyForQuery E"}},
		{"ROLLBACK", []string{"CommandComplete ROLLBACK", "ReadyForQuery I"}},
		// The transaction's cursors close with it.
		{"FETCH 1 FROM c", []string{`ErrorResponse ERROR 34000 cursor "c" does not exist`, "ReadyForQuery I"}},
		{"DECLARE d CURSOR FOR SELECT n FROM nums; CLOSE d; CLOSE d", []string{
			"CommandComplete DECLARE CURSOR", "CommandComplete CLOSE CURSOR", `ErrorResponse ERROR 34000 cursor "d" does not exist`, "ReadyForQuery I"}},
	}
	for _, s := range steps {
		rc.fe.Send(&pgproto3.Query{String: s.sql})
		rc.flush()
		if diff := cmp.Diff(s.want, rc.until()); diff != "" {
			t.Errorf("%q (-want +got):\n%s", s.sql, diff)
		}
	}
	// The backend query ran once, whatever the number of FETCHes.
	ts.driver.mu.Lock()
	defer ts.driver.mu.Unlock()
	if n := strings.Count(strings.Join(ts.driver.queries, ","), "nums"); n != 1 {
		t.Errorf("backend queries %v, want nums once (materialized)", ts.driver.queries)
	}
}

func TestExtendedWithPgx(t *testing.T) {
	ts := startServer(t, Options{})
	ctx := ctx5s(t)
	conn, err := pgx.Connect(ctx, ts.connString("good"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// pgx's default mode: named statements, Describe, binary results and
	// parameters.
	for range 3 {
		rows, err := conn.Query(ctx, "SELECT n FROM nums WHERE n < $1", int64(4))
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{1, 2, 3}, got); diff != "" {
			t.Errorf("nums (-want +got):\n%s", diff)
		}
	}
	var (
		status  string
		count   int64
		amount  pgtype.Numeric
		created time.Time
		ok      bool
	)
	if err := conn.QueryRow(ctx, "SELECT * FROM orders").Scan(&status, &count, &amount, &created, &ok); err != nil {
		t.Fatal(err)
	}
	f, _ := amount.Float64Value()
	if status != "shipped" || count != 3 || f.Float64 != 12.5 || !created.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) || !ok {
		t.Errorf("binary row = %q %d %v %v %v", status, count, f.Float64, created, ok)
	}
	// Parameters of several types, binary (pgx's choice for these OIDs).
	ts0 := time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)
	var i int64
	var s string
	var tm time.Time
	if err := conn.QueryRow(ctx, "ECHO $1 $2 $3", int64(42), "héllo", ts0).Scan(&i, &s, &tm); err != nil {
		t.Fatal(err)
	}
	if i != 42 || s != "héllo" || !tm.Equal(ts0) {
		t.Errorf("echo = %d %q %v", i, s, tm)
	}
	// A batch: pgx pipelines the Parses and Describes, then the Executes.
	batch := &pgx.Batch{}
	for i := range 3 {
		batch.Queue("SELECT n FROM nums WHERE n < $1", int64(i+2))
	}
	batch.Queue("SELECT 1")
	br := conn.SendBatch(ctx, batch)
	for i := range 3 {
		rows, _ := br.Query()
		got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(got) != i+1 {
			t.Errorf("batch query %d: %v %v", i, got, err)
		}
	}
	if err := br.QueryRow().Scan(&i); err != nil || i != 1 {
		t.Errorf("batch SELECT 1: %v %d", err, i)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	// The same through the simple protocol (pgx's exec mode).
	if err := conn.QueryRow(ctx, "SELECT 1", pgx.QueryExecModeSimpleProtocol).Scan(&i); err != nil || i != 1 {
		t.Errorf("simple protocol: %v %d", err, i)
	}
}

func TestExtendedTextParams(t *testing.T) {
	ts := startServer(t, Options{})
	c := ts.connect(t)
	ctx := ctx5s(t)
	// Text parameters and text results; OIDs left to the server.
	res := c.ExecParams(ctx, "ECHO $1 $2 $3", [][]byte{[]byte("7"), []byte("x"), []byte("2024-01-02 03:04:05")}, nil, nil, nil).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	got := []string{string(res.Rows[0][0]), string(res.Rows[0][1]), string(res.Rows[0][2])}
	if diff := cmp.Diff([]string{"7", "x", "2024-01-02 03:04:05"}, got); diff != "" {
		t.Errorf("echo (-want +got):\n%s", diff)
	}
	// Mixed formats: binary int8 parameter, binary first column.
	res = c.ExecParams(ctx, "SELECT n FROM nums WHERE n < $1", [][]byte{{0, 0, 0, 0, 0, 0, 0, 3}}, []uint32{pgtype.Int8OID}, []int16{1}, []int16{1}).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if len(res.Rows) != 2 || string(res.Rows[1][0]) != "\x00\x00\x00\x00\x00\x00\x00\x02" {
		t.Errorf("binary rows = %q", res.Rows)
	}
	// A text value that is not an int8.
	res = c.ExecParams(ctx, "SELECT n FROM nums WHERE n < $1", [][]byte{[]byte("x")}, nil, nil, nil).Read()
	if got := pgCode(res.Err); !strings.HasPrefix(got, "ERROR 22P02 ") {
		t.Errorf("bad parameter: %s", got)
	}
}

func TestDescribe(t *testing.T) {
	ts := startServer(t, Options{})
	c := ts.connect(t)
	sd, err := c.Prepare(ctx5s(t), "s1", "SELECT n FROM nums WHERE n < $1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint32{pgtype.Int8OID}, sd.ParamOIDs); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	if len(sd.Fields) != 1 || sd.Fields[0].Name != "n" || sd.Fields[0].DataTypeOID != pgtype.Int8OID || sd.Fields[0].DataTypeSize != 8 {
		t.Errorf("fields = %+v", sd.Fields)
	}
	sd, err = c.Prepare(ctx5s(t), "s2", "BEGIN", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sd.Fields != nil || len(sd.ParamOIDs) != 0 {
		t.Errorf("BEGIN described as %+v", sd)
	}
	_, err = c.Prepare(ctx5s(t), "s1", "SELECT 1", nil)
	if got := pgCode(err); got != `ERROR 42P05 prepared statement "s1" already exists` {
		t.Errorf("duplicate: %s", got)
	}
}

func TestExtendedRaw(t *testing.T) {
	ts := startServer(t, Options{})
	rc := ts.raw(t)
	rc.startup()
	send := func(msgs ...pgproto3.FrontendMessage) {
		for _, m := range msgs {
			rc.fe.Send(m)
		}
		rc.flush()
	}
	t.Run("row limit and PortalSuspended", func(t *testing.T) {
		send(&pgproto3.Parse{Name: "q", Query: "SELECT n FROM nums"},
			&pgproto3.Bind{PreparedStatement: "q", DestinationPortal: "p"},
			&pgproto3.Describe{ObjectType: 'P', Name: "p"},
			&pgproto3.Execute{Portal: "p", MaxRows: 4},
			&pgproto3.Execute{Portal: "p", MaxRows: 4},
			&pgproto3.Execute{Portal: "p", MaxRows: 4},
			&pgproto3.Execute{Portal: "p", MaxRows: 4},
			&pgproto3.Sync{})
		want := []string{"ParseComplete", "BindComplete", "RowDescription n:20:0",
			"DataRow 1", "DataRow 2", "DataRow 3", "DataRow 4", "PortalSuspended",
			"DataRow 5", "DataRow 6", "DataRow 7", "DataRow 8", "PortalSuspended",
			"DataRow 9", "DataRow 10", "CommandComplete SELECT 2",
			"CommandComplete SELECT 0", "ReadyForQuery I"}
		if diff := cmp.Diff(want, rc.until()); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("error skips until Sync", func(t *testing.T) {
		send(&pgproto3.Parse{Query: "FAIL"},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Parse{Query: "SELECT 1"}, // skipped
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Query{String: "SELECT 1"}, // skipped too
			&pgproto3.Sync{},
			&pgproto3.Parse{Query: "SELECT 1"},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Sync{})
		want := []string{"ParseComplete", "BindComplete", `ErrorResponse ERROR 42P01 relation "missing" does not exist`, "ReadyForQuery I"}
		if diff := cmp.Diff(want, rc.until()); diff != "" {
			t.Errorf("first batch (-want +got):\n%s", diff)
		}
		want = []string{"ParseComplete", "BindComplete", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I"}
		if diff := cmp.Diff(want, rc.until()); diff != "" {
			t.Errorf("after Sync (-want +got):\n%s", diff)
		}
	})
	t.Run("pipelining", func(t *testing.T) {
		var msgs []pgproto3.FrontendMessage
		var want []string
		for i := 1; i <= 5; i++ {
			msgs = append(msgs,
				&pgproto3.Parse{Query: "SELECT n FROM nums WHERE n < $1"},
				&pgproto3.Bind{Parameters: [][]byte{fmt.Appendf(nil, "%d", i+1)}},
				&pgproto3.Execute{}, &pgproto3.Sync{})
			want = append(want, "ParseComplete", "BindComplete")
			for j := 1; j <= i; j++ {
				want = append(want, fmt.Sprintf("DataRow %d", j))
			}
			want = append(want, fmt.Sprintf("CommandComplete SELECT %d", i), "ReadyForQuery I")
		}
		send(msgs...)
		var got []string
		for range 5 {
			got = append(got, rc.until()...)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("statement and portal errors", func(t *testing.T) {
		send(&pgproto3.Bind{PreparedStatement: "nope"}, &pgproto3.Sync{},
			&pgproto3.Execute{Portal: "nope"}, &pgproto3.Sync{},
			&pgproto3.Parse{Name: "x", Query: "SELECT 1; SELECT 1"}, &pgproto3.Sync{},
			&pgproto3.Parse{Name: "two", Query: "SELECT n FROM nums WHERE n < $1"},
			&pgproto3.Bind{PreparedStatement: "two"}, &pgproto3.Sync{},
			&pgproto3.Close{ObjectType: 'S', Name: "two"}, &pgproto3.Close{ObjectType: 'P', Name: "never"},
			&pgproto3.Describe{ObjectType: 'S', Name: "two"}, &pgproto3.Sync{})
		var got []string
		for range 5 {
			got = append(got, rc.until()...)
		}
		want := []string{
			`ErrorResponse ERROR 26000 prepared statement "nope" does not exist`, "ReadyForQuery I",
			`ErrorResponse ERROR 34000 portal "nope" does not exist`, "ReadyForQuery I",
			"ErrorResponse ERROR 42601 cannot insert multiple commands into a prepared statement", "ReadyForQuery I",
			"ParseComplete", `ErrorResponse ERROR 08P01 bind message supplies 0 parameters, but prepared statement "two" requires 1`, "ReadyForQuery I",
			"CloseComplete", "CloseComplete", `ErrorResponse ERROR 26000 prepared statement "two" does not exist`, "ReadyForQuery I",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("transaction portals and Flush", func(t *testing.T) {
		send(&pgproto3.Query{String: "BEGIN"})
		rc.until()
		send(&pgproto3.Parse{Name: "f", Query: "SELECT n FROM nums"},
			&pgproto3.Bind{PreparedStatement: "f", DestinationPortal: "fp", ResultFormatCodes: []int16{1}},
			&pgproto3.Execute{Portal: "fp", MaxRows: 1}, &pgproto3.Sync{})
		want := []string{"ParseComplete", "BindComplete", "DataRow \x00\x00\x00\x00\x00\x00\x00\x01", "PortalSuspended", "ReadyForQuery T"}
		if diff := cmp.Diff(want, rc.until()); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		// The portal survives Sync inside a transaction block; Flush
		// delivers without ReadyForQuery.
		send(&pgproto3.Execute{Portal: "fp", MaxRows: 1}, &pgproto3.Flush{})
		var got []string
		for range 2 {
			got = append(got, summarize(rc.recv()))
		}
		if diff := cmp.Diff([]string{"DataRow \x00\x00\x00\x00\x00\x00\x00\x02", "PortalSuspended"}, got); diff != "" {
			t.Errorf("after Flush (-want +got):\n%s", diff)
		}
		send(&pgproto3.Query{String: "COMMIT"})
		if diff := cmp.Diff([]string{"CommandComplete COMMIT", "ReadyForQuery I"}, rc.until()); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func TestCancelRequest(t *testing.T) {
	ts := startServer(t, Options{})
	c := ts.connect(t)
	ctx := ctx5s(t)
	go func() {
		time.Sleep(100 * time.Millisecond)
		// A wrong secret does nothing.
		other, err := pgconn.Connect(ctx, ts.connString("good"))
		if err == nil {
			other.CancelRequest(ctx) // cancels other's (idle) session only
			other.Close(ctx)
		}
		time.Sleep(50 * time.Millisecond)
		c.CancelRequest(ctx)
	}()
	start := time.Now()
	_, err := c.Exec(ctx, "SLEEP").ReadAll()
	if got := pgCode(err); got != "ERROR 57014 canceling statement due to user request" {
		t.Errorf("got %s", got)
	}
	if time.Since(start) < 150*time.Millisecond {
		t.Errorf("cancelled after %v: before the real cancel request", time.Since(start))
	}
	// The session is usable afterwards.
	if _, err := c.Exec(ctx, "SELECT 1").ReadAll(); err != nil {
		t.Fatal(err)
	}
}

func TestCancelKeyMismatch(t *testing.T) {
	ts := startServer(t, Options{})
	c := ts.connect(t)
	if ts.cancel(c.PID(), []byte{1, 2, 3}) || ts.cancel(c.PID()+1, c.SecretKey()) {
		t.Error("cancel matched a wrong key")
	}
	if !ts.cancel(c.PID(), c.SecretKey()) {
		t.Error("cancel did not match the issued key")
	}
}

func TestStatementTimeout(t *testing.T) {
	ts := startServer(t, Options{StatementTimeout: 100 * time.Millisecond})
	c := ts.connect(t)
	ctx := ctx5s(t)
	_, err := c.Exec(ctx, "SLEEP").ReadAll()
	if got := pgCode(err); got != "ERROR 57014 canceling statement due to statement timeout" {
		t.Errorf("got %s", got)
	}
	// SET statement_timeout overrides the server's.
	if _, err := c.Exec(ctx, "SET statement_timeout = 20ms").ReadAll(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Exec(ctx, "SLEEP").ReadAll()
	if got := pgCode(err); got != "ERROR 57014 canceling statement due to statement timeout" {
		t.Errorf("got %s", got)
	}
	if d := time.Since(start); d > 90*time.Millisecond {
		t.Errorf("timeout took %v with statement_timeout = 20ms", d)
	}
	// ... but cannot lift it.
	if _, err := c.Exec(ctx, "SET statement_timeout = 10s").ReadAll(); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	_, err = c.Exec(ctx, "SLEEP").ReadAll()
	if d := time.Since(start); pgerr57014(err) == false || d > 2*time.Second {
		t.Errorf("SET statement_timeout = 10s lifted the server's 100ms: %v after %v", err, d)
	}
}

func TestTokenExpiry(t *testing.T) {
	ts := startServer(t, Options{})
	c, err := pgconn.Connect(ctx5s(t), ts.connString("good:150"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx5s(t), "SELECT 1").ReadAll(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	_, err = c.Exec(ctx5s(t), "SELECT 1").ReadAll()
	if got := pgCode(err); got != "FATAL 28P01 authentication token has expired" {
		t.Errorf("got %s", got)
	}
	select {
	case <-c.CleanupDone():
	case <-time.After(2 * time.Second):
		t.Error("connection not closed after token expiry")
	}
}

func TestMaxConnections(t *testing.T) {
	ts := startServer(t, Options{MaxConnections: 1})
	c := ts.connect(t)
	_, err := pgconn.Connect(ctx5s(t), ts.connString("good"))
	if got := pgCode(err); got != "FATAL 53300 sorry, too many clients already" {
		t.Errorf("got %s", got)
	}
	// Cancel requests still get through at the cap.
	if err := c.CancelRequest(ctx5s(t)); err != nil {
		t.Error(err)
	}
	c.Close(context.Background())
	// The slot is released.
	deadline := time.Now().Add(2 * time.Second)
	for {
		c2, err := pgconn.Connect(ctx5s(t), ts.connString("good"))
		if err == nil {
			c2.Close(context.Background())
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slot not released: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, Options{IdleTimeout: 100 * time.Millisecond})
	rc := ts.raw(t)
	rc.startup()
	got := rc.until()
	want := []string{"ErrorResponse FATAL 57P05 terminating connection due to idle-session timeout", "<closed>"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPanicIsolated(t *testing.T) {
	ts := startServer(t, Options{})
	other := ts.connect(t)
	rc := ts.raw(t)
	rc.startup()
	rc.fe.Send(&pgproto3.Query{String: "PANIC"})
	rc.flush()
	want := []string{"RowDescription n:20:0", "ErrorResponse FATAL XX000 internal error", "<closed>"}
	if diff := cmp.Diff(want, rc.until()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := other.Exec(ctx5s(t), "SELECT 1").ReadAll(); err != nil {
		t.Errorf("other connection broken: %v", err)
	}
}

func TestShutdown(t *testing.T) {
	ts := startServer(t, Options{})
	rc := ts.raw(t)
	rc.startup()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"ErrorResponse FATAL 57P01 terminating connection due to administrator command", "<closed>"}
	if diff := cmp.Diff(want, rc.until()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMalformed(t *testing.T) {
	ts := startServer(t, Options{MaxMessageSize: 1 << 20})
	for _, tc := range []struct {
		name    string
		startup bool   // authenticate first
		bytes   []byte // then send these
		want    string // in the server's last bytes
	}{
		{"startup length too small", false, []byte{0, 0, 0, 3, 0, 3, 0, 0}, "08P01"},
		{"startup length too large", false, []byte{0, 0, 0x40, 0, 0, 3, 0, 0}, "08P01"},
		{"startup negative length", false, []byte{0xff, 0xff, 0xff, 0xf0, 0, 3, 0, 0}, "08P01"},
		{"startup without terminator", false, []byte{0, 0, 0, 13, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0}, "08P01"},
		{"startup without user", false, startupPacket("database", "x"), "28000"},
		{"protocol 2.0", false, []byte{0, 0, 0, 9, 0, 2, 0, 0, 0}, "0A000"},
		{"truncated startup", false, []byte{0, 0, 0, 100, 0, 3}, ""},
		{"unknown message type", true, []byte{'!', 0, 0, 0, 4}, "08P01"},
		{"message length below 4", true, []byte{'Q', 0, 0, 0, 2}, "08P01"},
		{"message too large", true, []byte{'Q', 0x10, 0, 0, 0}, "08P01"},
		{"query without NUL", true, []byte{'Q', 0, 0, 0, 6, 'h', 'i'}, "08P01"},
		{"bind with bad counts", true, []byte{'B', 0, 0, 0, 12, 0, 0, 0xff, 0xff, 0, 0, 0, 0}, "08P01"},
		{"password after startup", true, []byte{'p', 0, 0, 0, 5, 0}, "08P01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := ts.raw(t)
			if tc.startup {
				rc.startup()
			}
			rc.writeRaw(tc.bytes)
			if tc.name == "truncated startup" {
				rc.nc.(interface{ CloseWrite() error }).CloseWrite()
			}
			got := rc.readAll()
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("got %q, want a silent close", got)
				}
				return
			}
			if !strings.Contains(string(got), "SFATAL") || !strings.Contains(string(got), "C"+tc.want) {
				t.Errorf("got %q, want FATAL %s", got, tc.want)
			}
		})
	}
	// The server still serves.
	if _, err := ts.connect(t).Exec(ctx5s(t), "SELECT 1").ReadAll(); err != nil {
		t.Fatal(err)
	}
}

func TestNegotiateProtocolVersion(t *testing.T) {
	ts := startServer(t, Options{})
	rc := ts.raw(t)
	pkt := startupPacket("user", "alice", "_pq_.compression", "on")
	pkt[7] = 2 // 3.2
	rc.writeRaw(pkt)
	if m, ok := rc.recv().(*pgproto3.NegotiateProtocolVersion); !ok || m.NewestMinorProtocol != 0 || len(m.UnrecognizedOptions) != 1 {
		t.Fatalf("got %#v", m)
	}
	if _, ok := rc.recv().(*pgproto3.AuthenticationCleartextPassword); !ok {
		t.Fatal("expected a password request")
	}
}

func pgerr57014(err error) bool { return strings.Contains(pgCode(err), " 57014 ") }

func TestMaxTenantConnections(t *testing.T) {
	ts := startServer(t, Options{MaxTenantConnections: 2})
	a, b := ts.connect(t), ts.connect(t)
	_, err := pgconn.Connect(ctx5s(t), ts.connString("good"))
	if got := pgCode(err); got != "FATAL 53300 too many connections for this tenant" {
		t.Errorf("third session of the App: %s", got)
	}
	a.Close(context.Background())
	deadline := time.Now().Add(2 * time.Second)
	for {
		c, err := pgconn.Connect(ctx5s(t), ts.connString("good"))
		if err == nil {
			c.Close(context.Background())
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tenant slot not released: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = b
}

func TestStartupSettings(t *testing.T) {
	ts := startServer(t, Options{})
	for _, tc := range []struct{ param, want string }{
		{"ISO", "ISO, MDY"},
		{"ISO, DMY", "ISO, DMY"},
		{"European", "ISO, DMY"},
	} {
		c, err := pgconn.Connect(ctx5s(t), ts.connString("good")+" DateStyle='"+tc.param+"' extra_float_digits=2")
		if err != nil {
			t.Fatal(err)
		}
		if got := c.ParameterStatus("DateStyle"); got != tc.want {
			t.Errorf("DateStyle=%q reported %q, want %q", tc.param, got, tc.want)
		}
		res, err := c.Exec(ctx5s(t), "SHOW extra_float_digits").ReadAll()
		if err != nil || string(res[0].Rows[0][0]) != "2" {
			t.Errorf("startup extra_float_digits not applied: %v %v", err, res)
		}
		c.Close(context.Background())
	}
}

func TestServeRefusesInsecureListener(t *testing.T) {
	s, err := New(Options{}, fakeAuth{}, fakeResolver{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(ln); err == nil || !strings.Contains(err.Error(), "without TLS") {
		t.Errorf("Serve on 0.0.0.0 without TLS: %v", err)
	}
	// A Unix socket is local.
	uln, err := net.Listen("unix", t.TempDir()+"/.s.PGSQL.5432")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(uln) }()
	c, err := pgconn.Connect(ctx5s(t), "host="+strings.TrimSuffix(uln.Addr().String(), "/.s.PGSQL.5432")+" user=alice password=good")
	if err != nil {
		t.Fatal(err)
	}
	c.Close(context.Background())
	s.Close()
	if err := <-done; err != ErrServerClosed {
		t.Errorf("Serve after Close = %v", err)
	}
}

func TestWriteTimeout(t *testing.T) {
	ts := startServer(t, Options{WriteTimeout: 200 * time.Millisecond})
	ts.driver.mu.Lock()
	ts.driver.nums = 5_000_000
	ts.driver.mu.Unlock()
	rc := ts.raw(t)
	rc.startup()
	rc.fe.Send(&pgproto3.Query{String: "SELECT n FROM nums"})
	rc.flush()
	// Never read: the server must give up on this client.
	deadline := time.Now().Add(5 * time.Second)
	for {
		ts.mu.Lock()
		n := len(ts.conns)
		ts.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a client that does not read kept its session")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A result read in pieces is held in memory up to MaxPortalBuffer; past
// it the statement fails with 54000 and the session goes on.
func TestPortalBufferIsBounded(t *testing.T) {
	ts := startServer(t, Options{MaxPortalBuffer: 200})
	rc := ts.raw(t)
	rc.startup()
	for _, m := range []pgproto3.FrontendMessage{
		&pgproto3.Parse{Name: "q", Query: "SELECT n FROM nums"},
		&pgproto3.Bind{PreparedStatement: "q", DestinationPortal: "p"},
		&pgproto3.Execute{Portal: "p", MaxRows: 2},
		&pgproto3.Sync{},
	} {
		rc.fe.Send(m)
	}
	rc.flush()
	got := rc.until()
	want := []string{"ParseComplete", "BindComplete",
		"ErrorResponse ERROR 54000 result held for a partial read exceeds 200 bytes", "ReadyForQuery I"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Read in one go, the same query streams without holding anything.
	rc.fe.Send(&pgproto3.Query{String: "SELECT n FROM nums"})
	rc.flush()
	if got := rc.until(); len(got) != 13 || got[11] != "CommandComplete SELECT 10" {
		t.Errorf("after the refused partial read: %v", got)
	}
}
