// Command settingsgen writes the settings' two generated views, the
// contributes.configuration block of package.json and docs/settings.md, from
// settings/settings.go, which stays their one source. Run it from the
// repository root with -w to rewrite them; its test fails when they are stale.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/hearth-dev/hearth/settings"
)

func main() {
	write := flag.Bool("w", false, "rewrite package.json and docs/settings.md")
	root := flag.String("root", ".", "repository root")
	flag.Parse()
	pkg, md, err := generate(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "settingsgen:", err)
		os.Exit(1)
	}
	if !*write {
		os.Stdout.Write(md)
		return
	}
	if err := os.WriteFile(filepath.Join(*root, "package.json"), pkg, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "settingsgen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(filepath.Join(*root, "docs", "settings.md"), md, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "settingsgen:", err)
		os.Exit(1)
	}
}

// setting is one leaf of the Settings struct.
type setting struct {
	Key     string // hearth.ollama.host
	Doc     string
	Type    reflect.Type
	Default any
	Tag     reflect.StructTag
}

// generate returns package.json with its configuration block regenerated,
// and the Markdown reference.
func generate(root string) (pkgJSON, markdown []byte, err error) {
	docs, err := fieldDocs(filepath.Join(root, "settings", "settings.go"))
	if err != nil {
		return nil, nil, err
	}
	var list []setting
	collect(reflect.ValueOf(settings.Default()), "hearth", "Settings", docs, &list)
	for _, s := range list {
		if s.Doc == "" {
			return nil, nil, fmt.Errorf("setting %s has no doc comment", s.Key)
		}
	}
	pkg, err := os.ReadFile(filepath.Join(root, "package.json"))
	if err != nil {
		return nil, nil, err
	}
	pkgJSON, err = withConfiguration(pkg, configuration(list))
	if err != nil {
		return nil, nil, err
	}
	return pkgJSON, markdownOf(list), nil
}

// fieldDocs maps "Type.Field" to the field's doc comment.
func fieldDocs(path string) (map[string]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return true
		}
		for _, fld := range st.Fields.List {
			for _, name := range fld.Names {
				docs[ts.Name.Name+"."+name.Name] = strings.TrimSpace(strings.Join(strings.Fields(fld.Doc.Text()), " "))
			}
		}
		return false
	})
	return docs, nil
}

func collect(v reflect.Value, prefix, typeName string, docs map[string]string, out *[]setting) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		key := prefix + "." + name
		if f.Type.Kind() == reflect.Struct {
			collect(v.Field(i), key, f.Type.Name(), docs, out)
			continue
		}
		*out = append(*out, setting{Key: key, Doc: docs[typeName+"."+f.Name], Type: f.Type, Default: v.Field(i).Interface(), Tag: f.Tag})
	}
}

// property is one entry of contributes.configuration.properties. Field
// order is the order written.
type property struct {
	Type                string   `json:"type"`
	Items               *items   `json:"items,omitempty"`
	Default             any      `json:"default"`
	Enum                []string `json:"enum,omitempty"`
	Minimum             *float64 `json:"minimum,omitempty"`
	Maximum             *float64 `json:"maximum,omitempty"`
	Scope               string   `json:"scope,omitempty"`
	MarkdownDescription string   `json:"markdownDescription"`
	Order               int      `json:"order"`
}

type items struct {
	Type string `json:"type"`
}

func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer"
	case reflect.Float64, reflect.Float32:
		return "number"
	case reflect.Slice:
		return "array"
	}
	panic("settingsgen: unsupported setting type " + t.String())
}

func configuration(list []setting) []byte {
	var buf bytes.Buffer
	buf.WriteString("{\n  \"title\": \"Hearth\",\n  \"properties\": {")
	for i, s := range list {
		p := property{Type: jsonType(s.Type), Default: s.Default, MarkdownDescription: s.Doc, Order: i, Scope: s.Tag.Get("scope")}
		if s.Type.Kind() == reflect.Slice {
			p.Items = &items{Type: jsonType(s.Type.Elem())}
			if reflect.ValueOf(s.Default).Len() == 0 {
				p.Default = []string{}
			}
		}
		if e := s.Tag.Get("enum"); e != "" {
			p.Enum = strings.Split(e, ",")
		}
		p.Minimum, p.Maximum = number(s.Tag.Get("minimum")), number(s.Tag.Get("maximum"))
		b, _ := json.Marshal(p)
		if i > 0 {
			buf.WriteString(",")
		}
		fmt.Fprintf(&buf, "\n    %q: %s", s.Key, b)
	}
	buf.WriteString("\n  }\n}")
	return buf.Bytes()
}

func number(s string) *float64 {
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic("settingsgen: bad number tag " + s)
	}
	return &f
}

// withConfiguration replaces contributes.configuration in package.json,
// keeping every other key where it was.
func withConfiguration(pkg, config []byte) ([]byte, error) {
	top, err := orderedObject(pkg)
	if err != nil {
		return nil, fmt.Errorf("package.json: %w", err)
	}
	contributes, ok := top.get("contributes")
	var c object
	if ok {
		if c, err = orderedObject(contributes); err != nil {
			return nil, fmt.Errorf("package.json contributes: %w", err)
		}
	}
	c.set("configuration", config)
	top.set("contributes", c.marshal())
	var out bytes.Buffer
	if err := json.Indent(&out, top.marshal(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// object is a JSON object that remembers its key order.
type object struct {
	keys []string
	vals map[string]json.RawMessage
}

func orderedObject(data []byte) (object, error) {
	o := object{vals: map[string]json.RawMessage{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return o, fmt.Errorf("not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return o, err
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return o, err
		}
		o.set(key, raw)
	}
	return o, nil
}

func (o *object) get(k string) (json.RawMessage, bool) { v, ok := o.vals[k]; return v, ok }

func (o *object) set(k string, v []byte) {
	if o.vals == nil {
		o.vals = map[string]json.RawMessage{}
	}
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o object) marshal() []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		var compact bytes.Buffer
		json.Compact(&compact, o.vals[k])
		buf.Write(compact.Bytes())
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

func markdownOf(list []setting) []byte {
	var b bytes.Buffer
	b.WriteString("# Hearth settings\n\n")
	b.WriteString("<!-- Generated from settings/settings.go by `go run ./internal/settingsgen -w`; do not edit. -->\n\n")
	b.WriteString("Set them in VS Code's settings (they reach the server as `initializationOptions` and `workspace/didChangeConfiguration`).\n")
	b.WriteString("`hearth run`, `hearth doctor` and `hearth snapshot` read the same settings from a JSON file given with `--settings`.\n\n")
	b.WriteString("| setting | type | default | what it does |\n| --- | --- | --- | --- |\n")
	for _, s := range list {
		def, _ := json.Marshal(s.Default)
		if s.Type.Kind() == reflect.Slice && reflect.ValueOf(s.Default).Len() == 0 {
			def = []byte("[]")
		}
		typ := jsonType(s.Type)
		if e := s.Tag.Get("enum"); e != "" {
			typ = strings.ReplaceAll(e, ",", " \\| ")
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s |\n", s.Key, typ, def, strings.ReplaceAll(s.Doc, "|", "\\|"))
	}
	return b.Bytes()
}
