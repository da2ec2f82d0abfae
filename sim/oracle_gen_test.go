package sim_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/sim/internal/oracle"
)

// genScenario is a small random scenario in a form that is easy to render
// as YAML, to shrink and to transform. Every CIDR it uses lies inside one
// of oracle.Blocks or covers such a block whole, and every port it names
// is in oracle.DefaultUniverse, so that the oracle's universe holds a
// member of every packet class the simulator can tell apart.
type genScenario struct {
	// cloudFrontEntries are pasted entries of the CloudFront list; nil keeps
	// the stand-in 192.0.2.0/26.
	cloudFrontEntries []string
	// office is a customer-managed list's entries; nil leaves it out.
	office []string
	groups []*genGroup
	acls   []*genACL
	// subnetACL maps a subnet to its network ACL; a subnet not in it has
	// the VPC's default.
	subnetACL map[string]string
	tiers     []*genTier
	chain     [][]string
	attackers []*genAttacker
	// net is the network of a routed scenario; nil is the classic VPC whose
	// pub subnets are public: true.
	net *genNet
	// cloudFront6 adds the AWS-managed IPv6 CloudFront list as cloudfront6.
	cloudFront6 bool
}

type genGroup struct {
	name    string
	vpc     string   // empty leaves the key out
	ingress []string // flow mappings
	// egress is "aws-default", "none" or a flow list of rules.
	egressMode string
	egress     []string
}

type genACL struct {
	name            string
	vpc             string   // empty leaves the key out
	ingress, egress []string // flow mappings
}

type genTier struct {
	name, kind string
	vpc        string // the VPC of the subnets, not written
	subnets    []string
	// ipv6 is ipv6: true on a compute tier and a dual-stack load balancer.
	ipv6      bool
	groups    []string // nil leaves the key out; an empty list is written []
	public    bool
	privateIP string // empty leaves the address to the loader
	ephemeral string // ephemeral_ports, or empty for the kind's default
	// YAML fragments for the kind-specific keys, one flow value each.
	waf       string
	origins   []string
	listeners []string
	connects  []string
}

type genAttacker struct {
	name, kind string
	tier       string
	cidrs      []string
	knows      []string
	ownDist    string // "", "true" or "false"
}

