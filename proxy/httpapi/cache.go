package httpapi

import (
	"maps"
	"sync"
	"time"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/tenancy"
)

// boundedMap is a map emptied when it reaches max entries: simpler than
// an LRU and enough for working sets far below the bound.
type boundedMap[K comparable, V any] struct {
	mu  sync.Mutex
	max int
	m   map[K]V
}

func newBoundedMap[K comparable, V any](max int) *boundedMap[K, V] {
	return &boundedMap[K, V]{max: max, m: map[K]V{}}
}

func (b *boundedMap[K, V]) get(k K) (V, bool) {
	var zero V
	if b == nil {
		return zero, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[k]
	return v, ok
}

func (b *boundedMap[K, V]) put(k K, v V) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.m) >= b.max {
		clear(b.m)
	}
	b.m[k] = v
}

func (b *boundedMap[K, V]) del(k K) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, k)
}

// tokenTTL bounds how long a verified token is trusted without verifying
// it again (never past its exp): a dashboard sends the same token with
// every request, and verification is a fair share of a request's CPU.
const tokenTTL = time.Minute

type verifiedToken struct {
	ctx   *tenancy.Context
	until time.Time
}

// compiledKey identifies a query whose compilation did not depend on the
// clock: the same text against the same model and dialect compiles and
// plans the same way. A reloaded model is a new *schema.Model.
type compiledKey struct {
	model   *schema.Model
	dialect string
	raw     string
}

// maxCachedQuery bounds the text of a cached query, so the cache's memory
// stays bounded by entries × this.
const maxCachedQuery = 8 << 10

// cachedQuery is a request's compiled queries, immutable once stored.
type cachedQuery struct {
	queries []*compiled
}

// authContext returns the verified context for tok, from the cache when
// it was verified less than tokenTTL ago and has not expired. The caller
// gets its own Context (hooks may not share one).
func (s *Server) authContext(r requestLike, tok string) (*tenancy.Context, error) {
	now := time.Now()
	if v, ok := s.tokens.get(tok); ok {
		if now.Before(v.until) {
			c := *v.ctx
			c.AuthInfo = maps.Clone(v.ctx.AuthInfo)
			return &c, nil
		}
		s.tokens.del(tok)
	}
	tc, err := s.opts.Authenticator.Authenticate(r.Context(), tok, map[string]string{})
	if err != nil {
		return nil, err
	}
	until := now.Add(tokenTTL)
	if !tc.ExpiresAt.IsZero() && tc.ExpiresAt.Before(until) {
		until = tc.ExpiresAt
	}
	saved := *tc
	saved.AuthInfo = maps.Clone(tc.AuthInfo)
	s.tokens.put(tok, verifiedToken{ctx: &saved, until: until})
	return tc, nil
}
