package settings

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strings"
	"time"
)

// Default returns the settings with every default of the struct tags applied.
func Default() Settings {
	var s Settings
	if err := applyDefaults(reflect.ValueOf(&s).Elem()); err != nil {
		panic(err) // A malformed default tag is a bug in this file; tests catch it.
	}
	return s
}

func applyDefaults(v reflect.Value) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f, fv := t.Field(i), v.Field(i)
		if f.Type.Kind() == reflect.Struct {
			if err := applyDefaults(fv); err != nil {
				return err
			}
			continue
		}
		def, ok := f.Tag.Lookup("default")
		if !ok {
			continue
		}
		if f.Type.Kind() == reflect.String {
			fv.SetString(def)
			continue
		}
		if err := json.Unmarshal([]byte(def), fv.Addr().Interface()); err != nil {
			return fmt.Errorf("settings: default of %s: %w", f.Name, err)
		}
	}
	return nil
}

// Parse overlays raw settings JSON onto the defaults. It accepts the settings
// object itself or one wrapped as {"hearth": {...}}, as VS Code may send
// either; unknown keys are ignored so that an older server tolerates a newer
// extension. A null or empty raw yields the defaults.
func Parse(raw json.RawMessage) (Settings, error) {
	s := Default()
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return s, nil
	}
	var wrapped struct {
		Hearth json.RawMessage `json:"hearth"`
	}
	if err := json.Unmarshal(raw, &wrapped); err != nil {
		return s, fmt.Errorf("settings are not a JSON object: %w", err)
	}
	if len(wrapped.Hearth) > 0 && string(wrapped.Hearth) != "null" {
		raw = wrapped.Hearth
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return Default(), fmt.Errorf("settings: %w", err)
	}
	return s, s.Validate()
}

// Validate reports the first setting whose value cannot be used.
func (s Settings) Validate() error {
	durations := map[string]string{
		"ollama.keepAlive":         s.Ollama.KeepAlive,
		"ollama.firstTokenTimeout": s.Ollama.FirstTokenTimeout,
		"ollama.stallTimeout":      s.Ollama.StallTimeout,
		"autoApprove.maxDuration":  s.AutoApprove.MaxDuration,
		"commands.timeout":         s.Commands.Timeout,
	}
	for _, key := range []string{"ollama.keepAlive", "ollama.firstTokenTimeout", "ollama.stallTimeout", "autoApprove.maxDuration", "commands.timeout"} {
		if d, err := time.ParseDuration(durations[key]); err != nil || d <= 0 {
			return fmt.Errorf("setting hearth.%s: %q is not a positive duration such as 30m or 90s", key, durations[key])
		}
	}
	switch s.VRAM.KVCacheType {
	case "f16", "q8_0", "q4_0":
	default:
		return fmt.Errorf("setting hearth.vram.kvCacheType: %q is not one of f16, q8_0, q4_0", s.VRAM.KVCacheType)
	}
	if s.Model.Temperature < 0 || s.Model.Temperature > 2 {
		return fmt.Errorf("setting hearth.model.temperature: %v is outside 0-2", s.Model.Temperature)
	}
	if s.Model.NumCtx < 0 {
		return fmt.Errorf("setting hearth.model.numCtx: %d is negative", s.Model.NumCtx)
	}
	if s.Ollama.Host != "" {
		if _, err := url.Parse(normalizeHost(s.Ollama.Host)); err != nil {
			return fmt.Errorf("setting hearth.ollama.host: %q is not a URL: %v", s.Ollama.Host, err)
		}
	}
	return nil
}

// normalizeHost turns OLLAMA_HOST-style values ("0.0.0.0", "host:1234",
// "https://h") into a URL, as Ollama's client does: http by default, port
// 11434 unless given, and the wildcard address replaced by loopback.
func normalizeHost(h string) string {
	h = strings.TrimSpace(h)
	scheme := "http"
	if i := strings.Index(h, "://"); i >= 0 {
		scheme, h = h[:i], h[i+3:]
	}
	hostport, path, _ := strings.Cut(h, "/")
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, "11434"
		if scheme == "https" {
			port = "443"
		}
	}
	if host == "" || host == "0.0.0.0" {
		host = "127.0.0.1"
	}
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port)}
	if path != "" {
		u.Path = "/" + path
	}
	return u.String()
}
