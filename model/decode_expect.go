package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	expectKeys             = []string{"stages", "flows", "hops", "warnings"}
	stageExpectationKeys   = []string{"attacker", "stage", "verdict"}
	flowExpectationKeys    = []string{"from", "to", "protocol", "ports", "icmp_type", "icmp_code", "source", "headers", "possible"}
	hopExpectationKeys     = []string{"from", "to", "verdict"}
	warningExpectationKeys = []string{"code", "tier", "present"}
	flowSenderKeys         = []string{"attacker", "tier"}
)

// compromisableKinds are the tier kinds whose interfaces can run an
// attacker's code: the kinds a compromised attacker may start from.
var compromisableKinds = []Kind{KindECS, KindEC2, KindEKS, KindLambda, KindRDS, KindElastiCache}

// decodeExpect decodes the expect section. It runs after the tiers, chain and
// attackers are decoded, because expectations refer to all three.
func (d *decoder) decodeExpect(v value) {
	e := &Expectations{Pos: d.pos(v.key)}
	d.s.Expect = e
	o := d.object(v, "the expect section", expectKeys, nil)
	if !o.ok {
		return
	}
	if len(v.node.Content) == 0 {
		d.errorf(v.at, v.path, "Invalid value", "expect states no expectations. Add stages, flows, hops or warnings, or remove expect.")
		return
	}

	if sv, ok := o.get("stages"); ok {
		seen := map[string]value{}
		for _, item := range d.expectationList(sv, "a list of stage expectations such as {attacker: internet, verdict: holds}") {
			if se := d.decodeStageExpectation(item); se != nil {
				e.Stages = append(e.Stages, se)
				d.checkDuplicateExpectation(seen, stageExpectationKey(se), item, "the verdict of the same stages for the same attackers")
			}
		}
	}
	if fv, ok := o.get("flows"); ok {
		secrets := secretValues(d.s.Tiers)
		for _, item := range d.expectationList(fv, "a list of flow expectations such as {from: internet, to: app, protocol: tcp, ports: 8080, possible: false}") {
			if fe := d.decodeFlowExpectation(item, secrets); fe != nil {
				e.Flows = append(e.Flows, fe)
			}
		}
	}
	if hv, ok := o.get("hops"); ok {
		seen := map[string]value{}
		intended := intendedHops(d.s.Tiers)
		for _, item := range d.expectationList(hv, "a list of hop expectations such as {from: alb, to: app, verdict: holds}") {
			if he := d.decodeHopExpectation(item, intended); he != nil {
				e.Hops = append(e.Hops, he)
				d.checkDuplicateExpectation(seen, he.From.Name+"->"+he.To.Name, item, "the verdict of the same hop")
			}
		}
	}
	if wv, ok := o.get("warnings"); ok {
		seen := map[string]value{}
		for _, item := range d.expectationList(wv, "a list of warning expectations such as {code: shadowed-rule, present: false}") {
			if we := d.decodeWarningExpectation(item); we != nil {
				e.Warnings = append(e.Warnings, we)
				key := we.Code
				if we.Tier != nil {
					key += "|" + we.Tier.Name
				}
				d.checkDuplicateExpectation(seen, key, item, "whether the same warning appears")
			}
		}
	}
}

// expectationList returns the items of a list of expectations, and reports
// an empty list, which asserts nothing.
func (d *decoder) expectationList(v value, expected string) []value {
	items, ok := d.list(v, expected)
	if ok && len(items) == 0 {
		d.errorf(v.at, v.path, "Invalid value", "The list is empty, so it asserts nothing. Add expectations, or remove %s.", v.path)
	}
	return items
}

// checkDuplicateExpectation reports an expectation whose key an earlier one
// of the same list already has. what names what both of them assert.
func (d *decoder) checkDuplicateExpectation(seen map[string]value, key string, item value, what string) {
	if first, dup := seen[key]; dup {
		d.errorf(item.at, item.path, "Duplicate expectation", "%s on line %d already asserts %s. Remove one of the two.", first.path, first.at.Line, what)
		return
	}
	seen[key] = item
}

func stageExpectationKey(se *StageExpectation) string {
	key := "*"
	if se.Attacker != nil {
		key = se.Attacker.Name
	}
	if se.Stage != nil {
		return key + "|" + itoa(se.Stage.Index)
	}
	return key + "|*"
}

