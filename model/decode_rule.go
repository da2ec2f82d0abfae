package model

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	ingressRuleKeys = []string{"protocol", "ports", "icmp_type", "icmp_code", "from", "description"}
	egressRuleKeys  = []string{"protocol", "ports", "icmp_type", "icmp_code", "to", "description"}
	peerKeys        = []string{"cidr", "security_group", "prefix_list", "self"}
	protocolNames   = map[string]Protocol{"tcp": TCP, "udp": UDP, "icmp": ICMP, "icmpv6": ICMPv6, "all": AllProtocols, "-1": AllProtocols}
)

// Limits of rule fields.
const (
	maxPort         = 65535
	maxProtocol     = 255
	maxICMPField    = 255
	icmpFieldValues = 256
)

// decodeRule decodes the security-group rule at index i of the group's
// ingress or egress list.
func (d *decoder) decodeRule(sg *SecurityGroup, dir Direction, i int, v value) *Rule {
	r := &Rule{Group: sg, Direction: dir, Index: i, Path: v.path, Pos: d.pos(v.at)}
	label, keys, peerKey := "an ingress rule", ingressRuleKeys, "from"
	wrongKey, wrongDetail := "to", "An ingress rule names the source of the traffic with from, and to belongs to egress rules."
	if dir == Egress {
		label, keys, peerKey = "an egress rule", egressRuleKeys, "to"
		wrongKey, wrongDetail = "from", "An egress rule names the destination of the traffic with to, and from belongs to ingress rules."
	}
	o := d.object(v, label, keys, func(key string) string {
		if key == wrongKey {
			return wrongDetail
		}
		return ""
	})

	pv, hasProtocol := d.require(o, "protocol", "protocol: tcp")
	protocolOK := false
	if hasProtocol {
		r.Protocol, protocolOK = d.protocol(pv)
	}
	if protocolOK {
		r.Ports = d.decodeRulePorts(r.Protocol, o)
	}

	if peer, ok := o.get(peerKey); ok {
		d.decodePeer(r, peer)
	} else if o.ok {
		d.missing(o, peerKey, fmt.Sprintf("%s requires %q, which is missing. Add the peer, for example %s: {cidr: 10.0.0.0/16}.", capitalize(label), peerKey, peerKey))
	}

	if dv, ok := o.get("description"); ok {
		r.Description, _ = d.text(dv, "a description as a string")
	}
	return r
}

// decodeRulePorts decodes the ports, icmp_type and icmp_code keys of a
// security-group or network ACL rule, which apply by protocol, into the
// rule's port range.
func (d *decoder) decodeRulePorts(protocol Protocol, o *object) PortRange {
	switch protocol {
	case TCP, UDP:
		for _, key := range []string{"icmp_type", "icmp_code"} {
			if f, ok := o.fields[key]; ok {
				d.errorf(f.key, f.value.path, "Unknown key", "%s applies only to icmp and icmpv6 rules, and this rule's protocol is %s. Remove it, or select ports with ports.", key, protocol)
			}
		}
		pv, ok := d.require(o, "ports", "ports: 443")
		if !ok {
			return PortRange{}
		}
		ports, _ := d.portRange(pv)
		return ports

	case ICMP, ICMPv6:
		if f, ok := o.fields["ports"]; ok {
			d.errorf(f.key, f.value.path, "Unknown key", "%s rules have no ports. Select ICMP messages with icmp_type and icmp_code instead.", protocol)
		}
		return d.icmpRange(&Rule{Protocol: protocol}, o)

	default:
		for _, key := range []string{"icmp_type", "icmp_code"} {
			if f, ok := o.fields[key]; ok {
				d.errorf(f.key, f.value.path, "Unknown key", "%s applies only to icmp and icmpv6 rules, and this rule's protocol is %s. Remove it.", key, protocol)
			}
		}
		if pv, ok := o.get("ports"); ok {
			if ports, ok := d.portRange(pv); ok && !ports.IsAll() {
				d.warnf(pv.at, pv.path, "Ports ignored", "AWS ignores ports for protocol %s, so the rule matches every port. Remove ports, or use tcp or udp to select ports.", protocol)
			}
		}
		return AllPorts
	}
}

