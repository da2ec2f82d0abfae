package model

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

var (
	natGatewayKeys      = []string{"subnet", "connectivity", "elastic_ip"}
	routeTableKeys      = []string{"routes"}
	routeKeys           = []string{"destination", "destination_prefix_list", "internet_gateway", "egress_only_internet_gateway", "nat_gateway", "peering", "transit_gateway"}
	routeDestKeys       = []string{"destination", "destination_prefix_list"}
	routeTargetKeys     = []string{"internet_gateway", "egress_only_internet_gateway", "nat_gateway", "peering", "transit_gateway"}
	peeringKeys         = []string{"vpcs"}
	transitGatewayKeys  = []string{"security_group_referencing", "attachments"}
	tgwAttachmentKeys   = []string{"security_group_referencing"}
	gatewayEndpointKeys = []string{"prefix_list", "route_tables"}
)

// gatewayServices matches the AWS-managed prefix lists of the services that
// gateway endpoints serve.
var gatewayServices = regexp.MustCompile(`^com\.amazonaws\.` + regionPattern + `\.(s3|dynamodb)$`)

// decodeGatewayEndpoints decodes a VPC's gateway_endpoints. The routes they
// add resolve once prefix lists and route tables are decoded.
func (d *decoder) decodeGatewayEndpoints(vpc *VPC, v value) {
	for _, e := range d.named(v, "gateway endpoint", false) {
		g := &GatewayEndpoint{Name: e.name, VPC: vpc, Path: e.value.path, Pos: d.pos(e.key)}
		vpc.GatewayEndpoints = append(vpc.GatewayEndpoints, g)
		o := d.object(e.value, "a gateway endpoint", gatewayEndpointKeys, nil)
		pv, okList := d.require(o, "prefix_list", "prefix_list: s3")
		rv, okTables := d.require(o, "route_tables", "route_tables: [private]")
		d.deferred = append(d.deferred, func() {
			if okList {
				if pl, ok := d.lookupPrefixList(pv); ok {
					if !gatewayServices.MatchString(pl.AWSManaged) {
						d.errorf(pv.at, pv.path, "Invalid value", "Prefix list %s is not the AWS-managed list of S3 or DynamoDB. Gateway endpoints exist only for those two services; name a list with aws_managed: com.amazonaws.<region>.s3 or .dynamodb.", pl.Name)
					} else if region := strings.Split(pl.AWSManaged, ".")[2]; vpc.Region != "" && region != vpc.Region {
						d.errorf(pv.at, pv.path, "Invalid value", "Prefix list %s is the list of Region %s, but VPC %s is in %s. A gateway endpoint serves only its own Region; name the list com.amazonaws.%s.%s.", pl.Name, region, vpc.Name, vpc.Region, vpc.Region, strings.Split(pl.AWSManaged, ".")[3])
					} else {
						g.PrefixList = pl
					}
				}
			}
			if !okTables {
				return
			}
			items, ok := d.list(rv, "a list of route table names")
			if !ok {
				return
			}
			for _, item := range items {
				rt, ok := d.lookupRouteTable(item)
				if !ok {
					continue
				}
				if rt.VPC != vpc {
					d.errorf(item.at, item.path, "VPC mismatch", "Route table %s is in VPC %s, but gateway endpoint %s is in VPC %s. A gateway endpoint adds routes only to tables of its own VPC.", rt.Name, rt.VPC.Name, g.Name, vpc.Name)
					continue
				}
				g.RouteTables = append(g.RouteTables, rt)
				if g.PrefixList != nil {
					rt.Routes = append(rt.Routes, &Route{PrefixList: g.PrefixList, Target: TargetGatewayEndpoint, GatewayEndpoint: g, Path: item.path, Pos: d.pos(item.at)})
				}
			}
		})
	}
}

