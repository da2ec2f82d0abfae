package sim

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/sgchain/sgchain/model"
)

// FilterRoute is the step that records how routing carried a packet: a NAT
// gateway, an internet gateway between two addresses of the design, a
// peering or a transit gateway.
const FilterRoute Filter = "route"

// Drop reasons of routing, named after AWS Reachability Analyzer's codes.
const (
	ReasonNoRoute        = "NO_ROUTE_TO_DESTINATION"
	ReasonPublicIPEgress = "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"
	ReasonEgressOnly     = "EIGW_BLOCKS_INBOUND"
	ReasonGatewayVPCE    = "VPCE_GATEWAY_PROTOCOL_RESTRICTION"
	ReasonPeeringCIDR    = "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"
)

// routeHit is the route a subnet's table picks for a destination.
type routeHit struct {
	target model.RouteTarget // empty when no route matches
	route  *model.Route      // nil for the local route
}

// lookupRoute returns the route subnet sn uses for dst. The local route wins
// for the VPC's own blocks. Otherwise the longest matching prefix wins, and a
// CIDR route beats a prefix-list route of the same length, as AWS documents.
func lookupRoute(sn *model.Subnet, dst netip.Addr) routeHit {
	vpc := sn.VPC
	for _, b := range []netip.Prefix{vpc.CIDR, vpc.IPv6CIDR} {
		if b.IsValid() && b.Contains(dst) {
			return routeHit{target: model.TargetLocal}
		}
	}
	var hit routeHit
	if sn.RouteTable == nil {
		return hit
	}
	best := -1
	for _, r := range sn.RouteTable.Routes {
		if r.Target == "" {
			continue
		}
		for _, d := range r.Destinations() {
			if !d.Contains(dst) {
				continue
			}
			if d.Bits() > best || (d.Bits() == best && r.PrefixList == nil && hit.route.PrefixList != nil) {
				best, hit = d.Bits(), routeHit{target: r.Target, route: r}
			}
		}
	}
	return hit
}

// hasGatewayRoute reports whether some subnet of t routes some address of
// the family to an internet gateway or an egress-only one. The internet can
// reach the tier only through the first; the second explains why it cannot.
func hasGatewayRoute(t *model.Tier, ipv6 bool) bool {
	return hasRouteTo(t, ipv6, model.TargetInternetGateway) || hasRouteTo(t, ipv6, model.TargetEgressOnly)
}

// hasInternetRoute reports whether some subnet of t routes some address of
// the family to an internet gateway, so that the internet may reach the
// tier's public address.
func hasInternetRoute(t *model.Tier, ipv6 bool) bool {
	return hasRouteTo(t, ipv6, model.TargetInternetGateway)
}

// hasRouteTo reports whether some subnet of t has a route of the family to
// target.
func hasRouteTo(t *model.Tier, ipv6 bool, target model.RouteTarget) bool {
	for _, sn := range t.Subnets {
		if sn.RouteTable == nil {
			continue
		}
		for _, r := range sn.RouteTable.Routes {
			if r.Target != target {
				continue
			}
			if slices.ContainsFunc(r.Destinations(), func(d netip.Prefix) bool { return d.Addr().Is6() == ipv6 }) {
				return true
			}
		}
	}
	return false
}

// leg is a stretch of a packet's way that crosses subnet boundaries, for the
// network ACL checks: out of from and into to. Either is nil on the
// internet side of a gateway.
type leg struct {
	from, to *model.Subnet
	pkt      Packet
	// crossing reports that the packet leaves the VPC through a gateway
	// and comes back, so both network ACLs apply even when from and to
	// are one subnet.
	crossing bool
}

// transit is the way a packet takes from its sender to the receiving tier.
type transit struct {
	pkt Packet // the packet as it arrives at the receiver
	// legs holds nlegs stretches. A fixed array keeps deliver, which runs
	// for every packet, from allocating.
	legs  [2]leg
	nlegs int
	steps []Step // routing steps worth showing
	drop  *Step
}

// publicAddrOf reports whether dst is an address of t that the internet
// can address: its public IPv4 address, or the IPv6 address of a compute
// tier or an internet-facing dual-stack load balancer.
func publicAddrOf(t *tierInfo, dst netip.Addr) bool {
	switch {
	case !dst.IsValid():
		return false
	case t.PublicIP && dst == t.PublicAddr:
		return true
	case t.IPv6 && dst == t.IPv6Addr:
		return !t.Kind.IsLoadBalancer() || t.PublicIP
	}
	return false
}

