// Package driver runs backend SQL on a tenant's database. Each Driver owns
// one connection pool for one exact Config; pools are never shared between
// configs.
//
// PostgreSQL runs on pgxpool, MySQL, MariaDB and the MongoDB BI Connector
// on go-sql-driver/mysql. Pools are built from Config's fields, never from
// a DSN string, and sessions run in UTC with ISO dates. Rows come back in
// the backends' text form.
//
// Cancelling a query's context stops it on the server: PostgreSQL through
// a CancelRequest (pgx's default would only drop the socket), MySQL through
// KILL QUERY on a side connection (go-sql-driver only drops the socket).
// Close cancels running queries first, because both libraries' Close waits
// for them. Errors are *pgerr.Error: backend SQLSTATEs are kept (MySQL
// error numbers are mapped), an unreachable backend is 08006 or 57P03, a
// cancelled query 57014, one ended by Close 57P01.
package driver

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// Config is a resolved driverFactory result: where one tenant's data lives.
// It is built as a struct, never by concatenating DSN strings.
type Config struct {
	Type     string // postgres, mysql, mariadb, mongobi
	Host     string
	Port     int
	User     string
	Password string
	Database string
	SSLMode  string // disable (default), require, verify-full
	MaxConns int    // pool size; 0 means the default
}

// A Driver runs queries on one backend pool. Safe for concurrent use.
type Driver interface {
	// Query runs sql with positional args and calls row once per result
	// row with each value in PostgreSQL-compatible text form (nil for
	// NULL). The slices are only valid during the call. A row error stops
	// the query and is returned. Cancelling ctx cancels the backend query.
	Query(ctx context.Context, sql string, args []any, row func(values [][]byte) error) error
	// Ping checks that the backend is reachable.
	Ping(ctx context.Context) error
	// Close closes the pool; running queries are cancelled.
	Close()
}

// Open returns a Driver for cfg, dispatching on cfg.Type. Opening does not
// connect: the pool dials on first use, so a missing or unreachable
// database shows up as an error from Query or Ping.
func Open(cfg Config) (Driver, error) {
	switch cfg.Type {
	case "postgres":
		return openPostgres(cfg)
	case "mysql", "mariadb", "mongobi":
		return openMySQL(cfg)
	case "sqlite":
		return openSQLite(cfg)
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "unknown database type %q", cfg.Type)
}

// Types lists the database types Open accepts.
func Types() []string { return []string{"postgres", "mysql", "mariadb", "mongobi", "sqlite"} }

// Fingerprint identifies cfg exactly: every field, the password included,
// length-prefixed so that no two different configs collide. Pools are
// keyed by it.
func (c Config) Fingerprint() string {
	h := sha256.New()
	for _, f := range []string{c.Type, c.Host, strconv.Itoa(c.Port), c.User, c.Password, c.Database, c.SSLMode, strconv.Itoa(c.MaxConns)} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// String describes cfg for logs, without the password.
func (c Config) String() string {
	return fmt.Sprintf("%s://%s@%s/%s", c.Type, c.User, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), c.Database)
}

// tlsConfig returns the TLS settings for an sslmode; nil means plain TCP.
func tlsConfig(mode, host string) (*tls.Config, error) {
	switch mode {
	case "", "disable":
		return nil, nil
	case "require":
		// Encrypted but unauthenticated, as libpq's sslmode=require.
		return &tls.Config{InsecureSkipVerify: true}, nil
	case "verify-full":
		return &tls.Config{ServerName: host}, nil
	}
	return nil, pgerr.New(pgerr.InvalidParameterValue, "unknown sslmode %q (want disable, require or verify-full)", mode)
}

// cancelErr is the error for a query stopped by its context or by Close.
func cancelErr(ctx context.Context, closing bool) *pgerr.Error {
	switch {
	case closing:
		return pgerr.New(pgerr.AdminShutdown, "terminating query: the tenant's connection pool was closed")
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout")
	}
	return pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
}

// stopper ends a driver's running queries when it closes: every query runs
// under a context that Close cancels, because both pool libraries' Close
// waits for running queries instead of ending them.
type stopper struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newStopper() stopper {
	ctx, cancel := context.WithCancel(context.Background())
	return stopper{ctx, cancel}
}

// query derives the context one query runs under.
func (s stopper) query(ctx context.Context) (context.Context, func()) {
	qctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	return qctx, func() { stop(); cancel() }
}

func (s stopper) closing() bool { return s.ctx.Err() != nil }