// decodeNATGateways decodes a VPC's nat_gateways. It runs after the VPC's
// subnets are decoded.
func (d *decoder) decodeNATGateways(vpc *VPC, v value) {
	for _, e := range d.named(v, "NAT gateway", false) {
		g := &NATGateway{Name: e.name, VPC: vpc, Path: e.value.path, Pos: d.pos(e.key)}
		if _, dup := d.natGateways[e.name]; dup {
			d.errorf(e.key, e.value.path, "Duplicate name", "NAT gateway %q is already defined. NAT gateway names must be unique across all VPCs, so rename one of them.", e.name)
			continue
		}
		d.natGateways[e.name] = g
		vpc.NATGateways = append(vpc.NATGateways, g)

		o := d.object(e.value, "a NAT gateway", natGatewayKeys, nil)
		if sv, ok := d.require(o, "subnet", "subnet: public-a"); ok {
			// The subnet may be in a VPC further down the file.
			d.deferred = append(d.deferred, func() {
				if sn, ok := d.lookupSubnet(sv); ok {
					if sn.VPC != vpc {
						d.errorf(sv.at, sv.path, "VPC mismatch", "Subnet %s is in VPC %s, but NAT gateway %s is in VPC %s. Place the gateway in a subnet of its own VPC.", sn.Name, sn.VPC.Name, g.Name, vpc.Name)
					} else {
						g.Subnet = sn
					}
				}
			})
		}
		if cv, ok := o.get("connectivity"); ok {
			if c, ok := d.enum(cv, "Invalid value", "NAT gateway connectivity", []string{"public", "private"}, false); ok {
				g.Private = c == "private"
			}
		}
		if av, ok := o.get("elastic_ip"); ok {
			if a, ok := d.address(av); ok {
				switch {
				case g.Private:
					d.errorf(av.at, av.path, "Invalid value", "A private NAT gateway has no Elastic IP address. Remove elastic_ip, or set connectivity: public.")
				case !IsPublicIPv4(a):
					d.errorf(av.at, av.path, "Invalid value", "%s is not a public IPv4 address. An Elastic IP address is public; write the address AWS allocated.", a)
				case d.explicitEIPs[a].node != nil:
					d.errorf(av.at, av.path, "Duplicate value", "Elastic IP address %s is already the elastic_ip of another NAT gateway on line %d. An Elastic IP address belongs to one NAT gateway at a time.", a, d.explicitEIPs[a].at.Line)
				default:
					g.PublicAddr = a
					d.explicitEIPs[a] = av
				}
			}
		}
	}
}

// IsPublicIPv4 reports whether a is an IPv4 address outside the private,
// shared and special-purpose blocks, as an Elastic IP address is.
func IsPublicIPv4(a netip.Addr) bool {
	if !a.Is4() || a.IsPrivate() || a.IsLoopback() || a.IsUnspecified() || a.IsMulticast() || a.IsLinkLocalUnicast() {
		return false
	}
	return !netip.MustParsePrefix("100.64.0.0/10").Contains(a) && !netip.MustParsePrefix("240.0.0.0/4").Contains(a)
}

// decodeRouteTables decodes a VPC's route_tables. Route targets and prefix
// lists resolve once the whole scenario is decoded.
func (d *decoder) decodeRouteTables(vpc *VPC, v value) {
	for _, e := range d.named(v, "route table", false) {
		rt := &RouteTable{Name: e.name, VPC: vpc, Path: e.value.path, Pos: d.pos(e.key)}
		if _, dup := d.routeTables[e.name]; dup {
			d.errorf(e.key, e.value.path, "Duplicate name", "Route table %q is already defined. Route table names must be unique across all VPCs, so rename one of them.", e.name)
			continue
		}
		d.routeTables[e.name] = rt
		vpc.RouteTables = append(vpc.RouteTables, rt)

		o := d.object(e.value, "a route table", routeTableKeys, nil)
		rv, ok := o.get("routes")
		if !ok {
			continue
		}
		items, ok := d.list(rv, "a list of routes such as {destination: 0.0.0.0/0, nat_gateway: nat-a}")
		if !ok {
			continue
		}
		for _, item := range items {
			r := &Route{Path: item.path, Pos: d.pos(item.at)}
			ro := d.object(item, "a route", routeKeys, nil)
			if !ro.ok {
				continue
			}
			rt.Routes = append(rt.Routes, r)
			d.deferred = append(d.deferred, func() { d.resolveRoute(rt, r, ro) })
		}
	}
}