// yaml renders the scenario.
func (g *genScenario) yaml() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("name: random\n")
	if g.net != nil {
		g.writeNet(p)
	} else {
		p("vpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n")
		for _, sn := range []struct{ name, cidr, public string }{
			{"pub-a", "10.0.0.0/24", ", public: true"}, {"pub-b", "10.0.1.0/24", ", public: true"},
			{"app-a", "10.0.10.0/24", ""}, {"app-b", "10.0.11.0/24", ""},
		} {
			acl := ""
			if name, ok := g.subnetACL[sn.name]; ok {
				acl = ", network_acl: " + name
			}
			p("      %s: {cidr: %s%s%s}\n", sn.name, sn.cidr, sn.public, acl)
		}
	}
	p("prefix_lists:\n  cloudfront:\n    aws_managed: com.amazonaws.global.cloudfront.origin-facing\n")
	if g.cloudFrontEntries != nil {
		p("    entries: [%s]\n", strings.Join(g.cloudFrontEntries, ", "))
	}
	if g.cloudFront6 {
		p("  cloudfront6:\n    aws_managed: com.amazonaws.global.ipv6.cloudfront.origin-facing\n")
	}
	if g.office != nil {
		p("  office: {max_entries: 5, entries: [%s]}\n", strings.Join(g.office, ", "))
	}
	if len(g.groups) > 0 {
		p("security_groups:\n")
	}
	for _, sg := range g.groups {
		p("  %s:\n", sg.name)
		if sg.vpc != "" {
			p("    vpc: %s\n", sg.vpc)
		}
		p("    ingress: [%s]\n", strings.Join(sg.ingress, ", "))
		if sg.egressMode == "list" {
			p("    egress: [%s]\n", strings.Join(sg.egress, ", "))
		} else {
			p("    egress: %s\n", sg.egressMode)
		}
	}
	if len(g.acls) > 0 {
		p("network_acls:\n")
	}
	for _, acl := range g.acls {
		p("  %s:\n", acl.name)
		if acl.vpc != "" {
			p("    vpc: %s\n", acl.vpc)
		}
		p("    ingress: [%s]\n    egress: [%s]\n", strings.Join(acl.ingress, ", "), strings.Join(acl.egress, ", "))
	}
	p("tiers:\n")
	for _, t := range g.tiers {
		p("  %s:\n    kind: %s\n", t.name, t.kind)
		switch t.kind {
		case "cloudfront":
			if t.waf != "" {
				p("    waf: %s\n", t.waf)
			}
			p("    origins: [%s]\n", strings.Join(t.origins, ", "))
			continue
		case "alb", "nlb":
			scheme := "internal"
			if t.public {
				scheme = "internet-facing"
			}
			p("    scheme: %s\n", scheme)
			if t.ipv6 {
				p("    ip_address_type: dualstack\n")
			}
			p("    listeners: [%s]\n", strings.Join(t.listeners, ", "))
		default:
			p("    public_ip: %v\n", t.public)
			if t.ipv6 {
				p("    ipv6: true\n")
			}
			if len(t.connects) > 0 {
				p("    connects_to: [%s]\n", strings.Join(t.connects, ", "))
			}
		}
		p("    subnets: [%s]\n", strings.Join(t.subnets, ", "))
		if t.privateIP != "" {
			p("    private_ip: %s\n", t.privateIP)
		}
		if t.ephemeral != "" {
			p("    ephemeral_ports: %s\n", t.ephemeral)
		}
		if t.groups != nil {
			p("    security_groups: [%s]\n", strings.Join(t.groups, ", "))
		}
	}
	p("chain:\n")
	for _, st := range g.chain {
		p("  - [%s]\n", strings.Join(st, ", "))
	}
	p("attackers:\n")
	for _, a := range g.attackers {
		p("  %s: {kind: %s", a.name, a.kind)
		if a.tier != "" {
			p(", tier: %s", a.tier)
		}
		if a.cidrs != nil {
			p(", cidrs: [%s]", strings.Join(a.cidrs, ", "))
		}
		if a.knows != nil {
			p(", knows_secrets: [%s]", strings.Join(a.knows, ", "))
		}
		if a.ownDist != "" {
			p(", own_distribution: %s", a.ownDist)
		}
		p("}\n")
	}
	return b.String()
}

// clone returns a deep copy.
func (g *genScenario) clone() *genScenario {
	c := &genScenario{
		cloudFrontEntries: slices.Clone(g.cloudFrontEntries),
		office:            slices.Clone(g.office),
		cloudFront6:       g.cloudFront6,
	}
	if g.net != nil {
		c.net = g.net.clone()
	}
	for _, sg := range g.groups {
		x := *sg
		x.ingress, x.egress = slices.Clone(sg.ingress), slices.Clone(sg.egress)
		c.groups = append(c.groups, &x)
	}
	for _, acl := range g.acls {
		x := *acl
		x.ingress, x.egress = slices.Clone(acl.ingress), slices.Clone(acl.egress)
		c.acls = append(c.acls, &x)
	}
	c.subnetACL = maps.Clone(g.subnetACL)
	for _, t := range g.tiers {
		x := *t
		x.subnets, x.groups = slices.Clone(t.subnets), slices.Clone(t.groups)
		x.origins, x.listeners, x.connects = slices.Clone(t.origins), slices.Clone(t.listeners), slices.Clone(t.connects)
		c.tiers = append(c.tiers, &x)
	}
	for _, st := range g.chain {
		c.chain = append(c.chain, slices.Clone(st))
	}
	for _, a := range g.attackers {
		x := *a
		x.cidrs, x.knows = slices.Clone(a.cidrs), slices.Clone(a.knows)
		c.attackers = append(c.attackers, &x)
	}
	return c
}

