// Package gen writes large, valid scenarios for benchmarks and demos.
//
// A generated scenario has services, each an internet-facing ALB, an ECS
// application and an RDS database chained behind CloudFront distributions,
// and optionally worker tiers outside the chain. The number of tiers,
// security groups, rules and prefix lists can each be set on its own, and
// the generator adds workers, worker groups and extra ingress rules to reach
// them. The model gives each tier one representative network interface, so
// the number of interfaces is the number of tiers.
package gen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// Options sizes a generated scenario. Zero fields are derived from the
// others; Services and RulesPerGroup alone give the layout of earlier
// versions: three groups and three tiers per service, RulesPerGroup ingress
// rules in each group.
type Options struct {
	// Services is the number of ALB, application and database triples. Each
	// service has three security groups and three tiers. Zero derives it
	// from SecurityGroups and Tiers.
	Services int
	// RulesPerGroup is the number of ingress rules each service group gets,
	// counting the rule that chains it to the tier before. It applies when
	// Rules is zero.
	RulesPerGroup int
	// Seed makes the extra rules reproducible.
	Seed uint64

	// Tiers is the total number of tiers, CloudFront distributions
	// included. Tiers beyond the services are worker tiers, ECS services
	// outside the chain.
	Tiers int
	// SecurityGroups is the total number of security groups. Groups beyond
	// the services' three each are worker groups.
	SecurityGroups int
	// Rules is the total number of security-group rules, ingress and
	// egress. Rules beyond the ones that chain the tiers are extra ingress
	// rules from CIDR blocks and prefix lists, spread over all groups.
	Rules int
	// PrefixLists is the number of customer-managed prefix lists that
	// extra rules reference.
	PrefixLists int
}

// Layout is what a set of Options comes to.
type Layout struct {
	Services, Distributions, Workers, VPCs int
	// ServiceGroups is three per service; WorkerGroups the rest.
	ServiceGroups, WorkerGroups int
	// Rules counts every rule of the loaded scenario, egress ones included.
	Rules, PrefixLists int
}

// Tiers returns the number of tiers, distributions included.
func (l Layout) Tiers() int { return l.Distributions + 3*l.Services + l.Workers }

// SecurityGroups returns the number of security groups.
func (l Layout) SecurityGroups() int { return l.ServiceGroups + l.WorkerGroups }

// Capacity limits that keep the generated scenario within the model's
// address space.
const (
	// servicesPerDistribution keeps each distribution within CloudFront's
	// default quota of 25 origins.
	servicesPerDistribution = 20
	// computePerVPC is how many applications and workers one VPC's /17
	// private subnet holds, with room to spare.
	computePerVPC = 30000
	// servicesPerVPC is how many ALBs one VPC's /20 public subnet holds.
	servicesPerVPC = 4000
	// maxVPCs keeps VPC blocks within 10.0.0.0/9, clear of the CIDRs of
	// the extra rules.
	maxVPCs = 100
	// rulesPerService are the rules that chain one service: ingress and
	// egress of the ALB and the application, ingress of the database.
	rulesPerService = 5
	// rulesPerWorkerGroup are a worker group's ingress rule and its
	// aws-default egress rule.
	rulesPerWorkerGroup = 2
)

// Layout resolves the options, or returns an error that names the size that
// cannot be met.
func (o Options) Layout() (Layout, error) {
	for _, f := range []struct {
		name string
		v    int
	}{{"services", o.Services}, {"rules per group", o.RulesPerGroup}, {"tiers", o.Tiers}, {"security groups", o.SecurityGroups}, {"rules", o.Rules}, {"prefix lists", o.PrefixLists}} {
		if f.v < 0 {
			return Layout{}, fmt.Errorf("the number of %s is %d; it must not be negative", f.name, f.v)
		}
	}
	var l Layout
	l.Services = o.Services
	if l.Services == 0 {
		// As many services as the tiers and groups allow, at least one.
		l.Services = 1 << 30
		if o.SecurityGroups > 0 {
			l.Services = o.SecurityGroups / 3
		}
		if o.Tiers > 0 {
			// A service needs three tiers and a twentieth of a distribution.
			l.Services = min(l.Services, o.Tiers*servicesPerDistribution/(3*servicesPerDistribution+1))
		}
		if l.Services == 1<<30 {
			l.Services = 1
		}
		l.Services = max(l.Services, 1)
	}
	s := l.Services
	l.Distributions = (s + servicesPerDistribution - 1) / servicesPerDistribution

	if o.Tiers > 0 {
		l.Workers = o.Tiers - l.Distributions - 3*s
		if l.Workers < 0 {
			return Layout{}, fmt.Errorf("%d tiers are too few for %d services, which need %d: an ALB, an application and a database each, and a CloudFront distribution per %d services",
				o.Tiers, s, l.Distributions+3*s, servicesPerDistribution)
		}
	}
	l.VPCs = max(1, (s+l.Workers+computePerVPC-1)/computePerVPC, (s+servicesPerVPC-1)/servicesPerVPC)
	if l.VPCs > maxVPCs {
		return Layout{}, fmt.Errorf("%d services and %d workers need %d VPCs, more than the generator's %d", s, l.Workers, l.VPCs, maxVPCs)
	}

	l.ServiceGroups = 3 * s
	switch {
	case o.SecurityGroups > 0:
		l.WorkerGroups = o.SecurityGroups - l.ServiceGroups
		if l.WorkerGroups < 0 {
			return Layout{}, fmt.Errorf("%d security groups are too few for %d services, which need three each (%d)", o.SecurityGroups, s, l.ServiceGroups)
		}
	case l.Workers > 0:
		l.WorkerGroups = min(l.VPCs, l.Workers)
	}

	if l.Workers > 0 && l.WorkerGroups < l.VPCs && s < l.VPCs {
		// A VPC without a worker group lends its workers the group of its
		// first application, and with fewer services than VPCs some have
		// none.
		return Layout{}, fmt.Errorf("%d workers in %d VPCs need at least %d worker groups, one per VPC; give more security groups", l.Workers, l.VPCs, l.VPCs)
	}

	base := rulesPerService*s + rulesPerWorkerGroup*l.WorkerGroups
	switch {
	case o.Rules > 0:
		if o.Rules < base {
			return Layout{}, fmt.Errorf("%d rules are too few: the chain of %d services and %d worker groups needs %d", o.Rules, s, l.WorkerGroups, base)
		}
		l.Rules = o.Rules
	default:
		l.Rules = base + l.ServiceGroups*max(o.RulesPerGroup-1, 0)
	}
	l.PrefixLists = o.PrefixLists
	return l, nil
}

