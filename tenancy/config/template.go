package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/ext"
)

// Vars are the values a template sees: the verified claims (as authInfo
// and securityContext) and the client's startup parameters.
type Vars struct {
	AuthInfo        map[string]any
	User            string
	Database        string
	ApplicationName string
}

// A Template is a config string with {{ CEL }} holes, compiled at load.
// Safe for concurrent use.
type Template struct {
	Key    string // the config key, e.g. "tenancy.driver_factory.postgres.database"
	Line   int    // the key's line in the config file
	Source string // the text with ${VAR} expanded
	parts  []part
}

// A part is literal text or a hole.
type part struct {
	text string
	hole *Hole
}

// A Hole is one {{ expression }} of a template.
type Hole struct {
	Expr string   // the CEL source between the braces, trimmed
	Refs []string // what it reads: "authInfo.appId", "user", ...
	prg  cel.Program
}

// Const returns a template that always renders s, for values set in Go.
func Const(s string) *Template { return &Template{Source: s, parts: []part{{text: s}}} }

// IsConst reports whether t has no holes.
func (t *Template) IsConst() bool {
	for _, p := range t.parts {
		if p.hole != nil {
			return false
		}
	}
	return true
}

// Holes returns t's holes in order.
func (t *Template) Holes() []*Hole {
	var hs []*Hole
	for _, p := range t.parts {
		if p.hole != nil {
			hs = append(hs, p.hole)
		}
	}
	return hs
}

// LiteralPrefix returns the text before the first hole.
func (t *Template) LiteralPrefix() string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.hole != nil {
			break
		}
		b.WriteString(p.text)
	}
	return b.String()
}

// Render evaluates t. check, when not nil, sees each hole's result before
// it is spliced in (the literal text around holes is the operator's and
// is not checked); its error is returned as is.
func (t *Template) Render(v Vars, check func(h *Hole, value string) error) (string, error) {
	if t.IsConst() {
		return t.Source, nil
	}
	act := activation(v)
	var b strings.Builder
	for _, p := range t.parts {
		if p.hole == nil {
			b.WriteString(p.text)
			continue
		}
		s, err := p.hole.eval(act, v)
		if err != nil {
			return "", fmt.Errorf("%s: {{ %s }}: %w", t.Key, p.hole.Expr, err)
		}
		if check != nil {
			if err := check(p.hole, s); err != nil {
				return "", err
			}
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// ErrNoSuchClaim is wrapped by Render's error when a hole reads a claim
// or field that the context lacks.
var ErrNoSuchClaim = errors.New("no such claim")

func (h *Hole) eval(act map[string]any, v Vars) (string, error) {
	out, _, err := h.prg.Eval(act)
	if err != nil {
		if ref := missingRef(h.Refs, v.AuthInfo); ref != "" {
			return "", fmt.Errorf("%s: %w", ref, ErrNoSuchClaim)
		}
		return "", err
	}
	return format(out)
}

// format prints a hole's result: integral numbers without a decimal
// point, as JavaScript template literals do.
func format(v ref.Val) (string, error) {
	switch x := v.Value().(type) {
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", fmt.Errorf("result %v is not a finite number", x)
		}
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("result of type %s is not a string, number or bool", v.Type().TypeName())
}

// missingRef returns the first claim reference whose path is absent.
func missingRef(refs []string, claims map[string]any) string {
	for _, r := range refs {
		path := strings.Split(r, ".")
		if path[0] != "authInfo" && path[0] != "securityContext" || len(path) < 2 {
			continue
		}
		var cur any = claims
		for _, k := range path[1:] {
			m, ok := cur.(map[string]any)
			if !ok {
				return r
			}
			if cur, ok = m[k]; !ok {
				return r
			}
		}
	}
	return ""
}

// activation builds the CEL inputs. Claims are normalised so that JSON's
// float64 integers compare equal to CEL int literals (appId == 3).
func activation(v Vars) map[string]any {
	claims, _ := Normalize(v.AuthInfo).(map[string]any)
	if claims == nil {
		claims = map[string]any{}
	}
	return map[string]any{
		"authInfo":         claims,
		"securityContext":  claims,
		"user":             v.User,
		"database":         v.Database,
		"application_name": v.ApplicationName,
	}
}

// Normalize returns a copy of a decoded JSON value in which integral
// numbers (float64 or json.Number) that fit in an int64 are int64.
func Normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = Normalize(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = Normalize(e)
		}
		return s
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int64(x)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return Normalize(f)
		}
		return x.String()
	case int:
		return int64(x)
	case int32:
		return int64(x)
	}
	return v
}

var (
	envOnce sync.Once
	env     *cel.Env
	envErr  error
)