// generator draws random scenarios from one seed.
type generator struct {
	r *rand.Rand
	// routed adds route tables, NAT gateways, IPv6 and a second VPC.
	routed bool
	// hasOffice and cf6 record whether the scenario being drawn has the
	// office list and the IPv6 CloudFront list, for rules and routes.
	hasOffice, cf6 bool
}

func newGenerator(seed uint64) *generator {
	return &generator{r: rand.New(rand.NewPCG(seed, 0x0_5ca1ab1e))}
}

// newRoutedGenerator returns a generator of routed scenarios.
func newRoutedGenerator(seed uint64) *generator {
	return &generator{r: rand.New(rand.NewPCG(seed, 0x0_5ca1ab1e)), routed: true}
}

func (g *generator) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }
func (g *generator) chance(p float64) bool    { return g.r.Float64() < p }

// cidr returns a CIDR inside one of the oracle's blocks, or one of the
// larger blocks the probes stand for.
func (g *generator) cidr() string {
	if g.chance(0.3) {
		return g.pick("0.0.0.0/0", "10.0.0.0/16", "10.0.10.0/24", "10.0.0.0/24", "203.0.113.0/24", "192.0.2.0/24", "192.0.2.0/26", "172.16.5.0/24", "198.51.100.128/25")
	}
	b := oracle.Blocks[g.r.IntN(len(oracle.Blocks))]
	bits := 28 + g.r.IntN(5)
	off := g.r.IntN(16) &^ (1<<(32-bits) - 1)
	a := b.Addr()
	for range off {
		a = a.Next()
	}
	return netip.PrefixFrom(a, bits).String()
}

// ports are the TCP and UDP ports random rules and listeners use.
var genPorts = []int{0, 1, 2, 5, 7, 8, 15, 16, 22, 31, 32, 63, 80, 443, 1024, 7350, 8080, 65535}

func (g *generator) port() int { return genPorts[g.r.IntN(len(genPorts))] }

// listenerPort avoids 0, which no listener may use.
func (g *generator) listenerPort() int {
	for {
		if p := g.port(); p != 0 {
			return p
		}
	}
}

func (g *generator) portSpec() string {
	switch g.r.IntN(4) {
	case 0:
		return "all"
	case 1:
		a, b := g.port(), g.port()
		return fmt.Sprintf(`"%d-%d"`, min(a, b), max(a, b))
	}
	return fmt.Sprint(g.port())
}

// rule returns a rule as a flow mapping, with peerKey "from" or "to".
func (g *generator) rule(peerKey string, groups []string, hasOffice bool) string {
	var body string
	switch g.r.IntN(20) {
	case 0, 1, 2, 3, 4, 5, 6, 7, 8, 9:
		body = "protocol: tcp, ports: " + g.portSpec()
	case 10, 11, 12:
		body = "protocol: udp, ports: " + g.portSpec()
	case 13, 14:
		body = "protocol: icmp"
		switch g.r.IntN(3) {
		case 0:
			body += ", icmp_type: 8"
		case 1:
			body += ", icmp_type: 3, icmp_code: 4"
		}
	case 15, 16:
		body = "protocol: all"
	case 17:
		body = "protocol: 50"
	case 18:
		body = "protocol: icmpv6"
	default:
		body = "protocol: 132"
	}
	var peer string
	switch n := g.r.IntN(20); {
	case n < 10:
		peer = "{cidr: " + g.cidr() + "}"
	case n < 11:
		if strings.HasPrefix(body, "protocol: icmpv6") || g.chance(0.5) {
			peer = `{cidr: "::/0"}`
		} else {
			peer = "{cidr: " + g.cidr() + "}"
		}
	case n < 15 && len(groups) > 0:
		peer = "{security_group: " + g.pick(groups...) + "}"
	case n < 16:
		peer = "{self: true}"
	case n < 18 && hasOffice:
		peer = "{prefix_list: office}"
	default:
		peer = "{prefix_list: cloudfront}"
	}
	if g.routed {
		switch {
		case g.chance(0.15):
			peer = "{cidr: " + g.cidr6() + "}"
		case g.cf6 && g.chance(0.1):
			peer = "{prefix_list: cloudfront6}"
		case g.chance(0.08):
			// The block of the tiers' public addresses and the NAT
			// gateways' default Elastic IP addresses: it admits
			// traffic that comes through a public address, but not
			// the same tier's traffic on private addresses.
			peer = "{cidr: 198.51.100.0/24}"
		}
	}
	if strings.HasPrefix(body, "protocol: icmpv6") && !strings.Contains(peer, "::") && strings.Contains(peer, "cidr") {
		peer = `{cidr: "::/0"}`
	}
	return "{" + body + ", " + peerKey + ": " + peer + "}"
}

