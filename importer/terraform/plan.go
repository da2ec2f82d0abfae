// Package terraform reads the JSON that terraform show -json PLANFILE
// prints and turns the AWS resources it plans into an importer.Inventory.
//
// Values that are unknown until apply, such as the id of a security group
// the plan creates, are absent from planned_values. The reader then follows
// the plan's configuration instead: an expression's references name the
// resources, variables and module outputs it uses, so that security_groups
// = [aws_security_group.alb.id] still resolves to the group.
package terraform

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sgchain/sgchain/importer"
)

// resource is one resource instance of the plan.
type resource struct {
	addr   string // absolute instance address, such as module.net.aws_subnet.app[0]
	module string // module instance address, "" for the root module
	typ    string
	name   string
	mode   string // managed or data
	index  string // instance key as written in the address, without brackets
	values importer.JSON
	// unknown is after_unknown from resource_changes: true where a value is
	// known only after apply.
	unknown importer.JSON
	// config is the resource's expressions in the configuration.
	config importer.JSON
	// providerKey names the resource's provider configuration, such as
	// aws, aws.west or network:aws for a module's.
	providerKey string
	file        string
}

func (r *resource) loc() importer.Location {
	return importer.Location{File: r.file, Resource: r.addr}
}

// locAt returns the location of a part of the resource, such as
// aws_lb_listener_rule.api.condition[1].
func (r *resource) locAt(part string) importer.Location {
	return importer.Location{File: r.file, Resource: r.addr + "." + part}
}

// plan is a decoded plan with indexes for following references.
type plan struct {
	file string
	inv  *importer.Inventory

	resources []*resource
	byAddr    map[string]*resource
	// byConfig holds the instances of each resource block, keyed by the
	// module's configuration path and the block's address, such as
	// module.net.aws_subnet.app.
	byConfig map[string][]*resource
	// byID maps known ids and ARNs to their resources, for values that
	// name existing resources.
	byID map[string]*resource
	// modules maps a configuration module path ("" for the root) to its
	// configuration, and calls maps it to the module block that calls it.
	modules map[string]importer.JSON
	calls   map[string]importer.JSON
	// moduleInstances lists the module instance addresses of the plan.
	moduleInstances []string
	variables       importer.JSON
	// providers is the configuration's provider_config section.
	providers importer.JSON

	used  map[*resource]bool
	state *state
}

// Read reads the output of terraform show -json PLANFILE at path.
func Read(path string) (*importer.Inventory, error) {
	root, err := importer.ReadJSON(path)
	if err != nil {
		return nil, err
	}
	if !root.Get("planned_values").Exists() {
		if root.Get("values").Exists() {
			return nil, fmt.Errorf("%s is Terraform state, not a plan; run terraform plan -out=PLANFILE and then terraform show -json PLANFILE", path)
		}
		return nil, fmt.Errorf("%s has no planned_values; give the output of terraform show -json PLANFILE", path)
	}
	if v := root.Get("format_version").Str(); v != "" && !strings.HasPrefix(v, "1.") && !strings.HasPrefix(v, "0.") {
		return nil, fmt.Errorf("%s has format_version %s; the importer reads major version 1", path, v)
	}

	p := &plan{
		file:      path,
		inv:       &importer.Inventory{Source: "terraform", Inputs: []string{path}},
		byAddr:    map[string]*resource{},
		byConfig:  map[string][]*resource{},
		byID:      map[string]*resource{},
		modules:   map[string]importer.JSON{},
		calls:     map[string]importer.JSON{},
		variables: root.Get("variables"),
		providers: root.Path("configuration", "provider_config"),
		used:      map[*resource]bool{},
	}
	p.readConfig(root.Path("configuration", "root_module"), "")

	changes := map[string]importer.JSON{}
	for _, c := range root.Get("resource_changes").List() {
		changes[c.Get("address").Str()] = c.Path("change", "after_unknown")
	}
	p.collect(root.Path("planned_values", "root_module"), "", changes)
	// Data sources read during planning appear in the prior state.
	p.collect(root.Path("prior_state", "values", "root_module"), "", changes)
	p.read()
	return p.inv, nil
}

