package proxy

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

// BenchmarkRoundTrip measures one query through the proxy over loopback
// TCP with an in-memory backend: protocol, planning (fake), row encoding.
func BenchmarkRoundTrip(b *testing.B) {
	ts := startServer(b, Options{})
	c := ts.connect(b)
	ctx := context.Background()
	b.Run("simple", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Exec(ctx, "SELECT * FROM orders").ReadAll(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("extended-binary", func(b *testing.B) {
		if _, err := c.Prepare(ctx, "bench", "SELECT * FROM orders", nil); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if res := c.ExecPrepared(ctx, "bench", nil, nil, []int16{1}).Read(); res.Err != nil {
				b.Fatal(res.Err)
			}
		}
	})
	b.Run("1000-rows", func(b *testing.B) {
		ts.driver.mu.Lock()
		ts.driver.nums = 1000
		ts.driver.mu.Unlock()
		b.ReportAllocs()
		for b.Loop() {
			if res := c.ExecParams(ctx, "SELECT n FROM nums", nil, nil, nil, []int16{1}).Read(); res.Err != nil || len(res.Rows) != 1000 {
				b.Fatal(res.Err, len(res.Rows))
			}
		}
	})
}

// BenchmarkEncodeRow isolates the per-row conversion of backend text.
func BenchmarkEncodeRow(b *testing.B) {
	row := [][]byte{[]byte("shipped"), []byte("3"), []byte("12.50"), []byte("2024-01-02 03:04:05"), []byte("t")}
	for _, format := range []int16{textFormat, binaryFormat} {
		name := map[int16]string{textFormat: "text", binaryFormat: "binary"}[format]
		b.Run(name, func(b *testing.B) {
			formats := []int16{format, format, format, format, format}
			enc := newRowEncoder(pgtype.NewMap(), ordersCols, formats)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := enc.encodeText(row); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
