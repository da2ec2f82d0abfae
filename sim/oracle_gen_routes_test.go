package sim_test

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/sim/internal/oracle"
)

// The routed part of the random scenarios: route tables, NAT gateways, IPv6
// blocks, a second VPC and the peering or transit gateway between the two.
// The classic scenarios have one VPC whose pub subnets are public: true;
// routed ones replace that network with a genNet. Every CIDR a routed
// scenario adds lies inside oracle.Blocks or oracle.Blocks6 or covers such a
// block whole, as for the classic ones.

// genNet is the network of a routed scenario.
type genNet struct {
	vpcs []*genVPC
	// peering and tgw are the flow mappings of peering pcx and transit
	// gateway hub between main and shared, or "" for none.
	peering, tgw string
}

type genVPC struct {
	name, cidr, ipv6, region string
	subnets                  []*genSubnet
	nats                     []*genNAT
	tables                   []*genTable
	mainTable                string
}

type genSubnet struct {
	name, cidr, ipv6 string
	// table is the subnet's route table, "public" for public: true, or ""
	// for the main route table.
	table string
}

type genNAT struct {
	name, subnet, eip string
	private           bool
}

type genTable struct {
	name   string
	routes []string // flow mappings
}

// vpc returns the VPC named name, or nil.
func (n *genNet) vpc(name string) *genVPC {
	for _, v := range n.vpcs {
		if v.name == name {
			return v
		}
	}
	return nil
}

// subnet returns the subnet named name, or nil.
func (n *genNet) subnet(name string) *genSubnet {
	for _, v := range n.vpcs {
		for _, sn := range v.subnets {
			if sn.name == name {
				return sn
			}
		}
	}
	return nil
}

// vpcOfSubnet returns the name of the VPC of subnet name.
func (n *genNet) vpcOfSubnet(name string) string {
	for _, v := range n.vpcs {
		for _, sn := range v.subnets {
			if sn.name == name {
				return v.name
			}
		}
	}
	return ""
}

// sameRegion reports whether a peering between the two VPCs lets rules
// reference groups across it: both in one Region, or a Region left out.
func (n *genNet) sameRegion() bool {
	a, b := n.vpcs[0].region, n.vpcs[1].region
	return a == "" || b == "" || a == b
}

// crossReference reports whether a rule in one VPC may reference a group of
// the other: across a same-Region peering in either direction, and across
// a transit gateway inbound only.
func (n *genNet) crossReference(ingress bool) bool {
	if len(n.vpcs) < 2 {
		return false
	}
	return (n.peering != "" && n.sameRegion()) || (ingress && n.tgw != "")
}

func (n *genNet) clone() *genNet {
	c := &genNet{peering: n.peering, tgw: n.tgw}
	for _, v := range n.vpcs {
		x := *v
		x.subnets, x.nats, x.tables = nil, nil, nil
		for _, sn := range v.subnets {
			y := *sn
			x.subnets = append(x.subnets, &y)
		}
		for _, g := range v.nats {
			y := *g
			x.nats = append(x.nats, &y)
		}
		for _, t := range v.tables {
			x.tables = append(x.tables, &genTable{name: t.name, routes: slices.Clone(t.routes)})
		}
		c.vpcs = append(c.vpcs, &x)
	}
	return c
}

