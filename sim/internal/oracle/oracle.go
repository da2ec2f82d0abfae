// Package oracle is a deliberately simple model of the AWS traffic semantics
// that sgchain's simulator implements, for tests that compare the two.
//
// The oracle shares no code with the simulator. The simulator sends one
// packet per equivalence class. The oracle instead enumerates every packet
// of a small universe, which has a few address blocks, a few dozen ports,
// four or five protocols and a handful of header values, and follows each
// one through the tiers by brute force. When the universe holds a member of every class
// that the scenario's rules tell apart, both must reach the same verdicts.
//
// The semantics come from docs/scenario-format.md ("How the model treats
// traffic" and "Route tables, gateways and endpoints"). route.go states the
// AWS routing facts the oracle follows, read from the AWS documentation
// rather than from the simulator. Where the page leaves a choice to the
// simulator, the oracle adopts the simulator's documented convention, with
// a comment at the spot. Such choices are the path node names, the clients
// of intended traffic, the internet's source addresses, and IPv4 between
// CloudFront and its viewers and origins.
package oracle

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// Universe is the set of packets the oracle enumerates.
type Universe struct {
	// Sources are the candidate source addresses for attackers that choose
	// their address: the internet, an own distribution and an address
	// range each use the members that they may send from.
	Sources []netip.Addr
	// Ports are the TCP and UDP destination ports.
	Ports []int
	// ICMP are the ICMP messages, as type*256+code.
	ICMP []int
	// ICMPv6 are the ICMPv6 messages, sent over IPv6 in ICMP's place.
	ICMPv6 []int
	// Protocols are the IP protocols. TCP, UDP and ICMP take ports or
	// messages from the lists above; any other protocol is sent once.
	Protocols []model.Protocol
	// Headers lists, by lower-case header name, the values to try besides
	// leaving the header out.
	Headers map[string][]string
}

// Result is what the oracle found for one scenario.
type Result struct {
	// Paths holds, by attacker, every node sequence along which some packet
	// arrives, written "attacker > node > node". Every prefix of a path that
	// ends at a tier is a path too.
	Paths map[string]map[string]bool
	// Reached holds, by attacker, the tiers some packet arrives at.
	Reached map[string]map[string]bool
	// Skippable holds, by attacker, the 1-based chain stages that some path
	// reaches without passing every earlier stage in order.
	Skippable map[string]map[int]bool
	// Hops are the intended hops with whether intended traffic passes each.
	Hops []Hop
	// Packets counts the packets the attackers sent.
	Packets int
}

// Oracle is a scenario prepared for brute-force simulation.
type Oracle struct {
	s        *model.Scenario
	u        Universe
	tiers    map[string]*model.Tier
	stage    map[*model.Tier]int
	byAddr   map[netip.Addr]*model.Tier // by private IPv4 and IPv6 address
	pool     []netip.Prefix             // CloudFront's origin-facing addresses, both families
	shared   []netip.Prefix             // every shared AWS pool, CloudFront's included
	ingress  map[*model.Tier][]*model.Rule
	egress   map[*model.Tier][]*model.Rule
	secrets  map[string][]string // lower-case header name to secret values
	memo     map[string][][]string
	hdrNames []string
}

// New prepares s, which must have loaded without errors.
func New(s *model.Scenario, u Universe) *Oracle {
	o := &Oracle{
		s: s, u: u,
		tiers:   map[string]*model.Tier{},
		stage:   map[*model.Tier]int{},
		byAddr:  map[netip.Addr]*model.Tier{},
		ingress: map[*model.Tier][]*model.Rule{},
		egress:  map[*model.Tier][]*model.Rule{},
		secrets: map[string][]string{},
		memo:    map[string][][]string{},
	}
	for _, t := range s.Tiers {
		o.tiers[t.Name] = t
		if t.PrivateIP.IsValid() {
			o.byAddr[t.PrivateIP] = t
		}
		if t.IPv6 && t.IPv6Addr.IsValid() {
			o.byAddr[t.IPv6Addr] = t
		}
		// Security groups on one interface pool their rules.
		for _, g := range t.SecurityGroups {
			o.ingress[t] = append(o.ingress[t], g.Ingress...)
			o.egress[t] = append(o.egress[t], g.Egress...)
		}
		if t.CloudFront != nil {
			for _, org := range t.CloudFront.Origins {
				for _, h := range org.CustomHeaders {
					if h.Secret {
						key := strings.ToLower(h.Name)
						o.secrets[key] = append(o.secrets[key], h.Value)
					}
				}
			}
		}
	}
	o.addTestedSecrets()
	for i, st := range s.Chain {
		for _, t := range st.Tiers {
			o.stage[t] = i + 1
		}
	}
	for _, pl := range s.PrefixLists {
		if !pl.SharedPool {
			continue
		}
		o.shared = append(o.shared, pl.Entries...)
		if strings.Contains(pl.AWSManaged, "cloudfront.origin-facing") {
			o.pool = append(o.pool, pl.Entries...)
		}
	}
	// Without a list of its own in a family, CloudFront's origin-facing
	// pool is the documented stand-in of that family, which the simulator
	// uses when the scenario names no such list.
	for _, standIn := range []netip.Prefix{netip.MustParsePrefix("192.0.2.0/26"), netip.MustParsePrefix("2001:db8:c0::/48")} {
		if !slices.ContainsFunc(o.pool, func(p netip.Prefix) bool { return p.Addr().Is4() == standIn.Addr().Is4() }) {
			o.pool = append(o.pool, standIn)
			o.shared = append(o.shared, standIn)
		}
	}
	for name := range u.Headers {
		o.hdrNames = append(o.hdrNames, name)
	}
	slices.Sort(o.hdrNames)
	return o
}

