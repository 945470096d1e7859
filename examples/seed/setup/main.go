// Command setup creates the example's tenant databases (my_app_<appId>_<userId>)
// on the local PostgreSQL and MariaDB: go run ./examples/seed/setup
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/lattice-sql/lattice/examples/seed"
)

func main() {
	for _, t := range seed.Tenants {
		if err := seed.Create(context.Background(), t, "my_app_"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("created %s on %s\n", t.Database("my_app_"), t.DBType)
	}
}
