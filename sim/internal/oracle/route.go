package oracle

import (
	"net/netip"
	"slices"

	"github.com/sgchain/sgchain/model"
)

// Routing, from the AWS VPC documentation:
//
//   - Every route table has a local route for each block of its VPC, and
//     the loader accepts no route inside those blocks, so the local route
//     always wins for them. Otherwise the longest matching prefix wins, and
//     at equal length a route to a CIDR block beats one to a prefix list.
//   - An internet gateway carries only public addresses. Inbound, it hands a
//     packet for a public IPv4 address to the interface behind it, and an
//     IPv6 address needs no translation. The interface's subnet must send
//     the reply to an internet gateway too, or the reply is lost.
//     Outbound, it replaces the private IPv4 source with the interface's
//     own public address, and drops the packet when the interface has none.
//   - An egress-only internet gateway lets IPv6 connections out and none in.
//   - A NAT gateway carries TCP, UDP and ICMP only. A public one replaces
//     the source with its Elastic IP address and a port of 1024-65535, and
//     reaches the internet through its own subnet's internet route. A
//     private one cannot reach the internet.
//   - A peering connection carries packets only for addresses inside the
//     peer VPC's blocks, so it is not transitive and lends out none of the
//     peer's gateways. A transit gateway carries packets for the blocks of
//     the VPCs attached to it. Either way the receiver's subnet must route
//     the reply back over the same connection.
//   - A security-group reference matches the private addresses of the
//     interfaces in the group, so a packet that crosses the internet carries
//     no identity. A same-Region peering keeps identity both ways, a
//     cross-Region peering keeps none. Across a transit gateway only
//     inbound rules can reference groups, and only when referencing is on
//     for the gateway and for both attachments.

// natPorts is the source-port range a NAT gateway translates to.
var natPorts = model.PortRange{From: 1024, To: 65535}

// globalIPv6 is the global unicast block, the IPv6 internet.
var globalIPv6 = netip.MustParsePrefix("2000::/3")

// way is one way a packet from a sender can reach a tier.
type way struct {
	// seen is the packet as the receiver gets it, with the source and the
	// identity that routing left it.
	seen packet
	// legs are the subnet boundaries the packet crosses, in order.
	legs []leg
	// dstRefs reports whether the sender's outbound rules that reference a
	// group can match the receiver.
	dstRefs bool
}

// leg is a stretch of a way between two subnets, where a nil subnet is the
// internet side of a gateway or a sender outside the VPCs. A leg whose ends
// are one subnet crosses no network ACL.
type leg struct {
	from, to *model.Subnet
	p        packet
	// group numbers the legs whose replies go to one source port: every
	// leg before a NAT gateway has the sender's port, every leg after it
	// the gateway's.
	group int
}

// route returns the target and route that subnet sn's route table uses for
// address a: local for the VPC's own blocks, and "" when no route matches.
func route(sn *model.Subnet, a netip.Addr) (model.RouteTarget, *model.Route) {
	v := sn.VPC
	if (v.CIDR.IsValid() && v.CIDR.Contains(a)) || (v.IPv6CIDR.IsValid() && v.IPv6CIDR.Contains(a)) {
		return model.TargetLocal, nil
	}
	if sn.RouteTable == nil {
		return "", nil
	}
	// Try every prefix length from the longest, and at each length the
	// CIDR routes before the prefix-list routes.
	for bits := a.BitLen(); bits >= 0; bits-- {
		for _, viaList := range []bool{false, true} {
			for _, r := range sn.RouteTable.Routes {
				if (r.PrefixList != nil) != viaList {
					continue
				}
				for _, d := range r.Destinations() {
					if d.Bits() == bits && d.Contains(a) {
						return r.Target, r
					}
				}
			}
		}
	}
	return "", nil
}

// internetAddrOf reports whether a is an address of t that the internet
// can send to: its public IPv4 address, or its IPv6 address when t is a
// compute or data-store tier or an internet-facing load balancer. An
// internal load balancer's IPv6 address is not reachable from the internet.
func internetAddrOf(t *model.Tier, a netip.Addr) bool {
	switch {
	case !a.IsValid():
		return false
	case t.PublicIP && a == t.PublicAddr:
		return true
	case t.IPv6 && a == t.IPv6Addr:
		return t.Kind.IsEndpoint() || t.PublicIP
	}
	return false
}

// ownAddr reports whether a is an address of t's representative interface:
// its private IPv4 address or its IPv6 address.
func ownAddr(t *model.Tier, a netip.Addr) bool {
	return a.IsValid() && (a == t.PrivateIP || (t.IPv6 && a == t.IPv6Addr))
}

