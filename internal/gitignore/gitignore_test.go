package gitignore

import "testing"

func TestWildMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"*.go", "main.go", true},
		{"*.go", "main.go.bak", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"?", "é", true},
		{"[!a-c]x", "dx", true},
		{"[!a-c]x", "bx", false},
		{"[]]", "]", true},
		{"[a-", "[a-", true},
		{"\\*", "*", true},
		{"\\*", "x", false},
		{"**", "anything", true},
	} {
		if got := wildMatch(tc.pattern, tc.name); got != tc.want {
			t.Errorf("wildMatch(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}