// resolveRoute decodes a route's destination and target. It runs once every
// prefix list, peering and transit gateway is decoded.
func (d *decoder) resolveRoute(rt *RouteTable, r *Route, o *object) {
	vpc := rt.VPC
	dest, ok := d.oneOf(o, routeDestKeys, "destination: 0.0.0.0/0")
	var family Family
	if ok {
		switch dest.name {
		case "destination":
			if p, ok := d.prefix(dest.value, 0); ok {
				r.Destination, family = p, familyOf(p.Addr())
				if (vpc.CIDR.IsValid() && vpc.CIDR.Overlaps(p) && p.Bits() >= vpc.CIDR.Bits()) || (vpc.IPv6CIDR.IsValid() && vpc.IPv6CIDR.Overlaps(p) && p.Bits() >= vpc.IPv6CIDR.Bits()) {
					d.errorf(dest.value.at, dest.value.path, "Invalid value", "%s lies inside VPC %s, whose local route covers it. AWS sends traffic inside a VPC to a more specific route only through a middlebox appliance, which sgchain does not model; remove the route.", p, vpc.Name)
				}
			}
		case "destination_prefix_list":
			if pl, ok := d.lookupPrefixList(dest.value); ok {
				r.PrefixList, family = pl, pl.Family
			}
		}
	}
	for _, other := range rt.Routes {
		if other == r {
			break
		}
		if (r.Destination.IsValid() && other.Destination == r.Destination) || (r.PrefixList != nil && other.PrefixList == r.PrefixList) {
			d.errorf(dest.value.at, dest.value.path, "Duplicate value", "Route table %s already has a route for this destination on line %d. Keep one of the two.", rt.Name, other.Pos.Line)
		}
	}

	target, ok := d.oneOf(o, routeTargetKeys, "nat_gateway: nat-a")
	if !ok {
		return
	}
	tv := target.value
	switch target.name {
	case "internet_gateway", "egress_only_internet_gateway":
		if b, ok := d.boolean(tv); ok && !b {
			d.errorf(tv.at, tv.path, "Invalid value", "%s takes only true. To send the destination elsewhere, name another target.", target.name)
			return
		}
		r.Target = TargetInternetGateway
		if target.name == "egress_only_internet_gateway" {
			r.Target = TargetEgressOnly
			if family == IPv4 {
				d.errorf(tv.at, tv.path, "Invalid value", "An egress-only internet gateway carries only IPv6 traffic, but the destination is IPv4. Use a NAT gateway for IPv4.")
			}
		}
	case "nat_gateway":
		g, ok := lookup(d, tv, "NAT gateway", d.natGateways, func() []string {
			var names []string
			for _, v := range d.s.VPCs {
				names = append(names, mapNames(v.NATGateways, func(x *NATGateway) string { return x.Name })...)
			}
			return names
		})
		if !ok {
			return
		}
		if g.VPC != vpc {
			d.errorf(tv.at, tv.path, "VPC mismatch", "NAT gateway %s is in VPC %s, but route table %s is in VPC %s. AWS does not let a VPC use another VPC's NAT gateway, not even across a peering.", g.Name, g.VPC.Name, rt.Name, vpc.Name)
			return
		}
		if family == IPv6 {
			d.errorf(tv.at, tv.path, "Invalid value", "The destination is IPv6, but sgchain models NAT gateways for IPv4 only. Route IPv6 to an egress-only internet gateway.")
			return
		}
		r.Target, r.NATGateway = TargetNATGateway, g
	case "peering":
		p, ok := lookup(d, tv, "peering", d.peerings, func() []string {
			return mapNames(d.s.Peerings, func(x *Peering) string { return x.Name })
		})
		if !ok {
			return
		}
		if p.VPCs[0] == nil || p.VPCs[1] == nil || !slices.Contains(d.s.Peerings, p) {
			// The peering itself is invalid and was reported.
			return
		}
		if p.VPCs[0] != vpc && p.VPCs[1] != vpc {
			d.errorf(tv.at, tv.path, "VPC mismatch", "Peering %s does not connect VPC %s, the VPC of route table %s. Routes can use only a peering of their own VPC.", p.Name, vpc.Name, rt.Name)
			return
		}
		r.Target, r.Peering = TargetPeering, p
	case "transit_gateway":
		g, ok := lookup(d, tv, "transit gateway", d.transitGateways, func() []string {
			return mapNames(d.s.TransitGateways, func(x *TransitGateway) string { return x.Name })
		})
		if !ok {
			return
		}
		if g.Attachment(vpc) == nil {
			d.errorf(tv.at, tv.path, "Invalid reference", "Transit gateway %s has no attachment for VPC %s, the VPC of route table %s. Add the VPC to its attachments.", g.Name, vpc.Name, rt.Name)
			return
		}
		r.Target, r.TransitGateway = TargetTransitGateway, g
	}
}

