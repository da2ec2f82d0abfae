package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// flowState is a packet that arrived at a node, with the chain progress of
// the path that brought it: the number of leading chain stages the path
// passed in order.
type flowState struct {
	id       int64
	node     string
	tier     *tierInfo // nil for the attacker and its own distribution
	pkt      Packet
	progress int
	forwards []forward
	// class is the extent of the packets this state stands for: the class
	// of an entry packet, or the single port and source of a forwarded one.
	class classInfo
}

// dropped is a hop that a trace saw dropped, with the state it left.
type dropped struct {
	from *flowState
	hop  Hop
}

// exploration is everything one attacker can reach.
type exploration struct {
	attacker *model.Attacker
	graph    *flowGraph
	states   []*flowState
	byKey    map[string]*flowState
	parent   map[int64]int64
	order    []int64
	classes  int // initial packet classes sent
	err      error
	// request, when set, restricts the exploration to the packets a trace
	// requests, and every drop is then recorded.
	request *Request
	drops   []dropped
	stops   map[string]*stop
}

// DistributionNode is the name of the path node for an attacker's own
// CloudFront distribution.
func DistributionNode(attacker string) string { return attacker + "/own-distribution" }

// explore sends one packet per class of everything the attacker can send and
// follows every forward, building the graph of flow states.
func (n *Network) explore(a *model.Attacker) *exploration {
	x, root := n.newExploration(a)
	for _, e := range n.entries(a) {
		if err := n.sendClasses(x, root, e); err != nil && x.err == nil {
			x.err = err
		}
	}
	x.parent, x.order = x.graph.shortestTree(root.id)
	return x
}

// newExploration returns an empty exploration for attacker a and its root
// state.
func (n *Network) newExploration(a *model.Attacker) (*exploration, *flowState) {
	x := &exploration{attacker: a, graph: newFlowGraph(), byKey: map[string]*flowState{}}
	root := &flowState{id: x.graph.addNode(), node: a.Name}
	if a.Kind == model.AttackerCompromised {
		root.tier = n.tiers[a.Tier.Name]
		root.progress = root.tier.stage
	}
	x.states = append(x.states, root)
	return x, root
}

// entries lists the ways attacker a can put a packet towards each tier, in
// scenario order.
func (n *Network) entries(a *model.Attacker) []*entry {
	knows := n.knownSecrets(a)
	var out []*entry
	switch a.Kind {
	case model.AttackerInternet, model.AttackerDistribution:
		internet4, internet6 := n.internetSources()
		for _, t := range n.ordered {
			for _, fam := range []struct {
				ipv6   bool
				dst    netip.Addr
				srcs   AddrSet
				pool   AddrSet
				usable bool
			}{
				{false, t.PublicAddr, internet4, n.cloudFrontPool.Family(false), t.Kind == model.KindCloudFront || (t.PublicIP && hasInternetRoute(t.Tier, false))},
				{true, t.IPv6Addr, internet6, n.cloudFrontPool.Family(true), t.Kind != model.KindCloudFront && publicAddrOf(t, t.IPv6Addr) && hasGatewayRoute(t.Tier, true)},
			} {
				if !fam.usable {
					continue
				}
				if a.Kind == model.AttackerInternet {
					e := &entry{to: t, dst: fam.dst, from: sender{name: a.Name, public: true}, srcs: fam.srcs, knows: knows}
					if t.Kind == model.KindCloudFront {
						e.protos, e.ports = []model.Protocol{model.TCP}, portDomainViewer
					}
					out = append(out, e)
				}
				if t.Kind != model.KindCloudFront && (a.Kind == model.AttackerDistribution || a.OwnDistribution) && !fam.pool.IsEmpty() {
					out = append(out, &entry{via: DistributionNode(a.Name), to: t, dst: fam.dst,
						from: sender{name: DistributionNode(a.Name), public: true}, srcs: fam.pool,
						protos: []model.Protocol{model.TCP}, ports: portDomainOrigin, knows: knows})
				}
			}
		}
	case model.AttackerCompromised:
		self := n.tiers[a.Tier.Name]
		from := subnetOf(self)
		for _, t := range n.ordered {
			if t == self || t.Kind == model.KindCloudFront {
				continue
			}
			if t.Kind == model.KindAWSService {
				// Code on the tier can call the service's public address,
				// as the application itself does.
				out = append(out, &entry{to: t, dst: t.PublicAddr, from: sender{name: a.Name, tier: self}, src: self.PrivateIP, knows: knows})
				continue
			}
			// The private address, inside the VPC or across a peering or
			// transit gateway that the sender's subnet routes to.
			if to := subnetOf(t); inVPC(t.Tier) == inVPC(self.Tier) || (from != nil && to != nil && crossesToVPC(lookupRoute(from, t.PrivateIP))) {
				out = append(out, &entry{to: t, dst: t.PrivateIP, from: sender{name: a.Name, tier: self},
					src: self.PrivateIP, ident: self.SecurityGroups, knows: knows})
			}
			// The public addresses, through the internet gateway or a NAT
			// gateway: the way a client inside the VPC calls a public name.
			if t.PublicIP && t.PublicAddr.IsValid() {
				out = append(out, &entry{to: t, dst: t.PublicAddr, from: sender{name: a.Name, tier: self},
					src: self.PrivateIP, ident: self.SecurityGroups, knows: knows})
			}
			if self.IPv6 && t.IPv6 && inVPC(t.Tier) == inVPC(self.Tier) {
				// IPv6 inside the VPC takes the local route and keeps the
				// sender's groups, as its private IPv4 address does.
				out = append(out, &entry{to: t, dst: t.IPv6Addr, from: sender{name: a.Name, tier: self},
					src: self.IPv6Addr, ident: self.SecurityGroups, knows: knows})
			}
			if self.IPv6 && publicAddrOf(t, t.IPv6Addr) && inVPC(t.Tier) != inVPC(self.Tier) {
				out = append(out, &entry{to: t, dst: t.IPv6Addr, from: sender{name: a.Name, tier: self},
					src: self.IPv6Addr, ident: self.SecurityGroups, knows: knows})
			}
		}
	case model.AttackerAddressRange:
		srcs := SetOf(a.CIDRs...)
		for _, t := range n.ordered {
			if t.Kind == model.KindCloudFront || t.Kind == model.KindAWSService {
				continue
			}
			out = append(out, &entry{to: t, dst: t.PrivateIP, from: sender{name: a.Name}, srcs: srcs, knows: knows})
		}
	}
	return out
}

