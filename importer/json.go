package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// MaxInputSize is the largest input file read, in bytes. An AWS CLI export
// of a large account is tens of megabytes.
const MaxInputSize = 512 << 20

// JSON is a node of a decoded JSON document with its location, so that
// readers can report where a value they do not understand sits. The zero JSON
// is a missing value.
type JSON struct {
	// V is the decoded value: map[string]any, []any, string, json.Number,
	// bool or nil.
	V       any
	File    string
	Pointer string
}

// ReadJSON reads and decodes the JSON file at path.
func ReadJSON(path string) (JSON, error) {
	data, err := ReadFile(path)
	if err != nil {
		return JSON{}, err
	}
	return DecodeJSON(path, data)
}

// ReadFile reads the file at path, up to MaxInputSize bytes.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxInputSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("%s is larger than %d MiB", path, MaxInputSize>>20)
	}
	return data, nil
}

// DecodeJSON decodes data, read from file, as one JSON document. Numbers
// stay json.Number so that ports and ids keep their exact text.
func DecodeJSON(file string, data []byte) (JSON, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return JSON{}, fmt.Errorf("%s is not valid JSON: %w", file, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return JSON{}, fmt.Errorf("%s contains more than one JSON document", file)
	}
	return JSON{V: v, File: file}, nil
}

// Loc returns the node's location.
func (j JSON) Loc() Location { return Location{File: j.File, Pointer: j.Pointer} }

// Exists reports whether the node is present and not null.
func (j JSON) Exists() bool { return j.V != nil }

// Get returns the member key of an object, or a missing value.
func (j JSON) Get(key string) JSON {
	m, _ := j.V.(map[string]any)
	return JSON{V: m[key], File: j.File, Pointer: j.Pointer + "/" + escapePointer(key)}
}

// Path follows several keys.
func (j JSON) Path(keys ...string) JSON {
	for _, k := range keys {
		j = j.Get(k)
	}
	return j
}

// Has reports whether an object has the member key, even a null one.
func (j JSON) Has(key string) bool {
	m, _ := j.V.(map[string]any)
	_, ok := m[key]
	return ok
}

// IsObject reports whether the node is a JSON object.
func (j JSON) IsObject() bool { _, ok := j.V.(map[string]any); return ok }

// IsArray reports whether the node is a JSON array.
func (j JSON) IsArray() bool { _, ok := j.V.([]any); return ok }

// Keys returns an object's member names, sorted.
func (j JSON) Keys() []string {
	m, _ := j.V.(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// List returns the elements of an array, or nil for anything else.
func (j JSON) List() []JSON {
	a, _ := j.V.([]any)
	out := make([]JSON, len(a))
	for i, v := range a {
		out[i] = JSON{V: v, File: j.File, Pointer: j.Pointer + "/" + strconv.Itoa(i)}
	}
	return out
}

// Str returns a string value, or "" for anything else. Numbers and booleans
// come back as their JSON text, because AWS writes some numbers as strings
// and Terraform some strings as numbers.
func (j JSON) Str() string {
	switch v := j.V.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// Strs returns the string elements of an array.
func (j JSON) Strs() []string {
	var out []string
	for _, e := range j.List() {
		if s := e.Str(); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Int returns an integer given as a number or a numeric string.
func (j JSON) Int() (int, bool) {
	switch v := j.V.(type) {
	case json.Number:
		n, err := strconv.Atoi(v.String())
		return n, err == nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		return n, err == nil
	}
	return 0, false
}

// Bool returns a boolean given as a boolean or as "true"/"false".
func (j JSON) Bool() (bool, bool) {
	switch v := j.V.(type) {
	case bool:
		return v, true
	case string:
		b, err := strconv.ParseBool(v)
		return b, err == nil
	}
	return false, false
}

// escapePointer escapes a key for a JSON pointer (RFC 6901).
func escapePointer(key string) string {
	if !strings.ContainsAny(key, "~/") {
		return key
	}
	return strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}
