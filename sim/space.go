package sim

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// entry is one way an attacker can put a packet on the wire towards a tier:
// the receiving tier, the addresses it may send from and the fields it may
// choose.
type entry struct {
	via    string // node the packet passes first, such as the attacker's own distribution
	to     *tierInfo
	dst    netip.Addr
	from   sender
	srcs   AddrSet    // source addresses the attacker may use
	src    netip.Addr // fixed source when srcs is empty
	ident  []*model.SecurityGroup
	protos []model.Protocol  // nil means every protocol
	ports  []model.PortRange // nil means every port
	// knows are the secret header values the attacker may send, in lower case.
	knows []secretHeader
}

// portDomainViewer is what a CloudFront viewer can connect to.
var portDomainViewer = []model.PortRange{{From: 80, To: 80}, {From: 443, To: 443}}

// portDomainOrigin is what a distribution can use as an origin port:
// 80, 443 and 1024-65535.
var portDomainOrigin = []model.PortRange{{From: 80, To: 80}, {From: 443, To: 443}, {From: 1024, To: 65535}}

// otherProtocol is the protocol number the simulator sends for the class of
// protocols no rule names.
func otherProtocol(named map[model.Protocol]bool) model.Protocol {
	for p := model.Protocol(47); ; p = (p + 1) % 256 {
		if !named[p] && p != model.TCP && p != model.UDP && p != model.ICMP && p != model.ICMPv6 {
			return p
		}
	}
}

// protocolClasses returns one protocol for each class the rules tell apart.
func protocolClasses(e *entry, family model.Family) []model.Protocol {
	if e.protos != nil {
		return e.protos
	}
	named := map[model.Protocol]bool{}
	for _, rs := range [][]*rule{e.to.ingress, senderEgress(e.from)} {
		for _, r := range rs {
			if r.Protocol != model.AllProtocols {
				named[r.Protocol] = true
			}
		}
	}
	out := []model.Protocol{model.TCP, model.UDP, model.ICMP}
	if family == model.IPv6 {
		out = []model.Protocol{model.TCP, model.UDP, model.ICMPv6}
	}
	for p := range named {
		if !slices.Contains(out, p) && p != model.ICMP && p != model.ICMPv6 {
			out = append(out, p)
		}
	}
	out = append(out, otherProtocol(named))
	slices.Sort(out)
	return out
}

func senderEgress(s sender) []*rule {
	if s.tier == nil {
		return nil
	}
	return s.tier.egress
}

// portClasses returns the port (or ICMP type and code) ranges that the rules
// and listeners on the entry hop tell apart, for protocol proto.
func portClasses(e *entry, proto model.Protocol) []model.PortRange {
	if !proto.HasPorts() {
		return []model.PortRange{{}}
	}
	domain := e.ports
	if domain == nil {
		domain = []model.PortRange{model.AllPorts}
	}
	var cuts []model.PortRange
	for _, rs := range [][]*rule{e.to.ingress, senderEgress(e.from)} {
		for _, r := range rs {
			if r.Protocol == proto {
				cuts = append(cuts, r.Ports)
			}
		}
	}
	for _, l := range e.to.Listeners {
		cuts = append(cuts, model.PortRange{From: l.Port, To: l.Port})
	}
	// Network ACL rules test the destination port too: the receiver's
	// subnet inbound and the sender's subnet outbound.
	acls := []*model.NetworkACL{aclOf(subnetOf(e.to)), aclOf(subnetOf(e.from.tier))}
	if sn := subnetOf(e.from.tier); sn != nil && e.dst.IsValid() {
		// A NAT gateway's subnet filters what passes through it too.
		if h := lookupRoute(sn, e.dst); h.target == model.TargetNATGateway && h.route.NATGateway.Subnet != nil {
			acls = append(acls, aclOf(h.route.NATGateway.Subnet))
		}
	}
	for _, t := range e.to.Subnets {
		// The internet may arrive through any subnet of the receiver.
		acls = append(acls, aclOf(t))
	}
	for _, acl := range acls {
		if acl == nil {
			continue
		}
		for _, r := range append(slices.Clone(acl.Ingress), acl.Egress...) {
			if r.Protocol == proto {
				cuts = append(cuts, r.Ports)
			}
		}
	}
	return splitPorts(domain, cuts)
}

