package catalog

import (
	"fmt"
	"os"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v5"
)

func TestSmoke(t *testing.T) {
	q := os.Getenv("Q")
	if q == "" {
		t.Skip()
	}
	for _, d := range mirrorDDL(fixtureModel()) {
		fmt.Println(d + ";")
	}
	tree, err := pg_query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Plan(fixtureModel(), tree.Stmts[0].Stmt, nil)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(res.Columns)
	rows, err := res.Rows(&Session{User: "postgres", Database: "lattice_test_catalog", Settings: DefaultSettings()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		fmt.Println(r...)
	}
}
