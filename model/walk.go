package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// decoder walks a YAML node tree against the scenario schema. It records every
// problem as a diagnostic and keeps going, so that one run reports them all.
type decoder struct {
	file  string
	diags Diagnostics
	s     *Scenario

	vpcs        map[string]*VPC
	subnets     map[string]*Subnet
	subnetKeys  map[*Subnet]*yaml.Node
	prefixLists map[string]*PrefixList
	groups      map[string]*SecurityGroup
	networkACLs map[string]*NetworkACL
	tiers       map[string]*Tier

	natGateways     map[string]*NATGateway
	routeTables     map[string]*RouteTable
	peerings        map[string]*Peering
	transitGateways map[string]*TransitGateway
	// explicitRouteTable marks subnets that name a route table, so that an
	// unresolved name does not fall back to the main route table.
	explicitRouteTable map[*Subnet]bool
	// explicitEIPs holds the Elastic IP addresses the scenario writes, so
	// that assigned addresses avoid them.
	explicitEIPs map[netip.Addr]value

	// privateIPs holds the private_ip value of each tier that sets one, for
	// the checks that run once every subnet is known.
	privateIPs map[*Tier]value

	// deferred holds checks that need the whole scenario decoded first.
	deferred []func()

	// names caches the defined names per noun for "Unknown reference"
	// details, and secrets the secret custom headers for knows_secrets.
	names   map[string][]string
	secrets *secretHeaders
}

// MaxDiagnostics is the most diagnostics Parse returns. A scenario with more
// problems than that is not a draft to fix one problem at a time, and the
// bound keeps hostile input from using memory without limit.
const MaxDiagnostics = 1000

func newDecoder(file string) *decoder {
	return &decoder{
		file:        file,
		s:           &Scenario{File: file},
		vpcs:        map[string]*VPC{},
		subnets:     map[string]*Subnet{},
		subnetKeys:  map[*Subnet]*yaml.Node{},
		prefixLists: map[string]*PrefixList{},
		groups:      map[string]*SecurityGroup{},
		networkACLs: map[string]*NetworkACL{},
		tiers:       map[string]*Tier{},
		privateIPs:  map[*Tier]value{},

		natGateways:        map[string]*NATGateway{},
		routeTables:        map[string]*RouteTable{},
		peerings:           map[string]*Peering{},
		transitGateways:    map[string]*TransitGateway{},
		explicitRouteTable: map[*Subnet]bool{},
		explicitEIPs:       map[netip.Addr]value{},
		names:              map[string][]string{},
	}
}

// pos returns the position of n in the file being decoded.
func (d *decoder) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: d.file}
	}
	return Pos{File: d.file, Line: n.Line, Column: n.Column}
}

func (d *decoder) add(sev Severity, at *yaml.Node, path, summary, detail string) {
	d.append(Diagnostic{
		Severity: sev,
		Summary:  summary,
		Detail:   detail,
		Path:     path,
		Pos:      d.pos(at),
	})
}

// append records diag unless MaxDiagnostics are recorded already. The one
// after the last gets replaced by a note that more were dropped.
func (d *decoder) append(diag Diagnostic) {
	switch {
	case len(d.diags) < MaxDiagnostics:
		d.diags = append(d.diags, diag)
	case len(d.diags) == MaxDiagnostics:
		d.diags = append(d.diags, Diagnostic{
			Severity: Error,
			Summary:  "Too many problems",
			Detail:   fmt.Sprintf("The scenario has more than %d problems, and the rest are not shown. Fix these first.", MaxDiagnostics),
			Pos:      Pos{File: d.file, Line: 1, Column: 1},
		})
	}
}

// full reports whether no more diagnostics are recorded, so that costly
// details can be skipped.
func (d *decoder) full() bool { return len(d.diags) > MaxDiagnostics }

// errorf records an error about the node at, whose key path is path.
func (d *decoder) errorf(at *yaml.Node, path, summary, format string, args ...any) {
	d.add(Error, at, path, summary, fmt.Sprintf(format, args...))
}

// errorAt records an error at a position known without its node.
func (d *decoder) errorAt(pos Pos, path, summary, format string, args ...any) {
	d.append(Diagnostic{
		Severity: Error,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Path:     path,
		Pos:      pos,
	})
}

// warnf records a warning about the node at, whose key path is path.
func (d *decoder) warnf(at *yaml.Node, path, summary, format string, args ...any) {
	d.add(Warning, at, path, summary, fmt.Sprintf(format, args...))
}

// value is a YAML node together with the key path that leads to it.
type value struct {
	node *yaml.Node // the node with aliases followed
	at   *yaml.Node // the node as written, an alias node when the value is an alias
	key  *yaml.Node // the key naming the value in its mapping, nil for list items and the document
	path string
}