// splitPorts splits the domain ranges at every boundary of the cuts.
func splitPorts(domain, cuts []model.PortRange) []model.PortRange {
	var bounds []int
	for _, c := range cuts {
		bounds = append(bounds, c.From, c.To+1)
	}
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	var out []model.PortRange
	for _, d := range domain {
		lo := d.From
		for _, b := range bounds {
			if b > lo && b <= d.To {
				out = append(out, model.PortRange{From: lo, To: b - 1})
				lo = b
			}
		}
		out = append(out, model.PortRange{From: lo, To: d.To})
	}
	return out
}

// portRepresentative is the port sent for a class: its first port, except
// that port 0 is avoided where the class has another.
func portRepresentative(r model.PortRange) int {
	if r.From == 0 && r.To > 0 {
		return 1
	}
	return r.From
}

// sourceCuts returns the address sets that tell packets to t apart by source:
// the peers of t's ingress rules that match proto and port, and every
// address test further on that still sees the original source.
func (n *Network) sourceCuts(t *tierInfo, proto model.Protocol, port int) []AddrSet {
	var cuts []AddrSet
	// A tier is visited once per port: an NLB can forward to one target on
	// several ports, and each port selects other rules of the target.
	type visit struct {
		t     *tierInfo
		proto model.Protocol
		port  int
	}
	visited := map[visit]bool{}
	var walk func(t *tierInfo, proto model.Protocol, port int)
	walk = func(t *tierInfo, proto model.Protocol, port int) {
		if visited[visit{t, proto, port}] {
			return
		}
		visited[visit{t, proto, port}] = true
		for _, r := range t.ingress {
			if r.Peer.Kind == model.PeerSecurityGroup {
				continue
			}
			if r.Protocol != model.AllProtocols && (r.Protocol != proto || (proto.HasPorts() && !r.Ports.Contains(port))) {
				continue
			}
			cuts = append(cuts, r.addrs)
		}
		// The reply goes back by the route the receiver's subnets have for
		// the source, so route destinations split sources too.
		for _, sn := range t.Subnets {
			if sn.RouteTable == nil {
				continue
			}
			for _, r := range sn.RouteTable.Routes {
				cuts = append(cuts, SetOf(r.Destinations()...))
			}
		}
		// The receiver's network ACL tests the source inbound, and the
		// reply's destination outbound.
		for _, sn := range t.Subnets {
			if acl := aclOf(sn); acl != nil {
				for _, r := range append(slices.Clone(acl.Ingress), acl.Egress...) {
					cuts = append(cuts, SetOf(r.CIDR))
				}
			}
		}
		switch t.Kind {
		case model.KindCloudFront:
			if w := t.CloudFront.WAF; w != nil {
				for _, r := range w.Rules {
					if len(r.SourceCIDRs) > 0 {
						cuts = append(cuts, SetOf(r.SourceCIDRs...))
					}
				}
			}
		case model.KindALB:
			for _, l := range t.Listeners {
				for _, r := range l.Rules {
					for _, c := range r.Conditions {
						if len(c.SourceIPs) > 0 {
							cuts = append(cuts, SetOf(c.SourceIPs...))
						}
					}
				}
			}
		case model.KindNLB:
			for _, l := range t.Listeners {
				for _, tg := range l.Default.Forward {
					if tg.PreserveClientIP {
						walk(n.tiers[tg.Tier.Name], proto, tg.Port)
					}
				}
			}
		}
	}
	walk(t, proto, port)
	return cuts
}

// headerSpace is, for one header name, the patterns that filters test it
// against and the values CloudFront sets.
type headerSpace struct {
	name     string // as first written in the scenario
	patterns []string
}

