package oracle

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// maxDepth bounds a path. Forwarding runs distribution → NLB → ALB →
// target at most, so a longer path means a loop the loader let through.
const maxDepth = 8

// nonPublic are the IPv4 blocks that never source internet traffic:
// "this network", private, shared, loopback, link-local, multicast and
// reserved space.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
}

// entry is one way an attacker puts packets on the wire towards a tier.
type entry struct {
	prefix []string // the path before the tier: the attacker, maybe its distribution
	from   sender
	to     *model.Tier
	dst    netip.Addr
	ident  []*model.SecurityGroup
	// srcOK, tcpOnly and portOK say which packets the attacker can send
	// this way.
	srcOK   func(netip.Addr) bool
	tcpOnly bool
	portOK  func(int) bool
}

// entries lists the ways attacker a can send, in scenario order.
func (o *Oracle) entries(a *model.Attacker) []entry {
	var out []entry
	anyPort := func(int) bool { return true }
	switch a.Kind {
	case model.AttackerInternet, model.AttackerDistribution:
		own := DistributionNode(a.Name)
		for _, t := range o.s.Tiers {
			if t.Kind == model.KindCloudFront {
				// Viewers reach a distribution over IPv4 only, the
				// simulator's convention.
				if a.Kind == model.AttackerInternet {
					out = append(out, entry{prefix: []string{a.Name}, from: sender{node: a.Name, public: true}, to: t,
						srcOK: func(x netip.Addr) bool { return x.Is4() && o.isInternetSource(x) }, portOK: anyPort})
				}
				continue
			}
			if !hasInternetRoute(t) {
				continue
			}
			for _, dst := range []netip.Addr{t.PublicAddr, t.IPv6Addr} {
				if !internetAddrOf(t, dst) {
					continue
				}
				if a.Kind == model.AttackerInternet {
					out = append(out, entry{prefix: []string{a.Name}, from: sender{node: a.Name, public: true}, to: t, dst: dst,
						srcOK: func(x netip.Addr) bool { return x.Is4() == dst.Is4() && o.isInternetSource(x) }, portOK: anyPort})
				}
				if a.Kind == model.AttackerDistribution || a.OwnDistribution {
					// The attacker's own distribution names t as its
					// origin, on any port CloudFront allows for origins,
					// and sends from the origin-facing pool of the
					// address's family.
					out = append(out, entry{prefix: []string{a.Name, own}, from: sender{node: own, public: true}, to: t, dst: dst,
						srcOK: func(x netip.Addr) bool { return x.Is4() == dst.Is4() && inAny(o.pool, x) }, tcpOnly: true,
						portOK: func(port int) bool { return port == 80 || port == 443 || port >= 1024 }})
				}
			}
		}
	case model.AttackerCompromised:
		// Code on the tier's interface can address every tier: its
		// private address, its public one and its IPv6 one. Routing
		// decides which of them the packet reaches.
		self := a.Tier
		for _, t := range o.s.Tiers {
			if t == self || t.Kind == model.KindCloudFront {
				continue
			}
			dsts := []netip.Addr{t.PrivateIP}
			if t.PublicIP && t.PublicAddr.IsValid() {
				dsts = append(dsts, t.PublicAddr)
			}
			if t.IPv6 && self.IPv6 {
				dsts = append(dsts, t.IPv6Addr)
			}
			for _, dst := range dsts {
				src := self.PrivateIP
				if dst.Is6() {
					src = self.IPv6Addr
				}
				out = append(out, entry{prefix: []string{a.Name}, from: sender{node: a.Name, tier: self}, to: t, dst: dst,
					ident: self.SecurityGroups, srcOK: func(x netip.Addr) bool { return x == src }, portOK: anyPort})
			}
		}
	case model.AttackerAddressRange:
		for _, t := range o.s.Tiers {
			if t.Kind != model.KindCloudFront {
				out = append(out, entry{prefix: []string{a.Name}, from: sender{node: a.Name}, to: t, dst: t.PrivateIP,
					srcOK: func(x netip.Addr) bool { return inAny(a.CIDRs, x) }, portOK: anyPort})
			}
		}
	}
	return out
}