// knownSecrets returns the secret headers whose values attacker a has
// learned.
func (n *Network) knownSecrets(a *model.Attacker) []secretHeader {
	var out []secretHeader
	for _, s := range n.secrets {
		if slices.ContainsFunc(a.KnowsSecrets, func(name string) bool { return strings.EqualFold(name, s.name) }) {
			out = append(out, s)
		}
	}
	return out
}

// sendClasses sends one packet for each class of the entry's packet space.
func (n *Network) sendClasses(x *exploration, root *flowState, e *entry) error {
	if x.request == nil && n.unroutable(e) {
		// Routing drops every packet of the entry for the same reason,
		// whatever its protocol, port and headers, so one packet stands
		// for them all.
		p := Packet{Src: e.src, Dst: e.dst, Protocol: model.TCP, Port: 443, Identity: e.ident}
		x.classes++
		n.sendFrom(x, root, e, p, classInfo{set: true, ports: model.AllPorts, srcs: Interval{e.src, e.src}})
		return nil
	}
	family := model.IPv4
	if e.dst.Is6() {
		family = model.IPv6
	}
	headerSets, err := n.headerClasses(e)
	if err != nil {
		return err
	}
	protos := protocolClasses(e, family)
	if x.request != nil && x.request.HasProtocol {
		protos = requestedProtocol(protos, e, x.request.Protocol)
	}
	for _, proto := range protos {
		for _, ports := range portClasses(e, proto) {
			port := portRepresentative(ports)
			if x.request != nil && x.request.HasPort && proto.HasPorts() {
				if !ports.Contains(x.request.Port) {
					continue
				}
				port = x.request.Port
			}
			srcs := []Interval{{e.src, e.src}}
			if !e.srcs.IsEmpty() {
				srcs = exampleFirst(Atoms(e.srcs, n.sourceCuts(e.to, proto, port)))
			}
			hs := headerSets
			switch {
			case proto != model.TCP:
				hs = [][]Header{nil}
			case x.request != nil && x.request.Headers != nil:
				hs = [][]Header{x.request.Headers}
			}
			for _, headers := range hs {
				for _, atom := range srcs {
					src := representative(atom)
					if x.request != nil && x.request.Src.IsValid() {
						if !atom.Contains(x.request.Src) {
							continue
						}
						src = x.request.Src
					}
					p := Packet{Src: src, Dst: e.dst, Protocol: proto, Identity: e.ident, Headers: headers}
					if !e.dst.IsValid() {
						p.DstName = e.to.Name + " (CloudFront)"
					}
					if proto.HasPorts() {
						p.Port = port
					} else {
						ports = model.AllPorts
					}
					if e.dst.IsValid() && e.dst.Is4() != src.Is4() {
						continue
					}
					p.dstGroups = n.privateGroups(e)
					x.classes++
					n.sendFrom(x, root, e, p, classInfo{set: true, ports: ports, srcs: atom})
				}
			}
		}
	}
	return nil
}