// headerTests returns, by lower-case name, the header patterns that the
// filters reachable from t evaluate: web ACL rules, ALB rule conditions, and
// the origin custom headers a distribution sets.
func (n *Network) headerTests(t *tierInfo) []headerSpace {
	byName := map[string]*headerSpace{}
	add := func(name string, values ...string) {
		key := strings.ToLower(name)
		hs, ok := byName[key]
		if !ok {
			hs = &headerSpace{name: name}
			byName[key] = hs
		}
		for _, v := range values {
			if !slices.Contains(hs.patterns, strings.ToLower(v)) {
				hs.patterns = append(hs.patterns, strings.ToLower(v))
			}
		}
	}
	visited := map[*tierInfo]bool{}
	var walk func(t *tierInfo)
	walk = func(t *tierInfo) {
		if visited[t] {
			return
		}
		visited[t] = true
		switch t.Kind {
		case model.KindCloudFront:
			if w := t.CloudFront.WAF; w != nil {
				for _, r := range w.Rules {
					if r.Header != nil {
						add(r.Header.Name, r.Header.Values...)
					}
				}
			}
			for _, o := range t.CloudFront.Origins {
				for _, h := range o.CustomHeaders {
					add(h.Name, h.Value)
				}
				walk(n.tiers[o.Tier.Name])
			}
		case model.KindALB:
			for _, l := range t.Listeners {
				for _, r := range l.Rules {
					for _, c := range r.Conditions {
						if c.Header != nil {
							add(c.Header.Name, c.Header.Values...)
						}
					}
				}
			}
		case model.KindNLB:
			for _, l := range t.Listeners {
				for _, tg := range l.Default.Forward {
					walk(n.tiers[tg.Tier.Name])
				}
			}
		}
	}
	walk(t)

	out := make([]headerSpace, 0, len(byName))
	for _, hs := range byName {
		slices.Sort(hs.patterns)
		out = append(out, *hs)
	}
	slices.SortFunc(out, func(a, b headerSpace) int { return cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name)) })
	return out
}

// headerClasses returns one header set for each class of requests that the
// header tests of the entry's cone tell apart and that the attacker can send.
// A value equal to a secret the attacker does not know is never sent.
func (n *Network) headerClasses(e *entry) ([][]Header, error) {
	spaces := n.headerTests(e.to)
	classes := [][]Header{nil}
	for _, hs := range spaces {
		var forbidden []string
		for _, s := range n.secrets {
			if s.name == strings.ToLower(hs.name) && !slices.Contains(e.knows, s) && secretMatters(hs.patterns, strings.ToLower(s.value)) {
				forbidden = append(forbidden, strings.ToLower(s.value))
			}
		}
		values, err := n.witnesses(hs.patterns, forbidden)
		if err != nil {
			return nil, err
		}
		var next [][]Header
		for _, c := range classes {
			next = append(next, c) // the header absent
			for _, v := range values {
				h := Header{Name: hs.name, Value: v, Secret: n.isSecret(hs.name, v)}
				next = append(next, append(slices.Clone(c), h))
			}
		}
		classes = next
	}
	return classes, nil
}

// isSecret reports whether v contains a secret value of header name, so
// that only someone who knows the secret can send v and no output may show
// it.
func (n *Network) isSecret(name, v string) bool {
	return slices.ContainsFunc(n.secrets, func(s secretHeader) bool {
		return s.name == strings.ToLower(name) && strings.Contains(strings.ToLower(v), strings.ToLower(s.value))
	})
}

// witnesses returns headerWitnesses(patterns, forbidden), computed once per
// distinct pair of lists: large scenarios repeat the same header checks on
// many load balancers.
func (n *Network) witnesses(patterns, forbidden []string) ([]string, error) {
	key := strings.Join(patterns, "\x00") + "\x01" + strings.Join(forbidden, "\x00")
	if w, ok := n.witnessCache[key]; ok {
		return w, nil
	}
	if err, ok := n.witnessErrs[key]; ok {
		return nil, err
	}
	w, err := headerWitnesses(patterns, forbidden)
	if err != nil {
		if n.witnessErrs == nil {
			n.witnessErrs = map[string]error{}
		}
		n.witnessErrs[key] = err
		return nil, err
	}
	n.witnessCache[key] = w
	return w, nil
}

// canSend reports whether an attacker who knows the secrets in knows can
// send header h: every secret value that h's value contains must be known.
func (n *Network) canSend(knows []secretHeader, h Header) bool {
	for _, s := range n.secrets {
		if s.name != strings.ToLower(h.Name) || !strings.Contains(strings.ToLower(h.Value), strings.ToLower(s.value)) {
			continue
		}
		if !slices.ContainsFunc(knows, func(k secretHeader) bool { return k.name == s.name && strings.EqualFold(k.value, s.value) }) {
			return false
		}
	}
	return true
}