// writeNet renders the vpcs, peerings and transit_gateways sections.
func (g *genScenario) writeNet(p func(string, ...any)) {
	p("vpcs:\n")
	for _, v := range g.net.vpcs {
		p("  %s:\n    cidr: %s\n", v.name, v.cidr)
		if v.ipv6 != "" {
			p("    ipv6_cidr: %q\n", v.ipv6)
		}
		if v.region != "" {
			p("    region: %s\n", v.region)
		}
		if len(v.nats) > 0 {
			p("    nat_gateways:\n")
			for _, n := range v.nats {
				p("      %s: {subnet: %s", n.name, n.subnet)
				if n.private {
					p(", connectivity: private")
				}
				if n.eip != "" {
					p(", elastic_ip: %s", n.eip)
				}
				p("}\n")
			}
		}
		if len(v.tables) > 0 {
			p("    route_tables:\n")
			for _, t := range v.tables {
				p("      %s:\n        routes: [%s]\n", t.name, strings.Join(t.routes, ", "))
			}
		}
		if v.mainTable != "" {
			p("    main_route_table: %s\n", v.mainTable)
		}
		p("    subnets:\n")
		for _, sn := range v.subnets {
			p("      %s: {cidr: %s", sn.name, sn.cidr)
			if sn.ipv6 != "" {
				p(", ipv6_cidr: %q", sn.ipv6)
			}
			switch sn.table {
			case "":
			case "public":
				p(", public: true")
			default:
				p(", route_table: %s", sn.table)
			}
			if name, ok := g.subnetACL[sn.name]; ok {
				p(", network_acl: %s", name)
			}
			p("}\n")
		}
	}
	if g.net.peering != "" {
		p("peerings:\n  pcx: %s\n", g.net.peering)
	}
	if g.net.tgw != "" {
		p("transit_gateways:\n  hub: %s\n", g.net.tgw)
	}
}

// network draws the network of a routed scenario: VPC main with the four
// subnets of the classic scenarios, and often VPC shared with two more,
// joined by a peering, a transit gateway or both.
func (g *generator) network() *genNet {
	n := &genNet{}
	main := &genVPC{name: "main", cidr: "10.0.0.0/16"}
	mainV6 := g.chance(0.55)
	if mainV6 {
		main.ipv6 = "2600:1f18:1234:5600::/56"
	}
	for _, sn := range []struct{ name, cidr, ipv6 string }{
		{"pub-a", "10.0.0.0/24", "2600:1f18:1234:5600::/64"},
		{"pub-b", "10.0.1.0/24", "2600:1f18:1234:5601::/64"},
		{"app-a", "10.0.10.0/24", "2600:1f18:1234:560a::/64"},
		{"app-b", "10.0.11.0/24", "2600:1f18:1234:560b::/64"},
	} {
		x := &genSubnet{name: sn.name, cidr: sn.cidr}
		if mainV6 && (sn.name != "app-b" || g.chance(0.7)) {
			x.ipv6 = sn.ipv6
		}
		main.subnets = append(main.subnets, x)
	}
	n.vpcs = append(n.vpcs, main)

	if g.chance(0.45) {
		shared := &genVPC{name: "shared", cidr: "10.1.0.0/16"}
		sharedV6 := g.chance(0.5)
		if sharedV6 {
			shared.ipv6 = "2600:1f18:1234:5700::/56"
		}
		for _, sn := range []struct{ name, cidr, ipv6 string }{
			{"sh-a", "10.1.0.0/24", "2600:1f18:1234:5700::/64"},
			{"sh-b", "10.1.1.0/24", "2600:1f18:1234:5701::/64"},
		} {
			x := &genSubnet{name: sn.name, cidr: sn.cidr}
			if sharedV6 {
				x.ipv6 = sn.ipv6
			}
			shared.subnets = append(shared.subnets, x)
		}
		n.vpcs = append(n.vpcs, shared)

		switch g.r.IntN(3) {
		case 1:
			main.region, shared.region = "us-east-1", "us-east-1"
		case 2:
			main.region, shared.region = "us-east-1", "eu-west-1"
		}
		switch k := g.r.IntN(20); {
		case k < 9:
			n.peering = "{vpcs: [main, shared]}"
		case k < 16:
			n.tgw = g.transitGateway()
		case k < 19:
			n.peering = "{vpcs: [shared, main]}"
			n.tgw = g.transitGateway()
		}
	}

	// NAT gateways, with distinct Elastic IP addresses where set.
	eips := []string{"203.0.113.9", "198.51.100.140", "52.10.20.30"}
	g.r.Shuffle(len(eips), func(i, j int) { eips[i], eips[j] = eips[j], eips[i] })
	addNAT := func(v *genVPC, name, subnet string) {
		nat := &genNAT{name: name, subnet: subnet}
		switch {
		case g.chance(0.1):
			nat.private = true
		case g.chance(0.5) && len(eips) > 0:
			nat.eip, eips = eips[0], eips[1:]
		}
		v.nats = append(v.nats, nat)
	}
	for i := range g.r.IntN(3) {
		addNAT(main, fmt.Sprintf("nat%d", i), g.pick("pub-a", "pub-a", "pub-b", "pub-b", "app-a"))
	}
	if shared := n.vpc("shared"); shared != nil && g.chance(0.35) {
		addNAT(shared, "nat-sh", g.pick("sh-b", "sh-b", "sh-a"))
	}

	for _, v := range n.vpcs {
		g.routeTables(n, v)
	}
	return n
}

