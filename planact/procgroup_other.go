//go:build !unix

package planact

import "os/exec"

// killGroup keeps exec's default (kill the process itself) where process
// groups do not exist.
func killGroup(*exec.Cmd) {}