// isInternetSource reports whether an internet host may send from x:
// public IPv4 or global unicast IPv6, outside the shared AWS pools, and, as
// in the simulator, outside the scenario's VPCs, the tiers' public
// addresses and the Elastic IP addresses of its NAT gateways, which belong
// to the design.
func (o *Oracle) isInternetSource(x netip.Addr) bool {
	if !isGlobal(x) || inAny(o.shared, x) {
		return false
	}
	if slices.ContainsFunc(o.s.Tiers, func(t *model.Tier) bool { return t.PublicIP && t.PublicAddr == x }) {
		return false
	}
	for _, v := range o.s.VPCs {
		if v.CIDR.Contains(x) || (v.IPv6CIDR.IsValid() && v.IPv6CIDR.Contains(x)) {
			return false
		}
		for _, g := range v.NATGateways {
			if g.PublicAddr == x {
				return false
			}
		}
	}
	return true
}

// send follows one packet along entry e with every header set the attacker
// can send, calling visit with each path along which it arrives. It
// returns the number of packets sent.
func (o *Oracle) send(e entry, base packet, headerSets []map[string]string, visit func(path []string)) int {
	// Headers never change what the network filters do, so a packet they
	// drop is dropped with any headers.
	if _, ok := o.networkPasses(e.from, e.to, base); !ok {
		return 1
	}
	sets := []map[string]string{nil}
	if base.proto == model.TCP && (e.to.Kind == model.KindCloudFront || e.to.Kind.IsLoadBalancer()) {
		sets = headerSets
	}
	for _, h := range sets {
		p := base
		p.headers = h
		for _, suffix := range o.walk(e.from, e.to, p, 0) {
			visit(append(slices.Clone(e.prefix), suffix...))
		}
	}
	return len(sets)
}

// attack sends every packet of the universe that attacker a can send,
// calls visit with each path along which one arrives, and returns the
// number of packets sent.
func (o *Oracle) attack(a *model.Attacker, visit func(path []string)) int {
	headerSets := o.headerSets(a)
	count := 0
	for _, e := range o.entries(a) {
		var srcs []netip.Addr
		for _, x := range append(slices.Clone(o.u.Sources), e.from.tierAddr()...) {
			if e.dst.IsValid() && x.Is4() != e.dst.Is4() {
				continue
			}
			if e.srcOK(x) && !slices.Contains(srcs, x) {
				srcs = append(srcs, x)
			}
		}
		for _, proto := range o.protocolsFor(e.dst) {
			if e.tcpOnly && proto != model.TCP {
				continue
			}
			for _, port := range o.portsFor(proto) {
				if !e.portOK(port) {
					continue
				}
				for _, src := range srcs {
					base := packet{src: src, dst: e.dst, proto: proto, port: port, ident: e.ident}
					count += o.send(e, base, headerSets, visit)
				}
			}
		}
	}
	return count
}

// tierAddr returns the addresses of a sender that is a tier, which a
// compromised attacker sends from whether or not the universe holds them.
func (f sender) tierAddr() []netip.Addr {
	if f.tier == nil {
		return nil
	}
	out := []netip.Addr{f.tier.PrivateIP}
	if f.tier.IPv6 {
		out = append(out, f.tier.IPv6Addr)
	}
	return out
}

// protocolsFor returns the universe's protocols for a packet to dst: ICMPv6
// takes ICMP's place over IPv6. A distribution, which has no address, is
// reached over IPv4.
func (o *Oracle) protocolsFor(dst netip.Addr) []model.Protocol {
	if !dst.Is6() {
		return o.u.Protocols
	}
	out := make([]model.Protocol, 0, len(o.u.Protocols))
	for _, p := range o.u.Protocols {
		if p == model.ICMP {
			p = model.ICMPv6
		}
		out = append(out, p)
	}
	return out
}

