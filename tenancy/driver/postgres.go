package driver

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// pgDriver runs queries on PostgreSQL through one pgxpool.
type pgDriver struct {
	pool *pgxpool.Pool
	stop stopper
}

var _ Driver = (*pgDriver)(nil)

// cancelGrace is how long a cancelled query may take to stop after the
// server got the CancelRequest before its connection is cut.
const cancelGrace = 3 * time.Second

func openPostgres(cfg Config) (*pgDriver, error) {
	pc, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, pgerr.Wrap(err, pgerr.ConnectionFailure, "postgres pool config")
	}
	tlsCfg, err := tlsConfig(cfg.SSLMode, cfg.Host)
	if err != nil {
		return nil, err
	}
	port := cfg.Port
	if port == 0 {
		port = 5432
	}
	cc := pc.ConnConfig
	// Every field comes from cfg, never from the PG* environment that
	// ParseConfig("") reads, and never through a DSN string.
	cc.Host = cfg.Host
	cc.Port = uint16(port)
	cc.User = cfg.User
	cc.Password = cfg.Password
	cc.Database = cfg.Database
	cc.TLSConfig = tlsCfg
	cc.Fallbacks = nil
	cc.ConnectTimeout = 10 * time.Second
	cc.RuntimeParams = map[string]string{
		"application_name": "lattice",
		"DateStyle":        "ISO, MDY",
		"IntervalStyle":    "postgres",
		"TimeZone":         "UTC",
	}
	// pgx's default reaction to a cancelled context is to close the
	// socket, which leaves the backend running the query. Send a real
	// CancelRequest first and only cut the connection if that fails.
	cc.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: cancelGrace}
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = int32(cfg.MaxConns)
	}
	pc.MaxConnIdleTime = 5 * time.Minute
	pool, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		return nil, pgConnErr(err)
	}
	return &pgDriver{pool: pool, stop: newStopper()}, nil
}

func (d *pgDriver) Query(ctx context.Context, sql string, args []any, row func([][]byte) error) error {
	qctx, done := d.stop.query(ctx)
	defer done()
	rows, err := d.pool.Query(qctx, sql, append([]any{pgx.QueryResultFormats{pgx.TextFormatCode}}, args...)...)
	if err != nil {
		return d.err(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.RawValues()); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return d.err(ctx, err)
	}
	return nil
}

func (d *pgDriver) Ping(ctx context.Context) error {
	qctx, done := d.stop.query(ctx)
	defer done()
	if err := d.pool.Ping(qctx); err != nil {
		return d.err(ctx, err)
	}
	return nil
}

func (d *pgDriver) Close() {
	d.stop.cancel()
	d.pool.Close()
}

// err maps a pgx error to the client's SQLSTATE.
func (d *pgDriver) err(ctx context.Context, err error) error {
	if ctx.Err() != nil || d.stop.closing() {
		e := cancelErr(ctx, d.stop.closing())
		e.Err = err
		return e
	}
	var ce *pgconn.ConnectError
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &ce):
		return pgConnErr(err)
	case errors.As(err, &pe):
		return backendPgErr(pe)
	}
	return pgConnErr(err)
}

// pgConnErr maps a failure to reach the backend: 57P03 when the server
// says it is starting or stopping, the server's code for a missing
// database, 08006 otherwise. The backend's own authentication failures
// are not the client's: they become 08006 too.
func pgConnErr(err error) *pgerr.Error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case pgerr.CannotConnectNow, pgerr.AdminShutdown, "57P02":
			return &pgerr.Error{Code: pgerr.CannotConnectNow, Severity: "ERROR", Message: "backend unavailable: " + pe.Message, Err: err}
		case pgerr.InvalidCatalogName:
			return &pgerr.Error{Code: pgerr.InvalidCatalogName, Severity: "ERROR", Message: "backend: " + pe.Message, Err: err}
		case pgerr.TooManyConnections:
			return &pgerr.Error{Code: pgerr.TooManyConnections, Severity: "ERROR", Message: "backend: " + pe.Message, Err: err}
		}
		return &pgerr.Error{Code: pgerr.ConnectionFailure, Severity: "ERROR", Message: "backend connection failed: " + pe.Message, Err: err}
	}
	return &pgerr.Error{Code: pgerr.ConnectionFailure, Severity: "ERROR", Message: "backend connection failed", Err: err} // the cause (hosts, ports) goes to the log, not the client
}

// backendPgErr keeps a backend error's SQLSTATE and text. A FATAL from
// the backend only ends the pooled connection, not the client's session.
func backendPgErr(pe *pgconn.PgError) *pgerr.Error {
	if pe.Code[:2] == "08" || pe.Code == pgerr.AdminShutdown || pe.Code == pgerr.CannotConnectNow {
		return pgConnErr(pe)
	}
	return &pgerr.Error{Code: pe.Code, Severity: "ERROR", Message: pe.Message, Detail: pe.Detail, Hint: pe.Hint, Err: pe}
}