// transitGateway returns the flow mapping of a transit gateway between main
// and shared, with security-group referencing set at random.
func (g *generator) transitGateway() string {
	attach := func() string {
		return g.pick("{}", "{}", "{security_group_referencing: true}", "{security_group_referencing: false}")
	}
	var ref string
	switch g.r.IntN(4) {
	case 0, 1:
		ref = "security_group_referencing: true, "
	case 2:
		ref = "security_group_referencing: false, "
	}
	return fmt.Sprintf("{%sattachments: {main: %s, shared: %s}}", ref, attach(), attach())
}

// routeTables draws the route tables of VPC v and gives its subnets one:
// an internet table, a private table through a NAT gateway or without a
// default route, and sometimes an odd one.
func (g *generator) routeTables(n *genNet, v *genVPC) {
	prefix := "rt-"
	if v.name != "main" {
		prefix = "sh-rt-"
	}
	pub := &genTable{name: prefix + "pub"}
	priv := &genTable{name: prefix + "priv"}
	odd := &genTable{name: prefix + "odd"}
	g.fillTable(n, v, pub, "internet")
	g.fillTable(n, v, priv, "private")
	g.fillTable(n, v, odd, "odd")
	v.tables = []*genTable{pub, priv}
	if g.chance(0.4) {
		v.tables = append(v.tables, odd)
	}
	var names []string
	for _, t := range v.tables {
		names = append(names, t.name)
	}

	for _, sn := range v.subnets {
		public := sn.name == "pub-a" || sn.name == "pub-b" || sn.name == "sh-b"
		switch k := g.r.IntN(20); {
		case public && k < 7:
			sn.table = "public"
		case public && k < 15:
			sn.table = pub.name
		case !public && k < 9:
			sn.table = priv.name
		case !public && k < 15:
			sn.table = ""
		case k < 17:
			sn.table = g.pick(names...)
		case k < 18:
			sn.table = "public"
		default:
			sn.table = ""
		}
	}
	if g.chance(0.3) {
		v.mainTable = g.pick(names...)
	}
}

