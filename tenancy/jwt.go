package tenancy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy/config"
)

// MaxTokenSize caps a token's length: far under the 64 KiB password limit,
// far over any sane set of claims.
const MaxTokenSize = 8 << 10

// VerifierOptions configure JWT verification.
type VerifierOptions struct {
	Secret []byte // HMAC secret for HS256/384/512
	// JWKSFile or JWKSURL (not both) holds the public keys for RS256/384/512,
	// ES256/384 and EdDSA as a JWK Set. Each key is pinned to one algorithm:
	// its alg, or the one its type and curve imply (RS256 for an RSA key
	// without alg).
	JWKSFile string
	JWKSURL  string
	// JWKSMaxAge is how long a fetched set is used before it is fetched
	// again; JWKSRefetchInterval is how often, at most, a token with an
	// unknown kid (or a failed fetch) triggers a fetch; JWKSFetchTimeout
	// bounds one fetch. Defaults: 10m, 30s, 5s.
	JWKSMaxAge          time.Duration
	JWKSRefetchInterval time.Duration
	JWKSFetchTimeout    time.Duration
	// Algorithms are the accepted algs; by default HS256/384/512 when a
	// Secret is set and the asymmetric ones when a JWK Set is.
	Algorithms      []string
	Issuer          string        // required iss, if set
	Audience        string        // required aud, if set
	Leeway          time.Duration // clock skew allowed on exp and nbf
	ClaimsNamespace string        // when set, authInfo is the object under this claim
	// AllowMissingExp accepts tokens without exp; by default a token must
	// expire.
	AllowMissingExp bool
	// MaxTokenLifetime, when set, refuses tokens whose exp is further
	// away than this.
	MaxTokenLifetime time.Duration
	Now              func() time.Time
	Logger           *slog.Logger
}

// A Verifier checks tokens. Safe for concurrent use.
type Verifier struct {
	opts   VerifierOptions
	parser *jwt.Parser
	keys   keySource // nil without a JWK Set
}

