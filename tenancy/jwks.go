package tenancy

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/lattice-sql/lattice/tenancy/config"
)

// AsymmetricAlgorithms are the public-key algorithms a JWK Set can serve.
var AsymmetricAlgorithms = config.AsymmetricAlgorithms

// Bounds on fetching a JWK Set: a slow or huge answer must not hold up
// authentication or memory.
const (
	MaxJWKSSize                = 1 << 20
	DefaultJWKSFetchTimeout    = 5 * time.Second
	DefaultJWKSMaxAge          = 10 * time.Minute
	DefaultJWKSRefetchInterval = 30 * time.Second
	minRSABits                 = 2048
)

// safeKid is what a kid header may be: no path separators, quotes,
// spaces or other syntax, so that it is only ever a map key.
var safeKid = regexp.MustCompile(`^[A-Za-z0-9_=+-][A-Za-z0-9._=+-]{0,127}$`)

// A publicKey is one verification key of a JWK Set, pinned to exactly one
// algorithm: a token is checked with it only under that algorithm.
type publicKey struct {
	kid string
	alg string
	key any // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
}

// keySet is a parsed JWK Set.
type keySet struct {
	byKid map[string]*publicKey
	all   []*publicKey
}

// find returns the key for a token's kid and alg: the key with that kid,
// or, for a token without kid, the only key pinned to alg.
func (s *keySet) find(kid string, hasKid bool, alg string) *publicKey {
	if s == nil {
		return nil
	}
	if hasKid {
		return s.byKid[kid]
	}
	var found *publicKey
	for _, k := range s.all {
		if k.alg == alg {
			if found != nil {
				return nil // ambiguous: the token must name its key
			}
			found = k
		}
	}
	return found
}

