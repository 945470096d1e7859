package dialect

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

func TestForDBType(t *testing.T) {
	for in, want := range map[string]Dialect{"postgres": Postgres, "postgresql": Postgres, "mysql": MySQL, "mariadb": MySQL, "mongobi": MongoBI} {
		got, err := ForDBType(in)
		if err != nil || got != want {
			t.Errorf("ForDBType(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ForDBType("oracle"); err == nil {
		t.Error("ForDBType(oracle) did not fail")
	}
}

func TestRender(t *testing.T) {
	type out struct{ PG, My string }
	cases := []struct {
		name string
		f    func(Dialect) string
		want out
	}{
		{"quote", func(d Dialect) string { return d.Quote(`a"b` + "`c") }, out{`"a""b` + "`c\"", "`a\"b``c`"}},
		{"placeholder", func(d Dialect) string { return d.Placeholder(3) }, out{"$3", "?"}},
		{"string", func(d Dialect) string { return d.String(`it's a \ test`) }, out{`'it''s a \ test'`, `'it''s a \\ test'`}},
		{"week", func(d Dialect) string { return d.TimeTrunc("week", "t") },
			out{"CAST(DATE_TRUNC('week', t) AS TIMESTAMP)", "CAST(DATE(t) - INTERVAL WEEKDAY(t) DAY AS DATETIME)"}},
		{"quarter", func(d Dialect) string { return d.TimeTrunc("quarter", "t") },
			out{"CAST(DATE_TRUNC('quarter', t) AS TIMESTAMP)", "CAST(MAKEDATE(YEAR(t), 1) + INTERVAL (QUARTER(t) - 1) QUARTER AS DATETIME)"}},
		{"ilike", func(d Dialect) string { return d.ILike("x", "'%a%'", true) }, out{"x NOT ILIKE '%a%'", "LOWER(x) NOT LIKE LOWER('%a%')"}},
		{"like", func(d Dialect) string { return d.Like("x", "'a%'", false) }, out{"x LIKE 'a%'", "x LIKE BINARY 'a%'"}},
		{"asc default", func(d Dialect) string { return d.OrderBy("x", false, false) }, out{"x", "x IS NULL, x"}},
		{"desc default", func(d Dialect) string { return d.OrderBy("x", true, true) }, out{"x DESC", "x IS NULL DESC, x DESC"}},
		{"asc nulls first", func(d Dialect) string { return d.OrderBy("x", false, true) }, out{"x NULLS FIRST", "x IS NULL DESC, x"}},
		{"desc nulls last", func(d Dialect) string { return d.OrderBy("x", true, false) }, out{"x DESC NULLS LAST", "x IS NULL, x DESC"}},
		{"offset only", func(d Dialect) string { return d.Limit("", "5") }, out{" OFFSET 5", " LIMIT 18446744073709551615 OFFSET 5"}},
		{"bool", func(d Dialect) string { return d.Bool("b") }, out{"b", "CASE WHEN b THEN 't' WHEN NOT (b) THEN 'f' END"}},
		{"null-safe", func(d Dialect) string { return d.NullSafeEqual("a", "b") }, out{"a IS NOT DISTINCT FROM b", "a <=> b"}},
		{"exact string", func(d Dialect) string { return d.ExactString("s") }, out{"s", "CONVERT(s USING utf8mb4) COLLATE utf8mb4_bin"}},
		{"from utc", func(d Dialect) string { s, _ := d.FromUTC("t", "Asia/Kolkata"); return s },
			out{"((t) AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Kolkata'", "CONVERT_TZ(t, '+00:00', 'Asia/Kolkata')"}},
	}
	for _, c := range cases {
		got := out{c.f(Postgres), c.f(MySQL)}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
		if c.f(MongoBI) != got.My {
			t.Errorf("%s: mongobi differs from mysql", c.name)
		}
	}
}

func TestFromUTCErrors(t *testing.T) {
	for _, d := range []Dialect{Postgres, MySQL, MongoBI} {
		if _, err := d.FromUTC("t", "Europe/Paris"); err != nil {
			t.Errorf("%s: %v", d.Name(), err)
		}
	}
	// SQLite has no zone data: a clear 0A000, never a silently UTC answer.
	_, err := SQLite.FromUTC("t", "Europe/Paris")
	if e := pgerr.From(err); err == nil || e.Code != pgerr.FeatureNotSupported || e.Hint == "" {
		t.Errorf("sqlite FromUTC = %v, want 0A000 with a hint", err)
	}
}
