package importer

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// maxProposedCompromised bounds the compromised attackers proposed, so that
// an account with hundreds of services gets a scenario that checks in
// reasonable time. The comment lists the tiers left out.
const maxProposedCompromised = 10

// maxProposedRanges bounds the CIDRs of the proposed address-range attacker.
const maxProposedRanges = 20

func isCompute(k model.Kind) bool {
	return k == model.KindECS || k == model.KindEC2 || k == model.KindEKS || k == model.KindLambda
}

// connections proposes a connects_to entry wherever a compute tier's group
// is admitted by another tier's group: a rule that admits a group is the
// usual way to allow a connection the design needs.
func (b *builder) connections() {
	members := map[*groupState][]*tierState{}
	for _, t := range b.tiers {
		if isCompute(t.kind) {
			for _, g := range t.groups {
				members[g] = append(members[g], t)
			}
		}
	}
	type connKey struct {
		from, to *tierState
		proto    string
		port     int
	}
	seen := map[connKey]bool{}
	for _, to := range b.tiers {
		if to.kind == model.KindCloudFront {
			continue
		}
		for _, g := range to.groups {
			for _, r := range g.in.Ingress {
				if r.PeerKind != PeerGroup || g.peers[r] == nil {
					continue
				}
				proto, port, note := connectionPort(r, to)
				if port == 0 {
					continue
				}
				if to.kind.IsLoadBalancer() && !hasListener(to, proto, port) {
					continue
				}
				for _, from := range members[g.peers[r]] {
					k := connKey{from, to, proto, port}
					if from == to || seen[k] {
						continue
					}
					seen[k] = true
					comment := fmt.Sprintf("PROPOSED: security group %s admits %s on %s %d%s", g.name, g.peers[r].name, proto, port, note)
					from.connects = append(from.connects, &ConnectionOut{Tier: to.name, Protocol: proto, Port: port, Comment: comment})
				}
			}
		}
	}
	for _, t := range b.tiers {
		slices.SortFunc(t.connects, func(a, c *ConnectionOut) int {
			if n := strings.Compare(a.Tier, c.Tier); n != 0 {
				return n
			}
			return a.Port - c.Port
		})
	}
}

// connectionPort returns the protocol and port of the connection a rule
// admits, or port 0 when the rule names no single port and the receiving
// tier's port is unknown.
func connectionPort(r *Rule, to *tierState) (proto string, port int, note string) {
	p, _ := normalizeProtocol(r.Protocol)
	switch p {
	case "tcp", "udp":
		switch {
		case !r.PortsKnown || r.FromPort <= 0 && r.ToPort >= 65535:
			if to.port > 0 {
				return p, to.port, ", all ports; the tier's own port is used"
			}
			return p, 0, ""
		case r.FromPort != r.ToPort:
			return p, r.FromPort, fmt.Sprintf(", ports %d-%d; the first is used", r.FromPort, r.ToPort)
		}
		return p, r.FromPort, ""
	case "all":
		if to.port > 0 {
			return "tcp", to.port, ", all traffic; the tier's own port is used"
		}
	}
	return "", 0, ""
}

func hasListener(t *tierState, proto string, port int) bool {
	for _, l := range t.listeners {
		if l.Port != port {
			continue
		}
		udp := l.Protocol == "UDP" || l.Protocol == "TCP_UDP"
		tcp := l.Protocol != "UDP"
		if proto == "udp" && udp || proto == "tcp" && tcp {
			return true
		}
	}
	return false
}

// edges returns the intended hops between tiers: CloudFront origins, load
// balancer forwards and connects_to entries.
func (b *builder) edges() map[*tierState][]*tierState {
	byName := map[string]*tierState{}
	for _, t := range b.tiers {
		byName[t.name] = t
	}
	out := map[*tierState][]*tierState{}
	add := func(from *tierState, name string) {
		to := byName[name]
		if to != nil && to != from && !slices.Contains(out[from], to) {
			out[from] = append(out[from], to)
		}
	}
	for _, t := range b.tiers {
		for _, o := range t.origins {
			add(t, o.Tier)
		}
		for _, l := range t.listeners {
			if l.Forward != nil {
				add(t, l.Forward.Tier)
			}
			var actions []*ActionOut
			if l.Default != nil {
				actions = append(actions, l.Default)
			}
			for _, r := range l.Rules {
				actions = append(actions, r.Action)
			}
			for _, a := range actions {
				for _, tg := range a.Forward {
					add(t, tg.Tier)
				}
			}
		}
		for _, c := range t.connects {
			add(t, c.Tier)
		}
	}
	for _, targets := range out {
		slices.SortFunc(targets, func(a, c *tierState) int { return strings.Compare(a.name, c.name) })
	}
	return out
}