// isGlobal reports whether the internet routes a: public IPv4, or global
// unicast IPv6.
func isGlobal(a netip.Addr) bool {
	if a.Is4() {
		return !inAny(nonPublic, a)
	}
	return globalIPv6.Contains(a)
}

// ways returns every way p from f can reach t, or none when routing drops
// it.
func (o *Oracle) ways(f sender, t *model.Tier, p packet) []way {
	switch {
	case t.Kind == model.KindCloudFront:
		// A viewer's request to a distribution crosses no VPC.
		return []way{{seen: p}}
	case f.public:
		return fromInternet(t, p, nil, 0)
	case f.tier == nil:
		// An address range is routed into the VPC, as a VPN or Direct
		// Connect network is, straight to the private address.
		return []way{{seen: p, legs: []leg{{nil, subnetOf(t), p, 0}}}}
	}
	return o.fromTier(f.tier, t, p)
}

// fromInternet returns the ways p, which is on the internet, enters t:
// through each subnet of t whose route table sends p's source to an
// internet gateway, so that the reply can leave. before holds the legs p
// took to reach the internet, and group the reply-port group of its last
// stretch.
func fromInternet(t *model.Tier, p packet, before []leg, group int) []way {
	if !internetAddrOf(t, p.dst) {
		return nil
	}
	p.ident = nil
	var out []way
	for _, sn := range t.Subnets {
		if target, _ := route(sn, p.src); target == model.TargetInternetGateway {
			legs := append(slices.Clone(before), leg{nil, sn, p, group})
			out = append(out, way{seen: p, legs: legs})
		}
	}
	return out
}

// fromTier returns the ways p from tier u's representative interface
// reaches t, following the route table of u's first subnet.
func (o *Oracle) fromTier(u, t *model.Tier, p packet) []way {
	from := subnetOf(u)
	target, r := route(from, p.dst)
	switch target {
	case model.TargetLocal:
		if vpcOf(t) != from.VPC || !ownAddr(t, p.dst) {
			return nil
		}
		return []way{{seen: p, legs: []leg{{from, subnetOf(t), p, 0}}, dstRefs: true}}

	case model.TargetInternetGateway, model.TargetEgressOnly:
		if !isGlobal(p.dst) {
			return nil
		}
		q := p
		if p.dst.Is4() {
			// Only the internet gateway carries IPv4, and it needs the
			// sender's own public address to translate to.
			if target != model.TargetInternetGateway || !u.PublicIP || !u.PublicAddr.IsValid() {
				return nil
			}
			q.src = u.PublicAddr
		}
		return fromInternet(t, q, []leg{{from, nil, p, 0}}, 0)

	case model.TargetNATGateway:
		g := r.NATGateway
		if g.Private || g.Subnet == nil || !p.dst.Is4() || !isGlobal(p.dst) {
			return nil
		}
		if p.proto != model.TCP && p.proto != model.UDP && p.proto != model.ICMP {
			return nil
		}
		if out, _ := route(g.Subnet, p.dst); out != model.TargetInternetGateway {
			return nil
		}
		q := p
		q.src, q.srcPorts = g.PublicAddr, natPorts
		return fromInternet(t, q, []leg{{from, g.Subnet, p, 0}, {g.Subnet, nil, q, 1}}, 1)

	case model.TargetPeering:
		pc := r.Peering
		peer := pc.VPCs[0]
		if peer == from.VPC {
			peer = pc.VPCs[1]
		}
		to := subnetOf(t)
		if vpcOf(t) != peer || !ownAddr(t, p.dst) {
			return nil
		}
		if back, br := route(to, p.src); back != model.TargetPeering || br.Peering != pc {
			return nil
		}
		a, b := from.VPC.Region, peer.Region
		sameRegion := a == "" || b == "" || a == b
		q := p
		if !sameRegion {
			q.ident = nil
		}
		return []way{{seen: q, legs: []leg{{from, to, p, 0}}, dstRefs: sameRegion}}

	case model.TargetTransitGateway:
		g := r.TransitGateway
		to := subnetOf(t)
		receiverAttachment := g.Attachment(vpcOf(t))
		if receiverAttachment == nil || vpcOf(t) == from.VPC || !ownAddr(t, p.dst) {
			return nil
		}
		if back, br := route(to, p.src); back != model.TargetTransitGateway || br.TransitGateway != g {
			return nil
		}
		q := p
		senderAttachment := g.Attachment(from.VPC)
		if !g.SecurityGroupReferencing || senderAttachment == nil || !senderAttachment.SecurityGroupReferencing || !receiverAttachment.SecurityGroupReferencing {
			q.ident = nil
		}
		return []way{{seen: q, legs: []leg{{from, to, p, 0}}}}
	}
	return nil
}
