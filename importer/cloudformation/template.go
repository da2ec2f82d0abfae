// Package cloudformation reads a CloudFormation template, in YAML with the
// short-form function tags (!Ref, !GetAtt, !Sub, ...) or in JSON, and turns
// the resources it declares into an importer.Inventory.
//
// A template describes resources before they exist, so ids are unknown:
// references are followed through Ref and Fn::GetAtt to the logical ids of
// the resources they name, and parameters take their Default values.
package cloudformation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sgchain/sgchain/importer"
)

// nodeKind is the kind of a template node.
type nodeKind int

const (
	nullNode nodeKind = iota
	scalarNode
	listNode
	mapNode
	// fnNode is an intrinsic function, from a short-form tag or a
	// one-key mapping such as {"Ref": "X"}.
	fnNode
)

// node is a template value with its location.
type node struct {
	kind  nodeKind
	str   string
	list  []*node
	keys  []string
	items map[string]*node
	// keyLocs holds where each key of a YAML mapping is written.
	keyLocs map[string]importer.Location
	// fn is the function's long name, such as Ref or Fn::GetAtt, and arg its
	// argument.
	fn  string
	arg *node
	loc importer.Location
}

// get returns the member key of a mapping, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != mapNode {
		return nil
	}
	return n.items[key]
}

// keyLoc returns where key is written in a YAML mapping, or where its value
// is for JSON, whose locations are pointers.
func (n *node) keyLoc(key string) importer.Location {
	if loc, ok := n.keyLocs[key]; ok {
		return loc
	}
	return n.get(key).loc
}

// path follows several keys.
func (n *node) path(keys ...string) *node {
	for _, k := range keys {
		n = n.get(k)
	}
	return n
}

func (n *node) elements() []*node {
	if n == nil || n.kind != listNode {
		return nil
	}
	return n.list
}

// shortTags maps YAML short-form tags to the functions they stand for.
var shortTags = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition", "!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!Join": "Fn::Join",
	"!Select": "Fn::Select", "!Split": "Fn::Split", "!ImportValue": "Fn::ImportValue", "!If": "Fn::If",
	"!Equals": "Fn::Equals", "!Not": "Fn::Not", "!And": "Fn::And", "!Or": "Fn::Or", "!FindInMap": "Fn::FindInMap",
	"!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr", "!GetAZs": "Fn::GetAZs", "!Transform": "Fn::Transform",
	"!Length": "Fn::Length", "!ToJsonString": "Fn::ToJsonString",
}

// parseTemplate parses a template file. A file whose first non-blank
// character is { is JSON; anything else is YAML.
func parseTemplate(file string, data []byte) (*node, error) {
	if trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(trimmed) > 0 && trimmed[0] == '{' {
		doc, err := importer.DecodeJSON(file, data)
		if err != nil {
			return nil, err
		}
		return fromJSON(doc), nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s is not valid YAML: %w", file, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s contains no YAML document", file)
	}
	return fromYAML(file, doc.Content[0], 0)
}

// maxDepth bounds the nesting the converters follow, which also stops
// alias cycles.
const maxDepth = 200

func fromYAML(file string, y *yaml.Node, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%s:%d:%d: the template nests deeper than %d levels", file, y.Line, y.Column, maxDepth)
	}
	loc := importer.Location{File: file, Line: y.Line, Column: y.Column}
	if y.Kind == yaml.AliasNode {
		return fromYAML(file, y.Alias, depth+1)
	}
	var n *node
	switch y.Kind {
	case yaml.ScalarNode:
		n = &node{kind: scalarNode, str: y.Value, loc: loc}
		if y.ShortTag() == "!!null" {
			n.kind = nullNode
		}
	case yaml.SequenceNode:
		n = &node{kind: listNode, loc: loc}
		for _, c := range y.Content {
			e, err := fromYAML(file, c, depth+1)
			if err != nil {
				return nil, err
			}
			n.list = append(n.list, e)
		}
	case yaml.MappingNode:
		n = &node{kind: mapNode, items: map[string]*node{}, keyLocs: map[string]importer.Location{}, loc: loc}
		for i := 0; i+1 < len(y.Content); i += 2 {
			v, err := fromYAML(file, y.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			key := y.Content[i].Value
			if _, dup := n.items[key]; !dup {
				n.keys = append(n.keys, key)
			}
			n.items[key] = v
			n.keyLocs[key] = importer.Location{File: file, Line: y.Content[i].Line, Column: y.Content[i].Column}
		}
		n = asFunction(n)
	default:
		return &node{loc: loc}, nil
	}
	if fn, ok := shortTags[y.Tag]; ok {
		arg := n
		arg.loc = loc
		if fn == "Fn::GetAtt" && arg.kind == scalarNode {
			// !GetAtt Resource.Attribute is the short form of
			// [Resource, Attribute].
			res, attr, _ := strings.Cut(arg.str, ".")
			arg = &node{kind: listNode, list: []*node{{kind: scalarNode, str: res, loc: loc}, {kind: scalarNode, str: attr, loc: loc}}, loc: loc}
		}
		return &node{kind: fnNode, fn: fn, arg: arg, loc: loc}, nil
	}
	return n, nil
}

// asFunction turns a one-key mapping whose key is Ref, Condition or Fn::*
// into a function node.
func asFunction(n *node) *node {
	if len(n.keys) != 1 {
		return n
	}
	key := n.keys[0]
	if key == "Ref" || key == "Condition" && n.items[key].kind == scalarNode || strings.HasPrefix(key, "Fn::") {
		return &node{kind: fnNode, fn: key, arg: n.items[key], loc: n.loc}
	}
	return n
}

func fromJSON(j importer.JSON) *node {
	loc := j.Loc()
	switch v := j.V.(type) {
	case map[string]any:
		n := &node{kind: mapNode, items: map[string]*node{}, loc: loc}
		for _, k := range sortedKeys(v) {
			n.keys = append(n.keys, k)
			n.items[k] = fromJSON(j.Get(k))
		}
		return asFunction(n)
	case []any:
		n := &node{kind: listNode, loc: loc}
		for _, e := range j.List() {
			n.list = append(n.list, fromJSON(e))
		}
		return n
	case nil:
		return &node{kind: nullNode, loc: loc}
	case json.Number:
		return &node{kind: scalarNode, str: v.String(), loc: loc}
	}
	return &node{kind: scalarNode, str: j.Str(), loc: loc}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// value is an evaluated template value: a string, a list, a reference to a
// resource (Ref or Fn::GetAtt), or an unknown value named by a symbol.
type value struct {
	known  bool
	str    string
	list   []value
	isList bool
	// res and attr are set for a reference to a resource of the template;
	// attr is empty for Ref.
	res, attr string
	// symbol names an unknown value, such as a parameter without default.
	symbol string
}

func str(s string) value { return value{known: true, str: s} }

func unknown(symbol string) value { return value{symbol: symbol} }

// strings returns the strings of a known string or list.
func (v value) strings() []string {
	if v.isList {
		var out []string
		for _, e := range v.list {
			if e.known && !e.isList {
				out = append(out, e.str)
			}
		}
		return out
	}
	if v.known {
		return []string{v.str}
	}
	return nil
}

func (v value) items() []value {
	if v.isList {
		return v.list
	}
	if v.known || v.res != "" || v.symbol != "" {
		return []value{v}
	}
	return nil
}

// text describes a value for a symbol or message.
func (v value) text() string {
	switch {
	case v.res != "" && v.attr != "":
		return v.res + "." + v.attr
	case v.res != "":
		return v.res
	case v.symbol != "":
		return v.symbol
	}
	return v.str
}

func atoi(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil
}