// headerNames and headerPatterns are the vocabulary of header checks.
var (
	headerNames    = []string{"X-Secret", "X-Mode"}
	headerPatterns = []string{"alpha", "beta", "s3cret", "al*", "?eta", "*", "S3CRET", "b*a"}
	headerValuesV  = []string{"alpha", "beta", "s3cret"}
)

func (g *generator) headerCheck() string {
	n := 1 + g.r.IntN(2)
	var vs []string
	for range n {
		vs = append(vs, `"`+g.pick(headerPatterns...)+`"`)
	}
	slices.Sort(vs)
	vs = slices.Compact(vs)
	return fmt.Sprintf("{name: %s, values: [%s]}", g.pick(headerNames...), strings.Join(vs, ", "))
}

// scenario returns a random scenario. A generator made by
// newRoutedGenerator adds a routed network; the classic one draws exactly
// the scenarios it drew before routing was modelled.
func (g *generator) scenario() *genScenario {
	s := &genScenario{}
	if g.chance(0.2) {
		s.cloudFrontEntries = []string{g.pick("192.0.2.0/28", "192.0.2.0/29", "198.51.100.128/28", "192.0.2.0/26")}
	}
	hasOffice := g.chance(0.3)
	if hasOffice {
		s.office = []string{g.cidr()}
		if g.chance(0.4) {
			s.office = append(s.office, g.cidr())
		}
		slices.Sort(s.office)
		s.office = slices.Compact(s.office)
		// A customer list holds one family; keep the IPv4 entries.
		s.office = slices.DeleteFunc(s.office, func(c string) bool { return strings.Contains(c, ":") })
	}
	if g.routed {
		g.hasOffice = hasOffice
		s.cloudFront6 = g.chance(0.2)
		g.cf6 = s.cloudFront6
		s.net = g.network()
	}
	shared := s.net != nil && len(s.net.vpcs) > 1

	// Groups by VPC: sg0... in main, sh0... in shared.
	groupsOf := map[string][]string{}
	for i := range 2 + g.r.IntN(4) {
		groupsOf["main"] = append(groupsOf["main"], fmt.Sprintf("sg%d", i))
	}
	if shared {
		for i := range 1 + g.r.IntN(2) {
			groupsOf["shared"] = append(groupsOf["shared"], fmt.Sprintf("sh%d", i))
		}
	}
	// refs returns the groups a rule of a group in vpc may reference.
	refs := func(vpc string, ingress bool) []string {
		out := groupsOf[vpc]
		if shared && s.net.crossReference(ingress) {
			other := "shared"
			if vpc == "shared" {
				other = "main"
			}
			out = append(slices.Clone(out), groupsOf[other]...)
		}
		return out
	}
	for _, vpc := range []string{"main", "shared"} {
		for _, name := range groupsOf[vpc] {
			sg := &genGroup{name: name}
			if shared {
				sg.vpc = vpc
			}
			for range g.r.IntN(5) {
				sg.ingress = append(sg.ingress, g.rule("from", refs(vpc, true), hasOffice))
			}
			switch n := g.r.IntN(20); {
			case n < 5:
				sg.egressMode = "aws-default"
			case n < 8:
				sg.egressMode = "none"
			default:
				sg.egressMode = "list"
				for range g.r.IntN(4) {
					sg.egress = append(sg.egress, g.rule("to", refs(vpc, false), hasOffice))
				}
			}
			s.groups = append(s.groups, sg)
		}
	}

	if g.chance(0.35) {
		s.subnetACL = map[string]string{}
		aclsOf := map[string][]string{}
		newACL := func(name, vpc string) {
			acl := &genACL{name: name}
			if shared {
				acl.vpc = vpc
			}
			for range g.r.IntN(5) {
				acl.ingress = append(acl.ingress, g.naclRule(len(acl.ingress)))
			}
			for range g.r.IntN(5) {
				acl.egress = append(acl.egress, g.naclRule(len(acl.egress)))
			}
			s.acls = append(s.acls, acl)
			aclsOf[vpc] = append(aclsOf[vpc], name)
		}
		for i := range 1 + g.r.IntN(2) {
			newACL(fmt.Sprintf("acl%d", i), "main")
		}
		if shared && g.chance(0.6) {
			newACL("acl-sh", "shared")
		}
		for _, vpc := range []string{"main", "shared"} {
			if aclsOf[vpc] == nil {
				continue
			}
			for _, sn := range s.vpcSubnets(vpc) {
				if g.chance(0.5) {
					s.subnetACL[sn] = aclsOf[vpc][g.r.IntN(len(aclsOf[vpc]))]
				}
			}
		}
	}

	// Kinds first, so that references can point at tiers further down.
	n := 2 + g.r.IntN(5)
	for i := range n {
		kind := g.pick("cloudfront", "alb", "alb", "nlb", "ecs", "ecs", "ec2", "eks", "lambda", "rds", "elasticache")
		t := &genTier{name: fmt.Sprintf("t%d", i), kind: kind, vpc: "main"}
		if shared && kind != "cloudfront" && g.chance(0.3) {
			t.vpc = "shared"
		}
		s.tiers = append(s.tiers, t)
	}
	names := func(kinds ...string) []string {
		var out []string
		for _, t := range s.tiers {
			if slices.Contains(kinds, t.kind) {
				out = append(out, t.name)
			}
		}
		return out
	}
	// targets returns the tiers of kinds that a load balancer in vpc can
	// register: AWS registers instances, and here ALBs behind an NLB, only
	// in the load balancer's own VPC, while IP targets may be anywhere a
	// route reaches.
	targets := func(vpc string, kinds ...string) []string {
		var out []string
		for _, t := range s.tiers {
			if slices.Contains(kinds, t.kind) && ((t.kind != "ec2" && t.kind != "alb") || t.vpc == vpc) {
				out = append(out, t.name)
			}
		}
		return out
	}
	pickGroups := func(vpc string, minimum int) []string {
		groupNames := groupsOf[vpc]
		k := minimum + g.r.IntN(3-minimum)
		var out []string
		for _, i := range g.r.Perm(len(groupNames))[:min(k, len(groupNames))] {
			out = append(out, groupNames[i])
		}
		slices.Sort(out)
		return out
	}
	secretNames := map[string]bool{}

	for _, t := range s.tiers {
		switch t.kind {
		case "cloudfront":
			targets := names("alb", "nlb", "ec2", "ecs", "eks")
			if len(targets) == 0 {
				t.kind = "ecs"
				break
			}
			if g.chance(0.5) {
				t.waf = g.waf()
			}
			for i := range 1 + g.r.IntN(2) {
				t.origins = append(t.origins, g.origin(i, g.pick(targets...), secretNames))
			}
		case "alb":
			t.public = g.chance(0.6)
			t.subnets = g.lbSubnets(t.public, t.vpc)
			t.groups = pickGroups(t.vpc, 1)
			t.listeners = g.albListeners(targets(t.vpc, "ecs", "ec2", "eks", "lambda"))
		case "nlb":
			t.public = g.chance(0.6)
			t.subnets = g.lbSubnets(t.public, t.vpc)
			t.groups = pickGroups(t.vpc, 0)
			albs := slices.DeleteFunc(slices.Clone(s.tiers), func(x *genTier) bool { return x.vpc != t.vpc })
			t.listeners = g.nlbListeners(albs, targets(t.vpc, "ecs", "ec2", "eks"))
			if len(t.listeners) == 0 {
				// Nothing to forward to: make it a compute tier instead.
				*t = genTier{name: t.name, kind: "ecs", vpc: t.vpc}
			}
		}
		if g.routed && (t.kind == "alb" || t.kind == "nlb") && s.hasIPv6(t.subnets) && g.chance(0.45) {
			t.ipv6 = true
		}
	}
	for _, t := range s.tiers {
		switch t.kind {
		case "cloudfront", "alb", "nlb":
			continue
		}
		t.subnets = g.endpointSubnets(s, t.vpc)
		t.groups = pickGroups(t.vpc, 1)
		if g.chance(0.2) {
			t.ephemeral = g.pick(`"49152-65535"`, `"1024-65535"`, "40000", `"32768-60999"`)
		}
		t.public = t.kind != "lambda" && t.kind != "elasticache" && g.chance(0.3)
		if g.routed && s.hasIPv6(t.subnets) && g.chance(0.45) {
			t.ipv6 = true
		}
		if t.kind != "rds" && t.kind != "elasticache" {
			others := slices.DeleteFunc(names("alb", "nlb", "ecs", "ec2", "eks", "lambda", "rds", "elasticache"), func(x string) bool { return x == t.name })
			for range g.r.IntN(3) {
				if len(others) == 0 {
					break
				}
				proto := g.pick("tcp", "tcp", "udp")
				t.connects = append(t.connects, fmt.Sprintf("{tier: %s, protocol: %s, port: %d}", g.pick(others...), proto, g.listenerPort()))
			}
			slices.Sort(t.connects)
			t.connects = slices.Compact(t.connects)
		}
	}
	if g.routed {
		// Some connections call the public address of a tier that has
		// one, as a client that uses a public DNS name does.
		public := map[string]bool{}
		for _, t := range s.tiers {
			public[t.name] = t.public
		}
		for _, t := range s.tiers {
			for i, c := range t.connects {
				to := strings.TrimPrefix(c, "{tier: ")
				to = to[:strings.Index(to, ",")]
				if public[to] && g.chance(0.4) {
					t.connects[i] = strings.TrimSuffix(c, "}") + ", address: public}"
				}
			}
		}
	}

	// The chain: 2 to 4 stages of distinct tiers.
	order := g.r.Perm(len(s.tiers))
	stages := min(len(order), 2+g.r.IntN(3))
	for i := range stages {
		s.chain = append(s.chain, []string{s.tiers[order[i]].name})
	}
	for _, i := range order[stages:] {
		if g.chance(0.4) {
			st := g.r.IntN(stages)
			s.chain[st] = append(s.chain[st], s.tiers[i].name)
		}
	}

	var secrets []string
	for k := range secretNames {
		secrets = append(secrets, k)
	}
	slices.Sort(secrets)
	knows := func() []string {
		if len(secrets) == 0 || !g.chance(0.3) {
			return nil
		}
		return []string{g.pick(secrets...)}
	}
	s.attackers = append(s.attackers, &genAttacker{name: "inet", kind: "internet", knows: knows(), ownDist: g.pick("", "", "false", "true")})
	if g.chance(0.3) {
		s.attackers = append(s.attackers, &genAttacker{name: "cdn", kind: "cloudfront-distribution", knows: knows()})
	}
	endpoints := names("ecs", "ec2", "eks", "lambda", "rds", "elasticache")
	if len(endpoints) > 0 && g.chance(0.6) {
		s.attackers = append(s.attackers, &genAttacker{name: "inside", kind: "compromised", tier: g.pick(endpoints...), knows: knows()})
	}
	if g.routed && g.chance(0.35) {
		// A second compromised tier, which may be in the other VPC.
		rest := slices.DeleteFunc(slices.Clone(endpoints), func(x string) bool {
			return slices.ContainsFunc(s.attackers, func(a *genAttacker) bool { return a.tier == x })
		})
		if len(rest) > 0 {
			s.attackers = append(s.attackers, &genAttacker{name: "inside2", kind: "compromised", tier: g.pick(rest...), knows: knows()})
		}
	}
	if g.chance(0.4) {
		cidrs := []string{g.pick("172.16.5.0/28", "172.16.5.0/30", "10.0.10.0/28", "10.0.0.8/29", "203.0.113.0/29", "192.0.2.0/28")}
		s.attackers = append(s.attackers, &genAttacker{name: "vpn", kind: "address-range", cidrs: cidrs, knows: knows()})
	}
	return s
}

