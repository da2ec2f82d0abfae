package model

import (
	"fmt"
	"slices"
)

var (
	networkACLKeys = []string{"vpc", "ingress", "egress"}
	naclRuleKeys   = []string{"rule", "action", "protocol", "ports", "icmp_type", "icmp_code", "cidr", "description"}
)

// Network ACL rule numbers. AWS numbers the * rules that end every network
// ACL 32767 (IPv4) and 32768 (IPv6), so a written rule stops below them.
const (
	minNACLRuleNumber = 1
	maxNACLRuleNumber = 32766
)

// decodeNetworkACLs decodes the network_acls section. It runs after the VPCs
// are decoded, and subnets resolve their network_acl references once it has
// run.
func (d *decoder) decodeNetworkACLs(v value) {
	for _, e := range d.named(v, "network ACL", false) {
		acl := &NetworkACL{Name: e.name, Pos: d.pos(e.key)}
		d.s.NetworkACLs = append(d.s.NetworkACLs, acl)
		d.networkACLs[e.name] = acl

		o := d.object(e.value, "a network ACL", networkACLKeys, nil)
		d.decodeNetworkACLVPC(acl, o)
		if rv, ok := o.get("ingress"); ok {
			acl.Ingress = d.decodeNACLRules(acl, Ingress, rv)
		}
		if rv, ok := o.get("egress"); ok {
			acl.Egress = d.decodeNACLRules(acl, Egress, rv)
		}
	}
}

// decodeNetworkACLVPC sets the network ACL's VPC, which defaults to the only
// VPC.
func (d *decoder) decodeNetworkACLVPC(acl *NetworkACL, o *object) {
	if v, ok := o.get("vpc"); ok {
		acl.VPC, _ = d.lookupVPC(v)
		return
	}
	switch {
	case len(d.s.VPCs) == 1:
		acl.VPC = d.s.VPCs[0]
	case len(d.s.VPCs) > 1 && o.ok:
		names := mapNames(d.s.VPCs, func(x *VPC) string { return x.Name })
		d.missing(o, "vpc", fmt.Sprintf("The scenario has %d VPCs (%s), so a network ACL requires \"vpc\", which is missing. Add the network ACL's VPC, for example vpc: %s.",
			len(names), orList(names, "and"), names[0]))
	}
}

// decodeNACLRules decodes the ingress or egress list of a network ACL and
// returns its rules in ascending rule-number order.
func (d *decoder) decodeNACLRules(acl *NetworkACL, dir Direction, v value) []*NACLRule {
	items, ok := d.list(v, "a list of "+dir.String()+" rules")
	if !ok {
		return nil
	}
	rules := make([]*NACLRule, 0, len(items))
	numbers := map[int]value{}
	for _, item := range items {
		r, nv := d.decodeNACLRule(acl, dir, item)
		rules = append(rules, r)
		if r.Number == 0 {
			continue
		}
		if first, dup := numbers[r.Number]; dup {
			d.errorf(nv.at, nv.path, "Duplicate value", "Rule number %d is already used by the %s rule on line %d. Each %s rule of a network ACL needs its own number.",
				r.Number, dir, first.at.Line, dir)
			continue
		}
		numbers[r.Number] = nv
	}
	slices.SortStableFunc(rules, func(a, b *NACLRule) int { return a.Number - b.Number })
	return rules
}

// decodeNACLRule decodes one network ACL rule. It also returns the value of
// the rule number, for the check for duplicate numbers. The number is 0 when
// it did not decode.
func (d *decoder) decodeNACLRule(acl *NetworkACL, dir Direction, v value) (*NACLRule, value) {
	r := &NACLRule{ACL: acl, Direction: dir, Path: v.path, Pos: d.pos(v.at)}
	o := d.mapping(v, "a network ACL rule")
	// A rule that names its peer with a security-group rule's key gets an
	// "Unknown key" error that suggests cidr, so a second error for the
	// missing cidr would repeat it.
	namesPeer := slices.ContainsFunc(o.order, func(f field) bool { return naclPeerKeyDetail(f.name) != "" })
	d.allow(o, naclRuleKeys, naclPeerKeyDetail)

	nv, ok := d.require(o, "rule", "rule: 100")
	if ok {
		r.Number = d.naclRuleNumber(nv)
	}

	if av, ok := d.require(o, "action", "action: allow"); ok {
		if action, ok := d.enum(av, "Invalid value", "rule action", []string{"allow", "deny"}, false); ok {
			r.Allow = action == "allow"
		}
	}

	if pv, ok := d.require(o, "protocol", "protocol: tcp"); ok {
		if p, ok := d.protocol(pv); ok {
			r.Protocol = p
			r.Ports = d.decodeRulePorts(p, o)
		}
	}

	if cv, ok := o.get("cidr"); ok {
		r.CIDR, _ = d.prefix(cv, 0)
	} else if !namesPeer {
		d.require(o, "cidr", "cidr: 0.0.0.0/0")
	}

	// NACLRule keeps no description, so the value is only checked.
	if dv, ok := o.get("description"); ok {
		d.text(dv, "a description as a string")
	}
	return r, nv
}

// naclPeerKeyDetail explains why a security-group rule's peer key is not a
// key of a network ACL rule.
func naclPeerKeyDetail(key string) string {
	switch key {
	case "from", "to":
		return "Network ACL rules take only CIDRs, as AWS does. Write the peer's block with cidr, such as cidr: 10.0.0.0/16."
	case "security_group", "self":
		return "Network ACL rules take only CIDRs, as AWS does, so they cannot match a security group. Write the block of the group's subnets with cidr."
	case "prefix_list":
		return "Network ACL rules take only CIDRs, as AWS does, so they cannot name a prefix list. Write one rule per block of the list with cidr."
	}
	return ""
}

// naclRuleNumber decodes a rule number, returning 0 for one that is invalid.
func (d *decoder) naclRuleNumber(v value) int {
	const expected = "a rule number from 1 to 32766"
	n, ok := d.integer(v, expected)
	switch {
	case !ok:
		return 0
	case n > maxNACLRuleNumber:
		d.errorf(v.at, v.path, "Invalid value", "%d is out of range. Expected %s. AWS keeps 32767 (IPv4) and 32768 (IPv6) for the * rules that end every network ACL. They deny whatever no numbered rule matches, and AWS adds them itself.", n, expected)
		return 0
	case n < minNACLRuleNumber:
		d.errorf(v.at, v.path, "Invalid value", "%d is out of range. Expected %s.", n, expected)
		return 0
	}
	return n
}

// resolveSubnetACL sets the network ACL that the network_acl value v of sub
// names. It runs once every network ACL is decoded.
func (d *decoder) resolveSubnetACL(sub *Subnet, v value) {
	acl, ok := d.lookupNetworkACL(v)
	if !ok {
		return
	}
	if acl.VPC != nil && acl.VPC != sub.VPC {
		d.errorf(v.at, v.path, "VPC mismatch", "Network ACL %s is in VPC %s, but subnet %s is in VPC %s. A subnet can use only a network ACL of its own VPC.",
			acl.Name, acl.VPC.Name, sub.Name, sub.VPC.Name)
		return
	}
	sub.NetworkACL = acl
}
