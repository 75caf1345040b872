package planact

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hearth-dev/hearth/settings"
)

// Policy decides which actions run without asking. It is built from
// settings.AutoApprove; the built-in deny-list is applied whatever the
// settings say, in every mode, and even a user's approval cannot run a
// denied command: it is refused before anyone is asked.
type Policy struct {
	auto  settings.AutoApprove
	allow []commandPattern
	deny  []commandPattern
}

// commandPattern is a prefix ("go test") or a /regexp/.
type commandPattern struct {
	raw    string
	prefix string
	re     *regexp.Regexp
}

// NewPolicy compiles the allow- and deny-lists of a. A malformed pattern is
// an error naming it, so a typo never silently widens what runs.
func NewPolicy(a settings.AutoApprove) (*Policy, error) {
	p := &Policy{auto: a}
	var err error
	if p.allow, err = compilePatterns(a.AllowCommands); err != nil {
		return nil, fmt.Errorf("autoApprove.allowCommands: %w", err)
	}
	if p.deny, err = compilePatterns(a.DenyCommands); err != nil {
		return nil, fmt.Errorf("autoApprove.denyCommands: %w", err)
	}
	return p, nil
}

func compilePatterns(list []string) ([]commandPattern, error) {
	var out []commandPattern
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if len(s) >= 2 && strings.HasPrefix(s, "/") && strings.HasSuffix(s, "/") {
			re, err := regexp.Compile(s[1 : len(s)-1])
			if err != nil {
				return nil, fmt.Errorf("pattern %q: %w", s, err)
			}
			out = append(out, commandPattern{raw: s, re: re})
			continue
		}
		out = append(out, commandPattern{raw: s, prefix: normalizeSpace(s)})
	}
	return out, nil
}

func (c commandPattern) match(segment string) bool {
	if c.re != nil {
		return c.re.MatchString(segment)
	}
	return segment == c.prefix || strings.HasPrefix(segment, c.prefix+" ")
}

// AutoRead reports whether reads run without asking in Act mode. Reads
// never ask outside auto-approve: they are confined to the workspace and
// change nothing, and asking for each would drown a user who approves
// edits one by one. Under auto-approve, autoApprove.reads off makes them ask.
func (p *Policy) AutoRead() bool { return !p.auto.Enabled || p.auto.Reads }

// AutoEdit reports whether edits inside the workspace apply without asking.
func (p *Policy) AutoEdit() bool { return p.auto.Enabled && p.auto.Edits }

// Autonomous reports whether auto-approve is on.
func (p *Policy) Autonomous() bool { return p.auto.Enabled }

// CommandVerdict is what the policy says about a command.
type CommandVerdict struct {
	// Denied commands never run; Reason says why, for the model and the user.
	Denied bool
	Reason string
	// Auto commands run without asking.
	Auto bool
}

// Command judges a command line: denied when any of its simple commands
// hits the built-in deny-list or denyCommands; auto-approved when
// auto-approve covers commands and every simple command matches
// allowCommands (so "go test && rm -rf x" is not approved by "go test").
func (p *Policy) Command(line string) CommandVerdict {
	if reason := builtinDenied(line); reason != "" {
		return CommandVerdict{Denied: true, Reason: reason}
	}
	segs := splitCommand(line)
	for _, seg := range segs {
		for _, d := range p.deny {
			if d.match(seg) || (d.re != nil && d.re.MatchString(line)) {
				return CommandVerdict{Denied: true, Reason: fmt.Sprintf("it matches the deny-list entry %q", d.raw)}
			}
		}
	}
	if !p.auto.Enabled || !p.auto.Commands || len(segs) == 0 {
		return CommandVerdict{}
	}
	for _, seg := range segs {
		ok := false
		for _, a := range p.allow {
			if a.match(seg) {
				ok = true
				break
			}
		}
		if !ok {
			return CommandVerdict{}
		}
	}
	return CommandVerdict{Auto: true}
}

func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
