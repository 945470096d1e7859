package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// myDriver runs queries on the MySQL protocol (MySQL, MariaDB, the
// MongoDB BI Connector) through one database/sql pool.
type myDriver struct {
	db    *sql.DB
	admin driver.Connector // dials the side connections that send KILL QUERY
	stop  stopper
}

var _ Driver = (*myDriver)(nil)

func openMySQL(cfg Config) (*myDriver, error) {
	tlsCfg, err := tlsConfig(cfg.SSLMode, cfg.Host)
	if err != nil {
		return nil, err
	}
	port := cfg.Port
	if port == 0 {
		port = 3306
	}
	mc := mysql.NewConfig()
	mc.Net = "tcp"
	mc.Addr = net.JoinHostPort(cfg.Host, strconv.Itoa(port))
	mc.User = cfg.User
	mc.Passwd = cfg.Password
	mc.DBName = cfg.Database
	mc.TLS = tlsCfg
	mc.Timeout = 10 * time.Second
	// Arguments are sent to the server, never spliced into the SQL.
	mc.InterpolateParams = false
	mc.ParseTime = false
	mc.Params = map[string]string{"time_zone": "'+00:00'"}
	conn, err := mysql.NewConnector(mc)
	if err != nil {
		return nil, pgerr.Wrap(err, pgerr.ConnectionFailure, "mysql pool config")
	}
	db := sql.OpenDB(&idConnector{conn})
	max := cfg.MaxConns
	if max <= 0 {
		max = 10
	}
	db.SetMaxOpenConns(max)
	db.SetMaxIdleConns(max)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &myDriver{db: db, admin: conn, stop: newStopper()}, nil
}

func (d *myDriver) Query(ctx context.Context, query string, args []any, row func([][]byte) error) error {
	qctx, done := d.stop.query(ctx)
	defer done()
	conn, err := d.db.Conn(qctx)
	if err != nil {
		return d.err(ctx, err)
	}
	var id uint64
	if err := conn.Raw(func(dc any) error { id = dc.(*idConn).id; return nil }); err != nil {
		conn.Close()
		return d.err(ctx, err)
	}
	// go-sql-driver only closes its socket when the context ends; the
	// server would keep running the query, so kill it from the side.
	killed := make(chan struct{})
	stopKill := context.AfterFunc(qctx, func() {
		defer close(killed)
		d.kill(id)
	})
	err = d.run(qctx, conn, query, args, row)
	if !stopKill() {
		<-killed
		// A KILL QUERY that raced with the end of the query could hit the
		// connection's next one: never reuse it.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	conn.Close()
	if err != nil {
		return d.err(ctx, err)
	}
	return nil
}

func (d *myDriver) run(ctx context.Context, conn *sql.Conn, query string, args []any, row func([][]byte) error) error {
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	raw := make([]sql.RawBytes, len(cols))
	dest := make([]any, len(cols))
	for i := range raw {
		dest[i] = &raw[i]
	}
	values := make([][]byte, len(cols))
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		for i, r := range raw {
			values[i] = r // nil for NULL
		}
		if err := row(values); err != nil {
			return rowErr{err}
		}
	}
	return rows.Err()
}

// rowErr marks an error returned by the caller's row callback, which is
// passed through unchanged.
type rowErr struct{ error }

func (e rowErr) Unwrap() error { return e.error }

// kill stops the query running on connection id, over a new connection
// so that it works even when the pool is full.
func (d *myDriver) kill(id uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := d.admin.Connect(ctx)
	if err != nil {
		return
	}
	defer c.Close()
	if ex, ok := c.(driver.ExecerContext); ok {
		_, _ = ex.ExecContext(ctx, "KILL QUERY "+strconv.FormatUint(id, 10), nil)
	}
}

func (d *myDriver) Ping(ctx context.Context) error {
	qctx, done := d.stop.query(ctx)
	defer done()
	if err := d.db.PingContext(qctx); err != nil {
		return d.err(ctx, err)
	}
	return nil
}

func (d *myDriver) Close() {
	d.stop.cancel()
	d.db.Close()
}

// err maps a go-sql-driver error to the client's SQLSTATE.
func (d *myDriver) err(ctx context.Context, err error) error {
	var re rowErr
	if errors.As(err, &re) {
		return re.error
	}
	if ctx.Err() != nil || d.stop.closing() {
		e := cancelErr(ctx, d.stop.closing())
		e.Err = err
		return e
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return mysqlErr(me)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, sql.ErrConnDone) {
		return &pgerr.Error{Code: pgerr.ConnectionFailure, Severity: "ERROR", Message: "backend connection failed", Err: err} // the cause (hosts, ports) goes to the log, not the client
	}
	return &pgerr.Error{Code: pgerr.InternalError, Severity: "ERROR", Message: "backend: " + err.Error(), Err: err}
}

// mysqlErrCodes maps MySQL server error numbers to SQLSTATEs.
var mysqlErrCodes = map[uint16]string{
	1044: pgerr.ConnectionFailure,  // access denied to database
	1045: pgerr.ConnectionFailure,  // access denied (backend credentials)
	1040: pgerr.TooManyConnections, // too many connections
	1049: pgerr.InvalidCatalogName, // unknown database
	1146: pgerr.UndefinedTable,     // table doesn't exist
	1054: pgerr.UndefinedColumn,    // unknown column
	1064: pgerr.SyntaxError,        // parse error
	1305: pgerr.UndefinedFunction,  // function does not exist
	1317: pgerr.QueryCanceled,      // query execution was interrupted
	3024: pgerr.QueryCanceled,      // max_execution_time exceeded
	1969: pgerr.QueryCanceled,      // MariaDB max_statement_time exceeded
	1365: pgerr.DivisionByZero,     // division by 0
	1053: pgerr.CannotConnectNow,   // server shutdown in progress
	1927: pgerr.ConnectionFailure,  // connection was killed
}

func mysqlErr(me *mysql.MySQLError) *pgerr.Error {
	code, ok := mysqlErrCodes[me.Number]
	if !ok {
		code = pgerr.InternalError
	}
	return &pgerr.Error{Code: code, Severity: "ERROR", Message: "backend: " + me.Message,
		Detail: "MySQL error " + strconv.Itoa(int(me.Number)), Err: me}
}

// idConnector wraps go-sql-driver's connector to learn each connection's
// server thread id, which KILL QUERY needs.
type idConnector struct{ driver.Connector }

func (c *idConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	id, err := connectionID(ctx, dc)
	if err != nil {
		dc.Close()
		return nil, err
	}
	return &idConn{Conn: dc, id: id}, nil
}

func connectionID(ctx context.Context, dc driver.Conn) (uint64, error) {
	q, ok := dc.(driver.QueryerContext)
	if !ok {
		return 0, errors.New("mysql connection cannot query")
	}
	rows, err := q.QueryContext(ctx, "SELECT CONNECTION_ID()", nil)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	v := make([]driver.Value, 1)
	if err := rows.Next(v); err != nil {
		return 0, err
	}
	switch x := v[0].(type) {
	case int64:
		return uint64(x), nil
	case uint64:
		return x, nil
	case []byte:
		return strconv.ParseUint(string(x), 10, 64)
	}
	return 0, errors.New("mysql: unexpected CONNECTION_ID() value")
}

// idConn is a go-sql-driver connection with its thread id. It forwards
// every optional interface database/sql uses.
type idConn struct {
	driver.Conn
	id uint64
}

func (c *idConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c *idConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *idConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *idConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *idConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *idConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *idConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

func (c *idConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.Conn.(driver.NamedValueChecker).CheckNamedValue(nv)
}
