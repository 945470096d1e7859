package planner

import (
	"container/list"
	"strconv"
	"strings"
	"sync"

	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema"
)

// A Cache remembers plans so that the SQL a BI tool sends again and again
// is parsed and planned once. Statements are immutable, so a cached plan
// is shared by every connection of every tenant on the same model; the
// key holds the model itself, so tenants on different models never share
// an entry. Safe for concurrent use.
type Cache struct {
	mu    sync.Mutex
	size  int
	lru   *list.List // of *cacheEntry, most recent first
	items map[cacheKey]*list.Element
}

type cacheKey struct {
	model   *schema.Model
	dialect string
	params  string // the declared parameter OIDs
	sql     string
}

type cacheEntry struct {
	key   cacheKey
	stmts []*Statement
}

// NewCache returns a cache of at most size plans (LRU).
func NewCache(size int) *Cache {
	return &Cache{size: size, lru: list.New(), items: make(map[cacheKey]*list.Element)}
}

// maxCachedSQL keeps one huge statement from pinning its text in memory.
const maxCachedSQL = 16 << 10

// Plan is Plan with the cache in front. Errors are not cached.
func (c *Cache) Plan(m *schema.Model, d dialect.Dialect, sql string, paramOIDs []uint32) ([]*Statement, error) {
	if len(sql) > maxCachedSQL {
		return Plan(m, d, sql, paramOIDs)
	}
	key := cacheKey{model: m, dialect: d.Name(), params: oidKey(paramOIDs), sql: sql}
	c.mu.Lock()
	if el, ok := c.items[key]; ok {
		c.lru.MoveToFront(el)
		stmts := el.Value.(*cacheEntry).stmts
		c.mu.Unlock()
		return stmts, nil
	}
	c.mu.Unlock()

	stmts, err := Plan(m, d, sql, paramOIDs)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; !ok {
		c.items[key] = c.lru.PushFront(&cacheEntry{key: key, stmts: stmts})
		for c.lru.Len() > c.size {
			old := c.lru.Remove(c.lru.Back()).(*cacheEntry)
			delete(c.items, old.key)
		}
	}
	return stmts, nil
}

// Len returns the number of cached plans.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

func oidKey(oids []uint32) string {
	if len(oids) == 0 {
		return ""
	}
	var b strings.Builder
	for _, o := range oids {
		b.WriteString(strconv.FormatUint(uint64(o), 10))
		b.WriteByte(',')
	}
	return b.String()
}