// fillTable draws the routes of table t in VPC v. kind "internet" sends
// the default routes to the internet gateway, "private" sends IPv4 to a NAT
// gateway and IPv6 to the egress-only gateway, and "odd" mixes targets
// and more specific destinations.
func (g *generator) fillTable(n *genNet, v *genVPC, t *genTable, kind string) {
	used := map[string]bool{}
	add := func(dest, target string) {
		if used[dest] {
			return
		}
		used[dest] = true
		key := "destination"
		if !strings.Contains(dest, "/") {
			key = "destination_prefix_list"
		}
		t.routes = append(t.routes, fmt.Sprintf("{%s: %s, %s}", key, dest, target))
	}
	var nats []string
	for _, nat := range v.nats {
		nats = append(nats, nat.name)
	}
	igw, eigw := "internet_gateway: true", "egress_only_internet_gateway: true"
	natTarget := func() string {
		if len(nats) == 0 {
			return igw
		}
		return "nat_gateway: " + g.pick(nats...)
	}
	v6 := v.ipv6 != ""

	switch kind {
	case "internet":
		if g.chance(0.9) {
			add("0.0.0.0/0", igw)
		}
		if v6 && g.chance(0.8) {
			add(`"::/0"`, g.pick(igw, igw, igw, eigw))
		}
	case "private":
		if len(nats) > 0 && g.chance(0.8) {
			add("0.0.0.0/0", natTarget())
		}
		if v6 && g.chance(0.7) {
			add(`"::/0"`, g.pick(eigw, eigw, igw))
		}
	default:
		if g.chance(0.5) {
			add("0.0.0.0/0", g.pick(igw, natTarget()))
		}
		if v6 && g.chance(0.5) {
			add(`"::/0"`, g.pick(igw, eigw))
		}
	}

	// More specific public destinations, which beat the default routes.
	for range g.r.IntN(3) {
		if kind != "odd" && !g.chance(0.3) {
			continue
		}
		if v6 && g.chance(0.3) {
			add(g.routeDest6(), g.pick(igw, eigw))
		} else {
			add(g.routeDest4(), g.pick(igw, natTarget()))
		}
	}
	if g.chance(0.12) {
		switch k := g.r.IntN(3); {
		case k == 0:
			add("cloudfront", g.pick(igw, natTarget()))
		case k == 1 && g.cf6 && v6:
			add("cloudfront6", g.pick(igw, eigw))
		case g.hasOffice:
			add("office", g.pick(igw, natTarget()))
		}
	}

	// The way to the other VPC.
	if len(n.vpcs) < 2 || (n.peering == "" && n.tgw == "") || !g.chance(0.8) {
		return
	}
	other := n.vpcs[0]
	if other == v {
		other = n.vpcs[1]
	}
	via := func() string {
		switch {
		case n.peering != "" && n.tgw != "":
			return g.pick("peering: pcx", "transit_gateway: hub")
		case n.peering != "":
			return "peering: pcx"
		}
		return "transit_gateway: hub"
	}
	add(g.pick(other.cidr, other.cidr, "10.0.0.0/8", other.subnets[0].cidr), via())
	if v6 && other.ipv6 != "" && g.chance(0.4) {
		add(fmt.Sprintf("%q", other.ipv6), via())
	}
}

// routeDest4 returns a public IPv4 destination: a block that covers some
// of oracle.Blocks, or a part of a public one.
func (g *generator) routeDest4() string {
	if g.chance(0.6) {
		return g.pick("203.0.113.0/24", "198.51.100.0/24", "198.51.100.128/25", "192.0.2.0/24", "192.0.2.0/26", "172.16.5.0/24")
	}
	return subBlock(oracle.Blocks[g.r.IntN(3)], 28+g.r.IntN(5), g.r.IntN(16))
}

// routeDest6 returns a public IPv6 destination, quoted.
func (g *generator) routeDest6() string {
	if g.chance(0.6) {
		return g.pick(`"2001:db8::/32"`, `"2001:db8:203::/48"`, `"2001:db8:c0::/48"`)
	}
	return fmt.Sprintf("%q", subBlock(oracle.Blocks6[g.r.IntN(2)], 124+g.r.IntN(5), g.r.IntN(16)))
}

// cidr6 returns an IPv6 CIDR for a rule, quoted: a block that covers some
// of oracle.Blocks6, or a part of one.
func (g *generator) cidr6() string {
	if g.chance(0.4) {
		return g.pick(`"::/0"`, `"2001:db8::/32"`, `"2001:db8:203::/48"`, `"2001:db8:c0::/48"`, `"2600:1f18:1234:5600::/56"`,
			`"2600:1f18:1234:5600::/64"`, `"2600:1f18:1234:560a::/64"`, `"2600:1f18:1234:5700::/56"`)
	}
	return fmt.Sprintf("%q", subBlock(oracle.Blocks6[g.r.IntN(len(oracle.Blocks6))], 124+g.r.IntN(5), g.r.IntN(16)))
}

// subBlock returns the block of length bits inside the 16-address block b
// that holds b's address number off.
func subBlock(b netip.Prefix, bits, off int) string {
	off &^= 1<<(b.Addr().BitLen()-bits) - 1
	a := b.Addr()
	for range off {
		a = a.Next()
	}
	return netip.PrefixFrom(a, bits).String()
}

