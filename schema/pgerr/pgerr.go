// Package pgerr is the error type every Lattice layer returns to a client:
// a PostgreSQL SQLSTATE fixed where the error is created, a lowercase
// message, and optional detail, hint and cursor position. The proxy turns it
// into an ErrorResponse in exactly one place.
//
// It lives under schema because schema is the root of the import graph
// (cmd → proxy → planner, tenancy → schema), so every layer can use it.
package pgerr

import (
	"errors"
	"fmt"
)

// SQLSTATE codes that Lattice raises (ARCHITECTURE §5).
const (
	InvalidPassword            = "28P01"
	InvalidAuthorization       = "28000"
	SyntaxError                = "42601"
	UndefinedTable             = "42P01"
	UndefinedColumn            = "42703"
	UndefinedFunction          = "42883"
	UndefinedObject            = "42704"
	GroupingError              = "42803"
	DatatypeMismatch           = "42804"
	AmbiguousColumn            = "42702"
	InvalidObjectDefinition    = "42P17"
	FeatureNotSupported        = "0A000"
	ConnectionFailure          = "08006"
	ProtocolViolation          = "08P01"
	CannotConnectNow           = "57P03"
	AdminShutdown              = "57P01"
	QueryCanceled              = "57014"
	TooManyConnections         = "53300"
	ProgramLimitExceeded       = "54000"
	ReadOnlyTransaction        = "25006"
	InFailedTransaction        = "25P02"
	InvalidParameterValue      = "22023"
	InvalidTextRepresentation  = "22P02"
	DivisionByZero             = "22012"
	UndefinedParameter         = "42P02"
	InvalidCursorName          = "34000"
	InvalidSQLStatementName    = "26000"
	DuplicatePreparedStatement = "42P05"
	DuplicateCursor            = "42P03"
	InvalidCatalogName         = "3D000"
	ConfigFileError            = "F0000"
	InternalError              = "XX000"
)

// Error is a client-facing error. Severity is "ERROR" unless set to "FATAL".
type Error struct {
	Code     string
	Severity string
	Message  string
	Detail   string
	Hint     string
	Position int // 1-based character offset in the client's SQL, 0 if none
	Err      error
}

func (e *Error) Error() string { return e.Message }

// SQLState returns the five-character SQLSTATE code.
func (e *Error) SQLState() string { return e.Code }

func (e *Error) Unwrap() error { return e.Err }

// New returns an ERROR with the given code and a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Severity: "ERROR", Message: fmt.Sprintf(format, args...)}
}

// Fatal returns a FATAL error: the connection closes after it is sent.
func Fatal(code, format string, args ...any) *Error {
	e := New(code, format, args...)
	e.Severity = "FATAL"
	return e
}

// WithHint sets the hint and returns e.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// WithDetail sets the detail and returns e.
func (e *Error) WithDetail(format string, args ...any) *Error {
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// At sets the 1-based position in the client's SQL and returns e.
func (e *Error) At(pos int) *Error {
	e.Position = pos
	return e
}

// Wrap returns an error with the given code that wraps cause; the message is
// the formatted text followed by the cause's message.
func Wrap(cause error, code, format string, args ...any) *Error {
	e := New(code, format, args...)
	e.Message += ": " + cause.Error()
	e.Err = cause
	return e
}

// From returns err as an *Error; an error that carries no SQLSTATE becomes
// XX000 (internal error).
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var s interface{ SQLState() string }
	if errors.As(err, &s) {
		return &Error{Code: s.SQLState(), Severity: "ERROR", Message: err.Error(), Err: err}
	}
	return &Error{Code: InternalError, Severity: "ERROR", Message: err.Error(), Err: err}
}

// Code returns err's SQLSTATE, XX000 when it has none.
func Code(err error) string { return From(err).Code }
