// Package whatif changes a scenario's YAML to answer design questions such
// as "what if this rule were added" or "what if the secret leaked". It works
// on the YAML document, so the changed scenario goes through the same strict
// loader as any file, and sgchain diff compares it with the original.
package whatif

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Change is one change to a scenario document.
type Change interface {
	// Apply changes the document's top-level mapping.
	apply(doc *yaml.Node) error
	// String describes the change for a report.
	String() string
}

// Apply parses data, applies the changes in order and returns the changed
// document. It returns an error naming the change that could not apply.
func Apply(data []byte, changes ...Change) ([]byte, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("the scenario is not valid YAML: %w", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("the scenario is not a YAML mapping")
	}
	doc := root.Content[0]
	// Expectations describe the design as written; the changed design is
	// compared with it by diff, not held to them.
	remove(doc, "expect")
	for _, c := range changes {
		if err := c.apply(doc); err != nil {
			return nil, fmt.Errorf("%s: %w", c, err)
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// lookup returns the value of key in mapping m, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// set sets key in mapping m to v, adding the key at the end when absent.
func set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// remove deletes key from mapping m and reports whether it was there.
func remove(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = slices.Delete(m.Content, i, i+2)
			return true
		}
	}
	return false
}

// section returns the named top-level mapping, creating it when asked.
func section(doc *yaml.Node, name string, create bool) (*yaml.Node, error) {
	s := lookup(doc, name)
	if s == nil {
		if !create {
			return nil, fmt.Errorf("the scenario has no %s", name)
		}
		s = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		set(doc, name, s)
	}
	if s.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s is not a mapping", name)
	}
	return s, nil
}

// parseValue parses a YAML value given on the command line, such as
// "{protocol: tcp, ports: 22, from: {cidr: 0.0.0.0/0}}".
func parseValue(text string) (*yaml.Node, error) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil {
		return nil, fmt.Errorf("invalid YAML value %q: %w", text, err)
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) == 0 {
		return nil, fmt.Errorf("empty YAML value %q", text)
	}
	v := n.Content[0]
	clearStyle(v)
	return v, nil
}

// clearStyle makes a parsed value print in block style like the rest of
// the document.
func clearStyle(n *yaml.Node) {
	n.Style &^= yaml.FlowStyle
	for _, c := range n.Content {
		clearStyle(c)
	}
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

// AddRule appends a rule to a security group's ingress or egress list.
type AddRule struct {
	Group     string
	Direction string // "ingress" or "egress"
	Rule      string // the rule as a YAML mapping
}

func (c AddRule) String() string {
	return fmt.Sprintf("add to security_groups.%s.%s the rule %s", c.Group, c.Direction, c.Rule)
}

func (c AddRule) apply(doc *yaml.Node) error {
	if c.Direction != "ingress" && c.Direction != "egress" {
		return fmt.Errorf("invalid direction %q: expected ingress or egress", c.Direction)
	}
	groups, err := section(doc, "security_groups", false)
	if err != nil {
		return err
	}
	g := lookup(groups, c.Group)
	if g == nil {
		return fmt.Errorf("no security group %q", c.Group)
	}
	r, err := parseValue(c.Rule)
	if err != nil {
		return err
	}
	list := lookup(g, c.Direction)
	if list == nil || list.Kind != yaml.SequenceNode {
		// An absent list, or egress written as aws-default or none,
		// becomes a list; aws-default keeps its allow-all rule.
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if list != nil && list.Kind == yaml.ScalarNode && list.Value == "aws-default" {
			all, _ := parseValue("{protocol: all, to: {cidr: 0.0.0.0/0}}")
			seq.Content = append(seq.Content, all)
		}
		list = seq
		set(g, c.Direction, list)
	}
	list.Style = 0
	list.Content = append(list.Content, r)
	return nil
}

// RemoveRule deletes a rule by its key path, such as
// security_groups.app.ingress[1].
type RemoveRule struct {
	Path string
}

func (c RemoveRule) String() string { return "remove the rule " + c.Path }

func (c RemoveRule) apply(doc *yaml.Node) error {
	rest, ok := strings.CutPrefix(c.Path, "security_groups.")
	if !ok {
		return fmt.Errorf("invalid rule path %q: expected security_groups.GROUP.ingress[N] or .egress[N]", c.Path)
	}
	group, dirIndex, ok := strings.Cut(rest, ".")
	dir, idx, ok2 := strings.Cut(dirIndex, "[")
	if !ok || !ok2 || !strings.HasSuffix(idx, "]") || (dir != "ingress" && dir != "egress") {
		return fmt.Errorf("invalid rule path %q: expected security_groups.GROUP.ingress[N] or .egress[N]", c.Path)
	}
	i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
	if err != nil || i < 0 {
		return fmt.Errorf("invalid rule index in %q", c.Path)
	}
	groups, err := section(doc, "security_groups", false)
	if err != nil {
		return err
	}
	g := lookup(groups, group)
	if g == nil {
		return fmt.Errorf("no security group %q", group)
	}
	list := lookup(g, dir)
	if list == nil || list.Kind != yaml.SequenceNode || i >= len(list.Content) {
		return fmt.Errorf("security group %s has no %s rule %d", group, dir, i)
	}
	list.Content = slices.Delete(list.Content, i, i+1)
	return nil
}

// AddTier adds a tier, and optionally puts it in a chain stage.
type AddTier struct {
	Name string
	Tier string // the tier as a YAML mapping
	// Stage, when positive, is the 1-based chain stage the tier joins.
	Stage int
}

func (c AddTier) String() string { return fmt.Sprintf("add tier %s: %s", c.Name, c.Tier) }

func (c AddTier) apply(doc *yaml.Node) error {
	tiers, err := section(doc, "tiers", true)
	if err != nil {
		return err
	}
	if lookup(tiers, c.Name) != nil {
		return fmt.Errorf("tier %q already exists", c.Name)
	}
	v, err := parseValue(c.Tier)
	if err != nil {
		return err
	}
	set(tiers, c.Name, v)
	if c.Stage <= 0 {
		return nil
	}
	chain := lookup(doc, "chain")
	if chain == nil || chain.Kind != yaml.SequenceNode || c.Stage > len(chain.Content)+1 {
		return fmt.Errorf("the chain has no stage %d", c.Stage)
	}
	if c.Stage == len(chain.Content)+1 {
		chain.Content = append(chain.Content, &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{scalar(c.Name)}})
		return nil
	}
	stage := chain.Content[c.Stage-1]
	if stage.Kind == yaml.ScalarNode {
		stage = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{scalar(stage.Value)}}
		chain.Content[c.Stage-1] = stage
	}
	stage.Content = append(stage.Content, scalar(c.Name))
	return nil
}

