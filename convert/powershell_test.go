package convert

import "testing"

func TestParsePS(t *testing.T) {
	tests := []struct {
		in, want string // want "" means not PowerShell's form
	}{
		{"@{field=firstname; from=Jane}", `{"field":"firstname","from":"Jane"}`},
		{"@{field=email; from=jane@example.com; to=}", `{"field":"email","from":"jane@example.com","to":null}`},
		{"@{}", `{}`},
		{"  @{a=1}  ", `{"a":"1"}`},
		{"@{a=1} @{a=2}", `[{"a":"1"},{"a":"2"}]`},
		{"@{field=recoveryEmail; from=@{address=j@example.org; verified=False}}", `{"field":"recoveryEmail","from":{"address":"j@example.org","verified":"False"}}`},
		{"@{field=jobTitle; from=Analyst; Lead}", `{"field":"jobTitle","from":"Analyst; Lead"}`},
		{"@{field=note; from=a=b}", `{"field":"note","from":"a=b"}`},
		{"@{field=note; from={x}}", `{"field":"note","from":"{x}"}`},
		{"@{field=addresses; from=System.Object[]}", `{"field":"addresses","from":"System.Object[]"}`},
		{"@{@version=1; _id=x}", `{"@version":"1","_id":"x"}`},
		{`@{name=say "hi"}`, `{"name":"say \"hi\""}`},
		{"@{field=x", ""},
		{"@{=x}", ""},
		{"not @{a=1}", ""},
		{"@{a=1} trailing", ""},
	}
	for _, tt := range tests {
		got, ok := parsePS(tt.in)
		switch {
		case tt.want == "" && ok:
			t.Errorf("parsePS(%q) = %s, want no match", tt.in, got.Raw)
		case tt.want != "" && (!ok || got.Raw != tt.want):
			t.Errorf("parsePS(%q) = %s, %v; want %s", tt.in, got.Raw, ok, tt.want)
		}
	}
}

// FuzzPowerShell checks that parsePS never panics and, when it accepts a
// string, always returns valid JSON.
func FuzzPowerShell(f *testing.F) {
	for _, s := range []string{"@{field=firstname; from=Jane}", "@{a=@{b=1; c=}} @{d=System.Object[]}", "@{a=x}; b=y}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, ok := parsePS(s); ok && !v.IsObject() && !v.IsArray() {
			t.Fatalf("parsePS(%q) accepted it as %s", s, v.Raw)
		}
	})
}