// proposeChain orders the tiers into stages. The first stage holds the
// entry tiers: CloudFront distributions, and tiers reachable from the
// internet that no other tier forwards to. Every other tier reachable from
// them through intended hops goes into the stage of its longest path from
// an entry, so that each stage comes after every stage that feeds it.
// Hops that close a cycle are ignored.
func (b *builder) proposeChain() ([][]string, []string) {
	edges := b.edges()
	targeted := map[*tierState]bool{}
	for _, targets := range edges {
		for _, t := range targets {
			targeted[t] = true
		}
	}
	tiers := slices.Clone(b.tiers)
	slices.SortFunc(tiers, func(a, c *tierState) int { return strings.Compare(a.name, c.name) })

	// Interface endpoints are AWS services the tiers call, not steps of the
	// path traffic takes from the internet, so the chain leaves them out
	// unless it would be too short without them. The connects_to hops to
	// them are checked either way.
	isEndpoint := func(t *tierState) bool { return t.kind == model.KindInterfaceEndpoint }
	var endpoints []string
	if others := slices.DeleteFunc(slices.Clone(tiers), isEndpoint); len(others) >= 2 {
		for _, t := range tiers {
			if isEndpoint(t) {
				endpoints = append(endpoints, t.name)
			}
		}
		tiers = others
		for from, targets := range edges {
			edges[from] = slices.DeleteFunc(targets, isEndpoint)
		}
	}

	var entries []*tierState
	for _, t := range tiers {
		if t.kind == model.KindCloudFront || (t.public || t.ipv6) && !targeted[t] {
			entries = append(entries, t)
		}
	}
	if len(entries) == 0 {
		for _, t := range tiers {
			if !targeted[t] && len(edges[t]) > 0 {
				entries = append(entries, t)
			}
		}
	}

	// Depth-first search from the entries gives a topological order of the
	// hops that close no cycle.
	const (
		unvisited = iota
		onStack
		done
	)
	state := map[*tierState]int{}
	back := map[[2]*tierState]bool{}
	var order []*tierState
	var visit func(t *tierState)
	visit = func(t *tierState) {
		state[t] = onStack
		for _, next := range edges[t] {
			switch state[next] {
			case unvisited:
				visit(next)
			case onStack:
				back[[2]*tierState{t, next}] = true
			}
		}
		state[t] = done
		order = append(order, t)
	}
	for _, e := range entries {
		if state[e] == unvisited {
			visit(e)
		}
	}
	slices.Reverse(order)

	level := map[*tierState]int{}
	for _, t := range order {
		for _, next := range edges[t] {
			if !back[[2]*tierState{t, next}] && level[next] < level[t]+1 && !slices.Contains(entries, next) {
				level[next] = level[t] + 1
			}
		}
	}

	depth := 0
	for _, t := range order {
		depth = max(depth, level[t])
	}
	stages := make([][]string, depth+1)
	inChain := map[*tierState]bool{}
	for _, t := range tiers {
		if state[t] == done {
			stages[level[t]] = append(stages[level[t]], t.name)
			inChain[t] = true
		}
	}

	comment := []string{
		"PROPOSED chain: CloudFront distributions and internet-facing tiers that nothing forwards to come first;",
		"every other tier follows in the stage of its longest path of intended hops (origins, forwards,",
		"connects_to) from them. Confirm that this is the order traffic is meant to take.",
	}
	if len(stages) < 2 {
		stages, inChain = fallbackChain(tiers, entries)
		comment = []string{
			"PROPOSED chain: the import found no intended hop between tiers, so the first stage holds the",
			"entry tiers and the second all the others. Rewrite it as the order traffic is meant to take.",
		}
	}
	var outside []string
	for _, t := range tiers {
		if !inChain[t] {
			outside = append(outside, t.name)
		}
	}
	if len(outside) > 0 {
		comment = append(comment, "Not in the chain, because no intended hop from an entry reaches them: "+strings.Join(outside, ", ")+".")
	}
	if len(endpoints) > 0 {
		comment = append(comment, "Not in the chain, because they are AWS services the tiers call: "+strings.Join(endpoints, ", ")+".")
	}
	return stages, comment
}