// RemoveTier removes a tier and every reference to it: its chain stage entry
// (and the stage when it empties), the CloudFront origins and load-balancer
// forwards that target it, the connections that open to it, and the
// compromised attackers placed on it.
type RemoveTier struct {
	Name string
}

func (c RemoveTier) String() string { return "remove tier " + c.Name }

func (c RemoveTier) apply(doc *yaml.Node) error {
	tiers, err := section(doc, "tiers", false)
	if err != nil {
		return err
	}
	if !remove(tiers, c.Name) {
		return fmt.Errorf("no tier %q", c.Name)
	}
	if chain := lookup(doc, "chain"); chain != nil && chain.Kind == yaml.SequenceNode {
		var stages []*yaml.Node
		for _, st := range chain.Content {
			if st.Kind == yaml.ScalarNode {
				if st.Value != c.Name {
					stages = append(stages, st)
				}
				continue
			}
			st.Content = slices.DeleteFunc(st.Content, func(n *yaml.Node) bool { return n.Value == c.Name })
			if len(st.Content) > 0 {
				stages = append(stages, st)
			}
		}
		chain.Content = stages
	}
	for i := 1; i < len(tiers.Content); i += 2 {
		dropReferences(tiers.Content[i], c.Name)
	}
	if attackers := lookup(doc, "attackers"); attackers != nil && attackers.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(attackers.Content); {
			if t := lookup(attackers.Content[i+1], "tier"); t != nil && t.Value == c.Name {
				attackers.Content = slices.Delete(attackers.Content, i, i+2)
				continue
			}
			i += 2
		}
	}
	return nil
}