// protocol decodes a rule protocol: a name, -1 or a protocol number.
func (d *decoder) protocol(v value) (Protocol, bool) {
	n := v.node
	const expected = "tcp, udp, icmp, icmpv6, all (or -1), or a protocol number from 0 to 255"
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!str") {
		d.wrongType(v, "a protocol: "+expected)
		return 0, false
	}
	s := strings.TrimSpace(n.Value)
	if p, ok := protocolNames[strings.ToLower(s)]; ok {
		return p, true
	}

	num, problem := parseInt(s)
	switch {
	case problem != "" && n.ShortTag() == "!!int":
		d.errorf(v.at, v.path, "Invalid protocol", "%s Use %s.", problem, expected)
		return 0, false
	case problem != "":
		detail := fmt.Sprintf("%q is not a protocol.", s)
		if sug := suggest(s, []string{"tcp", "udp", "icmp", "icmpv6", "all"}); sug != "" {
			detail += fmt.Sprintf(" Did you mean %q?", sug)
		}
		d.errorf(v.at, v.path, "Invalid protocol", "%s Use %s.", detail, expected)
		return 0, false
	case num < -1 || num > maxProtocol:
		d.errorf(v.at, v.path, "Invalid protocol", "Protocol number %d is out of range. Use %s.", num, expected)
		return 0, false
	}
	return Protocol(num), true
}

// portRange decodes ports: a port, a range "N-M" or all.
func (d *decoder) portRange(v value) (PortRange, bool) {
	n := v.node
	const expected = `a port from 0 to 65535, a range such as "8000-8080", or all`
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!str") {
		d.wrongType(v, expected)
		return PortRange{}, false
	}
	s := strings.TrimSpace(n.Value)
	if strings.EqualFold(s, "all") {
		return AllPorts, true
	}
	if n.ShortTag() == "!!int" {
		p, ok := d.port(v, s)
		return PortRange{p, p}, ok
	}

	from, to, isRange := strings.Cut(s, "-")
	if !isRange {
		if !isDigits(s) {
			d.errorf(v.at, v.path, "Invalid port", "%q is not a port. Expected %s.", s, expected)
			return PortRange{}, false
		}
		p, ok := d.port(v, s)
		return PortRange{p, p}, ok
	}
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if !isDigits(from) || !isDigits(to) {
		d.errorf(v.at, v.path, "Invalid port", "%q is not a port range. Expected %s.", s, expected)
		return PortRange{}, false
	}
	lo, okLo := d.port(v, from)
	hi, okHi := d.port(v, to)
	if !okLo || !okHi {
		return PortRange{}, false
	}
	if lo > hi {
		d.errorf(v.at, v.path, "Invalid port", "The range %s starts above its end. Did you mean %d-%d?", s, hi, lo)
		return PortRange{}, false
	}
	return PortRange{lo, hi}, true
}

// port parses the port s, taken from v, and checks that it lies from 0 to
// 65535.
func (d *decoder) port(v value, s string) (int, bool) {
	p, problem := parseInt(s)
	switch {
	case problem != "":
		d.errorf(v.at, v.path, "Invalid port", "%s Ports run from 0 to %d.", problem, maxPort)
		return 0, false
	case p < 0 || p > maxPort:
		d.errorf(v.at, v.path, "Invalid port", "%s is out of range. Ports run from 0 to %d.", s, maxPort)
		return 0, false
	}
	return p, true
}

// icmpRange decodes icmp_type and icmp_code into the encoded range
// type*256+code.
func (d *decoder) icmpRange(r *Rule, o *object) PortRange {
	typ, typeAll := -1, true
	if v, ok := o.get("icmp_type"); ok {
		typ, typeAll = d.icmpField(v, "icmp_type")
	}
	code, codeAll := -1, true
	cv, hasCode := o.get("icmp_code")
	if hasCode {
		code, codeAll = d.icmpField(cv, "icmp_code")
	}

	switch {
	case typ < 0 && !typeAll:
		// icmp_type was invalid and has been reported.
		return AllPorts
	case typeAll && !codeAll && code >= 0:
		d.errorf(cv.at, cv.path, "Invalid value", "icmp_code %d needs an ICMP type, but icmp_type is all. Set icmp_type to the message type, or remove icmp_code.", code)
		return AllPorts
	case typeAll:
		return AllPorts
	case codeAll || code < 0:
		return PortRange{typ * icmpFieldValues, typ*icmpFieldValues + maxICMPField}
	}
	return PortRange{typ*icmpFieldValues + code, typ*icmpFieldValues + code}
}

