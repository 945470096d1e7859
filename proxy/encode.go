package proxy

import (
	"bytes"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

const (
	textFormat   int16 = pgtype.TextFormatCode
	binaryFormat int16 = pgtype.BinaryFormatCode
)

// rowDescription describes cols with the given per-column formats.
func rowDescription(cols []planner.Column, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		oid := col.OID
		if oid == 0 {
			oid = pgtype.TextOID
		}
		size, mod := col.TypeSize, col.TypeMod
		if size == 0 {
			size = typeSize(oid)
		}
		if mod == 0 {
			mod = -1
		}
		fields[i] = pgproto3.FieldDescription{
			Name:                 []byte(col.Name),
			TableOID:             col.TableOID,
			TableAttributeNumber: uint16(col.AttNum),
			DataTypeOID:          oid,
			DataTypeSize:         size,
			TypeModifier:         mod,
			Format:               formats[i],
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}

// typeSize is pg_type.typlen for the common types, -1 otherwise.
func typeSize(oid uint32) int16 {
	switch oid {
	case pgtype.BoolOID:
		return 1
	case pgtype.Int2OID:
		return 2
	case pgtype.Int4OID, pgtype.Float4OID, pgtype.DateOID, pgtype.OIDOID:
		return 4
	case pgtype.Int8OID, pgtype.Float8OID, pgtype.TimestampOID, pgtype.TimestamptzOID, pgtype.TimeOID:
		return 8
	case pgtype.NameOID:
		return 64
	case pgtype.IntervalOID, pgtype.UUIDOID:
		return 16
	}
	return -1
}

// expandFormats applies the Bind rule: no codes = all text, one code = all
// columns, else one per column.
//
// A column whose type has no binary form here (regclass, int2vector, ...)
// goes out as text whatever was asked, and RowDescription says so.
func expandFormats(types *pgtype.Map, codes []int16, cols []planner.Column) ([]int16, error) {
	n := len(cols)
	out := make([]int16, n)
	switch {
	case len(codes) == 0:
	case len(codes) == 1:
		for i := range out {
			out[i] = codes[0]
		}
	case len(codes) == n:
		copy(out, codes)
	default:
		return nil, pgerr.New(pgerr.ProtocolViolation, "bind message has %d result formats but query has %d columns", len(codes), n)
	}
	for i, f := range out {
		if f != textFormat && f != binaryFormat {
			return nil, pgerr.New(pgerr.ProtocolViolation, "unsupported format code: %d", f)
		}
		if f == binaryFormat {
			if t, ok := types.TypeForOID(cols[i].OID); ok && !t.Codec.FormatSupported(binaryFormat) {
				out[i] = textFormat
			}
		}
	}
	return out, nil
}

// rowEncoder turns a row (backend text or local Go values) into DataRow
// values in the client's formats. It reuses its buffers: the result is only
// valid until the next call.
type rowEncoder struct {
	types   *pgtype.Map
	cols    []planner.Column
	formats []int16
	out     [][]byte
	buf     []byte
	ends    []int // end offset in buf of each column, -1 when out[i] is set directly
}

func newRowEncoder(types *pgtype.Map, cols []planner.Column, formats []int16) *rowEncoder {
	return &rowEncoder{types: types, cols: cols, formats: formats, out: make([][]byte, len(cols)), ends: make([]int, len(cols))}
}

func (e *rowEncoder) oid(i int) uint32 {
	if oid := e.cols[i].OID; oid != 0 {
		return oid
	}
	return pgtype.TextOID
}

// encodeText converts one backend row (PostgreSQL-compatible text).
func (e *rowEncoder) encodeText(row [][]byte) ([][]byte, error) {
	if len(row) != len(e.cols) {
		return nil, pgerr.New(pgerr.InternalError, "backend returned %d columns, expected %d", len(row), len(e.cols))
	}
	e.buf = e.buf[:0]
	for i, v := range row {
		e.ends[i] = -1
		if v == nil {
			e.out[i] = nil
			continue
		}
		oid := e.oid(i)
		start := len(e.buf)
		e.buf = appendNormalizedText(e.buf, oid, v)
		norm := e.buf[start:]
		if e.formats[i] == textFormat {
			if bytes.Equal(norm, v) {
				// Unchanged: send the backend's bytes, drop the copy.
				e.buf = e.buf[:start]
				e.out[i] = v
				continue
			}
			e.ends[i] = len(e.buf)
			continue
		}
		t, ok := e.types.TypeForOID(oid)
		if !ok {
			e.ends[i] = len(e.buf)
			continue
		}
		val, err := t.Codec.DecodeValue(e.types, oid, textFormat, norm)
		if err != nil {
			return nil, pgerr.Wrap(err, pgerr.InvalidTextRepresentation, "backend value for column %q is not a valid %s", e.cols[i].Name, t.Name)
		}
		nb, err := e.types.Encode(oid, binaryFormat, val, e.buf[:start])
		if err != nil {
			return nil, pgerr.Wrap(err, pgerr.InternalError, "encoding column %q", e.cols[i].Name)
		}
		if nb == nil {
			e.buf = e.buf[:start]
			e.out[i] = nil
			continue
		}
		e.buf = nb
		e.ends[i] = len(e.buf)
	}
	e.slice()
	return e.out, nil
}

// encodeValues converts one local row of Go values through pgtype.
func (e *rowEncoder) encodeValues(row []any) ([][]byte, error) {
	if len(row) != len(e.cols) {
		return nil, pgerr.New(pgerr.InternalError, "local statement returned %d columns, expected %d", len(row), len(e.cols))
	}
	e.buf = e.buf[:0]
	for i, v := range row {
		e.ends[i] = -1
		if v == nil {
			e.out[i] = nil
			continue
		}
		start := len(e.buf)
		nb, err := e.types.Encode(e.oid(i), e.formats[i], v, e.buf)
		if err != nil {
			s, isString := v.(string)
			if !isString || e.formats[i] != textFormat {
				return nil, pgerr.Wrap(err, pgerr.InternalError, "encoding column %q", e.cols[i].Name)
			}
			nb = append(e.buf[:start], s...)
		}
		if nb == nil {
			// pgtype encodes SQL NULL values (pgtype.Text{}, nil pointers) as nil.
			e.out[i] = nil
			continue
		}
		e.buf = nb
		e.ends[i] = len(e.buf)
	}
	e.slice()
	return e.out, nil
}

// slice points out[i] into buf once buf no longer moves.
func (e *rowEncoder) slice() {
	start := 0
	for i, end := range e.ends {
		if end < 0 {
			continue
		}
		e.out[i] = e.buf[start:end:end]
		start = end
	}
}

// appendNormalizedText appends v in PostgreSQL's text output form for oid.
// Backends that speak another dialect (MySQL) print some types
// differently: booleans as 1/0, timestamps with 'T', zero fractions or a
// zone.
func appendNormalizedText(dst []byte, oid uint32, v []byte) []byte {
	switch oid {
	case pgtype.BoolOID:
		if b, ok := parseBool(v); ok {
			if b {
				return append(dst, 't')
			}
			return append(dst, 'f')
		}
	case pgtype.TimestampOID, pgtype.TimestamptzOID:
		return appendTimestamp(dst, v, oid == pgtype.TimestampOID)
	case pgtype.DateOID:
		if len(v) > 10 && (v[10] == ' ' || v[10] == 'T') && v[4] == '-' {
			return append(dst, v[:10]...)
		}
	}
	return append(dst, v...)
}

func appendTimestamp(dst, v []byte, dropZone bool) []byte {
	start := len(dst)
	dst = append(dst, v...)
	ts := dst[start:]
	if len(ts) > 10 && ts[10] == 'T' {
		ts[10] = ' '
	}
	// Split off a zone suffix: Z, +hh, +hh:mm, -hhmm after the time.
	body, zone := ts, []byte(nil)
	if len(ts) > 19 {
		if i := bytes.LastIndexAny(ts[19:], "Z+-"); i >= 0 {
			body, zone = ts[:19+i], ts[19+i:]
		}
	}
	// Trim a fraction of zeros: "12:00:00.000000" prints "12:00:00".
	if dot := bytes.IndexByte(body, '.'); dot >= 0 && dot >= 19 {
		end := len(body)
		for end > dot+1 && body[end-1] == '0' {
			end--
		}
		if end == dot+1 {
			end = dot
		}
		body = body[:end]
	}
	if dropZone && zone != nil && isZeroZone(zone) {
		zone = nil
	}
	// body and zone alias dst; moving zone left over the trimmed bytes is
	// a memmove, and the length never grows except for Z → +00.
	dst = dst[:start+len(body)]
	if string(zone) == "Z" {
		return append(dst, "+00"...)
	}
	return append(dst, zone...)
}

// parseBool reads the spellings of a boolean backends print.
func parseBool(v []byte) (value, ok bool) {
	if len(v) == 1 {
		switch v[0] {
		case '1', 't', 'T', 'y', 'Y':
			return true, true
		case '0', 'f', 'F', 'n', 'N':
			return false, true
		}
		return false, false
	}
	for _, w := range []string{"true", "yes", "on"} {
		if bytes.EqualFold(v, []byte(w)) {
			return true, true
		}
	}
	for _, w := range []string{"false", "no", "off"} {
		if bytes.EqualFold(v, []byte(w)) {
			return false, true
		}
	}
	return false, false
}

func isZeroZone(z []byte) bool {
	switch string(z) {
	case "Z", "+00", "+00:00", "+0000", "-00", "-00:00":
		return true
	}
	return false
}

// decodeParam turns one Bind parameter into the Go value planner and
// drivers expect: nil, string, int64, float64, bool, time.Time; any other
// type travels as its PostgreSQL text form.
func decodeParam(types *pgtype.Map, oid uint32, format int16, src []byte, n int) (any, error) {
	if src == nil {
		return nil, nil
	}
	switch oid {
	case 0, pgtype.UnknownOID, pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID:
		return string(src), nil
	}
	t, ok := types.TypeForOID(oid)
	if !ok {
		if format == binaryFormat {
			return nil, pgerr.New(codeInvalidBinary, "unsupported binary format for parameter $%d of type %d", n, oid)
		}
		return string(src), nil
	}
	v, err := t.Codec.DecodeValue(types, oid, format, src)
	if err != nil {
		if format == binaryFormat {
			return nil, pgerr.Wrap(err, codeInvalidBinary, "incorrect binary data format in bind parameter %d", n)
		}
		return nil, pgerr.Wrap(err, pgerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", t.Name, src)
	}
	switch x := v.(type) {
	case nil, string, int64, float64, bool, time.Time:
		return x, nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case []byte:
		if oid == pgtype.ByteaOID {
			return x, nil
		}
	}
	if format == textFormat {
		return string(src), nil
	}
	text, err := types.Encode(oid, textFormat, v, nil)
	if err != nil {
		return nil, pgerr.Wrap(err, codeInvalidBinary, "incorrect binary data format in bind parameter %d", n)
	}
	return string(text), nil
}