// Scenario returns the YAML text of a generated scenario. It panics when the
// options cannot be met; Generate returns the error instead.
func Scenario(o Options) string {
	var b strings.Builder
	if _, err := Generate(&b, o); err != nil {
		panic("gen: " + err.Error())
	}
	return b.String()
}

// Generate writes a generated scenario to w and returns its layout.
func Generate(w io.Writer, o Options) (Layout, error) {
	l, err := o.Layout()
	if err != nil {
		return l, err
	}
	g := &writer{w: bufio.NewWriterSize(w, 1<<16), l: l, o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x5eed))}
	g.write()
	if err := g.w.Flush(); err != nil {
		return l, fmt.Errorf("writing the scenario: %w", err)
	}
	return l, nil
}

// writer writes one scenario.
type writer struct {
	w   *bufio.Writer
	l   Layout
	o   Options
	rng *rand.Rand
}

func (g *writer) p(format string, args ...any) { fmt.Fprintf(g.w, format, args...) }

// vpcOf places services and workers round-robin on the VPCs.
func (g *writer) vpcOf(i int) int { return i % g.l.VPCs }

// servicePort is the port application i listens on.
func servicePort(i int) int { return 8000 + i%1000 }

func (g *writer) write() {
	l := g.l
	g.p("name: generated-%d-tiers\n", l.Tiers())
	g.p("description: \"Generated by sgchain gen with seed %d: %d services, %d workers, %d security groups, %d rules and %d prefix lists.\"\n",
		g.o.Seed, l.Services, l.Workers, l.SecurityGroups(), l.Rules, l.PrefixLists)

	g.p("vpcs:\n")
	for v := range l.VPCs {
		g.p("  vpc-%d:\n    cidr: 10.%d.0.0/16\n    subnets:\n", v, v)
		g.p("      public-%d: {cidr: 10.%d.0.0/20, public: true}\n", v, v)
		g.p("      data-%d: {cidr: 10.%d.64.0/18}\n", v, v)
		g.p("      private-%d: {cidr: 10.%d.128.0/17}\n", v, v)
	}

	g.p("prefix_lists:\n  cloudfront:\n    aws_managed: com.amazonaws.global.cloudfront.origin-facing\n")
	for i := range l.PrefixLists {
		g.p("  pl-%d: {max_entries: 5, entries: [%s, %s]}\n", i, g.publicBlock(), g.publicBlock())
	}

	g.writeGroups()
	g.writeTiers()

	g.p("chain:\n")
	g.stage("edge", l.Distributions)
	g.stage("alb", l.Services)
	g.stage("app", l.Services)
	g.stage("db", l.Services)
	g.p("attackers:\n  internet: {kind: internet}\n  breached-app: {kind: compromised, tier: app-0}\n")
}

func (g *writer) stage(prefix string, n int) {
	g.p("  - [")
	for i := range n {
		if i > 0 {
			g.p(", ")
		}
		g.p("%s-%d", prefix, i)
	}
	g.p("]\n")
}