// requestedProtocol narrows the protocol classes of entry e to the protocol
// p a trace asks for. A protocol that no rule of the entry names belongs to
// the class that one unnamed protocol represents, so it is sent as itself
// rather than dropped for differing from the representative.
func requestedProtocol(classes []model.Protocol, e *entry, p model.Protocol) []model.Protocol {
	switch {
	case slices.Contains(classes, p):
		return []model.Protocol{p}
	case e.protos == nil && p != model.TCP && p != model.UDP && p != model.ICMP && p != model.ICMPv6:
		return []model.Protocol{p}
	}
	return nil
}

// classInfo is the extent of the class an entry packet represents.
type classInfo struct {
	set   bool
	ports model.PortRange
	srcs  Interval
}

// privateGroups returns the receiver's security groups when the packet is
// addressed to its private address, for egress rules that reference them.
func (n *Network) privateGroups(e *entry) []*model.SecurityGroup {
	if e.dst.IsValid() && (e.dst == e.to.PrivateIP || (e.to.IPv6 && e.dst == e.to.IPv6Addr && e.from.tier != nil && inVPC(e.from.tier.Tier) == inVPC(e.to.Tier))) {
		return e.to.SecurityGroups
	}
	return nil
}

// sendFrom delivers p along entry e and follows every forward.
//
// It returns the state of the packet's arrival at the entry tier, or nil when
// the entry hop drops it.
func (n *Network) sendFrom(x *exploration, root *flowState, e *entry, p Packet, class classInfo) *flowState {
	from := root
	if e.via != "" {
		// The attacker's own request to its distribution, which then
		// sends p to its origin.
		viewer := Packet{Src: exampleAddr, DstName: e.via, Protocol: model.TCP, Port: 443, Headers: p.Headers}
		hop := &Hop{From: root.node, To: e.via, Packet: viewer, Delivered: true,
			Steps: []Step{{Filter: FilterForward, Component: e.via, Allowed: true,
				Detail: "the attacker's own CloudFront distribution names this tier as its origin and sends from CloudFront's origin-facing pool, with any origin port and headers"}},
			Reply: "CloudFront answers on the attacker's connection"}
		from = x.state(e.via, nil, p, root.progress)
		x.graph.addEdge(root.id, from.id, hop)
	}
	a := n.deliver(e.from, e.to, p)
	if !a.hop.Delivered {
		x.drop(from, a.hop)
		return nil
	}
	st := n.follow(x, from, e.to, a)
	if !st.class.set {
		st.class = class
	}
	return st
}

// follow adds the state that arrival a creates at tier t and, when that state
// is new, follows the packets t forwards. It returns the state.
func (n *Network) follow(x *exploration, from *flowState, t *tierInfo, a arrival) *flowState {
	progress := from.progress
	if t.stage == progress+1 {
		progress = t.stage
	}
	isNew := x.byKey[stateKey(t.Name, &a.hop.Packet, progress)] == nil
	st := x.state(t.Name, t, a.hop.Packet, progress)
	hop := a.hop
	x.graph.addEdge(from.id, st.id, &hop)
	if !isNew {
		return st
	}
	st.forwards = a.forwards
	for _, f := range a.forwards {
		next := n.deliver(f.from, f.to, f.pkt)
		next.hop.Steps = append(slices.Clone(f.steps), next.hop.Steps...)
		if !next.hop.Delivered {
			x.drop(st, next.hop)
			continue
		}
		fst := n.follow(x, st, f.to, next)
		if !fst.class.set {
			fst.class = classInfo{set: true, ports: model.PortRange{From: f.pkt.Port, To: f.pkt.Port}, srcs: Interval{next.hop.Packet.Src, next.hop.Packet.Src}}
			if !f.pkt.Protocol.HasPorts() {
				fst.class.ports = model.AllPorts
			}
		}
	}
	return st
}