// Delivers reports whether attacker a can get the concrete packet, sent
// from src with protocol proto to port (type*256+code for ICMP), to the
// named tier. The packet may take any entry that lets the attacker send it,
// carry any header set from the universe, and arrive directly or through
// forwarding tiers. Delivers also returns a path along which it arrives.
func (o *Oracle) Delivers(a *model.Attacker, target string, src netip.Addr, proto model.Protocol, port int) (bool, string) {
	headerSets := o.headerSets(a)
	found := ""
	for _, e := range o.entries(a) {
		if !e.srcOK(src) || (e.tcpOnly && proto != model.TCP) || (proto.HasPorts() && !e.portOK(port)) {
			continue
		}
		if e.dst.IsValid() && src.Is4() != e.dst.Is4() {
			continue
		}
		if (proto == model.ICMP && e.dst.Is6()) || (proto == model.ICMPv6 && !e.dst.Is6()) {
			continue
		}
		if !proto.HasPorts() {
			port = 0
		}
		base := packet{src: src, dst: e.dst, proto: proto, port: port, ident: e.ident}
		o.send(e, base, headerSets, func(path []string) {
			if found == "" && path[len(path)-1] == target {
				found = strings.Join(path, " > ")
			}
		})
		if found != "" {
			return true, found
		}
	}
	return false, ""
}

// vpcOf returns the VPC of a tier's subnets, or nil for a distribution.
func vpcOf(t *model.Tier) *model.VPC {
	if len(t.Subnets) == 0 {
		return nil
	}
	return t.Subnets[0].VPC
}

// portsFor returns the universe's ports or ICMP messages for proto, or a
// single 0 for a protocol without ports.
func (o *Oracle) portsFor(proto model.Protocol) []int {
	switch proto {
	case model.TCP, model.UDP:
		return o.u.Ports
	case model.ICMP:
		return o.u.ICMP
	case model.ICMPv6:
		return o.u.ICMPv6
	}
	return []int{0}
}

// headerSets returns every combination of header values attacker a can
// send: for each header name, the header left out or set to one of the
// universe's values that a is able to send.
func (o *Oracle) headerSets(a *model.Attacker) []map[string]string {
	sets := []map[string]string{{}}
	for _, name := range o.hdrNames {
		var values []string
		for _, v := range o.u.Headers[name] {
			if !o.forbidden(a, name, v) {
				values = append(values, v)
			}
		}
		var next []map[string]string
		for _, s := range sets {
			next = append(next, s)
			for _, v := range values {
				c := map[string]string{name: v}
				for k, x := range s {
					c[k] = x
				}
				next = append(next, c)
			}
		}
		sets = next
	}
	return sets
}

// forbidden reports whether attacker a cannot send value v for header
// name: the value contains, without regard to case, a secret of that
// header that a does not know, so sending it would take knowing the secret.
func (o *Oracle) forbidden(a *model.Attacker, name, v string) bool {
	for _, secret := range o.secrets[name] {
		if !strings.Contains(strings.ToLower(v), strings.ToLower(secret)) {
			continue
		}
		if !slices.ContainsFunc(a.KnowsSecrets, func(k string) bool { return strings.EqualFold(k, name) }) {
			return true
		}
	}
	return false
}

// walk returns every path, as node names starting with t, along which p
// from f arrives at t and at the tiers t forwards it to.
func (o *Oracle) walk(f sender, t *model.Tier, p packet, depth int) [][]string {
	if depth > maxDepth {
		return nil
	}
	// Packets the attackers send are all different, so only forwarded
	// packets, which many of them share, are worth remembering.
	var key string
	if depth > 0 {
		key = f.node + "|" + t.Name + "|" + p.key()
		if paths, ok := o.memo[key]; ok {
			return paths
		}
	}
	_, reached, next := o.arrive(f, t, p)
	var out [][]string
	if reached {
		out = append(out, []string{t.Name})
		seen := map[string]bool{}
		for _, h := range next {
			for _, suffix := range o.walk(h.from, h.to, h.p, depth+1) {
				path := append([]string{t.Name}, suffix...)
				if k := strings.Join(path, " > "); !seen[k] {
					seen[k] = true
					out = append(out, path)
				}
			}
		}
	}
	if depth > 0 {
		o.memo[key] = out
	}
	return out
}

