package schema

import (
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// A rawPart is a template piece before resolution: text, or a reference
// {a} / {a.b} found at byte offset off of the source.
type rawPart struct {
	text string
	ref  bool
	a, b string
	off  int
}

// parseTemplate splits src into text and references. Both Cube spellings are
// accepted: {CUBE.x} (YAML models) and ${CUBE.x} (JavaScript models). There
// is no escape: every '{' opens a reference, as in Cube.
func parseTemplate(src string) ([]rawPart, int, string) {
	var parts []rawPart
	text := func(s string) {
		if s == "" {
			return
		}
		if n := len(parts); n > 0 && !parts[n-1].ref {
			parts[n-1].text += s
			return
		}
		parts = append(parts, rawPart{text: s})
	}
	rest, base := src, 0
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			text(rest)
			return parts, 0, ""
		}
		start := i
		if i > 0 && rest[i-1] == '$' {
			start = i - 1
		}
		text(rest[:start])
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return nil, base + start, "unterminated reference: missing }"
		}
		body := rest[i+1 : i+j]
		ref := strings.TrimSpace(body)
		a, b, dotted := strings.Cut(ref, ".")
		if !isIdent(a) || dotted && !isIdent(b) {
			return nil, base + start, "invalid reference {" + body + "}: want {member}, {cube}, {CUBE.member} or {cube.member}"
		}
		parts = append(parts, rawPart{ref: true, a: a, b: b, off: base + start})
		rest = rest[i+j+1:]
		base += i + j + 1
	}
}

// refPos is the position of byte off of a scalar's value: exact when the
// value appears verbatim in the source line (plain or quoted, single-line, no
// escapes), else the scalar's own position, since folding and escapes break
// the mapping from value to source.
func (c *compiler) refPos(n *yaml.Node, value string, off int) Pos {
	p := c.pos(n)
	line := c.line(n.Line)
	if line == "" || n.Column < 1 {
		return p
	}
	// Columns count characters; find the byte where the scalar starts.
	at := 0
	for col := 1; col < n.Column; col++ {
		if at >= len(line) {
			return p
		}
		_, w := utf8.DecodeRuneInString(line[at:])
		at += w
	}
	rest, quote := line[at:], 0
	if n.Style == yaml.SingleQuotedStyle || n.Style == yaml.DoubleQuotedStyle {
		if rest == "" {
			return p
		}
		rest, quote = rest[1:], 1
	}
	if !strings.HasPrefix(rest, value) {
		return p
	}
	p.Column += quote + utf8.RuneCountInString(value[:off])
	return p
}

// line returns line n (1-based) of the current file's source.
func (c *compiler) line(n int) string {
	if c.lines == nil {
		c.lines = append(c.lines, 0)
		for i, b := range c.src {
			if b == '\n' {
				c.lines = append(c.lines, i+1)
			}
		}
	}
	if n < 1 || n > len(c.lines) {
		return ""
	}
	start, end := c.lines[n-1], len(c.src)
	if n < len(c.lines) {
		end = c.lines[n] - 1
	}
	return strings.TrimSuffix(string(c.src[start:end]), "\r")
}