// Run enumerates every packet of the universe for every attacker of s and
// decides every intended hop.
func Run(s *model.Scenario, u Universe) *Result {
	o := New(s, u)
	r := &Result{
		Paths:     map[string]map[string]bool{},
		Reached:   map[string]map[string]bool{},
		Skippable: map[string]map[int]bool{},
	}
	for _, a := range s.Attackers {
		paths := map[string]bool{}
		r.Packets += o.attack(a, func(path []string) { paths[strings.Join(path, " > ")] = true })
		r.Paths[a.Name] = paths
		r.Reached[a.Name] = map[string]bool{}
		r.Skippable[a.Name] = map[int]bool{}
		for p := range paths {
			nodes := strings.Split(p, " > ")
			last := o.tiers[nodes[len(nodes)-1]]
			if last == nil {
				continue
			}
			r.Reached[a.Name][last.Name] = true
			if k := o.stage[last]; k >= 2 && !o.inOrder(a, nodes[1:len(nodes)-1], k) {
				r.Skippable[a.Name][k] = true
			}
		}
	}
	r.Hops = o.hops()
	return r
}

// inOrder reports whether the tiers before the last node of a path pass
// stages 1 to k-1 in that order, not necessarily one right after another.
// An attacker that runs on a tier of stage j has passed stages 1 to j
// before it sends anything.
func (o *Oracle) inOrder(a *model.Attacker, before []string, k int) bool {
	want := 1
	if a.Kind == model.AttackerCompromised {
		want = o.stage[a.Tier] + 1
	}
	for _, name := range before {
		if want >= k {
			break
		}
		if t := o.tiers[name]; t != nil && o.stage[t] == want {
			want++
		}
	}
	return want >= k
}

// DistributionNode names the path node of an attacker's own CloudFront
// distribution, as the simulator's reports write it.
func DistributionNode(attacker string) string { return attacker + "/own-distribution" }

// packet is one concrete packet on one hop.
type packet struct {
	src, dst netip.Addr
	proto    model.Protocol
	// port is the TCP or UDP destination port, or type*256+code for ICMP,
	// and 0 for other protocols.
	port int
	// ident are the security groups of the interface that sent the packet
	// inside the VPC, which security-group references match.
	ident []*model.SecurityGroup
	// headers are the HTTP request headers by lower-case name.
	headers map[string]string
	// srcPorts is the range the sender picks its source port from; zero
	// means any port. intended marks a packet of the intended flow, whose
	// sender may pick any port of the range, so that a network ACL must
	// pass the replies to all of them.
	srcPorts model.PortRange
	intended bool
}

func (p packet) key() string {
	var b strings.Builder
	b.WriteString(p.src.String() + "|" + p.dst.String() + "|" + p.proto.String() + "|" + strconv.Itoa(p.port) + "|")
	b.WriteString(p.srcPorts.String() + "|" + strconv.FormatBool(p.intended) + "|")
	for _, g := range p.ident {
		b.WriteString(g.Name + ",")
	}
	names := make([]string, 0, len(p.headers))
	for n := range p.headers {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		b.WriteString("|" + n + "=" + p.headers[n])
	}
	return b.String()
}

// sender is the node a packet leaves.
type sender struct {
	node string
	// tier is set when the sender's egress rules apply.
	tier *model.Tier
	// public is set when the packet crosses the internet, so that it can
	// reach only a tier the internet can reach.
	public bool
}

// hop is a packet a tier sends on after accepting one.
type hop struct {
	from sender
	to   *model.Tier
	p    packet
}

// addTestedSecrets adds to the secrets every literal value, without * or ?,
// that an ALB condition or a web ACL rule tests on a header that some
// distribution sends with a secret value. The simulator counts such a value
// as a secret too, because it is the secret, one kept during a rotation, or
// a mistyped copy, which only the people who configured it have.
func (o *Oracle) addTestedSecrets() {
	add := func(m *model.HeaderMatch) {
		name := strings.ToLower(m.Name)
		if len(o.secrets[name]) == 0 {
			return
		}
		for _, v := range m.Values {
			if !strings.ContainsAny(v, "*?") {
				o.secrets[name] = append(o.secrets[name], v)
			}
		}
	}
	for _, t := range o.s.Tiers {
		if t.CloudFront != nil && t.CloudFront.WAF != nil {
			for _, r := range t.CloudFront.WAF.Rules {
				if r.Header != nil {
					add(r.Header)
				}
			}
		}
		for _, l := range t.Listeners {
			for _, r := range l.Rules {
				for _, c := range r.Conditions {
					if c.Header != nil {
						add(c.Header)
					}
				}
			}
		}
	}
}