// dropReferences removes from a tier the origins, forward targets and
// connections that name the removed tier.
func dropReferences(tier *yaml.Node, name string) {
	names := func(n *yaml.Node) bool {
		t := lookup(n, "tier")
		return t != nil && t.Value == name
	}
	if origins := lookup(tier, "origins"); origins != nil && origins.Kind == yaml.SequenceNode {
		origins.Content = slices.DeleteFunc(origins.Content, names)
	}
	if conns := lookup(tier, "connects_to"); conns != nil && conns.Kind == yaml.SequenceNode {
		conns.Content = slices.DeleteFunc(conns.Content, names)
	}
	listeners := lookup(tier, "listeners")
	if listeners == nil || listeners.Kind != yaml.SequenceNode {
		return
	}
	// An NLB listener forwards to one target group: without its target the
	// listener goes.
	listeners.Content = slices.DeleteFunc(listeners.Content, func(l *yaml.Node) bool {
		fwd := lookup(l, "forward")
		return fwd != nil && fwd.Kind == yaml.MappingNode && names(fwd)
	})
	// An ALB action loses the removed target group; an action left with no
	// target answers 503, as an ALB does when a target group has no targets.
	unavailable := func() *yaml.Node {
		v, _ := parseValue("{fixed_response: 503}")
		return v
	}
	for _, l := range listeners.Content {
		if a := lookup(l, "default_action"); dropForward(a, names) {
			set(l, "default_action", unavailable())
		}
		if rules := lookup(l, "rules"); rules != nil && rules.Kind == yaml.SequenceNode {
			for _, r := range rules.Content {
				if a := lookup(r, "action"); dropForward(a, names) {
					set(r, "action", unavailable())
				}
			}
		}
	}
}

// dropForward removes from a forward action the targets that match, and
// reports whether the action is left without a target.
func dropForward(action *yaml.Node, matches func(*yaml.Node) bool) bool {
	fwd := lookup(action, "forward")
	switch {
	case fwd == nil:
		return false
	case fwd.Kind == yaml.MappingNode:
		return matches(fwd)
	case fwd.Kind == yaml.SequenceNode:
		fwd.Content = slices.DeleteFunc(fwd.Content, matches)
		return len(fwd.Content) == 0
	}
	return false
}

// AddAttacker adds an attacker.
type AddAttacker struct {
	Name     string
	Attacker string // the attacker as a YAML mapping
}

func (c AddAttacker) String() string { return fmt.Sprintf("add attacker %s: %s", c.Name, c.Attacker) }

func (c AddAttacker) apply(doc *yaml.Node) error {
	attackers, err := section(doc, "attackers", false)
	if err != nil {
		// Without an attackers section the scenario has the default
		// internet attacker, which must stay.
		attackers, _ = section(doc, "attackers", true)
		internet, _ := parseValue("{kind: internet}")
		set(attackers, "internet", internet)
	}
	if lookup(attackers, c.Name) != nil {
		return fmt.Errorf("attacker %q already exists", c.Name)
	}
	v, err := parseValue(c.Attacker)
	if err != nil {
		return err
	}
	set(attackers, c.Name, v)
	return nil
}

// RemoveAttacker removes an attacker.
type RemoveAttacker struct {
	Name string
}

func (c RemoveAttacker) String() string { return "remove attacker " + c.Name }

func (c RemoveAttacker) apply(doc *yaml.Node) error {
	attackers, err := section(doc, "attackers", false)
	if err != nil || !remove(attackers, c.Name) {
		return fmt.Errorf("no attacker %q", c.Name)
	}
	return nil
}

// LeakSecret gives every attacker the secret value of a custom header.
type LeakSecret struct {
	Header string
}

func (c LeakSecret) String() string { return "leak the secret value of header " + c.Header }

func (c LeakSecret) apply(doc *yaml.Node) error {
	attackers, err := section(doc, "attackers", false)
	if err != nil {
		attackers, _ = section(doc, "attackers", true)
		internet, _ := parseValue("{kind: internet}")
		set(attackers, "internet", internet)
	}
	for i := 1; i < len(attackers.Content); i += 2 {
		a := attackers.Content[i]
		knows := lookup(a, "knows_secrets")
		if knows == nil || knows.Kind != yaml.SequenceNode {
			knows = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			set(a, "knows_secrets", knows)
		}
		if !slices.ContainsFunc(knows.Content, func(n *yaml.Node) bool { return strings.EqualFold(n.Value, c.Header) }) {
			knows.Content = append(knows.Content, scalar(c.Header))
		}
	}
	return nil
}

// ClientIPPreservation turns an NLB's client IP preservation on or off on
// every target group of its listeners.
type ClientIPPreservation struct {
	Tier string
	On   bool
}

func (c ClientIPPreservation) String() string {
	state := "off"
	if c.On {
		state = "on"
	}
	return fmt.Sprintf("turn client IP preservation %s for %s", state, c.Tier)
}

