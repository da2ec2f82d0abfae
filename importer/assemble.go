package importer

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// markUsedVPCs marks the VPCs that hold a tier and warns about the others.
func (b *builder) markUsedVPCs() {
	for _, t := range b.tiers {
		if t.vpc != nil {
			t.vpc.used = true
		}
	}
	var unused []string
	for _, v := range b.vpcList {
		if !v.used {
			unused = append(unused, v.in.Key)
		}
	}
	if len(unused) > 0 {
		b.warn.Add(Location{}, LeftOut, "VPC(s) holding no imported tier are left out with their subnets: %s", shortList(unused, 20))
	}
}

// assemble writes the scenario: names for VPCs and subnets, then every
// section in a fixed order. Tiers appear in chain order.
func (b *builder) assemble(opts Options, chain [][]string, chainComment []string, attackers []*AttackerOut) *Scenario {
	s := &Scenario{Name: cmpOr(opts.Name, "imported"), Description: opts.Description}
	if s.Description == "" {
		s.Description = fmt.Sprintf("Imported by sgchain from %s. Review the PROPOSED parts before relying on a verdict.", sourceName(b.inv.Source))
	}
	s.Header = b.header()

	vpcNames, subnetNames := newNamespace(), newNamespace()
	var vpcs []*vpcState
	for _, v := range b.vpcList {
		if v.used {
			vpcs = append(vpcs, v)
		}
	}
	slices.SortStableFunc(vpcs, func(a, c *vpcState) int { return strings.Compare(bestName(a.in.Names), bestName(c.in.Names)) })
	for _, v := range vpcs {
		v.name = vpcNames.unique(bestName(v.in.Names), v.in.Key)
		vo := &VPCOut{Name: v.name, CIDR: v.cidr.String(), Region: v.region, Comment: append([]string{source(v.in.Key, v.in.Loc)}, v.comment...)}
		v.out = vo
		if v.ipv6.IsValid() {
			vo.IPv6CIDR = v.ipv6.String()
		}
		subnets := slices.Clone(v.subnets)
		slices.SortFunc(subnets, func(a, c *subnetState) int { return a.cidr.Addr().Compare(c.cidr.Addr()) })
		for _, sn := range subnets {
			sn.name = subnetNames.unique(bestName(sn.in.Names), sn.in.Key)
			so := &SubnetOut{Name: sn.name, CIDR: sn.cidr.String(), Public: sn.public, Comment: sn.in.Key}
			if sn.ipv6.IsValid() {
				so.IPv6CIDR = sn.ipv6.String()
			}
			if sn.comment != "" {
				so.Comment += ": " + sn.comment
			}
			sn.out = so
			vo.Subnets = append(vo.Subnets, so)
		}
		s.VPCs = append(s.VPCs, vo)
	}
	s.NetworkACLs = b.networkACLs(len(vpcs) > 1)
	b.routing(vpcs, s)

	for _, ls := range b.listList {
		if ls.used {
			s.PrefixLists = append(s.PrefixLists, ls.out)
		}
	}
	slices.SortFunc(s.PrefixLists, func(a, c *PrefixListOut) int { return strings.Compare(a.Name, c.Name) })

	for _, g := range b.groupList {
		if !g.used {
			continue
		}
		if len(vpcs) > 1 {
			g.out.VPC = g.vpc.name
		}
		s.Groups = append(s.Groups, g.out)
	}
	slices.SortFunc(s.Groups, func(a, c *GroupOut) int { return strings.Compare(a.Name, c.Name) })

	stage := map[string]int{}
	for i, st := range chain {
		for _, name := range st {
			stage[name] = i
		}
	}
	tiers := slices.Clone(b.tiers)
	slices.SortStableFunc(tiers, func(a, c *tierState) int {
		sa, oka := stage[a.name]
		sc, okc := stage[c.name]
		switch {
		case oka && okc && sa != sc:
			return sa - sc
		case oka != okc:
			if oka {
				return -1
			}
			return 1
		}
		if n := slices.Index(model.Kinds, a.kind) - slices.Index(model.Kinds, c.kind); n != 0 {
			return n
		}
		return strings.Compare(a.name, c.name)
	})
	for _, t := range tiers {
		s.Tiers = append(s.Tiers, b.tierOut(t))
	}

	s.Chain, s.ChainComment, s.Attackers = chain, chainComment, attackers
	s.Warnings = b.warn.List
	return s
}

func (b *builder) tierOut(t *tierState) *TierOut {
	out := &TierOut{Name: t.name, Kind: t.kind, Comment: t.comment, Scheme: t.scheme, PublicIP: t.public, IPv6: t.ipv6, Service: t.service, PrivateIP: t.privateIP}
	if t.dualStack {
		out.IPAddressType = "dualstack"
	}
	for _, sn := range t.subnets {
		out.Subnets = append(out.Subnets, sn.name)
	}
	for _, g := range t.groups {
		out.Groups = append(out.Groups, g.name)
	}
	out.GroupsEmpty = t.noGroups
	out.Listeners, out.Origins, out.WAF, out.ConnectsTo = t.listeners, t.origins, t.waf, t.connects
	if t.privateIP != "" && len(t.subnets) > 0 {
		if a, err := netip.ParseAddr(t.privateIP); err != nil || !usableAddress(t.subnets[0].cidr, a) {
			out.PrivateIP = ""
		}
	}
	return out
}

func sourceName(source string) string {
	switch source {
	case "aws":
		return "AWS CLI output"
	case "terraform":
		return "a Terraform plan"
	case "cloudformation":
		return "a CloudFormation template"
	}
	return source
}

func (b *builder) header() []string {
	lines := []string{
		"Imported by sgchain import " + b.inv.Source + " from " + describeInputs(b.inv.Inputs) + ".",
		"",
		"Review this file before relying on a verdict:",
		"  - Lines marked PROPOSED are the importer's guesses from security-group references and public",
		"    addresses: the chain, the attackers, connects_to entries, and targets or public subnets the",
		"    input did not state. Confirm or correct each one.",
		"  - Custom header values are written as " + SecretRefPrefix + "... references, never the real",
		"    values. The same reference on a CloudFront origin and on an ALB rule keeps the check's result.",
		"  - The warnings below list what the input holds that this file leaves out or writes approximately.",
	}
	return lines
}

// describeInputs names the input files: their directory when they share
// one, or the files themselves.
func describeInputs(inputs []string) string {
	switch len(inputs) {
	case 0:
		return "no file"
	case 1:
		return inputs[0]
	}
	dir := filepath.Dir(inputs[0])
	for _, in := range inputs[1:] {
		if filepath.Dir(in) != dir {
			return plural(len(inputs), "file") + ": " + shortList(inputs, 12)
		}
	}
	return plural(len(inputs), "file") + " in " + dir
}