// expectedVerdict decodes a verdict that must be one of allowed. other is
// the verdict that belongs to the other kind of expectation, with a sentence
// saying where it belongs.
func (d *decoder) expectedVerdict(v value, noun string, allowed []string, other, otherWhere string) (string, bool) {
	s, ok := d.str(v, noun+" ("+orList(allowed, "or")+")")
	if !ok {
		return "", false
	}
	if slices.Contains(allowed, s) {
		return s, true
	}
	detail := fmt.Sprintf("%q is not a valid %s.", s, noun)
	switch {
	case s == other:
		detail += " " + otherWhere
	case suggest(s, allowed) != "":
		detail += fmt.Sprintf(" Did you mean %q?", suggest(s, allowed))
	}
	detail += fmt.Sprintf(" Use %s.", orList(allowed, "or"))
	d.errorf(v.at, v.path, "Invalid value", "%s", detail)
	return "", false
}

// decodeStageExpectation decodes {attacker, stage, verdict}. Without
// attacker the verdict applies to every attacker, and without stage to every
// stage after the first.
func (d *decoder) decodeStageExpectation(v value) *StageExpectation {
	o := d.object(v, "a stage expectation", stageExpectationKeys, nil)
	if !o.ok {
		return nil
	}
	se := &StageExpectation{Path: v.path, Pos: d.pos(v.at)}
	ok := true
	if av, has := o.get("attacker"); has {
		se.Attacker, ok = d.lookupAttacker(av)
	}
	if sv, has := o.get("stage"); has {
		var stageOK bool
		se.Stage, stageOK = d.expectedStage(sv)
		ok = ok && stageOK
	}
	if vv, has := d.require(o, "verdict", "verdict: holds"); has {
		var verdictOK bool
		se.Verdict, verdictOK = d.expectedVerdict(vv, "stage verdict", []string{VerdictHolds, VerdictSkippable},
			VerdictBroken, "A chain stage holds or is skippable. Broken is the verdict of an intended hop, under expect.hops.")
		ok = ok && verdictOK
	} else {
		ok = false
	}
	if !ok {
		return nil
	}
	return se
}

// lookupAttacker decodes a reference to an attacker of the scenario,
// including the default internet attacker of a scenario without attackers.
func (d *decoder) lookupAttacker(v value) (*Attacker, bool) {
	byName := make(map[string]*Attacker, len(d.s.Attackers))
	for _, a := range d.s.Attackers {
		byName[a.Name] = a
	}
	return lookup(d, v, "attacker", byName, func() []string {
		return mapNames(d.s.Attackers, func(a *Attacker) string { return a.Name })
	})
}

// expectedStage decodes a stage of the chain: its number as reports print
// it, from 2, or the name of a tier in it.
func (d *decoder) expectedStage(v value) (*Stage, bool) {
	n := v.node
	chain := d.s.Chain
	stages := fmt.Sprintf("The chain has %s, and stages 2 to %d have a verdict.", plural(len(chain), "stage"), len(chain))
	if len(chain) < minStages {
		stages = "The chain has no stage after the first, so no stage has a verdict."
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		num, ok := d.integer(v, "a stage number from 2")
		if !ok {
			return nil, false
		}
		switch {
		case num == 1:
			d.errorf(v.at, v.path, "Invalid value", "Stage 1 is where traffic enters the chain, so it has no verdict. %s", stages)
			return nil, false
		case num < 1 || num > len(chain):
			d.errorf(v.at, v.path, "Invalid value", "There is no stage %d. %s", num, stages)
			return nil, false
		}
		return chain[num-1], true
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.wrongType(v, "a stage number such as 2, or the name of a tier in the chain")
		return nil, false
	}
	t, ok := d.lookupTier(v)
	if !ok {
		return nil, false
	}
	for _, st := range chain {
		if !slices.Contains(st.Tiers, t) {
			continue
		}
		if st.Index == 0 {
			d.errorf(v.at, v.path, "Invalid value", "Tier %s is in stage 1, where traffic enters the chain, so its stage has no verdict. %s", t.Name, stages)
			return nil, false
		}
		return st, true
	}
	d.errorf(v.at, v.path, "Invalid reference", "Tier %s is not in the chain, so it has no stage verdict. Name a tier of stages 2 to %d, or give the stage's number.", t.Name, len(chain))
	return nil, false
}

