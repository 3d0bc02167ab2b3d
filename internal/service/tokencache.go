package service

import (
	"sync"
	"time"

	"github.com/vigil-ir/vigil/internal/auth"
)

// tokenTTL bounds how long a node trusts a token it has already checked. Every API request
// presents its token, and looking it up cost about a tenth of the server's CPU under load.
// Revoking a token or changing a user's roles clears this node's cache at once; other nodes
// sharing PostgreSQL notice within tokenTTL.
const tokenTTL = 2 * time.Second

// tokenCacheMax caps the entries so a flood of distinct valid tokens cannot grow memory;
// when full the cache starts again empty.
const tokenCacheMax = 10_000

type cachedToken struct {
	p        auth.Principal
	tokenID  int64
	lastUsed *time.Time
	expires  time.Time
}

type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedToken
}

func (c *tokenCache) get(hash string, now time.Time) (cachedToken, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || !now.Before(e.expires) {
		return cachedToken{}, false
	}
	return e, true
}

func (c *tokenCache) put(hash string, e cachedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= tokenCacheMax {
		c.m = make(map[string]cachedToken)
	}
	c.m[hash] = e
}

// clear forgets every token: called after any change that could withdraw access.
func (c *tokenCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}