// transit decides the way p takes from s to t and applies what routing does
// to the packet. An internet gateway or NAT gateway replaces a private source
// with a public one. A packet that crosses the internet, a cross-Region
// peering or a transit gateway loses the security-group identity that
// references match.
func (n *Network) transit(s sender, t *tierInfo, p Packet) transit {
	if t.Kind == model.KindCloudFront {
		return transit{pkt: p}
	}
	to := subnetOf(t)
	switch {
	case s.public:
		return n.fromInternet(t, p, nil)
	case s.tier == nil && t.Kind == model.KindAWSService:
		return transit{pkt: p}
	case s.tier == nil:
		return oneLeg(p, leg{nil, to, p, false})
	}
	from := subnetOf(s.tier)
	if from == nil {
		return oneLeg(p, leg{nil, to, p, false})
	}
	if t.Kind == model.KindAWSService {
		return n.toService(s.tier, from, t, p)
	}
	sameVPC := from.VPC == to.VPC
	if p.Dst == t.PrivateIP || (t.IPv6 && p.Dst == t.IPv6Addr && (sameVPC || crossesToVPC(lookupRoute(from, p.Dst)))) {
		if sameVPC {
			return oneLeg(p, leg{from, to, p, false})
		}
		return n.acrossVPCs(from, to, p)
	}
	if !publicAddrOf(t, p.Dst) {
		return transit{drop: &Step{Filter: FilterRoute, Component: "subnet " + from.Name, Reason: ReasonNoRoute,
			Detail: fmt.Sprintf("%s is not an address of %s that the sender can reach", p.Dst, t.Name)}}
	}
	return n.viaInternet(s.tier, from, t, p)
}

// fromInternet admits p from the internet at t's public address: some
// subnet of t must route the source back to an internet gateway. prefix
// holds the legs and steps of the way out of the sender's VPC, if any.
func (n *Network) fromInternet(t *tierInfo, p Packet, prefix *transit) transit {
	tr := transit{pkt: p}
	if prefix != nil {
		tr.legs, tr.nlegs, tr.steps = prefix.legs, prefix.nlegs, prefix.steps
	}
	if !publicAddrOf(t, p.Dst) {
		tr.drop = &Step{Filter: FilterIngress, Component: "tier " + t.Name, Reason: ReasonNotInternetFacing, Pos: t.Pos,
			Detail: fmt.Sprintf("%s has no public address reachable from the internet", t.Name)}
		return tr
	}
	// The sender may address the interface, or load balancer node, in
	// any subnet that routes it back to an internet gateway, so it picks
	// one whose network ACL lets it in, where there is one.
	// The last stretch of a way out of the sender's VPC leaves through a
	// gateway and ends in the receiver's subnet.
	in := leg{nil, nil, p, false}
	if tr.nlegs > 0 && tr.legs[tr.nlegs-1].to == nil {
		tr.nlegs--
		in = tr.legs[tr.nlegs]
		in.crossing = true
	}
	eigw := false
	var first leg
	found := false
	for _, sn := range t.Subnets {
		switch lookupRoute(sn, p.Src).target {
		case model.TargetInternetGateway:
			l := in
			l.to = sn
			if !found {
				first, found = l, true
			}
			// With one subnet there is no choice, so deliver's own
			// network ACL checks are enough.
			if len(t.Subnets) == 1 || legPasses(l) {
				tr.legs[tr.nlegs] = l
				tr.nlegs++
				return tr
			}
		case model.TargetEgressOnly:
			eigw = true
		}
	}
	if found {
		// No subnet lets it in; the first one explains the drop.
		tr.legs[tr.nlegs] = first
		tr.nlegs++
		return tr
	}
	st := &Step{Filter: FilterIngress, Component: "tier " + t.Name, Reason: ReasonNotInternetFacing, Pos: t.Pos,
		Detail: fmt.Sprintf("%s has no public address reachable from the internet: no subnet of it routes %s to an internet gateway", t.Name, p.Src)}
	if eigw {
		st.Reason = ReasonEgressOnly
		st.Detail = fmt.Sprintf("the subnets of %s send %s to an egress-only internet gateway, which lets IPv6 connections out but none in", t.Name, p.Src)
	}
	if sn := subnetOf(t); sn != nil && sn.RouteTable != nil {
		st.Pos, st.Rule = sn.RouteTable.Pos, sn.RouteTable.Path
	}
	tr.drop = st
	return tr
}

