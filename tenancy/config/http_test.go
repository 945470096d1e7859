package config

import "testing"

func TestHTTPListen(t *testing.T) {
	const base = "auth:\n  jwt:\n    secret: s\ntenancy:\n  driver_factory:\n    sqlite:\n      database: data/app.db\n"
	for _, tc := range []struct{ extra, want string }{
		{"", DefaultHTTPListen},                               // on by default, as Cube's REST API is
		{"http:\n  listen: \"\"\n", ""},                       // an explicit empty address disables it
		{"http:\n  listen: 127.0.0.1:0\n", "127.0.0.1:0"},     // tests take any free port
		{"http:\n  allow_origin: \"*\"\n", DefaultHTTPListen}, // other keys leave the default
	} {
		c, err := Parse([]byte(base+tc.extra), t.TempDir())
		if err != nil {
			t.Fatalf("%q: %v", tc.extra, err)
		}
		if c.HTTP.Listen != tc.want {
			t.Errorf("%q: http.listen = %q, want %q", tc.extra, c.HTTP.Listen, tc.want)
		}
	}
	if _, err := Parse([]byte(base+"http:\n  listen: nope\n"), t.TempDir()); err == nil {
		t.Error("http.listen without a port was accepted")
	}
}
