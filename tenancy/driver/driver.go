// Package driver runs backend SQL on a tenant's database. Each Driver owns
// one connection pool for one exact Config; pools are never shared between
// configs.
package driver

import "context"

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