// viaInternet sends p from tier u, in subnet from, to a public address of
// t. The packet leaves through the internet gateway with u's own public
// address, or through a NAT gateway with the gateway's, and arrives as
// internet traffic: security-group references match only private
// addresses, so they no longer match it.
func (n *Network) viaInternet(u *tierInfo, from *model.Subnet, t *tierInfo, p Packet) transit {
	p.Identity, p.dstGroups = nil, nil
	out := p
	tr := &transit{}
	noRoute := func(reason, detail string) transit {
		st := &Step{Filter: FilterRoute, Component: "subnet " + from.Name, Reason: reason, Detail: detail}
		if from.RouteTable != nil {
			st.Pos, st.Rule = from.RouteTable.Pos, from.RouteTable.Path
		}
		return transit{pkt: p, drop: st}
	}
	h := lookupRoute(from, p.Dst)
	switch h.target {
	case model.TargetInternetGateway, model.TargetEgressOnly:
		if p.Dst.Is4() {
			if !u.PublicIP || !u.PublicAddr.IsValid() {
				return noRoute(ReasonPublicIPEgress, fmt.Sprintf("subnet %s routes %s to the internet gateway, but %s has no public IPv4 address, so the gateway drops its packets", from.Name, p.Dst, u.Name))
			}
			out.Src = u.PublicAddr
		}
		// The internet gateway translates addresses but not ports, so the
		// reply passes both subnets' network ACLs on one port.
		tr.legs[0], tr.nlegs = leg{from, nil, out, true}, 1
		detail := fmt.Sprintf("route %s sends it to the internet", h.route)
		if p.Dst.Is4() {
			detail += fmt.Sprintf("; the internet gateway replaces the source with %s's public address %s", u.Name, out.Src)
		}
		tr.steps = []Step{{Filter: FilterRoute, Component: "subnet " + from.Name, Allowed: true, Rule: h.route.Path, Pos: h.route.Pos,
			Detail: detail + ", so security-group references no longer match it"}}
	case model.TargetNATGateway:
		g := h.route.NATGateway
		if p.Protocol != model.TCP && p.Protocol != model.UDP && p.Protocol != model.ICMP {
			return transit{pkt: p, drop: &Step{Filter: FilterRoute, Component: "NAT gateway " + g.Name, Reason: ReasonProtocolRestrict, Rule: h.route.Path, Pos: h.route.Pos,
				Detail: fmt.Sprintf("NAT gateway %s translates only TCP, UDP and ICMP, so it drops %s", g.Name, p.Protocol)}}
		}
		if g.Private || g.Subnet == nil {
			return noRoute(ReasonNoRoute, fmt.Sprintf("route %s leads to a private NAT gateway, which cannot reach the internet", h.route))
		}
		if back := lookupRoute(g.Subnet, p.Dst); back.target != model.TargetInternetGateway {
			return noRoute(ReasonNoRoute, fmt.Sprintf("NAT gateway %s is in subnet %s, which has no route for %s to an internet gateway", g.Name, g.Subnet.Name, p.Dst))
		}
		out.Src, out.srcPorts = g.PublicAddr, elbEphemeral
		tr.legs, tr.nlegs = [2]leg{{from, g.Subnet, p, false}, {g.Subnet, nil, out, true}}, 2
		tr.steps = []Step{{Filter: FilterRoute, Component: "NAT gateway " + g.Name, Allowed: true, Rule: h.route.Path, Pos: h.route.Pos,
			Detail: fmt.Sprintf("route %s sends it through NAT gateway %s, which replaces the source with its Elastic IP address %s, so security-group references no longer match it", h.route, g.Name, g.PublicAddr)}}
	case "":
		return noRoute(ReasonNoRoute, fmt.Sprintf("subnet %s has no route for %s", from.Name, p.Dst))
	default:
		reason := ReasonNoRoute
		if h.target == model.TargetPeering {
			reason = ReasonPeeringCIDR
		}
		return noRoute(reason, fmt.Sprintf("route %s leads to %s, which does not carry traffic for %s: AWS does not route a peering or transit gateway to the internet or to a peer's gateways", h.route, h.route.Target, p.Dst))
	}
	if t.Kind == model.KindAWSService {
		tr.pkt = out
		return *tr
	}
	return n.fromInternet(t, out, tr)
}