// icmpField decodes an ICMP type or code: 0-255 or all. It returns -1 and
// false for a value that is invalid, and reports it.
func (d *decoder) icmpField(v value, key string) (n int, all bool) {
	if v.node.Kind == yaml.ScalarNode && v.node.ShortTag() == "!!str" && strings.EqualFold(strings.TrimSpace(v.node.Value), "all") {
		return -1, true
	}
	n, ok := d.intRange(v, "Invalid value", key+" from 0 to 255, or all", 0, maxICMPField)
	if !ok {
		return -1, false
	}
	return n, false
}

// decodePeer decodes the from or to mapping of a rule: exactly one of cidr,
// security_group, prefix_list or self.
func (d *decoder) decodePeer(r *Rule, v value) {
	o := d.object(v, "a rule peer", peerKeys, nil)
	f, ok := d.oneOf(o, peerKeys, "{cidr: 10.0.0.0/16} or {security_group: alb}")
	if !ok {
		return
	}
	pv := f.value
	switch f.name {
	case "cidr":
		if p, ok := d.prefix(pv, 0); ok {
			r.Peer = Peer{Kind: PeerCIDR, CIDR: p}
		}

	case "security_group":
		g, ok := d.lookupGroup(pv)
		if !ok {
			return
		}
		r.Peer = Peer{Kind: PeerSecurityGroup, SecurityGroup: g}
		if g.VPC != nil && r.Group.VPC != nil && g.VPC != r.Group.VPC {
			d.checkCrossVPCReference(r, g, pv)
		}

	case "prefix_list":
		if pl, ok := d.lookupPrefixList(pv); ok {
			r.Peer = Peer{Kind: PeerPrefixList, PrefixList: pl}
		}

	case "self":
		self, ok := d.boolean(pv)
		switch {
		case !ok:
		case !self:
			d.errorf(pv.at, pv.path, "Invalid value", "self: false names no peer. Write self: true for the rule's own group, or name the peer with cidr, security_group or prefix_list.")
		default:
			r.Peer = Peer{Kind: PeerSecurityGroup, SecurityGroup: r.Group, Self: true}
		}
	}
}

// checkCrossVPCReference reports a reference to a group of another VPC that
// AWS does not allow: one needs a same-Region peering between the two VPCs,
// or, for an inbound rule, a transit gateway both VPCs are attached to.
func (d *decoder) checkCrossVPCReference(r *Rule, g *SecurityGroup, pv value) {
	ruleVPC, peerVPC := r.Group.VPC, g.VPC
	crossRegion := false
	for _, p := range d.s.Peerings {
		if p.Connects(ruleVPC, peerVPC) {
			if !p.CrossRegion() {
				return
			}
			crossRegion = true
		}
	}
	for _, t := range d.s.TransitGateways {
		if t.Attachment(ruleVPC) != nil && t.Attachment(peerVPC) != nil {
			if r.Direction == Ingress {
				return
			}
			d.errorf(pv.at, pv.path, "VPC mismatch", "Security group %s is in VPC %s, which reaches VPC %s through transit gateway %s. Across a transit gateway only inbound rules can reference groups; use the peer's CIDR block in this outbound rule.",
				g.Name, peerVPC.Name, ruleVPC.Name, t.Name)
			return
		}
	}
	if crossRegion {
		d.errorf(pv.at, pv.path, "VPC mismatch", "Security group %s is in VPC %s, which is peered with VPC %s across Regions (%s and %s). AWS does not let rules reference groups across a cross-Region peering; use the peer VPC's CIDR block.",
			g.Name, peerVPC.Name, ruleVPC.Name, peerVPC.Region, ruleVPC.Region)
		return
	}
	d.errorf(pv.at, pv.path, "VPC mismatch", "Security group %s is in VPC %s, but this rule belongs to group %s in VPC %s. A rule can reference a group of another VPC only across a same-Region peering, or in an inbound rule across a transit gateway both VPCs are attached to; add one under peerings or transit_gateways, or use a CIDR block.",
		g.Name, peerVPC.Name, r.Group.Name, ruleVPC.Name)
}