// resolveSubnetRouteTable sets the route table that the route_table value
// v of sub names.
func (d *decoder) resolveSubnetRouteTable(sub *Subnet, v value) {
	rt, ok := d.lookupRouteTable(v)
	if !ok {
		return
	}
	if rt.VPC != sub.VPC {
		d.errorf(v.at, v.path, "VPC mismatch", "Route table %s is in VPC %s, but subnet %s is in VPC %s. A subnet can use only a route table of its own VPC.",
			rt.Name, rt.VPC.Name, sub.Name, sub.VPC.Name)
		return
	}
	sub.RouteTable = rt
}

func (d *decoder) lookupRouteTable(v value) (*RouteTable, bool) {
	return lookup(d, v, "route table", d.routeTables, func() []string {
		var names []string
		for _, vpc := range d.s.VPCs {
			names = append(names, mapNames(vpc.RouteTables, func(x *RouteTable) string { return x.Name })...)
		}
		return names
	})
}

// publicRouteTable returns the implicit table of a subnet written with
// public: true: the internet gateway for 0.0.0.0/0, and for ::/0 when the
// subnet has an IPv6 block.
func publicRouteTable(sub *Subnet) *RouteTable {
	rt := &RouteTable{Name: sub.Name + " (public: true)", VPC: sub.VPC, Implicit: true, Path: "vpcs." + sub.VPC.Name + ".subnets." + sub.Name + ".public", Pos: sub.Pos}
	rt.Routes = append(rt.Routes, &Route{Destination: netip.MustParsePrefix("0.0.0.0/0"), Target: TargetInternetGateway, Path: rt.Path, Pos: sub.Pos})
	if sub.IPv6CIDR.IsValid() {
		rt.Routes = append(rt.Routes, &Route{Destination: netip.MustParsePrefix("::/0"), Target: TargetInternetGateway, Path: rt.Path, Pos: sub.Pos})
	}
	return rt
}

// finishRoutes gives every subnet without a route table of its own the VPC's
// main route table and sets the Public flag from the subnet's routes.
func (d *decoder) finishRoutes() {
	for _, vpc := range d.s.VPCs {
		for _, sub := range vpc.Subnets {
			if sub.RouteTable == nil && !d.explicitRouteTable[sub] {
				sub.RouteTable = vpc.MainRouteTable
			}
			if sub.RouteTable == nil {
				continue
			}
			for _, r := range sub.RouteTable.Routes {
				if r.Target == TargetInternetGateway && r.Destination.IsValid() && r.Destination.Bits() == 0 && r.Destination.Addr().Is4() {
					sub.Public = true
				}
			}
		}
	}
}