// NewVerifier checks opts and returns a Verifier. A JWKSFile is read now;
// a JWKSURL is fetched on first use.
func NewVerifier(opts VerifierOptions) (*Verifier, error) {
	if opts.JWKSFile != "" && opts.JWKSURL != "" {
		return nil, errors.New("tenancy: set a JWK Set file or URL, not both")
	}
	hasKeys := opts.JWKSFile != "" || opts.JWKSURL != ""
	if len(opts.Secret) == 0 && !hasKeys {
		return nil, errors.New("tenancy: a JWT secret or a JWK Set is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if len(opts.Algorithms) == 0 {
		opts.Algorithms = DefaultAlgorithms(len(opts.Secret) > 0, hasKeys)
	}
	opts.Algorithms = slices.Clone(opts.Algorithms)
	for _, a := range opts.Algorithms {
		switch _, hmac := jwt.GetSigningMethod(a).(*jwt.SigningMethodHMAC); {
		case hmac && len(opts.Secret) == 0:
			return nil, fmt.Errorf("tenancy: algorithm %s needs a secret", a)
		case hmac:
		case !slices.Contains(AsymmetricAlgorithms, a):
			return nil, fmt.Errorf("tenancy: unsupported JWT algorithm %q", a)
		case !hasKeys:
			return nil, fmt.Errorf("tenancy: algorithm %s needs a JWK Set (jwks_file or jwks_url)", a)
		}
	}
	v := &Verifier{}
	var err error
	switch {
	case opts.JWKSFile != "":
		if v.keys, err = loadJWKSFile(opts.JWKSFile); err != nil {
			return nil, fmt.Errorf("tenancy: %w", err)
		}
	case opts.JWKSURL != "":
		if v.keys, err = newRemoteKeys(opts); err != nil {
			return nil, fmt.Errorf("tenancy: %w", err)
		}
	}
	po := []jwt.ParserOption{
		jwt.WithValidMethods(opts.Algorithms),
		jwt.WithLeeway(opts.Leeway),
		jwt.WithJSONNumber(),
		jwt.WithTimeFunc(opts.Now),
		jwt.WithStrictDecoding(),
	}
	if opts.Issuer != "" {
		po = append(po, jwt.WithIssuer(opts.Issuer))
	}
	if opts.Audience != "" {
		po = append(po, jwt.WithAudience(opts.Audience))
	}
	if !opts.AllowMissingExp {
		po = append(po, jwt.WithExpirationRequired())
	}
	v.opts, v.parser = opts, jwt.NewParser(po...)
	return v, nil
}

// DefaultAlgorithms are the algs accepted unless configured: HMAC ones
// with a secret, public-key ones with a JWK Set.
func DefaultAlgorithms(secret, jwks bool) []string {
	var algs []string
	if secret {
		algs = append(algs, config.DefaultAlgorithms...)
	}
	if jwks {
		algs = append(algs, AsymmetricAlgorithms...)
	}
	return algs
}

// VerifierFromConfig builds the Verifier that the config's auth.jwt says.
// Fetch failures of a jwks_url are in each refused token's logged reason.
func VerifierFromConfig(c *config.Config) (*Verifier, error) {
	j := c.Auth.JWT
	return NewVerifier(VerifierOptions{
		Secret: []byte(j.Secret), JWKSFile: j.JWKSFile, JWKSURL: j.JWKSURL,
		JWKSMaxAge: j.JWKSMaxAge, JWKSRefetchInterval: j.JWKSRefetchInterval,
		Algorithms: j.Algorithms, Issuer: j.Issuer, Audience: j.Audience,
		Leeway: j.Leeway, ClaimsNamespace: j.ClaimsNamespace,
		AllowMissingExp: !j.RequireExp, MaxTokenLifetime: j.MaxTokenLifetime,
	})
}

// headers a token may not carry: they name keys or extensions, and a
// verifier that fetched or honoured them would let the token pick its key.
var forbiddenHeaders = []string{"crit", "jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256", "enc", "zip"}

// Verify checks token and returns its claims (under the claims namespace,
// if one is configured) with integral numbers as int64, and its exp (zero
// when absent). Every failure is FATAL 28P01 with the same message; the
// reason is only in the wrapped error, for the log.
func (v *Verifier) Verify(token string) (claims map[string]any, expiresAt time.Time, err error) {
	claims, expiresAt, reason := v.verify(token)
	if reason != nil {
		e := pgerr.Fatal(pgerr.InvalidPassword, "password authentication failed: invalid token")
		e.Err = reason
		return nil, time.Time{}, e
	}
	return claims, expiresAt, nil
}

func (v *Verifier) verify(token string) (map[string]any, time.Time, error) {
	if len(token) > MaxTokenSize {
		return nil, time.Time{}, fmt.Errorf("token of %d bytes exceeds %d", len(token), MaxTokenSize)
	}
	segs := strings.Split(token, ".")
	if len(segs) != 3 || segs[0] == "" || segs[1] == "" || segs[2] == "" {
		if len(segs) == 3 {
			return nil, time.Time{}, errors.New("not a signed JWT: empty segment")
		}
		return nil, time.Time{}, fmt.Errorf("not a signed JWT: %d segments", len(segs))
	}
	var header map[string]any
	for i, seg := range segs[:2] {
		raw, err := base64.RawURLEncoding.Strict().DecodeString(seg)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("segment %d: %w", i, err)
		}
		if err := checkJSON(raw); err != nil {
			return nil, time.Time{}, fmt.Errorf("segment %d: %w", i, err)
		}
		if i == 0 {
			if err := json.Unmarshal(raw, &header); err != nil {
				return nil, time.Time{}, fmt.Errorf("header: %w", err)
			}
		}
	}
	for _, h := range forbiddenHeaders {
		if _, ok := header[h]; ok {
			return nil, time.Time{}, fmt.Errorf("forbidden header %q", h)
		}
	}
	// Checked here as well as by the parser: the exact, case-sensitive
	// name must be one we allow, so no spelling of "none" gets through.
	if alg, _ := header["alg"].(string); !slices.Contains(v.opts.Algorithms, alg) {
		return nil, time.Time{}, fmt.Errorf("algorithm %v not allowed", quoted(header["alg"]))
	}
	kid, hasKid := header["kid"]
	kidStr, _ := kid.(string)
	if hasKid && !safeKid.MatchString(kidStr) {
		return nil, time.Time{}, fmt.Errorf("kid %s is not allowed", quoted(kid))
	}
	mc := jwt.MapClaims{}
	_, err := v.parser.ParseWithClaims(token, mc, func(t *jwt.Token) (any, error) {
		return v.key(t.Method.Alg(), kidStr, hasKid)
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	var exp time.Time
	if e, err := mc.GetExpirationTime(); err == nil && e != nil {
		exp = e.Time
	}
	if max := v.opts.MaxTokenLifetime; max > 0 && (exp.IsZero() || exp.Sub(v.opts.Now()) > max) {
		return nil, time.Time{}, fmt.Errorf("token lifetime exceeds %v", max)
	}
	claims, _ := config.Normalize(map[string]any(mc)).(map[string]any)
	if ns := v.opts.ClaimsNamespace; ns != "" {
		sub, ok := claims[ns].(map[string]any)
		if !ok {
			return nil, time.Time{}, fmt.Errorf("claims namespace %q missing or not an object", ns)
		}
		claims = sub
	}
	return claims, exp, nil
}

// key returns the key that checks a token signed with alg: the secret for
// an HMAC alg, else the JWK Set key the token names, which must be pinned
// to exactly alg.
func (v *Verifier) key(alg, kid string, hasKid bool) (any, error) {
	if _, ok := jwt.GetSigningMethod(alg).(*jwt.SigningMethodHMAC); ok {
		// A kid of a public key on an HMAC token is the key-confusion
		// attack: the public key used as the HMAC secret.
		if hasKid && v.keys != nil {
			if k := v.keys.peek(kid); k != nil {
				return nil, fmt.Errorf("kid %q is a %s key, the token says %s", kid, k.alg, alg)
			}
		}
		return v.opts.Secret, nil
	}
	if v.keys == nil {
		return nil, fmt.Errorf("no JWK Set for %s", alg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), DefaultJWKSFetchTimeout+time.Second)
	defer cancel()
	k, err := v.keys.lookup(ctx, kid, hasKid, alg)
	if err != nil {
		return nil, err
	}
	if k.alg != alg {
		return nil, fmt.Errorf("key %q is pinned to %s, the token says %s", k.kid, k.alg, alg)
	}
	return k.key, nil
}

// checkJSON accepts one JSON object whose objects have no duplicate keys:
// parsers disagree on which duplicate wins, so a token with one is refused.
func checkJSON(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	if err := checkObject(dec, 0); err != nil {
		return err
	}
	if _, err := dec.Token(); err == nil {
		return errors.New("trailing data after JSON object")
	}
	return nil
}

func checkObject(dec *json.Decoder, depth int) error {
	if depth > 32 {
		return errors.New("JSON nested too deeply")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if seen[key] {
			return fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		if err := checkValue(dec, depth); err != nil {
			return err
		}
	}
	_, err := dec.Token() // }
	return err
}

func checkValue(dec *json.Decoder, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		return checkObject(dec, depth+1)
	case json.Delim('['):
		for dec.More() {
			if err := checkValue(dec, depth+1); err != nil {
				return err
			}
		}
		_, err := dec.Token() // ]
		return err
	}
	return nil
}

// Authenticate verifies token and builds the connection's Context from its
// claims and the startup parameters; it is the proxy's Authenticator.
func (v *Verifier) Authenticate(_ context.Context, token string, startup map[string]string) (*Context, error) {
	claims, exp, err := v.Verify(token)
	if err != nil {
		return nil, err
	}
	return &Context{
		AuthInfo:        claims,
		User:            startup["user"],
		Database:        startup["database"],
		ApplicationName: startup["application_name"],
		ExpiresAt:       exp,
	}, nil
}

// Sign returns a token over claims signed with an HMAC alg (HS256, HS384
// or HS512), as `lattice token` prints. It sets iat, and exp when ttl > 0.
func Sign(secret []byte, alg string, claims map[string]any, ttl time.Duration) (string, error) {
	m, ok := jwt.GetSigningMethod(alg).(*jwt.SigningMethodHMAC)
	if !ok {
		return "", fmt.Errorf("tenancy: cannot sign with algorithm %q (want HS256, HS384 or HS512)", alg)
	}
	if len(secret) == 0 {
		return "", errors.New("tenancy: empty secret")
	}
	mc := jwt.MapClaims(maps.Clone(claims))
	if mc == nil {
		mc = jwt.MapClaims{}
	}
	now := time.Now()
	mc["iat"] = now.Unix()
	if ttl > 0 {
		mc["exp"] = now.Add(ttl).Unix()
	}
	return jwt.NewWithClaims(m, mc).SignedString(secret)
}

// quoted formats a header value for the log.
func quoted(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}