// acrossVPCs sends p between two VPCs over a peering or transit gateway.
// Both subnets must route the other end's address to the same connection.
// A same-Region peering keeps security-group identity; a cross-Region one
// does not. A transit gateway keeps it for inbound rules only, and only
// when the feature is on for the gateway and both attachments.
func (n *Network) acrossVPCs(from, to *model.Subnet, p Packet) transit {
	h, back := lookupRoute(from, p.Dst), lookupRoute(to, p.Src)
	drop := func(reason, detail string) transit {
		return transit{pkt: p, drop: &Step{Filter: FilterRoute, Component: "subnet " + from.Name, Reason: reason, Detail: detail}}
	}
	switch {
	case h.route == nil:
		return drop(ReasonNoRoute, fmt.Sprintf("subnet %s has no route for %s in VPC %s", from.Name, p.Dst, to.VPC.Name))
	case back.route == nil:
		return drop(ReasonNoRoute, fmt.Sprintf("subnet %s has no route back to %s in VPC %s", to.Name, p.Src, from.VPC.Name))
	}
	st := Step{Filter: FilterRoute, Component: "subnet " + from.Name, Allowed: true, Rule: h.route.Path, Pos: h.route.Pos}
	switch {
	case h.target == model.TargetPeering && back.target == model.TargetPeering && h.route.Peering == back.route.Peering && h.route.Peering.Connects(from.VPC, to.VPC):
		pc := h.route.Peering
		st.Detail = fmt.Sprintf("route %s crosses peering %s", h.route, pc.Name)
		if pc.CrossRegion() {
			p.Identity, p.dstGroups = nil, nil
			st.Detail += fmt.Sprintf(" between Regions %s and %s, where security-group references do not work", from.VPC.Region, to.VPC.Region)
		}
	case h.target == model.TargetTransitGateway && back.target == model.TargetTransitGateway && h.route.TransitGateway == back.route.TransitGateway:
		g := h.route.TransitGateway
		st.Detail = fmt.Sprintf("route %s crosses transit gateway %s", h.route, g.Name)
		p.dstGroups = nil
		if g.ReferencesAcross(from.VPC, to.VPC) {
			st.Detail += "; its security-group referencing lets inbound rules reference the sender's groups, but outbound rules cannot reference the receiver's"
		} else {
			p.Identity = nil
			st.Detail += "; security-group referencing is off on the gateway or an attachment, so references do not match"
		}
	default:
		// A peering carries only traffic for the two VPCs it joins, so
		// AWS routes nothing through one VPC to a third.
		reason := ReasonNoRoute
		if h.target == model.TargetPeering || back.target == model.TargetPeering {
			reason = ReasonPeeringCIDR
		}
		return drop(reason, fmt.Sprintf("route %s and the return route %s do not use one peering or transit gateway that joins VPCs %s and %s", h.route, back.route, from.VPC.Name, to.VPC.Name))
	}
	tr := oneLeg(p, leg{from, to, p, false})
	tr.steps = []Step{st}
	return tr
}

// toService sends p from tier u to an AWS service at a public address of
// the service: through a gateway endpoint when the subnet's table has the
// route the endpoint adds, otherwise over the internet like any public
// address. A gateway endpoint carries only TCP and ICMP echo.
func (n *Network) toService(u *tierInfo, from *model.Subnet, t *tierInfo, p Packet) transit {
	p.Identity, p.dstGroups = nil, nil
	h := lookupRoute(from, p.Dst)
	if h.target != model.TargetGatewayEndpoint {
		tr := n.viaInternet(u, from, t, p)
		if tr.drop == nil {
			// The service is on the internet, so no subnet of its own
			// takes the packet in.
			inside := 0
			for _, l := range tr.legs[:tr.nlegs] {
				if l.from != nil {
					tr.legs[inside] = l
					inside++
				}
			}
			tr.nlegs = inside
		}
		return tr
	}
	g := h.route.GatewayEndpoint
	if p.Protocol != model.TCP && !(p.Protocol == model.ICMP && p.Port/256 == 8) {
		return transit{pkt: p, drop: &Step{Filter: FilterRoute, Component: "gateway endpoint " + g.Name, Reason: ReasonGatewayVPCE, Rule: h.route.Path, Pos: h.route.Pos,
			Detail: fmt.Sprintf("gateway endpoint %s carries only TCP and ICMP echo requests", g.Name)}}
	}
	st := Step{Filter: FilterRoute, Component: "gateway endpoint " + g.Name, Allowed: true, Rule: h.route.Path, Pos: h.route.Pos,
		Detail: fmt.Sprintf("route %s, which gateway endpoint %s adds, carries it to %s without a NAT or internet gateway", h.route, g.Name, t.Name)}
	tr := oneLeg(p, leg{from, nil, p, true})
	tr.steps = []Step{st}
	return tr
}

// legPasses reports whether a packet passes the network ACLs of leg l and
// its reply passes them back.
func legPasses(l leg) bool {
	for _, st := range naclRequest(l.from, l.to, &l.pkt, l.crossing) {
		if !st.Allowed {
			return false
		}
	}
	st, ok := naclReply(l.from, l.to, &l.pkt, l.crossing)
	return !ok || st.Allowed
}

// oneLeg returns a transit of one stretch that delivers p.
func oneLeg(p Packet, l leg) transit {
	tr := transit{pkt: p, nlegs: 1}
	tr.legs[0] = l
	return tr
}