func newValue(n, key *yaml.Node, path string) value {
	return value{node: resolve(n), at: n, key: key, path: path}
}

// maxAliasChain bounds how many aliases resolve follows in a row. The YAML
// parser cannot produce an alias of an alias, so one step is the norm.
const maxAliasChain = 16

// resolve follows aliases from n to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; i < maxAliasChain && n != nil && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

// join appends a mapping key to a key path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index appends a list index to a key path.
func index(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}

// describe names the type of n for "got ..." in a detail, with the value
// itself when it is a short scalar.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.DocumentNode:
		return "a document"
	case yaml.AliasNode:
		return "an alias"
	}
	var kind string
	switch tag := n.ShortTag(); tag {
	case "!!null":
		return "an empty value"
	case "!!str":
		kind = "string"
	case "!!int":
		kind = "integer"
	case "!!float":
		kind = "number"
	case "!!bool":
		kind = "boolean"
	case "!!timestamp":
		kind = "timestamp"
	case "!!binary":
		return "binary data"
	default:
		return "a value tagged " + tag
	}
	switch {
	case n.Value == "":
		return "an empty string"
	case utf8.RuneCountInString(n.Value) > 40 || strings.ContainsFunc(n.Value, unicode.IsControl):
		return article(kind)
	case kind == "string":
		return fmt.Sprintf("the string %q", n.Value)
	}
	return "the " + kind + " " + n.Value
}

// wrongType reports that v is not of the expected type. expected is a noun
// phrase such as "a list of rules".
func (d *decoder) wrongType(v value, expected string) {
	d.errorf(v.at, v.path, "Wrong type", "Expected %s, got %s.", expected, describe(v.node))
}

// field is one key-value pair of a mapping.
type field struct {
	name  string
	key   *yaml.Node
	value value
}

// entries returns the pairs of the mapping v in file order. It expands merge
// keys (<<), whose pairs yield to keys written in the mapping itself, and
// reports keys that are not scalars and keys given twice.
func (d *decoder) entries(v value) []field {
	n := v.node
	explicit := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolve(n.Content[i])
		if k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge" && k.ShortTag() != "!!null" {
			if _, dup := explicit[k.Value]; !dup {
				explicit[k.Value] = n.Content[i]
			}
		}
	}

	var out []field
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		keyNode := n.Content[i]
		k := resolve(keyNode)
		switch {
		case k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge":
			for _, f := range d.mergeEntries(newValue(n.Content[i+1], keyNode, join(v.path, "<<")), v.path) {
				if _, ok := explicit[f.name]; ok {
					continue
				}
				if _, ok := seen[f.name]; ok {
					continue
				}
				seen[f.name] = f.key
				out = append(out, f)
			}
			continue
		case k.Kind != yaml.ScalarNode || k.ShortTag() == "!!null":
			d.errorf(keyNode, v.path, "Wrong type", "Expected a string as the mapping key, got %s.", describe(k))
			continue
		}
		name := k.Value
		path := join(v.path, name)
		if first, dup := seen[name]; dup {
			d.errorf(keyNode, path, "Duplicate key", "%q is already set on line %d. Remove one of the two.", name, first.Line)
			continue
		}
		seen[name] = keyNode
		out = append(out, field{name: name, key: keyNode, value: newValue(n.Content[i+1], keyNode, path)})
	}
	return out
}