// fallbackChain puts the entry tiers (or the first tier) in the first stage
// and every other tier in the second.
func fallbackChain(tiers, entries []*tierState) ([][]string, map[*tierState]bool) {
	if len(entries) == 0 || len(entries) == len(tiers) {
		entries = tiers[:1]
	}
	inChain := map[*tierState]bool{}
	var first, second []string
	for _, t := range tiers {
		inChain[t] = true
		if slices.Contains(entries, t) {
			first = append(first, t.name)
		} else {
			second = append(second, t.name)
		}
	}
	return [][]string{first, second}, inChain
}

// proposeAttackers proposes the internet, a compromised interface of each
// compute tier outside the chain, and the private address ranges that rules
// admit from outside the scenario's VPCs.
func (b *builder) proposeAttackers(chain [][]string) []*AttackerOut {
	inChain := map[string]bool{}
	for _, stage := range chain {
		for _, name := range stage {
			inChain[name] = true
		}
	}
	names := newNamespace()
	out := []*AttackerOut{{
		Name: names.unique("internet", "internet"),
		Kind: model.AttackerInternet,
		Comment: []string{
			"PROPOSED: any public address, with CloudFront distributions of its own and any header value",
			"except the secret ones.",
		},
	}}

	var compromised []*tierState
	for _, t := range b.tiers {
		if isCompute(t.kind) && !inChain[t.name] {
			compromised = append(compromised, t)
		}
	}
	slices.SortFunc(compromised, func(a, c *tierState) int { return strings.Compare(a.name, c.name) })
	for i, t := range compromised {
		if i == maxProposedCompromised {
			var rest []string
			for _, r := range compromised[i:] {
				rest = append(rest, r.name)
			}
			out[len(out)-1].Comment = append(out[len(out)-1].Comment, fmt.Sprintf("Also outside the chain, not proposed to keep the check short: %s.", shortList(rest, 20)))
			break
		}
		out = append(out, &AttackerOut{
			Name:    names.unique("compromised-"+t.name, "compromised"),
			Kind:    model.AttackerCompromised,
			Tier:    t.name,
			Comment: []string{"PROPOSED: " + t.name + " is outside the chain; code running on it must not reach a stage directly."},
		})
	}

	if ranges := b.outsideRanges(); len(ranges) > 0 {
		out = append(out, &AttackerOut{
			Name:  names.unique("peered-or-on-premises", "ranges"),
			Kind:  model.AttackerAddressRange,
			CIDRs: ranges,
			Comment: []string{
				"PROPOSED: private ranges outside the scenario's VPCs that security-group rules admit,",
				"such as a peered VPC or an on-premises network over a VPN.",
			},
		})
	}
	return out
}

// privateRanges are the blocks that hold addresses routed inside AWS and
// corporate networks: RFC 1918 and the RFC 6598 shared space.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
}

// outsideRanges returns the private IPv4 CIDRs that ingress rules of the
// scenario's groups admit and that lie outside every VPC of the scenario.
func (b *builder) outsideRanges() []string {
	var vpcs []netip.Prefix
	for _, v := range b.vpcList {
		if v.used && v.cidr.IsValid() {
			vpcs = append(vpcs, v.cidr)
		}
	}
	var out []netip.Prefix
	for _, g := range b.groupList {
		if !g.used || g.stub != "" {
			continue
		}
		for _, r := range g.in.Ingress {
			if r.PeerKind != PeerCIDR {
				continue
			}
			p, err := netip.ParsePrefix(strings.TrimSpace(r.Peer))
			if err != nil || !p.Addr().Is4() {
				continue
			}
			p = p.Masked()
			private := slices.ContainsFunc(privateRanges, func(r netip.Prefix) bool { return r.Contains(p.Addr()) && r.Bits() <= p.Bits() })
			overlapsVPC := slices.ContainsFunc(vpcs, func(v netip.Prefix) bool { return v.Overlaps(p) })
			if private && !overlapsVPC && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	slices.SortFunc(out, func(a, c netip.Prefix) int {
		if n := a.Addr().Compare(c.Addr()); n != 0 {
			return n
		}
		return a.Bits() - c.Bits()
	})
	if len(out) > maxProposedRanges {
		out = out[:maxProposedRanges]
	}
	strs := make([]string, len(out))
	for i, p := range out {
		strs[i] = p.String()
	}
	return strs
}