// Replay sends one concrete packet from attacker a to dst, an address of
// the first tier of path, through the attacker's own distribution when path
// names it, and reports whether it arrives along exactly that path. path
// starts with the attacker, and headers are keyed by header name. An
// invalid dst stands for a distribution, which has no address. A
// compromised attacker sends from its tier's address of dst's family in
// place of src, because a report may show the source that a gateway
// translated it to.
func (o *Oracle) Replay(a *model.Attacker, path []string, src, dst netip.Addr, proto model.Protocol, port int, headers map[string]string) bool {
	if len(path) < 2 {
		return false
	}

	f := sender{node: a.Name}
	rest := path[1:]
	switch a.Kind {
	case model.AttackerInternet, model.AttackerDistribution:
		f.public = true
		if rest[0] == DistributionNode(a.Name) {
			f.node = rest[0]
			rest = rest[1:]
		}
	case model.AttackerCompromised:
		f.tier = a.Tier
	}
	if len(rest) == 0 {
		return false
	}
	t := o.tiers[rest[0]]
	if t == nil {
		return false
	}
	var ident []*model.SecurityGroup
	if a.Kind == model.AttackerCompromised {
		ident = a.Tier.SecurityGroups
		src = a.Tier.PrivateIP
		if dst.Is6() {
			src = a.Tier.IPv6Addr
		}
	}
	lower := map[string]string{}
	for k, v := range headers {
		lower[strings.ToLower(k)] = v
	}
	p := packet{src: src, dst: dst, proto: proto, port: port, ident: ident, headers: lower}

	want := strings.Join(rest, " > ")
	for _, got := range o.walk(f, t, p, 0) {
		if strings.Join(got, " > ") == want {
			return true
		}
	}
	return false
}

// Hop is the verdict on one intended hop.
type Hop struct {
	From, To string
	Holds    bool
}

// hops decides every intended hop: one per distribution origin, one per
// distinct target tier of a load balancer, and one per connection a compute
// tier opens, in scenario order. A hop holds when some intended packet is
// admitted at the receiving tier, which at an ALB includes a request that
// its rules meet with a fixed response. The intended viewer request reaches
// a distribution's origins without passing its web ACL, as the simulator
// decides these hops.
func (o *Oracle) hops() []Hop {
	var out []Hop
	for _, t := range o.s.Tiers {
		switch {
		case t.Kind == model.KindCloudFront:
			holds := map[*model.Tier]bool{}
			for _, h := range o.originRequests(t, packet{src: legitimateClient, proto: model.TCP, port: 443, srcPorts: proxyPorts, intended: true}) {
				if admitted, _, _ := o.arrive(h.from, h.to, h.p); admitted {
					holds[h.to] = true
				}
			}
			for _, org := range t.CloudFront.Origins {
				out = append(out, Hop{t.Name, org.Tier.Name, holds[org.Tier]})
			}
		case t.Kind.IsLoadBalancer():
			holds := map[*model.Tier]bool{}
			for _, in := range o.intendedInputs(t) {
				_, _, next := o.arrive(in.from, t, in.p)
				for _, h := range next {
					if admitted, _, _ := o.arrive(h.from, h.to, h.p); admitted {
						holds[h.to] = true
					}
				}
			}
			var targets []*model.Tier
			for _, l := range t.Listeners {
				for _, a := range listenerActions(l) {
					for _, tg := range a.Forward {
						if !slices.Contains(targets, tg.Tier) {
							targets = append(targets, tg.Tier)
						}
					}
				}
			}
			for _, to := range targets {
				out = append(out, Hop{t.Name, to.Name, holds[to]})
			}
		default:
			for _, c := range t.ConnectsTo {
				p := packet{src: t.PrivateIP, dst: connectionDst(c), proto: c.Protocol, port: c.Port, ident: t.SecurityGroups,
					srcPorts: ephemeralPorts(t), intended: true}
				admitted, _, _ := o.arrive(sender{node: t.Name, tier: t}, c.Tier, p)
				out = append(out, Hop{t.Name, c.Tier.Name, admitted})
			}
		}
	}
	return out
}

