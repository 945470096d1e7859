package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// Query is a Cube JSON query as a client sends it, and (after normalize)
// as the response echoes it.
type Query struct {
	Measures       []string        `json:"measures"`
	Dimensions     []string        `json:"dimensions"`
	Segments       []string        `json:"segments"`
	TimeDimensions []TimeDimension `json:"timeDimensions"`
	Filters        []Filter        `json:"filters"`
	Order          Order           `json:"order"`
	Limit          *int64          `json:"limit,omitempty"`
	Offset         *int64          `json:"offset,omitempty"`
	Timezone       string          `json:"timezone,omitempty"`
	Ungrouped      bool            `json:"ungrouped,omitempty"`
	RowLimit       *int64          `json:"rowLimit,omitempty"`
	QueryType      string          `json:"queryType,omitempty"`

	// Accepted and ignored: Lattice keeps no result cache to renew, and
	// total is not computed.
	RenewQuery     bool   `json:"renewQuery,omitempty"`
	Total          bool   `json:"total,omitempty"`
	ResponseFormat string `json:"responseFormat,omitempty"`
}

// TimeDimension is one entry of timeDimensions.
type TimeDimension struct {
	Dimension   string `json:"dimension"`
	Granularity string `json:"granularity,omitempty"`
	// DateRange is a [from, to] pair (or one date) or a relative string
	// such as "last 7 days"; normalize turns it into a pair.
	DateRange        DateRange       `json:"dateRange,omitzero"`
	CompareDateRange json.RawMessage `json:"compareDateRange,omitempty"`
}

// DateRange is the dateRange of a time dimension or an inDateRange filter.
type DateRange struct {
	Relative string   // a relative string, before normalization
	Pair     []string // absolute dates
}

func (d *DateRange) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = DateRange{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*d = DateRange{Relative: s}
		return nil
	}
	var pair []string
	if err := json.Unmarshal(b, &pair); err != nil {
		return errors.New("dateRange must be a string or an array of one or two date strings")
	}
	*d = DateRange{Pair: pair}
	return nil
}

func (d DateRange) MarshalJSON() ([]byte, error) {
	if d.Pair != nil {
		return json.Marshal(d.Pair)
	}
	if d.Relative != "" {
		return json.Marshal(d.Relative)
	}
	return []byte("null"), nil
}

// IsZero lets omitempty drop an absent dateRange.
func (d DateRange) IsZero() bool { return d.Pair == nil && d.Relative == "" }

// Filter is a member filter, or an and/or group of filters.
type Filter struct {
	Member    string   `json:"member,omitempty"`
	Dimension string   `json:"dimension,omitempty"` // Cube's deprecated spelling of member
	Operator  string   `json:"operator,omitempty"`
	Values    Values   `json:"values,omitempty"`
	And       []Filter `json:"and,omitempty"`
	Or        []Filter `json:"or,omitempty"`
}

// Values are filter values: strings, or numbers and booleans that are
// read as their text, or null.
type Values []*string

func (v *Values) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return errors.New("filter values must be an array")
	}
	out := make(Values, len(raw))
	for i, r := range raw {
		r = bytes.TrimSpace(r)
		switch {
		case bytes.Equal(r, []byte("null")):
		case len(r) > 0 && r[0] == '"':
			var s string
			if err := json.Unmarshal(r, &s); err != nil {
				return err
			}
			out[i] = &s
		case bytes.Equal(r, []byte("true")), bytes.Equal(r, []byte("false")):
			s := string(r)
			out[i] = &s
		default:
			var n json.Number
			if err := json.Unmarshal(r, &n); err != nil {
				return fmt.Errorf("filter value %s is not a string, number, boolean or null", r)
			}
			s := n.String()
			out[i] = &s
		}
	}
	*v = out
	return nil
}

// Order is a list of (member, direction) pairs. It reads Cube's object
// form, {"orders.count": "desc"}, in key order, and the array form,
// [["orders.count", "desc"]]; it writes the array form.
type Order []OrderItem

// OrderItem orders by one member.
type OrderItem struct {
	ID   string
	Desc bool
}

func (o *Order) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*o = nil
		return nil
	}
	dir := func(s string) (bool, error) {
		switch s {
		case "asc":
			return false, nil
		case "desc":
			return true, nil
		}
		return false, fmt.Errorf("order direction %q must be asc or desc", s)
	}
	var out Order
	if len(b) > 0 && b[0] == '[' {
		var pairs [][]string
		if err := json.Unmarshal(b, &pairs); err != nil {
			return errors.New("order must be an object or an array of [member, direction] pairs")
		}
		for _, p := range pairs {
			if len(p) != 2 {
				return errors.New("order must be an object or an array of [member, direction] pairs")
			}
			d, err := dir(p[1])
			if err != nil {
				return err
			}
			out = append(out, OrderItem{ID: p[0], Desc: d})
		}
		*o = out
		return nil
	}
	// An object: walk the tokens, because a map forgets key order.
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("order must be an object or an array of [member, direction] pairs")
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		vt, err := dec.Token()
		if err != nil {
			return err
		}
		v, ok := vt.(string)
		if !ok {
			return fmt.Errorf("order direction for %q must be asc or desc", kt)
		}
		d, err := dir(v)
		if err != nil {
			return err
		}
		out = append(out, OrderItem{ID: kt.(string), Desc: d})
	}
	*o = out
	return nil
}

func (o Order) MarshalJSON() ([]byte, error) {
	pairs := make([][2]string, len(o))
	for i, it := range o {
		pairs[i] = [2]string{it.ID, "asc"}
		if it.Desc {
			pairs[i][1] = "desc"
		}
	}
	return json.Marshal(pairs)
}

// request is the decoded query parameter: one query or several.
type request struct {
	Queries []*Query
	Array   bool // the client sent an array
}

// maxQueries bounds an array query.
const maxQueries = 16

// parseQuery reads the query parameter (a JSON object or array).
func parseQuery(raw []byte) (*request, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, badQuery("query param is required")
	}
	if raw[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, badQuery("invalid query format: %s", jsonMsg(err))
		}
		if len(items) == 0 || len(items) > maxQueries {
			return nil, badQuery("invalid query format: an array query takes 1 to %d queries", maxQueries)
		}
		req := &request{Array: true}
		for _, it := range items {
			q, err := decodeOne(it)
			if err != nil {
				return nil, err
			}
			req.Queries = append(req.Queries, q)
		}
		return req, nil
	}
	q, err := decodeOne(raw)
	if err != nil {
		return nil, err
	}
	return &request{Queries: []*Query{q}}, nil
}

func decodeOne(raw []byte) (*Query, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var q Query
	if err := dec.Decode(&q); err != nil {
		return nil, badQuery("invalid query format: %s", jsonMsg(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badQuery("invalid query format: trailing data after the query")
	}
	return &q, nil
}

// jsonMsg makes encoding/json's messages read as Cube's validation ones.
func jsonMsg(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("%q must be of type %s", te.Field, typeName(te.Type.Kind().String()))
		}
		return "a query must be a JSON object"
	}
	s := err.Error()
	s = strings.TrimPrefix(s, "json: ")
	return s
}

func typeName(kind string) string {
	switch kind {
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	case "int64", "int", "float64":
		return "number"
	case "ptr":
		return "number"
	}
	return kind
}

// badQuery is a client error: HTTP 400.
func badQuery(format string, args ...any) *pgerr.Error {
	return pgerr.New(pgerr.InvalidParameterValue, format, args...)
}

// itoa formats an int64.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
