package httpapi

import (
	"sync"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/schema"
)

// planCache keeps planned statements by (model, dialect, semantic SQL).
// Planning is pure and a Statement immutable, so a hit is exactly what
// planning again would return; a reloaded model is a new *schema.Model,
// so its queries miss. Dashboards repeat the same few queries, and the
// SQL carries no client values (they are parameters), so the hit rate is
// high. Bounded: the cache is emptied when full.
type planCache struct {
	mu  sync.Mutex
	max int
	m   map[planKey]*planner.Statement
}

type planKey struct {
	model   *schema.Model
	dialect string
	sql     string
}

func newPlanCache(max int) *planCache {
	return &planCache{max: max, m: map[planKey]*planner.Statement{}}
}

func (c *planCache) get(k planKey) *planner.Statement {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *planCache) put(k planKey, st *planner.Statement) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = st
}