type rawJWK struct {
	Kty    string   `json:"kty"`
	Kid    *string  `json:"kid"`
	Alg    string   `json:"alg"`
	Use    string   `json:"use"`
	KeyOps []string `json:"key_ops"`
	Crv    string   `json:"crv"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	X      string   `json:"x"`
	Y      string   `json:"y"`
	D      *string  `json:"d"`
}

// parseJWKS parses a JWK Set (RFC 7517). Keys for encryption and of kinds
// Lattice does not verify with are skipped; a malformed signing key, a
// private key, a duplicate kid or a set with no usable key is an error.
func parseJWKS(data []byte) (*keySet, error) {
	if err := checkJSON(data); err != nil {
		return nil, fmt.Errorf("JWK Set: %w", err)
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("JWK Set: %w", err)
	}
	set := &keySet{byKid: map[string]*publicKey{}}
	for i, raw := range doc.Keys {
		var j rawJWK
		if err := json.Unmarshal(raw, &j); err != nil {
			return nil, fmt.Errorf("JWK Set: key %d: %w", i, err)
		}
		k, err := j.parse()
		if err != nil {
			return nil, fmt.Errorf("JWK Set: key %d: %w", i, err)
		}
		if k == nil {
			continue
		}
		if j.Kid != nil {
			if !safeKid.MatchString(*j.Kid) {
				return nil, fmt.Errorf("JWK Set: key %d: kid %q is not allowed", i, *j.Kid)
			}
			if set.byKid[*j.Kid] != nil {
				return nil, fmt.Errorf("JWK Set: duplicate kid %q", *j.Kid)
			}
			k.kid = *j.Kid
			set.byKid[k.kid] = k
		}
		set.all = append(set.all, k)
	}
	if len(set.all) == 0 {
		return nil, errors.New("JWK Set: no RS256/384/512, ES256/384 or EdDSA signing key")
	}
	return set, nil
}

// parse returns the key pinned to its algorithm, or nil for a key that is
// not for signatures Lattice checks.
func (j *rawJWK) parse() (*publicKey, error) {
	if j.D != nil {
		return nil, errors.New("a private key has no place in a JWK Set")
	}
	if j.Use != "" && j.Use != "sig" {
		return nil, nil
	}
	if j.KeyOps != nil && !slices.Contains(j.KeyOps, "verify") {
		return nil, nil
	}
	if j.Alg != "" && !slices.Contains(AsymmetricAlgorithms, j.Alg) {
		return nil, nil
	}
	switch j.Kty {
	case "RSA":
		alg := j.Alg
		if alg == "" {
			alg = "RS256" // the near-universal default of identity providers
		}
		if alg[:2] != "RS" {
			return nil, fmt.Errorf("an RSA key cannot be used with %s", alg)
		}
		n, err := b64int(j.N, "n")
		if err != nil {
			return nil, err
		}
		e, err := b64int(j.E, "e")
		if err != nil {
			return nil, err
		}
		if n.BitLen() < minRSABits {
			return nil, fmt.Errorf("RSA key of %d bits, want at least %d", n.BitLen(), minRSABits)
		}
		if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
			return nil, errors.New("RSA exponent out of range")
		}
		return &publicKey{alg: alg, key: &rsa.PublicKey{N: n, E: int(e.Int64())}}, nil
	case "EC":
		var curve elliptic.Curve
		var alg string
		switch j.Crv {
		case "P-256":
			curve, alg = elliptic.P256(), "ES256"
		case "P-384":
			curve, alg = elliptic.P384(), "ES384"
		default:
			return nil, fmt.Errorf("EC curve %q is not P-256 or P-384", j.Crv)
		}
		if j.Alg != "" && j.Alg != alg {
			return nil, fmt.Errorf("a %s key cannot be used with %s", j.Crv, j.Alg)
		}
		size := (curve.Params().BitSize + 7) / 8
		x, err := b64(j.X, "x")
		if err != nil {
			return nil, err
		}
		y, err := b64(j.Y, "y")
		if err != nil {
			return nil, err
		}
		if len(x) != size || len(y) != size {
			return nil, fmt.Errorf("%s coordinates must be %d bytes", j.Crv, size)
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, fmt.Errorf("EC key: %w", err)
		}
		return &publicKey{alg: alg, key: pub}, nil
	case "OKP":
		if j.Crv != "Ed25519" {
			return nil, fmt.Errorf("OKP curve %q is not Ed25519", j.Crv)
		}
		if j.Alg != "" && j.Alg != "EdDSA" {
			return nil, fmt.Errorf("an Ed25519 key cannot be used with %s", j.Alg)
		}
		x, err := b64(j.X, "x")
		if err != nil {
			return nil, err
		}
		if len(x) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("Ed25519 key must be %d bytes", ed25519.PublicKeySize)
		}
		return &publicKey{alg: "EdDSA", key: ed25519.PublicKey(x)}, nil
	}
	if j.Alg != "" {
		return nil, fmt.Errorf("key type %q cannot be used with %s", j.Kty, j.Alg)
	}
	return nil, nil // e.g. "oct": symmetric keys are configured as auth.jwt.secret
}

func b64(s, field string) ([]byte, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("%s is not base64url", field)
	}
	return b, nil
}

func b64int(s, field string) (*big.Int, error) {
	b, err := b64(s, field)
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(b), nil
}

// keySource is where asymmetric keys come from: a file read once, or a URL
// fetched and cached.
type keySource interface {
	// lookup returns the key a token names (see keySet.find); it may
	// fetch. peek does not.
	lookup(ctx context.Context, kid string, hasKid bool, alg string) (*publicKey, error)
	peek(kid string) *publicKey
}

type staticKeys struct{ set *keySet }

func loadJWKSFile(path string) (staticKeys, error) {
	f, err := os.Open(path)
	if err != nil {
		return staticKeys{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxJWKSSize+1))
	if err != nil {
		return staticKeys{}, err
	}
	if len(data) > MaxJWKSSize {
		return staticKeys{}, fmt.Errorf("%s: JWK Set larger than %d bytes", path, MaxJWKSSize)
	}
	set, err := parseJWKS(data)
	if err != nil {
		return staticKeys{}, fmt.Errorf("%s: %w", path, err)
	}
	return staticKeys{set}, nil
}

func (s staticKeys) lookup(_ context.Context, kid string, hasKid bool, alg string) (*publicKey, error) {
	if k := s.set.find(kid, hasKid, alg); k != nil {
		return k, nil
	}
	return nil, errors.New("no key in the JWK Set matches the token")
}

func (s staticKeys) peek(kid string) *publicKey { return s.set.byKid[kid] }

// remoteKeys is a JWK Set fetched from a URL. The set is refetched when
// older than maxAge; a token naming an unknown kid triggers a refetch at
// most once per refetchInterval, so a flood of made-up kids costs one
// request per interval. A failed refetch keeps the previous set.
type remoteKeys struct {
	url             string
	client          *http.Client
	maxAge, refetch time.Duration
	now             func() time.Time
	log             *slog.Logger

	fetchMu sync.Mutex // one fetch at a time

	mu        sync.Mutex
	set       *keySet
	fetched   time.Time // of the current set
	attempted time.Time // of the last fetch, successful or not
	lastErr   error     // of the last fetch
}

func newRemoteKeys(o VerifierOptions) (*remoteKeys, error) {
	if err := config.CheckJWKSURL(o.JWKSURL); err != nil {
		return nil, fmt.Errorf("jwks_url %w", err)
	}
	timeout := o.JWKSFetchTimeout
	if timeout <= 0 {
		timeout = DefaultJWKSFetchTimeout
	}
	r := &remoteKeys{
		url: o.JWKSURL, maxAge: o.JWKSMaxAge, refetch: o.JWKSRefetchInterval, now: o.Now, log: o.Logger,
		client: &http.Client{
			Timeout: timeout,
			// A redirect could lead anywhere; the operator names the URL.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	if r.maxAge <= 0 {
		r.maxAge = DefaultJWKSMaxAge
	}
	if r.refetch <= 0 {
		r.refetch = DefaultJWKSRefetchInterval
	}
	return r, nil
}

func (r *remoteKeys) peek(kid string) *publicKey {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.set == nil {
		return nil
	}
	return r.set.byKid[kid]
}

func (r *remoteKeys) lookup(ctx context.Context, kid string, hasKid bool, alg string) (*publicKey, error) {
	r.mu.Lock()
	set, stale := r.set, r.set == nil || r.now().Sub(r.fetched) >= r.maxAge
	r.mu.Unlock()
	if stale {
		set = r.refresh(ctx, false)
	}
	if k := set.find(kid, hasKid, alg); k != nil {
		return k, nil
	}
	if hasKid {
		// An unknown kid may be a new key after a rotation.
		set = r.refresh(ctx, true)
		if k := set.find(kid, hasKid, alg); k != nil {
			return k, nil
		}
	}
	if set == nil {
		r.mu.Lock()
		err := r.lastErr
		r.mu.Unlock()
		return nil, fmt.Errorf("the JWK Set could not be fetched: %w", err)
	}
	return nil, errors.New("no key in the JWK Set matches the token")
}

// refresh fetches the set unless another caller just did, or, for an
// unknown kid, unless the last attempt is more recent than the refetch
// interval. It returns the current set.
func (r *remoteKeys) refresh(ctx context.Context, unknownKid bool) *keySet {
	r.fetchMu.Lock()
	defer r.fetchMu.Unlock()
	r.mu.Lock()
	now := r.now()
	since := now.Sub(r.attempted)
	fresh := r.set != nil && now.Sub(r.fetched) < r.maxAge
	if (!r.attempted.IsZero() && since < r.refetch) || (!unknownKid && fresh) {
		set := r.set
		r.mu.Unlock()
		return set
	}
	r.attempted = now
	r.mu.Unlock()

	set, err := r.fetch(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastErr = err
	if err != nil {
		r.log.Warn("cannot fetch the JWK Set; keeping the previous one", "url", r.url, "err", err)
		return r.set
	}
	r.set, r.fetched = set, r.now()
	return set
}

func (r *remoteKeys) fetch(ctx context.Context) (*keySet, error) {
	// Not the caller's context: one client hanging up must not fail the
	// fetch that other connections wait for. The client's Timeout bounds it.
	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodGet, r.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", r.url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxJWKSSize+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", r.url, err)
	}
	if len(data) > MaxJWKSSize {
		return nil, fmt.Errorf("GET %s: JWK Set larger than %d bytes", r.url, MaxJWKSSize)
	}
	return parseJWKS(data)
}