// decodePeerings decodes the peerings section. It runs after the VPCs.
func (d *decoder) decodePeerings(v value) {
	for _, e := range d.named(v, "peering", false) {
		p := &Peering{Name: e.name, Path: e.value.path, Pos: d.pos(e.key)}
		// The name is known even when the peering is invalid, so that
		// routes naming it draw no second error.
		d.peerings[e.name] = p
		o := d.object(e.value, "a peering", peeringKeys, nil)
		vv, ok := d.require(o, "vpcs", "vpcs: [main, shared]")
		if !ok {
			continue
		}
		items, ok := d.list(vv, "a list of the two peered VPCs")
		if !ok {
			continue
		}
		if len(items) != 2 {
			d.errorf(vv.at, vv.path, "Invalid value", "A peering connects exactly two VPCs, but %d are listed. List the requester and the accepter.", len(items))
			continue
		}
		good := true
		for i, item := range items {
			vpc, ok := d.lookupVPC(item)
			good = good && ok
			p.VPCs[i] = vpc
		}
		if !good {
			continue
		}
		if p.VPCs[0] == p.VPCs[1] {
			d.errorf(vv.at, vv.path, "Invalid value", "A peering connects two different VPCs, but both entries name %s.", p.VPCs[0].Name)
			continue
		}
		if p.VPCs[0].CIDR.IsValid() && p.VPCs[1].CIDR.IsValid() && p.VPCs[0].CIDR.Overlaps(p.VPCs[1].CIDR) {
			d.errorf(vv.at, vv.path, "Invalid value", "VPCs %s (%s) and %s (%s) overlap. AWS does not peer VPCs with overlapping blocks.", p.VPCs[0].Name, p.VPCs[0].CIDR, p.VPCs[1].Name, p.VPCs[1].CIDR)
			continue
		}
		if other := slices.IndexFunc(d.s.Peerings, func(o *Peering) bool { return o.Connects(p.VPCs[0], p.VPCs[1]) }); other >= 0 {
			d.errorf(vv.at, vv.path, "Duplicate value", "Peering %s already connects VPCs %s and %s. AWS allows one peering connection between two VPCs.", d.s.Peerings[other].Name, p.VPCs[0].Name, p.VPCs[1].Name)
			continue
		}
		d.s.Peerings = append(d.s.Peerings, p)
	}
}

// decodeTransitGateways decodes the transit_gateways section.
func (d *decoder) decodeTransitGateways(v value) {
	for _, e := range d.named(v, "transit gateway", false) {
		g := &TransitGateway{Name: e.name, Path: e.value.path, Pos: d.pos(e.key)}
		d.transitGateways[e.name] = g
		d.s.TransitGateways = append(d.s.TransitGateways, g)
		o := d.object(e.value, "a transit gateway", transitGatewayKeys, nil)
		if bv, ok := o.get("security_group_referencing"); ok {
			g.SecurityGroupReferencing, _ = d.boolean(bv)
		}
		av, ok := d.require(o, "attachments", "attachments: {main: {}, shared: {}}")
		if !ok {
			continue
		}
		for _, ae := range d.named(av, "attachment", true) {
			vpc, ok := d.lookupVPC(value{node: ae.key, at: ae.key, path: ae.value.path})
			if !ok {
				continue
			}
			a := &TGWAttachment{VPC: vpc, SecurityGroupReferencing: true, Pos: d.pos(ae.key)}
			ao := d.object(ae.value, "an attachment", tgwAttachmentKeys, nil)
			if bv, ok := ao.get("security_group_referencing"); ok {
				a.SecurityGroupReferencing, _ = d.boolean(bv)
			}
			g.Attachments = append(g.Attachments, a)
		}
	}
}

// describeTarget renders a route's target the way the scenario writes it.
func (r *Route) describeTarget() string {
	switch r.Target {
	case TargetNATGateway:
		return fmt.Sprintf("NAT gateway %s", r.NATGateway.Name)
	case TargetPeering:
		return fmt.Sprintf("peering %s", r.Peering.Name)
	case TargetTransitGateway:
		return fmt.Sprintf("transit gateway %s", r.TransitGateway.Name)
	case TargetGatewayEndpoint:
		return fmt.Sprintf("gateway endpoint %s", r.GatewayEndpoint.Name)
	}
	return string(r.Target)
}

// String renders the route as "destination -> target".
func (r *Route) String() string {
	dest := r.Destination.String()
	if r.PrefixList != nil {
		dest = "prefix list " + r.PrefixList.Name
	}
	return dest + " -> " + r.describeTarget()
}
