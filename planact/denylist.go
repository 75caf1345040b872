package planact

import (
	"path"
	"regexp"
	"strings"
)

// splitCommand cuts a shell command line into its simple commands. It
// splits on ; && || | & newlines, parentheses, braces, $( ), <( ), >( )
// and backticks everywhere, quotes included, and then drops the quotes: a
// command hidden in a quoted "sh -c '...'" is still seen. This can split
// an innocent quoted string too, which only ever makes a command ask or be
// denied, never run unchecked.
func splitCommand(line string) []string {
	cut := func(r rune) bool {
		switch r {
		case ';', '&', '|', '\n', '\r', '(', ')', '{', '}', '`':
			return true
		}
		return false
	}
	var out []string
	for _, part := range strings.FieldsFunc(line, cut) {
		part = strings.NewReplacer(`"`, " ", `'`, " ", `\`, "", "$", " $", "<", " ", ">", " ").Replace(part)
		// A redirection target is not a command; "<" and ">" became spaces
		// above so "x>/dev/null" stays one command "x /dev/null".
		fields := strings.Fields(part)
		fields = stripWrappers(fields)
		if len(fields) == 0 {
			continue
		}
		out = append(out, strings.Join(fields, " "))
	}
	return out
}

// stripWrappers removes what only runs the real command: environment
// assignments and wrappers such as env, nohup, time, timeout N, xargs and
// sh -c.
func stripWrappers(f []string) []string {
	for len(f) > 0 {
		w := path.Base(f[0])
		switch {
		case strings.Contains(f[0], "=") && !strings.HasPrefix(f[0], "-") && !strings.HasPrefix(f[0], "="):
			f = f[1:]
		case w == "env" || w == "command" || w == "exec" || w == "nohup" || w == "time" || w == "builtin" || w == "xargs" || w == "eval":
			f = f[1:]
			for len(f) > 0 && strings.HasPrefix(f[0], "-") {
				f = f[1:]
			}
		case w == "nice" || w == "timeout" || w == "stdbuf":
			f = f[1:]
			for len(f) > 0 && (strings.HasPrefix(f[0], "-") || isNumberish(f[0])) {
				f = f[1:]
			}
		case isShell(w) && len(f) > 1 && f[1] == "-c":
			f = f[2:]
		default:
			f[0] = w
			return f
		}
	}
	return f
}

func isNumberish(s string) bool {
	s = strings.TrimRight(s, "smhd")
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}

func isShell(w string) bool {
	switch w {
	case "sh", "bash", "zsh", "dash", "ksh", "fish", "csh", "tcsh":
		return true
	}
	return false
}

func isInterpreter(w string) bool {
	if isShell(w) || w == "source" || w == "." || w == "perl" || w == "ruby" || w == "node" || w == "php" {
		return true
	}
	return strings.HasPrefix(w, "python")
}

var (
	forkBomb     = regexp.MustCompile(`\(\s*\)\s*\{[^}]*\|[^}]*&`)
	deviceWrite  = regexp.MustCompile(`>\s*/dev/(sd|hd|nvme|disk|mmcblk|xvd|vd)`)
	dangerTarget = map[string]bool{
		"/": true, "/*": true, "~": true, "~/": true, "~/*": true, "$HOME": true, "$HOME/": true,
		"${HOME}": true, "$HOME/*": true, "*": true, ".": true, "./": true, "./*": true, "..": true, "../": true, ".*": true,
	}
)

// builtinDenied returns why line is on the built-in deny-list, or "". No
// setting and no approval lifts it.
func builtinDenied(line string) string {
	if forkBomb.MatchString(line) {
		return "it looks like a fork bomb"
	}
	if deviceWrite.MatchString(line) {
		return "it writes to a disk device"
	}
	segs := splitCommand(line)
	download, interp := false, false
	for _, seg := range segs {
		f := strings.Fields(seg)
		cmd, args := f[0], f[1:]
		switch cmd {
		case "curl", "wget", "fetch":
			download = true
		}
		if isInterpreter(cmd) {
			interp = true
		}
		if r := deniedSimple(cmd, args); r != "" {
			return r
		}
	}
	// A shell given -c was stripped as a wrapper above; it still runs
	// whatever a download produced, so look for it in the raw words too.
	for _, w := range strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(" \t;&|(){}`\"'\n<>", r) }) {
		if isInterpreter(path.Base(w)) {
			interp = true
		}
	}
	if download && interp {
		return "it downloads a script and runs it"
	}
	return ""
}

func deniedSimple(cmd string, args []string) string {
	switch cmd {
	case "sudo", "su", "doas", "pkexec", "runas":
		return "it runs as another user (" + cmd + ")"
	case "shutdown", "reboot", "halt", "poweroff":
		return "it stops the machine"
	case "init", "telinit":
		if len(args) > 0 && (args[0] == "0" || args[0] == "6") {
			return "it stops the machine"
		}
	case "systemctl":
		for _, a := range args {
			switch a {
			case "poweroff", "reboot", "halt", "kexec":
				return "it stops the machine"
			}
		}
	case "mkfs", "mke2fs", "mkswap", "fdisk", "sfdisk", "parted", "wipefs":
		return "it formats or partitions a disk"
	case "dd":
		for _, a := range args {
			if strings.HasPrefix(a, "of=/dev/") {
				return "it writes to a device"
			}
		}
	case "rm", "chmod", "chown", "chgrp":
		recursive := false
		for _, a := range args {
			if a == "--recursive" || a == "--no-preserve-root" || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsAny(a, "rR")) {
				recursive = true
			}
		}
		if !recursive {
			return ""
		}
		for _, a := range args {
			if strings.HasPrefix(a, "-") {
				continue
			}
			if dangerTarget[a] || strings.HasPrefix(a, "/") || strings.HasPrefix(a, "~") || strings.HasPrefix(a, "$HOME") || strings.HasPrefix(a, "${HOME}") {
				return "it recursively " + map[string]string{"rm": "deletes", "chmod": "changes permissions of", "chown": "changes owners of", "chgrp": "changes groups of"}[cmd] + " " + a
			}
		}
	case "git":
		sub, rest := gitSubcommand(args)
		switch sub {
		case "push":
			for _, a := range rest {
				if a == "-f" || strings.HasPrefix(a, "--force") || strings.HasPrefix(a, "+") || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "f")) {
					return "it force-pushes"
				}
			}
		case "reset":
			for _, a := range rest {
				if a == "--hard" {
					return "git reset --hard discards uncommitted work"
				}
			}
		case "clean":
			for _, a := range rest {
				if a == "--force" || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "f")) {
					return "git clean -f deletes untracked files"
				}
			}
		}
	}
	if strings.HasPrefix(cmd, "mkfs.") {
		return "it formats a disk"
	}
	return ""
}

// gitSubcommand skips git's global options (-C dir, -c k=v, --flags).
func gitSubcommand(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-C" || a == "-c" || a == "--git-dir" || a == "--work-tree" {
			i++
			continue
		}
		if strings.HasPrefix(a, "-") {
			continue
		}
		return a, args[i+1:]
	}
	return "", nil
}
