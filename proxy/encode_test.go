package proxy

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

func TestNormalizeText(t *testing.T) {
	for _, tc := range []struct {
		oid     uint32
		in, out string
	}{
		{pgtype.BoolOID, "1", "t"},
		{pgtype.BoolOID, "0", "f"},
		{pgtype.BoolOID, "t", "t"},
		{pgtype.BoolOID, "TRUE", "t"},
		{pgtype.BoolOID, "maybe", "maybe"}, // left for the client to reject
		{pgtype.TimestampOID, "2024-01-02 03:04:05", "2024-01-02 03:04:05"},
		{pgtype.TimestampOID, "2024-01-02T03:04:05", "2024-01-02 03:04:05"},
		{pgtype.TimestampOID, "2024-01-02 03:04:05.000000", "2024-01-02 03:04:05"},
		{pgtype.TimestampOID, "2024-01-02 03:04:05.120000", "2024-01-02 03:04:05.12"},
		{pgtype.TimestampOID, "2024-01-02 03:04:05+00", "2024-01-02 03:04:05"},
		{pgtype.TimestampOID, "2024-01-02T03:04:05.5Z", "2024-01-02 03:04:05.5"},
		{pgtype.TimestampOID, "2024-01-02 03:04:05+02", "2024-01-02 03:04:05+02"}, // not UTC: kept
		{pgtype.TimestamptzOID, "2024-01-02T03:04:05Z", "2024-01-02 03:04:05+00"},
		{pgtype.TimestamptzOID, "2024-01-02 03:04:05.100-05:30", "2024-01-02 03:04:05.1-05:30"},
		{pgtype.DateOID, "2024-01-02 00:00:00", "2024-01-02"},
		{pgtype.DateOID, "2024-01-02", "2024-01-02"},
		{pgtype.NumericOID, "12.50", "12.50"},
		{pgtype.Int8OID, "-7", "-7"},
		{pgtype.TextOID, "1", "1"},
	} {
		if got := string(appendNormalizedText([]byte("prefix"), tc.oid, []byte(tc.in))); got != "prefix"+tc.out {
			t.Errorf("normalize(%d, %q) = %q, want %q", tc.oid, tc.in, got[len("prefix"):], tc.out)
		}
	}
}

func TestEncodeText(t *testing.T) {
	cols := []planner.Column{{Name: "a", OID: pgtype.BoolOID}, {Name: "b", OID: pgtype.Int8OID}, {Name: "c", OID: pgtype.TimestampOID}, {Name: "d"}}
	row := [][]byte{[]byte("1"), []byte("42"), []byte("2024-01-02T03:04:05"), nil}
	enc := newRowEncoder(pgtype.NewMap(), cols, []int16{0, 0, 0, 0})
	got, err := enc.encodeText(row)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]byte{[]byte("t"), []byte("42"), []byte("2024-01-02 03:04:05"), nil}, got); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	enc = newRowEncoder(pgtype.NewMap(), cols, []int16{1, 1, 1, 0})
	got, err = enc.encodeText(row)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	micros := ts.Sub(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).Microseconds()
	wantTS := []byte{byte(micros >> 56), byte(micros >> 48), byte(micros >> 40), byte(micros >> 32), byte(micros >> 24), byte(micros >> 16), byte(micros >> 8), byte(micros)}
	want := [][]byte{{1}, {0, 0, 0, 0, 0, 0, 0, 42}, wantTS, nil}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("binary (-want +got):\n%s", diff)
	}
	// A backend value that is not of the declared type is an error, not a
	// corrupt binary value.
	_, err = enc.encodeText([][]byte{[]byte("1"), []byte("forty"), []byte("x"), nil})
	if code := pgerr.Code(err); code != pgerr.InvalidTextRepresentation {
		t.Errorf("bad int8: %v (%s)", err, code)
	}
	if _, err := enc.encodeText([][]byte{nil}); pgerr.Code(err) != pgerr.InternalError {
		t.Errorf("short row: %v", err)
	}
}