func celEnv() (*cel.Env, error) {
	envOnce.Do(func() {
		claims := cel.MapType(cel.StringType, cel.DynType)
		env, envErr = cel.NewEnv(
			cel.Variable("authInfo", claims),
			cel.Variable("securityContext", claims),
			cel.Variable("user", cel.StringType),
			cel.Variable("database", cel.StringType),
			cel.Variable("application_name", cel.StringType),
			cel.CrossTypeNumericComparisons(true),
			ext.Strings(),
		)
	})
	return env, envErr
}

// compileTemplate splits src into text and holes and compiles each hole.
func compileTemplate(key string, line int, src string) (*Template, error) {
	t := &Template{Key: key, Line: line, Source: src}
	rest := src
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			if err := t.text(rest); err != nil {
				return nil, err
			}
			t.Source = t.source()
			return t, nil
		}
		if err := t.text(rest[:i]); err != nil {
			return nil, err
		}
		end := holeEnd(rest[i+2:])
		if end < 0 {
			return nil, errors.New("unterminated {{ in template")
		}
		expr := strings.TrimSpace(rest[i+2 : i+2+end])
		h, err := compileHole(expr)
		if err != nil {
			return nil, err
		}
		t.parts = append(t.parts, part{hole: h})
		rest = rest[i+2+end+2:]
	}
}

// text appends literal text, with ${VAR} expanded. Holes are found
// before expansion so that an environment value never becomes code.
func (t *Template) text(s string) error {
	if s == "" {
		return nil
	}
	s, err := expandEnv(s)
	if err != nil {
		return err
	}
	t.parts = append(t.parts, part{text: s})
	return nil
}

// source reassembles the expanded text with its holes.
func (t *Template) source() string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.hole != nil {
			b.WriteString("{{ " + p.hole.Expr + " }}")
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// holeEnd returns the index of the "}}" closing a hole, skipping quoted
// CEL strings, or -1.
func holeEnd(s string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == '\\':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
		case c == '\'' || c == '"':
			quote = c
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			return i
		}
	}
	return -1
}

func compileHole(expr string) (*Hole, error) {
	if expr == "" {
		return nil, errors.New("empty {{ }} in template")
	}
	e, err := celEnv()
	if err != nil {
		return nil, err
	}
	ast, iss := e.Compile(expr)
	if iss.Err() != nil {
		return nil, fmt.Errorf("{{ %s }}: %s", expr, oneLine(iss.Err().Error()))
	}
	switch ast.OutputType().Kind() {
	case types.StringKind, types.IntKind, types.UintKind, types.DoubleKind, types.BoolKind, types.DynKind:
	default:
		return nil, fmt.Errorf("{{ %s }}: result type %s is not a string, number or bool", expr, ast.OutputType())
	}
	prg, err := e.Program(ast, cel.CostLimit(100000))
	if err != nil {
		return nil, fmt.Errorf("{{ %s }}: %v", expr, err)
	}
	return &Hole{Expr: expr, Refs: refs(ast.NativeRep()), prg: prg}, nil
}

// oneLine keeps the first line of a CEL issue ("ERROR: <input>:1:5: ...").
func oneLine(s string) string {
	s = strings.TrimPrefix(s, "ERROR: <input>:")
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// refs lists the variables and claim paths an expression reads, in order
// of appearance, for error messages that name the claim.
func refs(a *celast.AST) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	var path func(e celast.Expr) (string, bool)
	path = func(e celast.Expr) (string, bool) {
		switch e.Kind() {
		case celast.IdentKind:
			return e.AsIdent(), true
		case celast.SelectKind:
			if p, ok := path(e.AsSelect().Operand()); ok {
				return p + "." + e.AsSelect().FieldName(), true
			}
		case celast.CallKind:
			c := e.AsCall()
			if c.FunctionName() == "_[_]" && len(c.Args()) == 2 && c.Args()[1].Kind() == celast.LiteralKind {
				if k, ok := c.Args()[1].AsLiteral().Value().(string); ok {
					if p, ok := path(c.Args()[0]); ok {
						return p + "." + k, true
					}
				}
			}
		}
		return "", false
	}
	// Pre-order visits the longest path first; its prefixes are skipped.
	var covered []string
	celast.PreOrderVisit(a.Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		p, ok := path(e)
		if !ok {
			return
		}
		for _, c := range covered {
			if c == p || strings.HasPrefix(c, p+".") {
				return
			}
		}
		covered = append(covered, p)
		if e.Kind() == celast.SelectKind && e.AsSelect().IsTestOnly() {
			return // has(authInfo.x) does not need x
		}
		switch root, _, _ := strings.Cut(p, "."); root {
		case "authInfo", "securityContext", "user", "database", "application_name":
			add(p)
		}
	}))
	return out
}
