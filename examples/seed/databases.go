package seed

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// The local servers the example and the tests use (trust / empty password).
const (
	PostgresAddr = "127.0.0.1:5432"
	MariaDBAddr  = "127.0.0.1:3306"
)

// Create (re)creates the tenant's database on its server and fills it.
func Create(ctx context.Context, t Tenant, prefix string) error {
	db := t.Database(prefix)
	if t.DBType == "postgres" {
		return createPostgres(ctx, db, t.Statements(false))
	}
	return createMySQL(ctx, db, t.Statements(true))
}

// Drop removes the tenant's database.
func Drop(ctx context.Context, t Tenant, prefix string) error {
	db := t.Database(prefix)
	if t.DBType == "postgres" {
		return execPostgres(ctx, "postgres", "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)")
	}
	return execMySQL(ctx, "", "DROP DATABASE IF EXISTS `"+db+"`")
}

func createPostgres(ctx context.Context, db string, stmts []string) error {
	q := pgx.Identifier{db}.Sanitize()
	if err := execPostgres(ctx, "postgres", "DROP DATABASE IF EXISTS "+q+" WITH (FORCE)", "CREATE DATABASE "+q); err != nil {
		return err
	}
	return execPostgres(ctx, db, stmts...)
}

func execPostgres(ctx context.Context, db string, stmts ...string) error {
	cfg, err := pgx.ParseConfig("")
	if err != nil {
		return err
	}
	cfg.Host, cfg.Port, cfg.User, cfg.Database = "127.0.0.1", 5432, "postgres", db
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("seed: connect to PostgreSQL at %s: %w", PostgresAddr, err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("seed: %s: %w", db, err)
		}
	}
	return nil
}

func createMySQL(ctx context.Context, db string, stmts []string) error {
	if err := execMySQL(ctx, "", "DROP DATABASE IF EXISTS `"+db+"`", "CREATE DATABASE `"+db+"`"); err != nil {
		return err
	}
	return execMySQL(ctx, db, stmts...)
}

func execMySQL(ctx context.Context, db string, stmts ...string) error {
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr, cfg.User, cfg.DBName = "tcp", MariaDBAddr, "root", db
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return err
	}
	pool := sql.OpenDB(conn)
	defer pool.Close()
	for _, s := range stmts {
		if _, err := pool.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("seed: MariaDB at %s, %s: %w", MariaDBAddr, db, err)
		}
	}
	return nil
}