// endpointSubnets returns the subnets of a compute or data-store tier in
// vpc: one subnet, and in routed scenarios sometimes a second one whose
// route table may differ.
func (g *generator) endpointSubnets(s *genScenario, vpc string) []string {
	if vpc == "shared" {
		return []string{g.pick("sh-a", "sh-b")}
	}
	out := []string{g.pick("pub-a", "app-a", "app-b")}
	if g.routed && g.chance(0.15) {
		if second := g.pick(s.vpcSubnets(vpc)...); second != out[0] {
			out = append(out, second)
		}
	}
	return out
}

func (g *generator) lbSubnets(public bool, vpc string) []string {
	if vpc == "shared" {
		switch g.r.IntN(3) {
		case 0:
			return []string{"sh-a", "sh-b"}
		case 1:
			return []string{"sh-b", "sh-a"}
		}
		return []string{"sh-b"}
	}
	if g.routed && g.chance(0.1) {
		return []string{g.pick("app-a", "pub-b"), g.pick("pub-a", "app-b")}
	}
	if public && g.chance(0.9) {
		return []string{"pub-a", "pub-b"}
	}
	return []string{"app-a", "app-b"}
}

func (g *generator) waf() string {
	var rules []string
	for i := range g.r.IntN(3) {
		match := "source_cidrs: [" + g.cidr() + "]"
		if g.chance(0.5) {
			match = "header: " + g.headerCheck()
		}
		rules = append(rules, fmt.Sprintf("{name: r%d, priority: %d, action: %s, %s}", i, 1+g.r.IntN(9)*10+i, g.pick("allow", "block", "count"), match))
	}
	return fmt.Sprintf("{name: acl, default_action: %s, rules: [%s]}", g.pick("allow", "allow", "block"), strings.Join(rules, ", "))
}

