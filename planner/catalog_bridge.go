package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/lattice-sql/lattice/planner/catalog"
	"github.com/lattice-sql/lattice/schema"
)

// The catalog package answers everything that reads no cube.

type catalogResult = catalog.Result

func catalogPlan(m *schema.Model, stmt *pg_query.Node, paramOIDs []uint32) (*catalogResult, error) {
	return catalog.Plan(m, stmt, paramOIDs)
}

func catalogShow(name string) (*catalogResult, error) { return catalog.Show(name) }
