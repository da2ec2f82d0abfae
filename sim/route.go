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
}

// transit is the way a packet takes from its sender to the receiving tier.
type transit struct {
	pkt   Packet // the packet as it arrives at the receiver
	legs  []leg
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
		return transit{pkt: p, legs: []leg{{nil, to, p}}}
	}
	from := subnetOf(s.tier)
	if from == nil {
		return transit{pkt: p, legs: []leg{{nil, to, p}}}
	}
	if t.Kind == model.KindAWSService {
		return n.toService(s.tier, from, t, p)
	}
	sameVPC := from.VPC == to.VPC
	if p.Dst == t.PrivateIP || (t.IPv6 && p.Dst == t.IPv6Addr && sameVPC) {
		if sameVPC {
			return transit{pkt: p, legs: []leg{{from, to, p}}}
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
		tr.legs, tr.steps = prefix.legs, prefix.steps
	}
	if !publicAddrOf(t, p.Dst) {
		tr.drop = &Step{Filter: FilterIngress, Component: "tier " + t.Name, Reason: ReasonNotInternetFacing, Pos: t.Pos,
			Detail: fmt.Sprintf("%s has no public address reachable from the internet", t.Name)}
		return tr
	}
	eigw := false
	for _, sn := range t.Subnets {
		switch lookupRoute(sn, p.Src).target {
		case model.TargetInternetGateway:
			tr.legs = append(tr.legs, leg{nil, sn, p})
			return tr
		case model.TargetEgressOnly:
			eigw = true
		}
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
		tr.legs = []leg{{from, nil, p}}
		detail := fmt.Sprintf("route %s sends it to the internet", h.route)
		if p.Dst.Is4() {
			detail += fmt.Sprintf("; the internet gateway replaces the source with %s's public address %s", u.Name, out.Src)
		}
		tr.steps = []Step{{Filter: FilterRoute, Component: "subnet " + from.Name, Allowed: true, Rule: h.route.Path, Pos: h.route.Pos,
			Detail: detail + ", so security-group references no longer match it"}}
	case model.TargetNATGateway:
		g := h.route.NATGateway
		if g.Private || g.Subnet == nil {
			return noRoute(ReasonNoRoute, fmt.Sprintf("route %s leads to a private NAT gateway, which cannot reach the internet", h.route))
		}
		if back := lookupRoute(g.Subnet, p.Dst); back.target != model.TargetInternetGateway {
			return noRoute(ReasonNoRoute, fmt.Sprintf("NAT gateway %s is in subnet %s, which has no route for %s to an internet gateway", g.Name, g.Subnet.Name, p.Dst))
		}
		out.Src, out.srcPorts = g.PublicAddr, elbEphemeral
		tr.legs = []leg{{from, g.Subnet, p}, {g.Subnet, nil, out}}
		tr.steps = []Step{{Filter: FilterRoute, Component: "NAT gateway " + g.Name, Allowed: true, Rule: h.route.Path, Pos: h.route.Pos,
			Detail: fmt.Sprintf("route %s sends it through NAT gateway %s, which replaces the source with its Elastic IP address %s, so security-group references no longer match it", h.route, g.Name, g.PublicAddr)}}
	default:
		return noRoute(ReasonNoRoute, fmt.Sprintf("subnet %s has no route for %s", from.Name, p.Dst))
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
	drop := func(detail string) transit {
		return transit{pkt: p, drop: &Step{Filter: FilterRoute, Component: "subnet " + from.Name, Reason: ReasonNoRoute, Detail: detail}}
	}
	switch {
	case h.route == nil:
		return drop(fmt.Sprintf("subnet %s has no route for %s in VPC %s", from.Name, p.Dst, to.VPC.Name))
	case back.route == nil:
		return drop(fmt.Sprintf("subnet %s has no route back to %s in VPC %s", to.Name, p.Src, from.VPC.Name))
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
		return drop(fmt.Sprintf("route %s and the return route %s do not use one peering or transit gateway that joins VPCs %s and %s", h.route, back.route, from.VPC.Name, to.VPC.Name))
	}
	return transit{pkt: p, legs: []leg{{from, to, p}}, steps: []Step{st}}
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
			tr.legs = slices.DeleteFunc(tr.legs, func(l leg) bool { return l.from == nil })
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
	return transit{pkt: p, legs: []leg{{from, nil, p}}, steps: []Step{st}}
}
