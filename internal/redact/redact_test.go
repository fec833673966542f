package redact

import "testing"

func TestURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://user:s3cret@hooks.example/path?q=1", "https://redacted@hooks.example/path?q=1"},
		{"http://token@127.0.0.1:8080", "http://redacted@127.0.0.1:8080"},
		{"http://u:p@h/x@y", "http://redacted@h/x@y"},
		{"http://a:b@c@host/", "http://redacted@host/"},
		{"https://hooks.example/a@b", "https://hooks.example/a@b"},
		{"http://u:p%zz@bad host/", "http://redacted@bad host/"},
		{"//u:p@host/x", "//redacted@host/x"},
		{"no url here", "no url here"},
		{"", ""},
	} {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	in := `Post "http://u:pw@127.0.0.1:1/hook": dial tcp: refused; url "https://a:b@x/y" and https://plain/z@q`
	want := `Post "http://redacted@127.0.0.1:1/hook": dial tcp: refused; url "https://redacted@x/y" and https://plain/z@q`
	if got := Text(in); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
