package schema

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// String formats p as file:line:column, leaving out the parts that are
// unknown (zero).
func (p Pos) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(p.Line))
		if p.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Column))
		}
	}
	return b.String()
}

// An Error is one problem in a data model, at a place in one of its files.
type Error struct {
	Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Errors is every problem Compile found, ordered by file, line and column.
// It is the Err of the *pgerr.Error that Compile returns, so a caller such as
// `lattice validate` can print them all with errors.As.
type Errors []*Error

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// errList collects problems while compiling.
type errList struct {
	errs  Errors
	files map[string]int // file name → order, for sorting
}

func (l *errList) add(pos Pos, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	l.errs = append(l.errs, &Error{Pos: pos, Msg: msg})
}

// maxDetail bounds the problems listed in the client's error detail; Err
// keeps them all.
const maxDetail = 50

// err returns nil or the client-facing error: 42P17 whose message is the first
// problem, with every problem in Detail and in Err.
func (l *errList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(l.errs, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(l.files[a.File], l.files[b.File]),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
		)
	})
	e := pgerr.New(pgerr.InvalidObjectDefinition, "%s", l.errs[0].Error())
	if n := len(l.errs) - 1; n > 0 {
		e.Message += " (and " + strconv.Itoa(n) + " more)"
		shown := l.errs
		if len(shown) > maxDetail {
			shown = shown[:maxDetail]
		}
		e.Detail = shown.Error()
		if len(shown) < len(l.errs) {
			e.Detail += "\n... and " + strconv.Itoa(len(l.errs)-len(shown)) + " more"
		}
	}
	e.Err = l.errs
	return e
}
