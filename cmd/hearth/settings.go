package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/hearth-dev/hearth/settings"
)

// settingsFlag adds --settings and returns a loader: the settings of that
// JSON file (the same keys as VS Code's hearth.* settings, flat or under
// "hearth"), else the defaults.
func settingsFlag(fs *flag.FlagSet) func() (settings.Settings, error) {
	path := fs.String("settings", "", "read settings from this JSON `file` (the keys of docs/settings.md, without the hearth. prefix)")
	return func() (settings.Settings, error) {
		if *path == "" {
			return settings.Default(), nil
		}
		data, err := os.ReadFile(*path)
		if err != nil {
			return settings.Settings{}, err
		}
		s, err := settings.Parse(data)
		if err != nil {
			return settings.Settings{}, fmt.Errorf("%s: %w", *path, err)
		}
		return s, nil
	}
}
