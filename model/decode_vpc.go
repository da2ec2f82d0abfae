package model

import (
	"net/netip"
	"slices"
)

var (
	vpcKeys    = []string{"cidr", "ipv6_cidr", "region", "subnets", "nat_gateways", "route_tables", "main_route_table", "gateway_endpoints"}
	subnetKeys = []string{"cidr", "ipv6_cidr", "public", "route_table", "network_acl"}
)

// AWS accepts IPv4 blocks from /16 to /28 for both VPCs and subnets.
const (
	minIPv4Bits = 16
	maxIPv4Bits = 28
	// subnetIPv6Bits is the only prefix length AWS accepts for a subnet's
	// IPv6 block.
	subnetIPv6Bits = 64
)

func (d *decoder) decodeVPCs(v value) {
	for _, e := range d.named(v, "VPC", true) {
		vpc := &VPC{Name: e.name, Pos: d.pos(e.key)}
		d.s.VPCs = append(d.s.VPCs, vpc)
		d.vpcs[e.name] = vpc
		d.decodeVPC(vpc, e.value)
	}
}

func (d *decoder) decodeVPC(vpc *VPC, v value) {
	o := d.object(v, "a VPC", vpcKeys, nil)

	if c, ok := d.require(o, "cidr", "cidr: 10.0.0.0/16"); ok {
		if p, ok := d.prefix(c, IPv4); ok && d.checkIPv4Bits(c, p, "VPC") {
			vpc.CIDR = p
		}
	}
	if c, ok := o.get("ipv6_cidr"); ok {
		vpc.IPv6CIDR, _ = d.prefix(c, IPv6)
	}
	if r, ok := o.get("region"); ok {
		vpc.Region, _ = d.str(r, "a Region name such as us-east-1")
	}

	sv, ok := d.require(o, "subnets", "subnets: {app-a: {cidr: 10.0.1.0/24}}")
	if !ok {
		return
	}
	var v4, v6 []placedBlock
	for _, e := range d.named(sv, "subnet", true) {
		sub := &Subnet{Name: e.name, VPC: vpc, Pos: d.pos(e.key)}
		if first, dup := d.subnets[e.name]; dup {
			d.errorf(e.key, e.value.path, "Duplicate name", "Subnet %q is already defined in VPC %s on line %d. Subnet names must be unique across all VPCs, so rename one of them.",
				e.name, first.VPC.Name, d.subnetKeys[first].Line)
		} else {
			d.subnets[e.name] = sub
			d.subnetKeys[sub] = e.key
		}
		vpc.Subnets = append(vpc.Subnets, sub)

		cidr, ipv6 := d.decodeSubnet(sub, e.value)
		if sub.CIDR.IsValid() {
			v4 = append(v4, placedBlock{sub, sub.CIDR, cidr})
		}
		if sub.IPv6CIDR.IsValid() {
			v6 = append(v6, placedBlock{sub, sub.IPv6CIDR, ipv6})
		}
	}
	d.checkOverlaps(vpc, v4)
	d.checkOverlaps(vpc, v6)

	if nv, ok := o.get("nat_gateways"); ok {
		d.decodeNATGateways(vpc, nv)
	}
	if rv, ok := o.get("route_tables"); ok {
		d.decodeRouteTables(vpc, rv)
	}
	if gv, ok := o.get("gateway_endpoints"); ok {
		d.decodeGatewayEndpoints(vpc, gv)
	}
	if mv, ok := o.get("main_route_table"); ok {
		d.deferred = append(d.deferred, func() {
			if rt, ok := d.lookupRouteTable(mv); ok {
				if rt.VPC != vpc {
					d.errorf(mv.at, mv.path, "VPC mismatch", "Route table %s is in VPC %s, not in VPC %s. The main route table must be one of the VPC's own.", rt.Name, rt.VPC.Name, vpc.Name)
					return
				}
				vpc.MainRouteTable = rt
			}
		})
	}
}

// placedBlock is a subnet's block with the value it was decoded from.
type placedBlock struct {
	subnet *Subnet
	block  netip.Prefix
	value  value
}

