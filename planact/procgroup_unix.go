//go:build unix

package planact

import (
	"os/exec"
	"syscall"
)

// killGroup makes the command lead its own process group and, when its
// context ends, kills the whole group, so children it started die with it.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