// decodeFlowExpectation decodes a flow: its sender, receiving tier, packet
// fields and expected result. secrets holds the lower-case values of secret
// origin custom headers.
func (d *decoder) decodeFlowExpectation(v value, secrets map[string]bool) *FlowExpectation {
	o := d.object(v, "a flow expectation", flowExpectationKeys, nil)
	if !o.ok {
		return nil
	}
	fe := &FlowExpectation{Path: v.path, Pos: d.pos(v.at)}
	ok := true

	if fv, has := d.require(o, "from", "from: internet"); has {
		ok = d.decodeFlowSender(fe, fv) && ok
	} else {
		ok = false
	}
	if tv, has := d.require(o, "to", "to: app"); has {
		ok = d.decodeFlowReceiver(fe, tv) && ok
	} else {
		ok = false
	}

	protocolOK := false
	if pv, has := d.require(o, "protocol", "protocol: tcp"); has {
		fe.Protocol, protocolOK = d.protocol(pv)
		if protocolOK {
			ok = d.decodeFlowPorts(fe, o) && ok
		}
	}
	ok = ok && protocolOK
	if sv, has := o.get("source"); has {
		var sourceOK bool
		fe.Source, sourceOK = d.sourceAddress(sv)
		ok = ok && sourceOK
	}
	if hv, has := o.get("headers"); has {
		if protocolOK && fe.Protocol != TCP {
			f := o.fields["headers"]
			d.errorf(f.key, f.value.path, "Unknown key", "Only HTTP requests over tcp carry headers, and this flow's protocol is %s. Remove headers, or use tcp.", fe.Protocol)
			ok = false
		} else {
			ok = d.decodeFlowHeaders(fe, hv, secrets) && ok
		}
	}

	if pv, has := d.require(o, "possible", "possible: false"); has {
		var possibleOK bool
		fe.Possible, possibleOK = d.boolean(pv)
		ok = ok && possibleOK
	} else {
		ok = false
	}
	if !ok {
		return nil
	}
	return fe
}

// decodeFlowReceiver decodes to: a tier other than the one the sender runs
// on, because the model has no traffic between interfaces of one tier.
func (d *decoder) decodeFlowReceiver(fe *FlowExpectation, v value) bool {
	t, ok := d.lookupTier(v)
	if !ok {
		return false
	}
	home := fe.FromTier
	if fe.From != nil {
		home = fe.From.Tier
	}
	if home != nil && home == t {
		d.errorf(v.at, v.path, "Invalid value", "The sender runs on tier %s, so a flow to %s asserts nothing: the model has no traffic between interfaces of one tier. Name another tier.", t.Name, t.Name)
		return false
	}
	fe.To = t
	return true
}

// decodeFlowSender decodes from: an attacker's or a tier's name, or
// {attacker: NAME} or {tier: NAME} where the name is both.
func (d *decoder) decodeFlowSender(fe *FlowExpectation, v value) bool {
	if v.node.Kind == yaml.MappingNode {
		o := d.object(v, "a flow sender", flowSenderKeys, nil)
		f, ok := d.oneOf(o, flowSenderKeys, "{attacker: internet} or {tier: app}")
		if !ok {
			return false
		}
		if f.name == "attacker" {
			fe.From, ok = d.lookupAttacker(f.value)
			return ok
		}
		fe.FromTier, ok = d.lookupTierOf(f.value, "a flow's sending tier", compromisableKinds...)
		return ok
	}

	name, ok := d.str(v, "the name of an attacker or of a tier, or {attacker: NAME} or {tier: NAME}")
	if !ok {
		return false
	}
	var attacker *Attacker
	for _, a := range d.s.Attackers {
		if a.Name == name {
			attacker = a
		}
	}
	tier := d.tiers[name]
	switch {
	case attacker != nil && tier != nil:
		d.errorf(v.at, v.path, "Ambiguous reference", "%s names both an attacker and a tier. Write {attacker: %s} for the attacker, or {tier: %s} for a compromised interface of the tier.", name, name, name)
		return false
	case attacker != nil:
		fe.From = attacker
		return true
	case tier != nil:
		fe.FromTier, ok = d.lookupTierOf(v, "a flow's sending tier", compromisableKinds...)
		return ok
	}

	candidates := mapNames(d.s.Attackers, func(a *Attacker) string { return a.Name })
	attackers := slices.Clone(candidates)
	tiers := mapNames(d.s.Tiers, func(t *Tier) string { return t.Name })
	candidates = append(candidates, tiers...)
	detail := fmt.Sprintf("No attacker or tier named %q is defined.", name)
	if s := suggest(name, candidates); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	}
	detail += fmt.Sprintf(" Attackers are %s, and tiers are %s.", orList(attackers, "and"), orList(tiers, "and"))
	d.errorf(v.at, v.path, "Unknown reference", "%s", detail)
	return false
}

