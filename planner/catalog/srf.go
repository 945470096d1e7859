package catalog

import (
	"strings"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// srfDef is a set-returning function: in FROM, or in a select list where
// it multiplies the row.
type srfDef struct {
	ret        func(args []*expr) uint32
	argType    func(i int, args []*expr) uint32
	fields     []string // record results: their field names and types
	fieldTypes []uint32
	eval       func(x *execCtx, args []any) ([]any, error)
}

type srfCollector struct{ srfs []*srfCall }

type srfCall struct {
	fn   *srfDef
	args []*expr
}

var srfs = map[string]bool{"unnest": true, "generate_series": true, "pg_get_keywords": true, "_pg_expandarray": true, "generate_subscripts": true, "regexp_split_to_table": true}

func lookupSRF(name string, args []*expr) (*srfDef, error) {
	anyArg := func(int, []*expr) uint32 { return textArrT }
	switch name {
	case "unnest":
		if len(args) != 1 {
			break
		}
		return &srfDef{
			ret: func(a []*expr) uint32 {
				if et := elemOf(a[0].typ); et != 0 {
					return et
				}
				return textT
			},
			argType: anyArg,
			eval: func(_ *execCtx, a []any) ([]any, error) {
				arr, _ := a[0].([]any)
				return arr, nil
			},
		}, nil
	case "_pg_expandarray":
		if len(args) != 1 {
			break
		}
		et := elemOf(args[0].typ)
		if et == 0 {
			et = int4T
		}
		return &srfDef{
			ret: func([]*expr) uint32 { return recordT }, argType: anyArg,
			fields: []string{"x", "n"}, fieldTypes: []uint32{et, int4T},
			eval: func(_ *execCtx, a []any) ([]any, error) {
				arr, _ := a[0].([]any)
				out := make([]any, len(arr))
				for i, v := range arr {
					out[i] = []any{v, int64(i + 1)}
				}
				return out, nil
			},
		}, nil
	case "generate_subscripts":
		return &srfDef{
			ret: func([]*expr) uint32 { return int4T }, argType: anyArg,
			eval: func(_ *execCtx, a []any) ([]any, error) {
				arr, _ := a[0].([]any)
				out := make([]any, len(arr))
				for i := range arr {
					out[i] = int64(i + 1)
				}
				return out, nil
			},
		}, nil
	case "generate_series":
		if len(args) < 2 || len(args) > 3 {
			break
		}
		t := int4T
		for _, a := range args {
			if a.typ == int8T || a.typ == numericT {
				t = int8T
			}
		}
		return &srfDef{
			ret:     func([]*expr) uint32 { return t },
			argType: func(int, []*expr) uint32 { return t },
			eval: func(_ *execCtx, a []any) ([]any, error) {
				for i := range a {
					if a[i] == nil {
						return nil, nil
					}
					if s, ok := a[i].(string); ok {
						v, err := parseText(s, int8T)
						if err != nil {
							return nil, badInput(int4T, s)
						}
						a[i] = v
					}
					if f, ok := a[i].(float64); ok {
						a[i] = int64(f)
					}
				}
				lo, hi, step := a[0].(int64), a[1].(int64), int64(1)
				if len(a) > 2 {
					step = a[2].(int64)
				}
				if step == 0 {
					return nil, errf(pgerr.InvalidParameterValue, "step size cannot equal zero")
				}
				var out []any
				for v := lo; step > 0 && v <= hi || step < 0 && v >= hi; v += step {
					out = append(out, v)
					if len(out) > 1_000_000 {
						return nil, errf(pgerr.FeatureNotSupported, "generate_series is limited to 1000000 rows in catalog queries")
					}
				}
				return out, nil
			},
		}, nil
	case "pg_get_keywords":
		return &srfDef{
			ret: func([]*expr) uint32 { return recordT }, argType: anyArg,
			fields:     []string{"word", "catcode", "barelabel", "catdesc", "baredesc"},
			fieldTypes: []uint32{textT, charT, boolT, textT, textT},
			eval: func(*execCtx, []any) ([]any, error) {
				return keywordRows, nil
			},
		}, nil
	case "regexp_split_to_table":
		return &srfDef{
			ret: func([]*expr) uint32 { return textT }, argType: func(int, []*expr) uint32 { return textT },
			eval: func(_ *execCtx, a []any) ([]any, error) {
				if a[0] == nil || a[1] == nil {
					return nil, nil
				}
				re, err := cachedRegexp(a[1].(string))
				if err != nil {
					return nil, err
				}
				var out []any
				for _, p := range re.Split(a[0].(string), -1) {
					out = append(out, p)
				}
				return out, nil
			},
		}, nil
	}
	return nil, errf(pgerr.UndefinedFunction, "function %s(%s) does not exist", name, argTypeList(args))
}

var keywordRows []any

func init() {
	f, _ := staticFiles.Open("static/keywords.tsv")
	defer f.Close()
	buf := new(strings.Builder)
	b := make([]byte, 1<<16)
	for {
		n, err := f.Read(b)
		buf.Write(b[:n])
		if err != nil {
			break
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		p := strings.Split(line, "\t")
		keywordRows = append(keywordRows, []any{p[0], p[1], p[2] == "t", p[3], p[4]})
	}
}
