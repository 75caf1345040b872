package actions

import "regexp"

// aiderMarkers are Aider's conflict-style markers, 5 to 9 characters long
// because models miscount them.
var aiderMarkers = blockMarkers{
	head:    regexp.MustCompile(`^\s*<{5,9} ?SEARCH>?\s*$`),
	divider: regexp.MustCompile(`^\s*={5,9}\s*$`),
	tail:    regexp.MustCompile(`^\s*(>{5,9}|\+{5,9}) ?REPLACE>?\s*$`),
	example: [3]string{"<<<<<<< SEARCH", "=======", ">>>>>>> REPLACE"},
}