// vpcSubnets returns the subnets of VPC vpc in a routed scenario, or the
// classic four.
func (s *genScenario) vpcSubnets(vpc string) []string {
	if s.net == nil {
		return []string{"pub-a", "pub-b", "app-a", "app-b"}
	}
	var out []string
	for _, sn := range s.net.vpc(vpc).subnets {
		out = append(out, sn.name)
	}
	return out
}

// hasIPv6 reports whether every subnet in names has an IPv6 block.
func (s *genScenario) hasIPv6(names []string) bool {
	if s.net == nil {
		return false
	}
	for _, name := range names {
		if sn := s.net.subnet(name); sn == nil || sn.ipv6 == "" {
			return false
		}
	}
	return true
}

// netShrinkCandidates passes to edit every change that removes one part of
// g's routed network. Each change makes the scenario smaller, so that
// shrinking ends.
func netShrinkCandidates(g *genScenario, edit func(func(c *genScenario))) {
	if g.net == nil {
		return
	}
	for i, v := range g.net.vpcs {
		for j, t := range v.tables {
			for k := range t.routes {
				edit(func(c *genScenario) {
					rt := c.net.vpcs[i].tables[j]
					rt.routes = slices.Delete(rt.routes, k, k+1)
				})
			}
		}
		for j, sn := range v.subnets {
			if sn.table != "" {
				edit(func(c *genScenario) { c.net.vpcs[i].subnets[j].table = "" })
			}
		}
		for j, nat := range v.nats {
			edit(func(c *genScenario) { c.net.vpcs[i].nats = slices.Delete(c.net.vpcs[i].nats, j, j+1) })
			if nat.eip != "" {
				edit(func(c *genScenario) { c.net.vpcs[i].nats[j].eip = "" })
			}
		}
		if v.mainTable != "" {
			edit(func(c *genScenario) { c.net.vpcs[i].mainTable = "" })
		}
		if v.region != "" {
			edit(func(c *genScenario) { c.net.vpcs[i].region = "" })
		}
	}
	for i, v := range g.net.vpcs {
		for j := range v.tables {
			// Only a table that no subnet names can go.
			edit(func(c *genScenario) {
				c.net.vpcs[i].tables = slices.Delete(c.net.vpcs[i].tables, j, j+1)
			})
		}
		if i > 0 {
			// The second VPC goes with its groups, network ACLs and
			// connections; a scenario whose tiers still use it does
			// not load.
			edit(func(c *genScenario) {
				c.net.vpcs = c.net.vpcs[:1]
				c.net.peering, c.net.tgw = "", ""
				c.groups = slices.DeleteFunc(c.groups, func(sg *genGroup) bool { return sg.vpc == v.name })
				c.acls = slices.DeleteFunc(c.acls, func(acl *genACL) bool { return acl.vpc == v.name })
				for _, sg := range c.groups {
					sg.vpc = ""
				}
				for _, acl := range c.acls {
					acl.vpc = ""
				}
				for _, sn := range v.subnets {
					delete(c.subnetACL, sn.name)
				}
			})
		}
	}
	if g.net.peering != "" {
		edit(func(c *genScenario) { c.net.peering = "" })
	}
	if g.net.tgw != "" {
		edit(func(c *genScenario) { c.net.tgw = "" })
	}
	for i, t := range g.tiers {
		if t.ipv6 {
			edit(func(c *genScenario) { c.tiers[i].ipv6 = false })
		}
		if len(t.subnets) > 1 && t.kind != "alb" && t.kind != "nlb" {
			edit(func(c *genScenario) { c.tiers[i].subnets = c.tiers[i].subnets[:1] })
		}
		for j, conn := range t.connects {
			if strings.Contains(conn, "address: public") {
				edit(func(c *genScenario) {
					c.tiers[i].connects[j] = strings.Replace(conn, ", address: public", "", 1)
				})
			}
		}
	}
	if g.cloudFront6 {
		edit(func(c *genScenario) { c.cloudFront6 = false })
	}
}