func (g *generator) origin(i int, tier string, secretNames map[string]bool) string {
	policy := g.pick("https-only", "http-only", "match-viewer")
	out := fmt.Sprintf("{name: o%d, tier: %s, protocol_policy: %s, http_port: %s, https_port: %s", i, tier, policy,
		g.pick("80", "80", "8080", "1024"), g.pick("443", "443", "7350"))
	if g.chance(0.7) {
		name := g.pick(headerNames...)
		secret := g.chance(0.7)
		if secret {
			secretNames[name] = true
		}
		out += fmt.Sprintf(", custom_headers: [{name: %s, value: %s, secret: %v}]", name, g.pick(headerValuesV...), secret)
	}
	return out + "}"
}

func (g *generator) albListeners(targets []string) []string {
	action := func() string {
		if len(targets) > 0 && g.chance(0.7) {
			if g.chance(0.2) && len(targets) > 1 {
				a, b := g.pick(targets...), g.pick(targets...)
				if a != b {
					return fmt.Sprintf("{forward: [{tier: %s, port: %d}, {tier: %s, port: %d}]}", a, g.listenerPort(), b, g.listenerPort())
				}
			}
			return fmt.Sprintf("{forward: {tier: %s, port: %d}}", g.pick(targets...), g.listenerPort())
		}
		return fmt.Sprintf("{fixed_response: %s}", g.pick("403", "404", "200", "503"))
	}
	var out []string
	used := map[int]bool{}
	for range 1 + g.r.IntN(2) {
		port := g.listenerPort()
		if used[port] {
			continue
		}
		used[port] = true
		var rules []string
		for i := range g.r.IntN(3) {
			var conds []string
			for range 1 + g.r.IntN(2) {
				if g.chance(0.7) {
					conds = append(conds, "{http_header: "+g.headerCheck()+"}")
				} else if !slices.ContainsFunc(conds, func(c string) bool { return strings.Contains(c, "source_ip") }) {
					conds = append(conds, "{source_ip: ["+g.cidr()+"]}")
				}
			}
			if len(conds) == 0 {
				conds = append(conds, "{http_header: "+g.headerCheck()+"}")
			}
			rules = append(rules, fmt.Sprintf("{priority: %d, conditions: [%s], action: %s}", 10*(i+1)+g.r.IntN(5), strings.Join(conds, ", "), action()))
		}
		out = append(out, fmt.Sprintf("{port: %d, protocol: %s, rules: [%s], default_action: %s}", port, g.pick("http", "https"), strings.Join(rules, ", "), action()))
	}
	return out
}