// drop records a hop that was not delivered: every drop when the
// exploration serves a trace, and otherwise a summary of the drops at chain
// tiers, which is the evidence for a stage that holds.
func (x *exploration) drop(from *flowState, hop Hop) {
	if x.request != nil {
		x.drops = append(x.drops, dropped{from: from, hop: hop})
		return
	}
	if len(hop.Steps) == 0 {
		return
	}
	last := hop.Steps[len(hop.Steps)-1]
	key := hop.To + "|" + from.node + "|" + last.Rule + "|" + last.Reason + "|" + last.Detail
	if s, ok := x.stops[key]; ok {
		s.count++
		return
	}
	if x.stops == nil {
		x.stops = map[string]*stop{}
	}
	x.stops[key] = &stop{from: from, hop: hop, count: 1, seq: len(x.stops)}
}

// stop summarises the drops at one tier that share the node they came from
// and the step that dropped them.
type stop struct {
	from  *flowState
	hop   Hop
	count int
	seq   int // discovery order, for a deterministic report
}

func stateKey(node string, p *Packet, progress int) string {
	return fmt.Sprintf("%s|%d|%s", node, progress, p.key())
}

// state returns the state for a packet at a node, adding it when new.
func (x *exploration) state(node string, t *tierInfo, p Packet, progress int) *flowState {
	k := stateKey(node, &p, progress)
	if st, ok := x.byKey[k]; ok {
		return st
	}
	st := &flowState{id: x.graph.addNode(), node: node, tier: t, pkt: p, progress: progress}
	x.byKey[k] = st
	x.states = append(x.states, st)
	return st
}

// path returns the states from the attacker to st along a shortest path.
func (x *exploration) path(st *flowState) []*flowState {
	ids := pathTo(x.parent, st.id)
	out := make([]*flowState, len(ids))
	for i, id := range ids {
		out[i] = x.states[id]
	}
	return out
}

// hops returns the hops along a path of states.
func (x *exploration) hops(path []*flowState) []Hop {
	out := make([]Hop, 0, len(path)-1)
	for i := 1; i < len(path); i++ {
		out = append(out, *x.graph.edges[[2]int64{path[i-1].id, path[i].id}])
	}
	return out
}

// internetSources returns the addresses an internet host may send from, per
// family: public space outside the shared AWS pools, the scenario's VPCs, and
// the public addresses of its tiers and NAT gateways, which belong to the
// design.
func (n *Network) internetSources() (v4, v6 AddrSet) {
	v4, v6 = PublicIPv4.Subtract(n.pools), PublicIPv6.Subtract(n.pools)
	for _, v := range n.Scenario.VPCs {
		v4 = v4.Subtract(SetOf(v.CIDR))
		if v.IPv6CIDR.IsValid() {
			v6 = v6.Subtract(SetOf(v.IPv6CIDR))
		}
		for _, g := range v.NATGateways {
			if g.PublicAddr.IsValid() {
				v4 = v4.Subtract(SetOf(netip.PrefixFrom(g.PublicAddr, 32)))
			}
		}
	}
	for _, t := range n.ordered {
		if t.PublicIP && t.PublicAddr.IsValid() && t.Kind != model.KindAWSService {
			v4 = v4.Subtract(SetOf(netip.PrefixFrom(t.PublicAddr, 32)))
		}
	}
	return v4, v6
}

// crossesToVPC reports whether a route leads to another VPC.
func crossesToVPC(h routeHit) bool {
	return h.target == model.TargetPeering || h.target == model.TargetTransitGateway
}

// unroutable reports whether routing drops every packet of entry e on its
// addresses alone. That happens when the sender's subnet has no route to the
// destination, or the sender has no public address for the internet gateway.
func (n *Network) unroutable(e *entry) bool {
	if e.from.tier == nil || !e.src.IsValid() || !e.dst.IsValid() {
		return false
	}
	tr := n.transit(e.from, e.to, Packet{Src: e.src, Dst: e.dst, Protocol: model.TCP, Port: 443, Identity: e.ident})
	return tr.drop != nil && tr.drop.Filter == FilterRoute && (tr.drop.Reason == ReasonNoRoute || tr.drop.Reason == ReasonPeeringCIDR || tr.drop.Reason == ReasonPublicIPEgress)
}