func (c ClientIPPreservation) apply(doc *yaml.Node) error {
	tiers, err := section(doc, "tiers", false)
	if err != nil {
		return err
	}
	t := lookup(tiers, c.Tier)
	if t == nil {
		return fmt.Errorf("no tier %q", c.Tier)
	}
	if k := lookup(t, "kind"); k == nil || k.Value != "nlb" {
		return fmt.Errorf("tier %s is not an nlb", c.Tier)
	}
	listeners := lookup(t, "listeners")
	if listeners == nil || listeners.Kind != yaml.SequenceNode {
		return fmt.Errorf("tier %s has no listeners", c.Tier)
	}
	for _, l := range listeners.Content {
		if fwd := lookup(l, "forward"); fwd != nil && fwd.Kind == yaml.MappingNode {
			set(fwd, "preserve_client_ip", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(c.On)})
		}
	}
	return nil
}

// Bypass answers "what if someone gets around this tier's checks". For a
// CloudFront distribution it removes the web ACL and adds an attacker that
// owns a distribution of its own, as someone who finds the origin's address
// would. For an ALB it replaces every listener's rules with a default action
// that forwards to all the listener's targets, as if the header and source
// checks were not there. An NLB checks nothing, so bypassing one is an error.
type Bypass struct {
	Tier string
}

func (c Bypass) String() string { return "bypass the checks of tier " + c.Tier }

func (c Bypass) apply(doc *yaml.Node) error {
	tiers, err := section(doc, "tiers", false)
	if err != nil {
		return err
	}
	t := lookup(tiers, c.Tier)
	if t == nil {
		return fmt.Errorf("no tier %q", c.Tier)
	}
	kind := lookup(t, "kind")
	switch {
	case kind != nil && kind.Value == "cloudfront":
		remove(t, "waf")
		return AddAttacker{Name: "bypass-" + c.Tier, Attacker: "{kind: cloudfront-distribution}"}.apply(doc)
	case kind != nil && kind.Value == "alb":
		listeners := lookup(t, "listeners")
		if listeners == nil || listeners.Kind != yaml.SequenceNode {
			return fmt.Errorf("tier %s has no listeners", c.Tier)
		}
		for _, l := range listeners.Content {
			var targets []*yaml.Node
			collect := func(a *yaml.Node) {
				fwd := lookup(a, "forward")
				switch {
				case fwd == nil:
				case fwd.Kind == yaml.SequenceNode:
					targets = append(targets, fwd.Content...)
				default:
					targets = append(targets, fwd)
				}
			}
			if rules := lookup(l, "rules"); rules != nil {
				for _, r := range rules.Content {
					collect(lookup(r, "action"))
				}
			}
			collect(lookup(l, "default_action"))
			if len(targets) == 0 {
				continue
			}
			targets = slices.CompactFunc(targets, func(a, b *yaml.Node) bool {
				return lookup(a, "tier") != nil && lookup(b, "tier") != nil && lookup(a, "tier").Value == lookup(b, "tier").Value &&
					lookup(a, "port") != nil && lookup(b, "port") != nil && lookup(a, "port").Value == lookup(b, "port").Value
			})
			remove(l, "rules")
			set(l, "default_action", &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
				scalar("forward"), {Kind: yaml.SequenceNode, Tag: "!!seq", Content: targets},
			}})
		}
		return nil
	}
	return fmt.Errorf("tier %s has no checks to bypass: only cloudfront and alb tiers filter requests beyond their security groups", c.Tier)
}

// Redact replaces every secret value in a scenario document with a
// placeholder: the value of each origin custom header marked secret, and
// each value of a listener or web ACL condition on a header of that name.
// The result is for showing a changed scenario; it no longer loads with the
// same meaning.
func Redact(data []byte) ([]byte, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	names := map[string]bool{}
	var walk func(n *yaml.Node, visit func(m *yaml.Node))
	walk = func(n *yaml.Node, visit func(m *yaml.Node)) {
		if n.Kind == yaml.MappingNode {
			visit(n)
		}
		for _, c := range n.Content {
			walk(c, visit)
		}
	}
	walk(&root, func(m *yaml.Node) {
		if s := lookup(m, "secret"); s != nil && s.Value == "true" {
			if name := lookup(m, "name"); name != nil {
				names[strings.ToLower(name.Value)] = true
			}
			if v := lookup(m, "value"); v != nil {
				v.Value, v.Style = "<redacted secret>", 0
			}
		}
	})
	walk(&root, func(m *yaml.Node) {
		name, values := lookup(m, "name"), lookup(m, "values")
		if name == nil || values == nil || values.Kind != yaml.SequenceNode || !names[strings.ToLower(name.Value)] {
			return
		}
		for _, v := range values.Content {
			v.Value, v.Style = "<redacted secret>", 0
		}
	})
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