// checkOverlaps reports each block that overlaps another block of the same
// VPC, at the one that comes later in the file and naming the other. Two
// CIDR blocks overlap only when one contains the other, so after sorting by
// address a block overlaps an earlier one exactly when it starts before the
// furthest end seen so far.
func (d *decoder) checkOverlaps(vpc *VPC, blocks []placedBlock) {
	order := make([]int, len(blocks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		pa, pb := blocks[a].block, blocks[b].block
		if c := pa.Addr().Compare(pb.Addr()); c != 0 {
			return c
		}
		return pa.Bits() - pb.Bits()
	})

	widest := -1 // index of the block with the furthest end so far
	for _, i := range order {
		b := blocks[i]
		if widest >= 0 && blocks[widest].block.Overlaps(b.block) {
			first, second := blocks[widest], b
			if i < widest {
				first, second = b, blocks[widest]
			}
			d.errorf(second.value.at, second.value.path, "Overlapping subnets", "Subnet %s (%s) overlaps subnet %s (%s, line %d) in VPC %s. Subnets of one VPC must not overlap, so give one of them another block.",
				second.subnet.Name, second.block, first.subnet.Name, first.block, first.value.at.Line, vpc.Name)
		}
		if widest < 0 || lastAddr(blocks[widest].block).Less(lastAddr(b.block)) {
			widest = i
		}
	}
}

// decodeSubnet decodes one subnet and returns the values of its IPv4 and
// IPv6 blocks for the overlap check.
func (d *decoder) decodeSubnet(sub *Subnet, v value) (cidr, ipv6 value) {
	vpc := sub.VPC
	o := d.object(v, "a subnet", subnetKeys, nil)

	if c, ok := d.require(o, "cidr", "cidr: 10.0.1.0/24"); ok {
		cidr = c
		if p, ok := d.prefix(c, IPv4); ok && d.checkIPv4Bits(c, p, "subnet") {
			if vpc.CIDR.IsValid() && !contains(vpc.CIDR, p) {
				d.errorf(c.at, c.path, "Subnet outside VPC", "Subnet %s has the block %s, which is outside the block %s of VPC %s. Choose a block inside the VPC's.",
					sub.Name, p, vpc.CIDR, vpc.Name)
			} else {
				sub.CIDR = p
			}
		}
	}

	if c, ok := o.get("ipv6_cidr"); ok {
		ipv6 = c
		if p, ok := d.prefix(c, IPv6); ok {
			switch {
			case p.Bits() != subnetIPv6Bits:
				d.errorf(c.at, c.path, "Invalid CIDR", "%s is a /%d block. AWS gives every subnet a /64 IPv6 block, so write a /64 inside the VPC's IPv6 block.", p, p.Bits())
			case !vpc.IPv6CIDR.IsValid():
				d.errorf(c.at, c.path, "Invalid value", "Subnet %s has an IPv6 block, but VPC %s has no ipv6_cidr. Add an ipv6_cidr to the VPC or remove this one.", sub.Name, vpc.Name)
			case !contains(vpc.IPv6CIDR, p):
				d.errorf(c.at, c.path, "Subnet outside VPC", "Subnet %s has the IPv6 block %s, which is outside the block %s of VPC %s. Choose a /64 inside the VPC's.",
					sub.Name, p, vpc.IPv6CIDR, vpc.Name)
			default:
				sub.IPv6CIDR = p
			}
		}
	}

	pv, public := o.get("public")
	if public {
		public, _ = d.boolean(pv)
	}
	rv, named := o.get("route_table")
	switch {
	case public && named:
		d.errorf(rv.at, rv.path, "Conflicting keys", "Subnet %s sets both public: true and route_table. public: true stands for a route table that sends 0.0.0.0/0 to an internet gateway; keep one of the two.", sub.Name)
	case public:
		// The IPv6 block is known by now, so the implicit table can
		// include ::/0 for it.
		d.deferred = append(d.deferred, func() { sub.RouteTable = publicRouteTable(sub) })
	case named:
		d.explicitRouteTable[sub] = true
		d.deferred = append(d.deferred, func() { d.resolveSubnetRouteTable(sub, rv) })
	}
	// The network_acls section is decoded after the VPCs, so the reference
	// resolves once the whole scenario is decoded.
	if av, ok := o.get("network_acl"); ok {
		d.deferred = append(d.deferred, func() { d.resolveSubnetACL(sub, av) })
	}
	return cidr, ipv6
}

// checkIPv4Bits reports an IPv4 block whose prefix length AWS rejects for a
// VPC or subnet.
func (d *decoder) checkIPv4Bits(v value, p netip.Prefix, noun string) bool {
	if p.Bits() < minIPv4Bits || p.Bits() > maxIPv4Bits {
		d.errorf(v.at, v.path, "Invalid CIDR", "%s is a /%d block. AWS allows %s IPv4 blocks from /%d to /%d.", p, p.Bits(), noun, minIPv4Bits, maxIPv4Bits)
		return false
	}
	return true
}

// contains reports whether the block inner lies within outer.
func contains(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}