func TestEncodeValues(t *testing.T) {
	cols := []planner.Column{{Name: "a", OID: pgtype.Int4OID}, {Name: "b", OID: pgtype.TextOID}, {Name: "c", OID: pgtype.BoolOID}, {Name: "d", OID: pgtype.TextOID}, {Name: "e", OID: pgtype.NumericOID}}
	row := []any{int64(5), "x", true, pgtype.Text{}, "1.50"}
	enc := newRowEncoder(pgtype.NewMap(), cols, []int16{0, 0, 0, 0, 0})
	got, err := enc.encodeValues(row)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]byte{[]byte("5"), []byte("x"), []byte("t"), nil, []byte("1.50")}, got); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	enc = newRowEncoder(pgtype.NewMap(), cols, []int16{1, 1, 1, 1, 0})
	got, err = enc.encodeValues(row)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]byte{{0, 0, 0, 5}, []byte("x"), {1}, nil, []byte("1.50")}, got); diff != "" {
		t.Errorf("binary (-want +got):\n%s", diff)
	}
}

func TestDecodeParam(t *testing.T) {
	m := pgtype.NewMap()
	for _, tc := range []struct {
		oid    uint32
		format int16
		in     []byte
		want   any
		code   string
	}{
		{0, 0, []byte("abc"), "abc", ""},
		{pgtype.TextOID, 1, []byte("abc"), "abc", ""},
		{pgtype.Int8OID, 0, []byte("42"), int64(42), ""},
		{pgtype.Int4OID, 1, []byte{0, 0, 0, 7}, int64(7), ""},
		{pgtype.Int2OID, 0, []byte("-3"), int64(-3), ""},
		{pgtype.Float4OID, 0, []byte("1.5"), float64(1.5), ""},
		{pgtype.BoolOID, 0, []byte("t"), true, ""},
		{pgtype.NumericOID, 0, []byte("12.50"), "12.50", ""},
		{pgtype.NumericOID, 1, []byte{0, 2, 0, 0, 0, 0, 0, 2, 0, 12, 19, 136}, "12.50", ""},
		{pgtype.TimestampOID, 0, []byte("2024-01-02 03:04:05"), time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), ""},
		{pgtype.DateOID, 0, []byte("2024-01-02"), time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), ""},
		{pgtype.Int8OID, 0, nil, nil, ""},
		{pgtype.Int8OID, 0, []byte("x"), nil, "22P02"},
		{pgtype.Int8OID, 1, []byte{1, 2}, nil, "22P03"},
		{999999, 0, []byte("opaque"), "opaque", ""},
		{999999, 1, []byte("opaque"), nil, "22P03"},
	} {
		got, err := decodeParam(m, tc.oid, tc.format, tc.in, 1)
		if code := codeOf(err); code != tc.code {
			t.Errorf("decodeParam(%d, %d, %q) error %v, want code %q", tc.oid, tc.format, tc.in, err, tc.code)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("decodeParam(%d, %d, %q) (-want +got):\n%s", tc.oid, tc.format, tc.in, diff)
		}
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return pgerr.Code(err)
}

func TestCommandTag(t *testing.T) {
	for tag, want := range map[string]string{"SELECT": "SELECT 3", "FETCH": "FETCH 3", "INSERT": "INSERT 0 3", "SHOW": "SHOW", "SET": "SET"} {
		if got := string(commandTag(tag, 3)); got != want {
			t.Errorf("commandTag(%q) = %q, want %q", tag, got, want)
		}
	}
}

func TestParseDurationSetting(t *testing.T) {
	for in, want := range map[string]time.Duration{"0": 0, "250": 250 * time.Millisecond, "5s": 5 * time.Second, "2min": 2 * time.Minute, "'10ms'": 10 * time.Millisecond} {
		if got, ok := parseDurationSetting(in); !ok || got != want {
			t.Errorf("parseDurationSetting(%q) = %v, %v", in, got, ok)
		}
	}
	if _, ok := parseDurationSetting("soon"); ok {
		t.Error("accepted a non-duration")
	}
}