// readConfig indexes the configuration's modules, recursively.
func (p *plan) readConfig(mod importer.JSON, path string) {
	p.modules[path] = mod
	for _, name := range mod.Get("module_calls").Keys() {
		call := mod.Path("module_calls", name)
		child := joinModule(path, "module."+name)
		p.calls[child] = call
		p.readConfig(call.Get("module"), child)
	}
}

func joinModule(parent, child string) string {
	if parent == "" {
		return child
	}
	return parent + "." + child
}

// collect adds the resources of a values module and its children. A
// resource already collected is kept, so planned values win over the
// prior state.
func (p *plan) collect(mod importer.JSON, module string, changes map[string]importer.JSON) {
	if !mod.Exists() {
		return
	}
	if module != "" && !slices.Contains(p.moduleInstances, module) {
		p.moduleInstances = append(p.moduleInstances, module)
	}
	for _, v := range mod.Get("resources").List() {
		addr := v.Get("address").Str()
		if p.byAddr[addr] != nil {
			continue
		}
		r := &resource{
			addr: addr, module: module, typ: v.Get("type").Str(), name: v.Get("name").Str(), mode: v.Get("mode").Str(),
			index: v.Get("index").Str(), values: v.Get("values"), unknown: changes[addr], file: p.file,
		}
		block := p.resourceConfig(r)
		r.config, r.providerKey = block.Get("expressions"), block.Get("provider_config_key").Str()
		if !r.config.Exists() {
			r.config = importer.JSON{File: p.file}
		}
		p.resources = append(p.resources, r)
		p.byAddr[addr] = r
		key := p.configKey(configPath(module), r.mode, r.typ, r.name)
		p.byConfig[key] = append(p.byConfig[key], r)
		for _, attr := range []string{"id", "arn"} {
			if id := r.values.Get(attr).Str(); id != "" {
				p.byID[id] = r
			}
		}
	}
	for _, c := range mod.Get("child_modules").List() {
		p.collect(c, c.Get("address").Str(), changes)
	}
}

// resourceConfig finds r's block in its module's configuration.
func (p *plan) resourceConfig(r *resource) importer.JSON {
	for _, c := range p.modules[configPath(r.module)].Get("resources").List() {
		if c.Get("type").Str() == r.typ && c.Get("name").Str() == r.name && c.Get("mode").Str() == r.mode {
			return c
		}
	}
	return importer.JSON{File: p.file}
}

// region returns the Region of r's provider configuration when the
// configuration sets it to a constant or a root variable, or "".
func (p *plan) region(r *resource) string {
	key := r.providerKey
	if key == "" {
		// Without a configuration block, the resource uses the default
		// configuration of the provider its type names.
		key, _, _ = strings.Cut(r.typ, "_")
	}
	cfg := p.providers.Get(key)
	if !cfg.Exists() {
		// A module that passes no providers uses its parent's default
		// configuration, which the plan names module:provider.
		_, local, _ := strings.Cut(key, ":")
		cfg = p.providers.Get(local)
	}
	expr := cfg.Path("expressions", "region")
	if v := expr.Get("constant_value").Str(); v != "" {
		return v
	}
	for _, ref := range expr.Get("references").Strs() {
		if name, ok := strings.CutPrefix(ref, "var."); ok {
			if v := p.variables.Path(name, "value").Str(); v != "" {
				return v
			}
		}
	}
	return ""
}

func (p *plan) configKey(module, mode, typ, name string) string {
	key := typ + "." + name
	if mode == "data" {
		key = "data." + key
	}
	return joinModule(module, key)
}