// connectionDst returns the address a declared connection calls: the
// destination's public address with address: public, otherwise its private
// one.
func connectionDst(c *model.Connection) netip.Addr {
	if c.Public {
		return c.Tier.PublicAddr
	}
	return c.Tier.PrivateIP
}

func listenerActions(l *model.Listener) []*model.Action {
	var out []*model.Action
	for _, r := range l.Rules {
		out = append(out, r.Action)
	}
	return append(out, l.Default)
}

// legitimateClient is the viewer of intended traffic, the address the
// simulator uses for it.
var legitimateClient = netip.MustParseAddr("203.0.113.10")

// input is a packet a load balancer receives in the intended flow.
type input struct {
	from sender
	p    packet
}

// intendedInputs returns what load balancer t receives in the intended
// flow: the requests of the distributions that name it as an origin, with
// the origins' custom headers, the connections of the NLBs that name it as
// a target, and those of the compute tiers whose connects_to names it.
// When no distribution or load balancer forwards to t, it also receives a
// client's request on each listener: from 203.0.113.10 to the public address of an internet-facing
// load balancer, or from the VPC's fifth address (the first one AWS does
// not reserve) to the private address of an internal one. These clients are
// the simulator's convention for intended traffic.
func (o *Oracle) intendedInputs(t *model.Tier) []input {
	var out []input
	for _, u := range o.s.Tiers {
		// An application that calls the load balancer, as one calls an
		// internal ALB.
		for _, c := range u.ConnectsTo {
			if c.Tier == t {
				p := packet{src: u.PrivateIP, dst: connectionDst(c), proto: c.Protocol, port: c.Port, ident: u.SecurityGroups,
					srcPorts: ephemeralPorts(u), intended: true}
				out = append(out, input{from: sender{node: u.Name, tier: u}, p: p})
			}
		}
		switch u.Kind {
		case model.KindCloudFront:
			for _, h := range o.originRequests(u, packet{src: legitimateClient, proto: model.TCP, port: 443, srcPorts: proxyPorts, intended: true}) {
				if h.to == t {
					out = append(out, input{from: h.from, p: h.p})
				}
			}
		case model.KindNLB:
			for _, l := range u.Listeners {
				for _, tg := range l.Default.Forward {
					if tg.Tier != t {
						continue
					}
					p := packet{src: u.PrivateIP, dst: t.PrivateIP, proto: model.TCP, port: tg.Port, ident: u.SecurityGroups,
						srcPorts: ephemeralPorts(u), intended: true}
					if tg.PreserveClientIP {
						p.src, p.srcPorts = legitimateClient, proxyPorts
					}
					out = append(out, input{from: sender{node: u.Name, tier: u}, p: p})
				}
			}
		}
	}
	// Compute tiers that call t add to the clients' requests: only what a
	// distribution or load balancer forwards replaces them.
	for _, in := range out {
		if in.from.public || (in.from.tier != nil && (in.from.tier.Kind == model.KindALB || in.from.tier.Kind == model.KindNLB)) {
			return out
		}
	}
	for _, l := range t.Listeners {
		proto := model.TCP
		if l.Protocol == "UDP" {
			proto = model.UDP
		}
		if t.PublicIP {
			out = append(out, input{from: sender{node: "client", public: true}, p: packet{src: legitimateClient, dst: t.PublicAddr, proto: proto, port: l.Port, srcPorts: proxyPorts, intended: true}})
			continue
		}
		client := vpcOf(t).CIDR.Addr()
		for range 4 {
			client = client.Next()
		}
		out = append(out, input{from: sender{node: "client"}, p: packet{src: client, dst: t.PrivateIP, proto: proto, port: l.Port, srcPorts: proxyPorts, intended: true}})
	}
	return out
}
