package actions

import "regexp"

// clineMarkers are Cline's replace_in_file markers.
var clineMarkers = blockMarkers{
	head:    regexp.MustCompile(`^\s*-{3,9} ?SEARCH>?\s*$`),
	divider: regexp.MustCompile(`^\s*={3,9}\s*$`),
	tail:    regexp.MustCompile(`^\s*(\+{3,9}|>{5,9}) ?REPLACE>?\s*$`),
	example: [3]string{"------- SEARCH", "=======", "+++++++ REPLACE"},
}