func (g *generator) nlbListeners(tiers []*genTier, targets []string) []string {
	var albs []*genTier
	for _, t := range tiers {
		if t.kind == "alb" && t.listeners != nil {
			albs = append(albs, t)
		}
	}
	var out []string
	used := map[int]bool{}
	for range 1 + g.r.IntN(2) {
		port := g.listenerPort()
		if used[port] {
			continue
		}
		used[port] = true
		proto := g.pick("tcp", "tcp", "udp", "tls", "tcp_udp")
		var fwd string
		switch {
		case proto == "tcp" && len(albs) > 0 && g.chance(0.3):
			alb := albs[g.r.IntN(len(albs))]
			// Forward to one of the ALB's listener ports.
			lp := strings.TrimPrefix(alb.listeners[0], "{port: ")
			lp = lp[:strings.Index(lp, ",")]
			fwd = fmt.Sprintf("{tier: %s, port: %s, target_type: alb}", alb.name, lp)
		case len(targets) > 0:
			fwd = fmt.Sprintf("{tier: %s, port: %d", g.pick(targets...), g.listenerPort())
			if (proto == "tcp" || proto == "tls") && g.chance(0.5) {
				fwd += ", preserve_client_ip: " + g.pick("true", "false")
			}
			fwd += "}"
		default:
			// Nothing to forward to: the listener stays out.
			continue
		}
		out = append(out, fmt.Sprintf("{port: %d, protocol: %s, forward: %s}", port, proto, fwd))
	}
	return out
}

// naclRule returns a network ACL rule as a flow mapping, numbered after the
// i rules before it. Ranges of ephemeral ports are common, so that replies
// pass often enough to matter.
func (g *generator) naclRule(i int) string {
	var what string
	switch g.r.IntN(10) {
	case 0, 1, 2, 3:
		what = "protocol: tcp, ports: " + g.pick(`"1024-65535"`, `"32768-60999"`, `"49152-65535"`, g.portSpec())
	case 4, 5:
		what = "protocol: tcp, ports: " + g.portSpec()
	case 6:
		what = "protocol: udp, ports: " + g.portSpec()
	case 7:
		what = "protocol: icmp"
	default:
		what = "protocol: all"
	}
	action := "allow"
	if g.chance(0.25) {
		action = "deny"
	}
	cidr := g.cidr()
	if g.routed && g.chance(0.2) {
		cidr = g.cidr6()
	}
	return fmt.Sprintf("{rule: %d, action: %s, %s, cidr: %s}", 100+10*i+g.r.IntN(5), action, what, cidr)
}