// decodeFlowPorts sets fe.Ports the way a security-group rule selects them:
// ports for tcp and udp, icmp_type and icmp_code for icmp and icmpv6, and
// nothing for other protocols, whose flows cover every port.
func (d *decoder) decodeFlowPorts(fe *FlowExpectation, o *object) bool {
	fe.Ports = AllPorts
	switch fe.Protocol {
	case TCP, UDP:
		for _, key := range []string{"icmp_type", "icmp_code"} {
			if f, ok := o.fields[key]; ok {
				d.errorf(f.key, f.value.path, "Unknown key", "%s applies only to icmp and icmpv6 flows, and this flow's protocol is %s. Remove it, or select ports with ports.", key, fe.Protocol)
			}
		}
		pv, ok := d.require(o, "ports", "ports: 443")
		if !ok {
			return false
		}
		fe.Ports, ok = d.portRange(pv)
		return ok
	case ICMP, ICMPv6:
		if f, ok := o.fields["ports"]; ok {
			d.errorf(f.key, f.value.path, "Unknown key", "%s flows have no ports. Select ICMP messages with icmp_type and icmp_code instead.", fe.Protocol)
			return false
		}
		before := len(d.diags)
		fe.Ports = d.icmpRange(&Rule{Protocol: fe.Protocol}, o)
		return len(d.diags) == before
	}
	ok := true
	for _, key := range []string{"ports", "icmp_type", "icmp_code"} {
		if f, has := o.fields[key]; has {
			d.errorf(f.key, f.value.path, "Unknown key", "A flow of protocol %s covers every port, so it takes no %s. Remove it, or use tcp, udp, icmp or icmpv6.", fe.Protocol, key)
			ok = false
		}
	}
	return ok
}

