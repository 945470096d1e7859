package driver

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"math"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// liteDriver runs queries on one SQLite database file through a
// database/sql pool of read-only connections (modernc.org/sqlite, pure Go).
// Config.Database is the file's path; the other fields are unused. The
// file is never created: a missing file is 3D000, as a missing database
// is on PostgreSQL.
type liteDriver struct {
	path string
	db   *sql.DB
	stop stopper
}

var _ Driver = (*liteDriver)(nil)

// liteBusyTimeout is how long a reader waits for a writer's lock.
const liteBusyTimeout = 5 * time.Second

func openSQLite(cfg Config) (*liteDriver, error) {
	if cfg.Database == "" {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "sqlite needs the database file's path in database")
	}
	// mode=ro never creates the file; query_only refuses writes even if
	// the file's permissions would allow them. WAL is the writer's choice
	// (a read-only connection cannot switch the journal mode) and lets
	// these readers run while it writes.
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout("+strconv.Itoa(int(liteBusyTimeout/time.Millisecond))+")")
	q.Add("_pragma", "query_only(1)")
	// LIKE is case-sensitive as in PostgreSQL; the sqlite dialect's ILIKE
	// relies on it and lowers both sides.
	q.Add("_pragma", "case_sensitive_like(1)")
	u := url.URL{Scheme: "file", OmitHost: true, Path: cfg.Database, RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, pgerr.Wrap(err, pgerr.ConnectionFailure, "sqlite pool config")
	}
	max := cfg.MaxConns
	if max <= 0 {
		max = 4
	}
	db.SetMaxOpenConns(max)
	db.SetMaxIdleConns(max)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &liteDriver{path: cfg.Database, db: db, stop: newStopper()}, nil
}

func (d *liteDriver) Query(ctx context.Context, query string, args []any, row func([][]byte) error) error {
	qctx, done := d.stop.query(ctx)
	defer done()
	if err := d.exists(); err != nil {
		return err
	}
	lite := make([]any, len(args))
	for i, a := range args {
		lite[i] = liteArg(a)
	}
	// modernc.org/sqlite interrupts the statement when qctx ends.
	rows, err := d.db.QueryContext(qctx, query, lite...)
	if err != nil {
		return d.err(ctx, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return d.err(ctx, err)
	}
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	text := make([][]byte, len(cols))
	ends := make([]int, len(cols)) // -1 for NULL
	var buf []byte
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return d.err(ctx, err)
		}
		// One buffer per row; the values are sliced from it once it has
		// stopped growing.
		buf = buf[:0]
		for i, v := range vals {
			var null bool
			buf, null = appendText(buf, v)
			ends[i] = len(buf)
			if null {
				ends[i] = -1
			}
		}
		start := 0
		for i, end := range ends {
			if end < 0 {
				text[i] = nil
				continue
			}
			text[i] = buf[start:end:end]
			start = end
		}
		if err := row(text); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return d.err(ctx, err)
	}
	return nil
}

// exists refuses a missing file before SQLite reports it as a generic
// "unable to open": it is the SQLite form of a missing database.
func (d *liteDriver) exists() error {
	fi, err := os.Stat(d.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return pgerr.New(pgerr.InvalidCatalogName, "database file %q does not exist", d.path)
	case err != nil:
		return &pgerr.Error{Code: pgerr.ConnectionFailure, Severity: "ERROR", Message: "backend connection failed: cannot read the database file", Err: err} // the path goes to the log, not the client
	case fi.IsDir():
		return pgerr.New(pgerr.InvalidCatalogName, "database file %q is a directory", d.path)
	}
	return nil
}

func (d *liteDriver) Ping(ctx context.Context) error {
	qctx, done := d.stop.query(ctx)
	defer done()
	if err := d.exists(); err != nil {
		return err
	}
	// PingContext only checks out a connection; a query reads the header,
	// so a file that is not a database fails here.
	var n int
	if err := d.db.QueryRowContext(qctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return d.err(ctx, err)
	}
	return nil
}