// writeGroups writes the groups and their rules, one group per line so that
// the largest scenarios stay within the loader's file size limit. Extra
// rules go round-robin to every group, so that each gets its share of the
// rules left after the chain's.
func (g *writer) writeGroups() {
	l := g.l
	groups := l.SecurityGroups()
	extra := l.Rules - rulesPerService*l.Services - rulesPerWorkerGroup*l.WorkerGroups
	perGroup := func(i int) int {
		if g.o.Rules == 0 {
			// The layout of earlier versions: RulesPerGroup ingress rules
			// in each service group, none extra in worker groups.
			if i < l.ServiceGroups {
				return max(g.o.RulesPerGroup-1, 0)
			}
			return 0
		}
		n := extra / groups
		if i < extra%groups {
			n++
		}
		return n
	}

	g.p("security_groups:\n")
	for i := range l.Services {
		v := g.vpcOf(i)
		port := servicePort(i)
		g.p("  alb-%d: {vpc: vpc-%d, egress: [{protocol: tcp, ports: %d, to: {security_group: app-%d}}], ingress: [{protocol: tcp, ports: 443, from: {prefix_list: cloudfront}}", i, v, port, i)
		g.extraRules(perGroup(3 * i))
		g.p("  app-%d: {vpc: vpc-%d, egress: [{protocol: tcp, ports: 5432, to: {security_group: db-%d}}], ingress: [{protocol: tcp, ports: %d, from: {security_group: alb-%d}}", i, v, i, port, i)
		g.extraRules(perGroup(3*i + 1))
		g.p("  db-%d: {vpc: vpc-%d, egress: none, ingress: [{protocol: tcp, ports: 5432, from: {security_group: app-%d}}", i, v, i)
		g.extraRules(perGroup(3*i + 2))
	}
	for k := range l.WorkerGroups {
		g.p("  wg-%d: {vpc: vpc-%d, egress: aws-default, ingress: [{protocol: tcp, ports: 9000, from: {self: true}}", k, g.vpcOf(k))
		g.extraRules(perGroup(l.ServiceGroups + k))
	}
}

// extraRules ends a group's line with n more ingress rules from random
// office and partner ranges, or from the prefix lists, on random ports: the
// kind of rules that accumulate in real groups.
func (g *writer) extraRules(n int) {
	for range n {
		var peer string
		switch {
		case g.l.PrefixLists > 0 && g.rng.IntN(8) == 0:
			peer = fmt.Sprintf("prefix_list: pl-%d", g.rng.IntN(g.l.PrefixLists))
		case g.rng.IntN(2) == 0:
			peer = fmt.Sprintf("cidr: 10.%d.%d.0/24", 128+g.rng.IntN(100), g.rng.IntN(256))
		default:
			peer = "cidr: " + g.publicBlock()
		}
		ports := []string{"22", "443", "8443", "9000-9100", "3389"}[g.rng.IntN(5)]
		g.p(", {protocol: tcp, ports: %s, from: {%s}}", ports, peer)
	}
	g.p("]}\n")
}

// publicBlock returns a random public /24 outside the documentation ranges
// the model uses for its own addresses.
func (g *writer) publicBlock() string {
	return fmt.Sprintf("%d.%d.%d.0/24", 11+g.rng.IntN(90), g.rng.IntN(256), g.rng.IntN(256))
}

func (g *writer) writeTiers() {
	l := g.l
	g.p("tiers:\n")
	for d := range l.Distributions {
		g.p("  edge-%d:\n    kind: cloudfront\n    waf: {name: waf-%d, default_action: allow}\n    origins:\n", d, d)
		for i := d * servicesPerDistribution; i < min(l.Services, (d+1)*servicesPerDistribution); i++ {
			g.p("      - {name: svc-%d, tier: alb-%d, protocol_policy: https-only, custom_headers: [{name: X-Origin-Secret, value: secret-%d, secret: true}]}\n", i, i, d)
		}
	}
	for i := range l.Services {
		v, d, port := g.vpcOf(i), i/servicesPerDistribution, servicePort(i)
		g.p("  alb-%d: {kind: alb, scheme: internet-facing, subnets: [public-%d], security_groups: [alb-%d], listeners: [{port: 443, protocol: https, ", i, v, i)
		g.p("rules: [{priority: 1, conditions: [{http_header: {name: X-Origin-Secret, values: [secret-%d]}}], action: {forward: {tier: app-%d, port: %d}}}], default_action: {fixed_response: 403}}]}\n", d, i, port)
		g.p("  app-%d: {kind: ecs, subnets: [private-%d], security_groups: [app-%d], connects_to: [{tier: db-%d, port: 5432}]}\n", i, v, i, i)
		g.p("  db-%d: {kind: rds, subnets: [data-%d], security_groups: [db-%d]}\n", i, v, i)
	}
	for j := range l.Workers {
		v := g.vpcOf(j)
		g.p("  w-%d: {kind: ecs, subnets: [private-%d], security_groups: [%s]}\n", j, v, g.workerGroup(j, v))
	}
}

// workerGroup returns the group of worker j in VPC v: a worker group of
// that VPC, or the VPC's first application group when it has none.
func (g *writer) workerGroup(j, v int) string {
	l := g.l
	// Worker groups k with k % VPCs == v are in VPC v.
	inVPC := (l.WorkerGroups - v + l.VPCs - 1) / l.VPCs
	if inVPC <= 0 {
		return fmt.Sprintf("app-%d", v)
	}
	return fmt.Sprintf("wg-%d", v+(j/l.VPCs)%inVPC*l.VPCs)
}
