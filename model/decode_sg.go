package model

import (
	"fmt"
	"net/netip"

	"go.yaml.in/yaml/v3"
)

var securityGroupKeys = []string{"vpc", "description", "ingress", "egress"}

// Values of egress that stand for a fixed rule set.
const (
	egressAWSDefault = "aws-default"
	egressNone       = "none"
)

func (d *decoder) decodeSecurityGroups(v value) {
	type pending struct {
		sg *SecurityGroup
		o  *object
	}
	var groups []pending

	// Every group's VPC is decoded before any rule, so that a rule can check
	// the VPC of a group defined further down.
	for _, e := range d.named(v, "security group", false) {
		sg := &SecurityGroup{Name: e.name, Pos: d.pos(e.key)}
		d.s.SecurityGroups = append(d.s.SecurityGroups, sg)
		d.groups[e.name] = sg
		o := d.object(e.value, "a security group", securityGroupKeys, nil)
		d.decodeGroupVPC(sg, o)
		if dv, ok := o.get("description"); ok {
			sg.Description, _ = d.text(dv, "a description as a string")
		}
		groups = append(groups, pending{sg, o})
	}

	for _, g := range groups {
		if iv, ok := g.o.get("ingress"); ok {
			if items, ok := d.list(iv, "a list of ingress rules"); ok {
				for i, item := range items {
					g.sg.Ingress = append(g.sg.Ingress, d.decodeRule(g.sg, Ingress, i, item))
				}
			}
		}
		d.decodeEgress(g.sg, g.o)
	}
}

// decodeGroupVPC sets the group's VPC, which defaults to the only VPC.
func (d *decoder) decodeGroupVPC(sg *SecurityGroup, o *object) {
	if v, ok := o.get("vpc"); ok {
		sg.VPC, _ = d.lookupVPC(v)
		return
	}
	switch {
	case len(d.s.VPCs) == 1:
		sg.VPC = d.s.VPCs[0]
	case len(d.s.VPCs) > 1 && o.ok:
		names := mapNames(d.s.VPCs, func(x *VPC) string { return x.Name })
		d.missing(o, "vpc", fmt.Sprintf("The scenario has %d VPCs (%s), so a security group requires \"vpc\", which is missing. Add the group's VPC, for example vpc: %s.",
			len(names), orList(names, "and"), names[0]))
	}
}

func (d *decoder) decodeEgress(sg *SecurityGroup, o *object) {
	const expected = `a list of rules, "aws-default" or "none"`
	v, ok := o.get("egress")
	if !ok {
		if o.ok {
			d.missing(o, "egress", "A security group requires \"egress\", which is missing. Add egress: aws-default for the rule AWS creates with every group, egress: none for no outbound rules, or a list of rules.")
		}
		return
	}

	switch {
	case v.node.Kind == yaml.SequenceNode:
		items, _ := d.list(v, expected)
		for i, item := range items {
			sg.Egress = append(sg.Egress, d.decodeRule(sg, Egress, i, item))
		}
	case v.node.Kind == yaml.ScalarNode && v.node.ShortTag() == "!!str":
		word, ok := d.enum(v, "Invalid value", "egress setting", []string{egressAWSDefault, egressNone}, false)
		if ok && word == egressAWSDefault {
			sg.EgressDefault = true
			sg.Egress = defaultEgress(sg, v, d.pos(v.at))
		}
		if ok && word == egressNone {
			sg.Egress = []*Rule{}
		}
	default:
		d.wrongType(v, expected)
	}
}

// defaultEgress returns the outbound rules AWS creates with a security
// group: all traffic to 0.0.0.0/0, and to ::/0 when the VPC has an IPv6
// block.
func defaultEgress(sg *SecurityGroup, v value, pos Pos) []*Rule {
	peers := []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
	if sg.VPC != nil && sg.VPC.IPv6CIDR.IsValid() {
		peers = append(peers, netip.MustParsePrefix("::/0"))
	}
	rules := make([]*Rule, len(peers))
	for i, p := range peers {
		rules[i] = &Rule{
			Group:     sg,
			Direction: Egress,
			Index:     i,
			Protocol:  AllProtocols,
			Ports:     AllPorts,
			Peer:      Peer{Kind: PeerCIDR, CIDR: p},
			Path:      v.path,
			Pos:       pos,
		}
	}
	return rules
}