// sourceAddress decodes a single IPv4 or IPv6 address.
func (d *decoder) sourceAddress(v value) (netip.Addr, bool) {
	s, ok := d.str(v, "an IP address such as 203.0.113.7")
	if !ok {
		return netip.Addr{}, false
	}
	s = strings.TrimSpace(s)
	if addr, length, isPrefix := strings.Cut(s, "/"); isPrefix {
		d.errorf(v.at, v.path, "Invalid value", "%s is a CIDR block (/%s). A flow has one source address, such as %s.", s, length, addr)
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		d.errorf(v.at, v.path, "Invalid value", "%q is not an IP address. Give one IPv4 or IPv6 address, such as 203.0.113.7.", s)
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// decodeFlowHeaders decodes headers: a mapping from header names to values.
func (d *decoder) decodeFlowHeaders(fe *FlowExpectation, v value, secrets map[string]bool) bool {
	if v.node.Kind != yaml.MappingNode {
		d.wrongType(v, "a mapping from header names to values, such as {X-Debug: \"on\"}")
		return false
	}
	ok := true
	seen := map[string]*yaml.Node{}
	for _, f := range d.entries(v) {
		name, nameOK := d.headerName(newValue(f.key, nil, f.value.path))
		if !nameOK {
			ok = false
			continue
		}
		if first, dup := seen[strings.ToLower(name)]; dup {
			d.errorf(f.key, f.value.path, "Duplicate key", "Header %s is already set on line %d. Header names compare without regard to case, so keep one of the two.", name, first.Line)
			ok = false
			continue
		}
		seen[strings.ToLower(name)] = f.key
		value, valueOK := d.str(f.value, "the header's value as a string")
		if !valueOK {
			ok = false
			continue
		}
		if value == SecretPlaceholder {
			secret, found := d.s.SecretValue(name)
			if !found {
				d.errorf(f.value.at, f.value.path, "Unknown reference", "No origin has a secret custom header named %q, so %s stands for no value. Give the value, or name a header marked secret: true.", name, SecretPlaceholder)
				ok = false
				continue
			}
			value = secret
		}
		fe.Headers = append(fe.Headers, FlowHeader{Name: name, Value: value, Secret: secrets[strings.ToLower(value)]})
	}
	return ok
}

// SecretPlaceholder is the header value in a flow expectation that stands
// for the scenario's secret value of that header, so that the value need
// not be written twice.
const SecretPlaceholder = "@secret"

// SecretValue returns the value of the first secret origin custom header
// named name, compared without regard to case, and whether there is one.
func (s *Scenario) SecretValue(name string) (string, bool) {
	for _, t := range s.Tiers {
		if t.CloudFront == nil {
			continue
		}
		for _, o := range t.CloudFront.Origins {
			for _, h := range o.CustomHeaders {
				if h.Secret && strings.EqualFold(h.Name, name) {
					return h.Value, true
				}
			}
		}
	}
	return "", false
}

// secretValues returns the lower-case values of every secret origin custom
// header.
func secretValues(tiers []*Tier) map[string]bool {
	out := map[string]bool{}
	for _, t := range tiers {
		if t.CloudFront == nil {
			continue
		}
		for _, o := range t.CloudFront.Origins {
			for _, h := range o.CustomHeaders {
				if h.Secret {
					out[strings.ToLower(h.Value)] = true
				}
			}
		}
	}
	return out
}

// decodeHopExpectation decodes {from, to, verdict} for a hop that the
// scenario's forwarding declares.
func (d *decoder) decodeHopExpectation(v value, intended [][2]*Tier) *HopExpectation {
	o := d.object(v, "a hop expectation", hopExpectationKeys, nil)
	if !o.ok {
		return nil
	}
	he := &HopExpectation{Path: v.path, Pos: d.pos(v.at)}
	ok := true
	if fv, has := d.require(o, "from", "from: alb"); has {
		var fromOK bool
		he.From, fromOK = d.lookupTier(fv)
		ok = ok && fromOK
	} else {
		ok = false
	}
	if tv, has := d.require(o, "to", "to: app"); has {
		var toOK bool
		he.To, toOK = d.lookupTier(tv)
		ok = ok && toOK
	} else {
		ok = false
	}
	if vv, has := d.require(o, "verdict", "verdict: holds"); has {
		var verdictOK bool
		he.Verdict, verdictOK = d.expectedVerdict(vv, "hop verdict", []string{VerdictHolds, VerdictBroken},
			VerdictSkippable, "An intended hop holds or is broken. Skippable is the verdict of a chain stage, under expect.stages.")
		ok = ok && verdictOK
	} else {
		ok = false
	}
	if !ok {
		return nil
	}

	if !slices.Contains(intended, [2]*Tier{he.From, he.To}) {
		names := make([]string, len(intended))
		for i, h := range intended {
			names[i] = h[0].Name + " -> " + h[1].Name
		}
		detail := fmt.Sprintf("No intended hop leads from %s to %s. A hop is intended when a CloudFront origin, a load balancer's forward action or a connects_to entry declares it.", he.From.Name, he.To.Name)
		if len(names) == 0 {
			detail += " The scenario declares none."
		} else {
			detail += fmt.Sprintf(" The scenario declares %s.", orList(names, "and"))
		}
		d.errorf(v.at, v.path, "Invalid reference", "%s", detail)
		return nil
	}
	return he
}

// intendedHops returns the hops the scenario's forwarding declares, in the
// order the simulator checks them: by tier, then by origin, listener or
// connection.
func intendedHops(tiers []*Tier) [][2]*Tier {
	var out [][2]*Tier
	add := func(from, to *Tier) {
		if to != nil && !slices.Contains(out, [2]*Tier{from, to}) {
			out = append(out, [2]*Tier{from, to})
		}
	}
	addAction := func(from *Tier, a *Action) {
		if a == nil {
			return
		}
		for _, tg := range a.Forward {
			if tg != nil {
				add(from, tg.Tier)
			}
		}
	}
	for _, t := range tiers {
		if t.CloudFront != nil {
			for _, o := range t.CloudFront.Origins {
				add(t, o.Tier)
			}
		}
		for _, l := range t.Listeners {
			for _, r := range l.Rules {
				addAction(t, r.Action)
			}
			addAction(t, l.Default)
		}
		for _, c := range t.ConnectsTo {
			if c != nil {
				add(t, c.Tier)
			}
		}
	}
	return out
}

// decodeWarningExpectation decodes {code, tier, present}.
func (d *decoder) decodeWarningExpectation(v value) *WarningExpectation {
	o := d.object(v, "a warning expectation", warningExpectationKeys, nil)
	if !o.ok {
		return nil
	}
	we := &WarningExpectation{Path: v.path, Pos: d.pos(v.at)}
	ok := true
	if cv, has := d.require(o, "code", "code: shadowed-rule"); has {
		var codeOK bool
		we.Code, codeOK = d.enum(cv, "Invalid value", "warning code", WarningCodes, false)
		ok = ok && codeOK
	} else {
		ok = false
	}
	if tv, has := o.get("tier"); has {
		var tierOK bool
		we.Tier, tierOK = d.lookupTier(tv)
		ok = ok && tierOK
	}
	if pv, has := d.require(o, "present", "present: true"); has {
		var presentOK bool
		we.Present, presentOK = d.boolean(pv)
		ok = ok && presentOK
	} else {
		ok = false
	}
	if !ok {
		return nil
	}
	return we
}