// mergeEntries returns the pairs that a merge key's value m contributes to
// the mapping at path: those of a mapping, or of each mapping in a list, with
// earlier mappings taking precedence.
func (d *decoder) mergeEntries(m value, path string) []field {
	var sources []value
	switch m.node.Kind {
	case yaml.MappingNode:
		sources = []value{m}
	case yaml.SequenceNode:
		for i, item := range m.node.Content {
			sources = append(sources, newValue(item, nil, index(m.path, i)))
		}
	default:
		d.wrongType(m, "a mapping or a list of mappings to merge")
		return nil
	}
	var out []field
	seen := map[string]bool{}
	for _, src := range sources {
		if src.node.Kind != yaml.MappingNode {
			d.wrongType(src, "a mapping to merge")
			continue
		}
		src.path = path
		for _, f := range d.entries(src) {
			if !seen[f.name] {
				seen[f.name] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// object is a decoded mapping whose keys were checked against a schema.
type object struct {
	v     value
	label string // the mapping's noun with an article for messages, such as "a VPC"
	// ok reports whether v is a mapping. Lookups on a failed object find
	// nothing and report nothing, because its type error was reported.
	ok     bool
	fields map[string]field
	order  []field
}

// mapping returns the pairs of the mapping v without checking its keys, or
// reports a wrong type. label names the mapping in messages, such as "a VPC".
func (d *decoder) mapping(v value, label string) *object {
	o := &object{v: v, label: label, fields: map[string]field{}}
	if v.node.Kind != yaml.MappingNode {
		d.wrongType(v, label+" as a mapping")
		return o
	}
	o.ok = true
	for _, f := range d.entries(v) {
		o.fields[f.name] = f
		o.order = append(o.order, f)
	}
	return o
}

// allow reports and drops every key of o that is not in keys. For a key that
// fits another context, elsewhere returns a sentence that names where the key
// belongs, or "" for a key that fits nowhere. elsewhere may be nil.
func (d *decoder) allow(o *object, keys []string, elsewhere func(key string) string) {
	kept := o.order[:0]
	for _, f := range o.order {
		if slices.Contains(keys, f.name) {
			kept = append(kept, f)
			continue
		}
		delete(o.fields, f.name)
		detail := fmt.Sprintf("%q is not a key of %s.", f.name, o.label)
		if elsewhere != nil {
			if where := elsewhere(f.name); where != "" {
				d.errorf(f.key, f.value.path, "Unknown key", "%s %s", detail, where)
				continue
			}
		}
		if s := suggest(f.name, keys); s != "" {
			detail += fmt.Sprintf(" Did you mean %q?", s)
		}
		detail += fmt.Sprintf(" Valid keys are %s.", orList(keys, "and"))
		d.errorf(f.key, f.value.path, "Unknown key", "%s", detail)
	}
	o.order = kept
}

// object decodes v as a mapping whose keys must be among keys.
func (d *decoder) object(v value, label string, keys []string, elsewhere func(key string) string) *object {
	o := d.mapping(v, label)
	d.allow(o, keys, elsewhere)
	return o
}

// get returns the value of key in o.
func (o *object) get(key string) (value, bool) {
	f, ok := o.fields[key]
	return f.value, ok
}

// has reports whether o sets key.
func (o *object) has(key string) bool {
	_, ok := o.fields[key]
	return ok
}

// require returns the value of key in o, or reports it missing. example shows
// the key with a typical value, such as "cidr: 10.0.0.0/16".
func (d *decoder) require(o *object, key, example string) (value, bool) {
	if v, ok := o.get(key); ok {
		return v, true
	}
	if o.ok {
		d.missing(o, key, fmt.Sprintf("%s requires %q, which is missing. Add it, for example %s.", capitalize(o.label), key, example))
	}
	return value{}, false
}

// missing reports a missing key of o at the key that names o, or at o itself
// when nothing names it.
func (d *decoder) missing(o *object, key, detail string) {
	at := o.v.key
	if at == nil {
		at = o.v.at
	}
	d.errorf(at, join(o.v.path, key), "Missing key", "%s", detail)
}

// oneOf returns the single key of keys that o sets. It reports a missing key
// when o sets none and conflicting keys when it sets several, and then
// returns the first one in file order.
func (d *decoder) oneOf(o *object, keys []string, example string) (field, bool) {
	var found []field
	for _, f := range o.order {
		if slices.Contains(keys, f.name) {
			found = append(found, f)
		}
	}
	if len(found) == 0 {
		if o.ok {
			at := o.v.key
			if at == nil {
				at = o.v.at
			}
			d.errorf(at, o.v.path, "Missing key", "%s requires exactly one of %s. Add one, for example %s.",
				capitalize(o.label), orList(keys, "or"), example)
		}
		return field{}, false
	}
	for _, f := range found[1:] {
		d.errorf(f.key, f.value.path, "Conflicting keys", "%s sets both %q and %q, but it takes exactly one of %s. Keep one of them.",
			capitalize(o.label), found[0].name, f.name, orList(keys, "or"))
	}
	return found[0], true
}

// str decodes a scalar as a string. Numbers and booleans are taken as
// written, so a header value of 1 is the string "1".
func (d *decoder) str(v value, expected string) (string, bool) {
	n := v.node
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" || n.ShortTag() == "!!binary" {
		d.wrongType(v, expected)
		return "", false
	}
	if i := strings.IndexFunc(n.Value, isControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(n.Value[i:])
		d.errorf(v.at, v.path, "Invalid value", "The value contains the control character %U. Remove it.", r)
		return "", false
	}
	return n.Value, true
}

// text decodes a free-text scalar such as a description, which may span
// lines.
func (d *decoder) text(v value, expected string) (string, bool) {
	n := v.node
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" || n.ShortTag() == "!!binary" {
		d.wrongType(v, expected)
		return "", false
	}
	if i := strings.IndexFunc(n.Value, func(r rune) bool { return r != '\n' && r != '\t' && isControl(r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(n.Value[i:])
		d.errorf(v.at, v.path, "Invalid value", "The text contains the control character %U. Remove it.", r)
		return "", false
	}
	return n.Value, true
}

func isControl(r rune) bool { return unicode.IsControl(r) }

// integer decodes an integer scalar.
func (d *decoder) integer(v value, expected string) (int, bool) {
	n := v.node
	if n.Kind != yaml.ScalarNode {
		d.wrongType(v, expected)
		return 0, false
	}
	switch n.ShortTag() {
	case "!!int":
		i, problem := parseInt(n.Value)
		if problem != "" {
			d.errorf(v.at, v.path, "Invalid value", "%s Expected %s.", problem, expected)
			return 0, false
		}
		return i, true
	case "!!float":
		if isDigits(strings.TrimLeft(n.Value, "+-")) {
			d.errorf(v.at, v.path, "Invalid value", "%s is out of range. Expected %s.", n.Value, expected)
			return 0, false
		}
	}
	d.wrongType(v, expected)
	return 0, false
}

// intRange decodes an integer from lo to hi inclusive. summary is the
// diagnostic summary for a value out of range.
func (d *decoder) intRange(v value, summary, expected string, lo, hi int) (int, bool) {
	i, ok := d.integer(v, expected)
	if !ok {
		return 0, false
	}
	if i < lo || i > hi {
		d.errorf(v.at, v.path, summary, "%d is out of range. Expected %s.", i, expected)
		return 0, false
	}
	return i, true
}

// boolean decodes true or false.
func (d *decoder) boolean(v value) (bool, bool) {
	n := v.node
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		return strings.EqualFold(n.Value, "true"), true
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		switch strings.ToLower(n.Value) {
		case "yes", "no", "on", "off", "y", "n":
			d.errorf(v.at, v.path, "Wrong type", "Expected true or false, got the string %q. Write true or false, which YAML reads as a boolean.", n.Value)
			return false, false
		}
	}
	d.wrongType(v, "true or false")
	return false, false
}

// enum decodes a string that must be one of allowed. With fold set the match
// ignores case, and the allowed spelling is returned.
func (d *decoder) enum(v value, summary, noun string, allowed []string, fold bool) (string, bool) {
	s, ok := d.str(v, noun+" ("+orList(allowed, "or")+")")
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if s == a || fold && strings.EqualFold(s, a) {
			return a, true
		}
	}
	detail := fmt.Sprintf("%q is not a valid %s.", s, noun)
	if sug := suggest(s, allowed); sug != "" {
		detail += fmt.Sprintf(" Did you mean %q?", sug)
	}
	detail += fmt.Sprintf(" Use %s.", orList(allowed, "or"))
	d.errorf(v.at, v.path, summary, "%s", detail)
	return "", false
}

// list returns the items of the list v, each with its indexed path.
func (d *decoder) list(v value, expected string) ([]value, bool) {
	if v.node.Kind != yaml.SequenceNode {
		d.wrongType(v, expected)
		return nil, false
	}
	items := make([]value, len(v.node.Content))
	for i, n := range v.node.Content {
		items[i] = newValue(n, nil, index(v.path, i))
	}
	return items, true
}

// entry is a named member of a section such as vpcs or tiers.
type entry struct {
	name  string
	key   *yaml.Node
	value value
}

// named decodes a mapping from names to definitions, such as the vpcs
// section. It reports invalid names and, when required is set, an empty
// mapping. noun names one definition, such as "VPC".
func (d *decoder) named(v value, noun string, required bool) []entry {
	if v.node.Kind != yaml.MappingNode {
		d.wrongType(v, "a mapping from "+noun+" names to "+noun+" definitions")
		return nil
	}
	var out []entry
	for _, f := range d.entries(v) {
		if !validName(f.name) {
			d.errorf(f.key, f.value.path, "Invalid name",
				"%q is not a valid %s name. Names are 1 to 64 letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit.", f.name, noun)
		}
		out = append(out, entry{name: f.name, key: f.key, value: f.value})
	}
	if len(out) == 0 && required {
		d.errorf(v.at, v.path, "Invalid value", "The scenario defines no %ss. Define at least one.", noun)
	}
	return out
}

// validName reports whether s is 1-64 characters of [A-Za-z0-9._-] that
// start with a letter or digit.
func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case i > 0 && (r == '.' || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return true
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// orList joins items as prose: "a", "a or b", "a, b or c".
func orList(items []string, conj string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conj + " " + items[len(items)-1]
}

// article returns s with "a" or "an" in front, by its first letter.
func article(s string) string {
	if s != "" && strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// plural returns n and noun, with an s for any count but 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return itoa(n) + " " + noun + "s"
}