// configPath strips the instance keys from a module instance address:
// module.svc["api"].module.db[0] becomes module.svc.module.db.
func configPath(module string) string {
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(module); i++ {
		c := module[i]
		switch {
		case quoted:
			if c == '\\' {
				i++
			} else if c == '"' {
				quoted = false
			}
		case c == '"' && depth > 0:
			quoted = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parentModule returns the module instance that calls module.
func parentModule(module string) string {
	parts := splitAddress(module)
	if len(parts) <= 2 {
		return ""
	}
	return strings.Join(parts[:len(parts)-2], ".")
}

// splitAddress splits an address at dots outside brackets and quotes.
func splitAddress(s string) []string {
	var parts []string
	start, depth, quoted := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted:
			if c == '\\' {
				i++
			} else if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '.' && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// splitIndex splits "name[0]" into "name" and "0", and "name[\"a\"]" into
// "name" and "a".
func splitIndex(s string) (name, index string, indexed bool) {
	i := strings.IndexByte(s, '[')
	if i < 0 || !strings.HasSuffix(s, "]") {
		return s, "", false
	}
	index = s[i+1 : len(s)-1]
	if unq, err := strconv.Unquote(index); err == nil {
		index = unq
	}
	return s[:i], index, true
}

// target is the result of following a reference: a resource instance and the
// attribute path read from it, or a constant value.
type target struct {
	res      *resource
	attr     string
	constant importer.JSON
	// ref is the reference as written, qualified by its module, for naming
	// a value that stays unknown.
	ref string
}

// maxResolveDepth bounds the chain of variables and module outputs that
// resolve follows.
const maxResolveDepth = 16

// resolve follows an expression in module instance module to the
// resources and constants it uses. It returns the references it could not
// follow, such as locals, separately.
func (p *plan) resolve(module string, expr importer.JSON, depth int) (targets []target, unresolved []string) {
	if !expr.Exists() || depth > maxResolveDepth {
		return nil, nil
	}
	if expr.Has("constant_value") {
		return []target{{constant: expr.Get("constant_value")}}, nil
	}

	// Terraform lists every step of a reference: aws_subnet.app[0].id,
	// aws_subnet.app[0] and aws_subnet.app. Only the longest reference to
	// each object is followed, so that an index is not widened.
	refs := expr.Get("references").Strs()
	slices.SortFunc(refs, func(a, b string) int { return len(b) - len(a) })
	var longest []string
	for _, ref := range refs {
		if !slices.ContainsFunc(longest, func(k string) bool { return strings.HasPrefix(k, ref+".") || strings.HasPrefix(k, ref+"[") }) {
			longest = append(longest, ref)
		}
	}
	slices.Sort(longest)

	for _, ref := range longest {
		t, u := p.resolveRef(module, ref, depth)
		targets = append(targets, t...)
		unresolved = append(unresolved, u...)
	}
	return targets, unresolved
}

func (p *plan) resolveRef(module, ref string, depth int) ([]target, []string) {
	parts := splitAddress(ref)
	qualified := joinModule(module, ref)
	switch parts[0] {
	case "var":
		if len(parts) < 2 {
			return nil, []string{qualified}
		}
		if module == "" {
			v := p.variables.Path(parts[1], "value")
			if !v.Exists() {
				return nil, []string{qualified}
			}
			return []target{{constant: v, ref: qualified}}, nil
		}
		call := p.calls[configPath(module)]
		return p.resolve(parentModule(module), call.Path("expressions", parts[1]), depth+1)
	case "module":
		if len(parts) < 3 {
			return nil, []string{qualified}
		}
		name, _, _ := splitIndex(parts[1])
		childConfig := joinModule(configPath(module), "module."+name)
		output := p.modules[childConfig].Path("outputs", parts[2], "expression")
		var targets []target
		var unresolved []string
		for _, inst := range p.moduleInstances {
			if configPath(inst) == childConfig && parentModule(inst) == module {
				t, u := p.resolve(inst, output, depth+1)
				targets = append(targets, t...)
				unresolved = append(unresolved, u...)
			}
		}
		if len(targets) == 0 && len(unresolved) == 0 {
			unresolved = append(unresolved, qualified)
		}
		return targets, unresolved
	case "local", "each", "count", "path", "self", "terraform":
		return nil, []string{qualified}
	}

	mode, rest := "managed", parts
	if parts[0] == "data" {
		mode, rest = "data", parts[1:]
	}
	if len(rest) < 2 {
		return nil, []string{qualified}
	}
	name, index, indexed := splitIndex(rest[1])
	var targets []target
	for _, r := range p.byConfig[p.configKey(configPath(module), mode, rest[0], name)] {
		if r.module != module || indexed && r.index != index {
			continue
		}
		targets = append(targets, target{res: r, attr: strings.Join(rest[2:], "."), ref: qualified})
	}
	if len(targets) == 0 {
		return nil, []string{qualified}
	}
	return targets, nil
}

// resolveAttr resolves the configuration expression at path of r. An
// expression that indexes a counted resource by count.index or each.key,
// such as aws_subnet.app[count.index].id, resolves to the instance with r's
// own index: Terraform lists it as references to aws_subnet.app and to
// count.index.
func (p *plan) resolveAttr(r *resource, path ...any) ([]target, []string) {
	return p.resolveExpr(r, r.expr(path...))
}

// resolveExpr resolves the configuration expression expr of r, as
// resolveAttr does.
func (p *plan) resolveExpr(r *resource, expr importer.JSON) ([]target, []string) {
	targets, unresolved := p.resolve(r.module, expr, 0)
	perInstance := func(s string) bool { return s == "count.index" || strings.HasPrefix(s, "each.") }
	unresolved = slices.DeleteFunc(unresolved, func(s string) bool { return perInstance(strings.TrimPrefix(s, r.module+".")) })
	if r.index == "" || !slices.ContainsFunc(expr.Get("references").Strs(), perInstance) {
		return targets, unresolved
	}
	same := slices.ContainsFunc(targets, func(t target) bool { return t.res != nil && t.res.index == r.index })
	if !same {
		return targets, unresolved
	}
	return slices.DeleteFunc(targets, func(t target) bool { return t.res != nil && t.res.index != "" && t.res.index != r.index }), unresolved
}

// at returns the value at path, where a string selects an object member
// and an int an array element.
func at(v importer.JSON, path ...any) importer.JSON {
	for _, step := range path {
		switch s := step.(type) {
		case string:
			v = v.Get(s)
		case int:
			list := v.List()
			if s >= len(list) {
				return importer.JSON{File: v.File}
			}
			v = list[s]
		}
	}
	return v
}

// known returns the planned value at path when it is known: present, not
// null, not marked unknown, and holding no null element.
func (r *resource) known(path ...any) (importer.JSON, bool) {
	v := at(r.values, path...)
	if !v.Exists() {
		return v, false
	}
	if u := at(r.unknown, path...); u.Exists() {
		if b, ok := u.V.(bool); ok && b {
			return v, false
		}
	}
	if v.IsArray() {
		for _, e := range v.List() {
			if !e.Exists() {
				return v, false
			}
		}
	}
	return v, true
}

// expr returns the configuration expression at path.
func (r *resource) expr(path ...any) importer.JSON { return at(r.config, path...) }

// keys returns what an attribute that names other resources refers to: the
// addresses of resources in the plan, or the ids as given for resources the
// plan does not hold.
func (p *plan) keys(r *resource, path ...any) []string {
	return p.keysAt(r, path, path)
}

// keysAt is keys for an attribute whose planned value and configuration
// expression sit at different paths, as the blocks of a set do, which
// Terraform orders differently in the two.
func (p *plan) keysAt(r *resource, path, config []any) []string {
	var out []string
	add := func(k string) {
		if k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	if v, ok := r.known(path...); ok {
		for _, s := range strs(v) {
			if res := p.byID[s]; res != nil {
				add(res.addr)
			} else {
				add(s)
			}
		}
		return out
	}
	targets, unresolved := p.resolveExpr(r, r.expr(config...))
	for _, t := range targets {
		switch {
		case t.res != nil:
			add(t.res.addr)
		default:
			for _, s := range strs(t.constant) {
				if res := p.byID[s]; res != nil {
					add(res.addr)
				} else {
					add(s)
				}
			}
		}
	}
	p.warnUnresolved(r, config, unresolved)
	return out
}

// key returns the first of keys.
func (p *plan) key(r *resource, path ...any) string {
	if k := p.keys(r, path...); len(k) > 0 {
		return k[0]
	}
	return ""
}

// texts returns what a string attribute holds: its planned value, or the
// values of the constants and known attributes its expression refers to.
func (p *plan) texts(r *resource, path ...any) []string {
	return p.textsAt(r, path, path)
}

// textsAt is texts for an attribute whose planned value and configuration
// expression sit at different paths.
func (p *plan) textsAt(r *resource, path, config []any) []string {
	if v, ok := r.known(path...); ok {
		return strs(v)
	}
	targets, unresolved := p.resolveExpr(r, r.expr(config...))
	var out []string
	for _, t := range targets {
		switch {
		case t.res != nil && t.attr != "":
			if v, ok := t.res.known(attrPath(t.attr)...); ok {
				out = append(out, strs(v)...)
			} else {
				unresolved = append(unresolved, t.ref)
			}
		case t.res == nil:
			out = append(out, strs(t.constant)...)
		}
	}
	p.warnUnresolved(r, config, unresolved)
	return out
}

// str returns the first of texts, or "".
func (p *plan) str(r *resource, path ...any) string {
	if s := p.texts(r, path...); len(s) > 0 {
		return s[0]
	}
	return ""
}

// integer returns an integer attribute.
func (p *plan) integer(r *resource, path ...any) (int, bool) {
	n, err := strconv.Atoi(p.str(r, path...))
	return n, err == nil
}

// boolean returns a boolean attribute.
func (p *plan) boolean(r *resource, path ...any) (bool, bool) {
	b, err := strconv.ParseBool(p.str(r, path...))
	return b, err == nil
}

// value returns a string attribute that may stay unknown, such as a
// password generated at apply time. An unknown value is named by the
// reference it comes from, so that two attributes that use the same
// generated value compare equal.
func (p *plan) value(r *resource, path ...any) importer.Value {
	if v, ok := r.known(path...); ok {
		return importer.Value{Text: v.Str()}
	}
	targets, _ := p.resolveAttr(r, path...)
	for _, t := range targets {
		if t.res == nil {
			return importer.Value{Text: t.constant.Str()}
		}
		if v, ok := t.res.known(attrPath(t.attr)...); ok && t.attr != "" {
			return importer.Value{Text: v.Str()}
		}
		return importer.Value{Symbol: t.ref}
	}
	return importer.Value{Symbol: r.addr + "." + pathString(path)}
}

// attrPath turns an attribute reference such as network_configuration[0].subnets
// into a path for at.
func attrPath(attr string) []any {
	var out []any
	for _, part := range splitAddress(attr) {
		name, index, indexed := splitIndex(part)
		out = append(out, name)
		if indexed {
			if n, err := strconv.Atoi(index); err == nil {
				out = append(out, n)
			} else {
				out = append(out, index)
			}
		}
	}
	return out
}

func pathString(path []any) string {
	var b strings.Builder
	for _, step := range path {
		switch s := step.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		}
	}
	return b.String()
}

// strs returns the strings of a string or a list of strings.
func strs(v importer.JSON) []string {
	if v.IsArray() {
		return v.Strs()
	}
	if s := v.Str(); s != "" {
		return []string{s}
	}
	return nil
}

func (p *plan) warnUnresolved(r *resource, path []any, refs []string) {
	if len(refs) == 0 {
		return
	}
	slices.Sort(refs)
	refs = slices.Compact(refs)
	p.inv.Warnings.Add(r.locAt(pathString(path)), importer.Unresolved, "the value is unknown until apply and refers to %s, which the plan's configuration does not resolve (locals and functions of unknown values are not evaluated)", strings.Join(refs, ", "))
}

// tagHints returns the name hints of a resource's tags.
func (p *plan) tagHints(r *resource) []importer.NameHint {
	var out []importer.NameHint
	for _, attr := range []string{"tags", "tags_all"} {
		if n := r.values.Path(attr, "Name").Str(); n != "" {
			out = append(out, importer.NameHint{Rank: importer.RankNameTag, Value: n})
			break
		}
	}
	return out
}

// logicalName is the hint a resource's own block name gives.
func logicalName(r *resource) importer.NameHint {
	name := r.name
	if r.index != "" {
		name += "-" + r.index
	}
	return importer.NameHint{Rank: importer.RankLogicalID, Value: name}
}
