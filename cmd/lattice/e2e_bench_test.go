package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lattice-sql/lattice/examples/seed"
	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema"
)

const benchQuery = "SELECT status, MEASURE(count), MEASURE(total_amount) FROM orders GROUP BY 1 ORDER BY 1"

// BenchmarkEndToEnd runs the same single-cube query through Lattice and,
// in the same run, the SQL Lattice generates for it directly on
// PostgreSQL; the difference of the two is the latency Lattice adds.
func BenchmarkEndToEnd(b *testing.B) {
	tn := seed.Tenants[0]
	ctx := context.Background()

	model, err := schema.Load(ctx, schema.DirRepository{Root: "../../examples/seed/model/1"})
	if err != nil {
		b.Fatal(err)
	}
	stmts, err := planner.Plan(model, dialect.Postgres, benchQuery, nil)
	if err != nil {
		b.Fatal(err)
	}
	backendSQL := stmts[0].SQL

	direct, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres sslmode=disable dbname="+tn.Database(e2ePrefix))
	if err != nil {
		b.Fatal(err)
	}
	defer direct.Close(ctx)
	through := mustConnect(b, tn)

	run := func(b *testing.B, conn *pgx.Conn, sql string, mode pgx.QueryExecMode) float64 {
		b.ReportAllocs()
		for b.Loop() {
			rows, err := conn.Query(ctx, sql, mode)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			if rows.Err() != nil || n == 0 {
				b.Fatalf("%d rows, %v", n, rows.Err())
			}
		}
		return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	}
	// Simple protocol is what psql and most BI tools send; the cached
	// prepared statement is pgx's default (Parse once, then Bind/Execute).
	modes := []struct {
		name string
		mode pgx.QueryExecMode
	}{{"simple", pgx.QueryExecModeSimpleProtocol}, {"prepared", pgx.QueryExecModeCacheStatement}}
	for _, m := range modes {
		var directNs, latticeNs float64
		b.Run("postgres-direct/"+m.name, func(b *testing.B) { directNs = run(b, direct, backendSQL, m.mode) })
		b.Run("through-lattice/"+m.name, func(b *testing.B) { latticeNs = run(b, through, benchQuery, m.mode) })
		if directNs > 0 && latticeNs > 0 {
			fmt.Printf("end-to-end %s: direct %v/query, through Lattice %v/query: Lattice adds %v (ratio %.2f)\n",
				m.name, time.Duration(directNs), time.Duration(latticeNs), time.Duration(latticeNs-directNs), latticeNs/directNs)
		}
	}
}