func (d *liteDriver) Close() {
	d.stop.cancel()
	d.db.Close()
}

// liteArg converts a client parameter to a value SQLite compares like the
// stored data: timestamps as their text, booleans as 1/0.
func liteArg(a any) any {
	switch x := a.(type) {
	case time.Time:
		return formatTimestamp(x)
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	}
	return a
}

// appendText appends v in PostgreSQL's text form; null reports SQL NULL.
func appendText(buf []byte, v any) (_ []byte, null bool) {
	switch x := v.(type) {
	case nil:
		return buf, true
	case int64:
		return strconv.AppendInt(buf, x, 10), false
	case float64:
		return appendFloat(buf, x), false
	case string:
		return append(buf, x...), false
	case []byte:
		return append(buf, x...), false
	case bool:
		if x {
			return append(buf, 't'), false
		}
		return append(buf, 'f'), false
	case time.Time:
		return append(buf, formatTimestamp(x)...), false
	}
	return buf, true
}

// appendFloat prints a REAL with 15 significant digits, as SQLite itself
// does, so that binary noise (0.1+0.2) does not show, and never with an
// exponent, which PostgreSQL's numeric never prints.
func appendFloat(buf []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	return strconv.AppendFloat(buf, r, 'f', -1, 64)
}

// formatTimestamp is PostgreSQL's timestamp-without-zone text: fractional
// seconds only when present, up to microseconds.
func formatTimestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.999999")
}

func (d *liteDriver) err(ctx context.Context, err error) error {
	if ctx.Err() != nil || d.stop.closing() {
		e := cancelErr(ctx, d.stop.closing())
		e.Err = err
		return e
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return &pgerr.Error{Code: pgerr.InternalError, Severity: "ERROR", Message: "backend: " + err.Error(), Err: err}
	}
	msg := se.Error()
	code := pgerr.InternalError
	switch se.Code() & 0xff { // extended codes carry the primary in the low byte
	case sqlite3.SQLITE_ERROR:
		code = liteMessageCode(msg)
	case sqlite3.SQLITE_INTERRUPT:
		code = pgerr.QueryCanceled
	case sqlite3.SQLITE_READONLY:
		code = pgerr.ReadOnlyTransaction
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		code = pgerr.CannotConnectNow
	case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_PERM:
		return &pgerr.Error{Code: pgerr.ConnectionFailure, Severity: "ERROR", Message: "backend connection failed: " + msg, Detail: "SQLite file " + d.path, Err: err}
	case sqlite3.SQLITE_RANGE, sqlite3.SQLITE_MISMATCH:
		code = pgerr.DatatypeMismatch
	}
	return &pgerr.Error{Code: code, Severity: "ERROR", Message: "backend: " + msg,
		Detail: "SQLite error " + strconv.Itoa(se.Code()), Err: err}
}

// liteMessageCode maps SQLite's generic SQLITE_ERROR by its message, which
// is the only place SQLite says what kind of error it was.
func liteMessageCode(msg string) string {
	for _, m := range []struct{ prefix, code string }{
		{"no such table", pgerr.UndefinedTable},
		{"no such column", pgerr.UndefinedColumn},
		{"ambiguous column name", pgerr.AmbiguousColumn},
		{"no such function", pgerr.UndefinedFunction},
		{"wrong number of arguments to function", pgerr.UndefinedFunction},
		{"misuse of aggregate", pgerr.GroupingError},
		{"aggregate functions are not allowed", pgerr.GroupingError},
		{"near ", pgerr.SyntaxError},
		{"incomplete input", pgerr.SyntaxError},
		{"unrecognized token", pgerr.SyntaxError},
		{"integer overflow", "22003"},
	} {
		if strings.Contains(msg, m.prefix) {
			return m.code
		}
	}
	return pgerr.InternalError
}
