package terraform

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/importer"
	"github.com/sgchain/sgchain/model"
)

// vpcIPv6Block reads an IPv6 block associated with a VPC after creation.
func (p *plan) vpcIPv6Block(r *resource) {
	v := p.st().vpcs[p.key(r, "vpc_id")]
	if block := p.str(r, "ipv6_cidr_block"); v != nil && v.IPv6CIDR == "" && block != "" {
		v.IPv6CIDR = block
	}
}

// routeTable reads a route table with its inline routes. The default route
// table of a VPC is its main table.
func (p *plan) routeTable(r *resource) {
	rt := &importer.RouteTable{Key: r.addr, VPC: p.key(r, "vpc_id"), Loc: r.loc()}
	rt.Names = append(p.tagHints(r), logicalName(r))
	if r.typ == "aws_default_route_table" {
		rt.Main = true
		rt.VPC = p.vpcOfDefault(r, "default_route_table_id")
	}
	values := r.values.Get("route").List()
	n := max(len(values), len(r.expr("route").List()))
	for i := range n {
		c := p.routeConfig(r, i)
		value := func(attr string) []any { return []any{"route", i, attr} }
		config := func(attr string) []any { return []any{"route", c, attr} }
		route := &importer.Route{Loc: r.locAt(fmt.Sprintf("route[%d]", i))}
		route.Destination = first(p.textsAt(r, value("cidr_block"), config("cidr_block")))
		if route.Destination == "" {
			route.Destination = first(p.textsAt(r, value("ipv6_cidr_block"), config("ipv6_cidr_block")))
		}
		route.PrefixList = first(p.keysAt(r, value("destination_prefix_list_id"), config("destination_prefix_list_id")))
		if route.PrefixList != "" {
			route.Destination = ""
		}
		p.routeTarget(r, route, func(attr string) string { return first(p.keysAt(r, value(attr), config(attr))) })
		rt.Routes = append(rt.Routes, route)
	}
	p.inv.RouteTables = append(p.inv.RouteTables, rt)
	p.inv.RouteTablesKnown = true
	p.st().routes[r.addr] = rt
}

// routeConfig returns the index of the route block in the configuration
// that planned route i comes from. Routes are a set, which Terraform orders
// by value in the plan, so the block is matched by its constant
// destination. Without a match, the same index is used.
func (p *plan) routeConfig(r *resource, i int) int {
	planned, ok := r.known("route", i)
	if !ok {
		return i
	}
	for j, c := range r.expr("route").List() {
		for _, attr := range []string{"cidr_block", "ipv6_cidr_block", "destination_prefix_list_id"} {
			if v := c.Path(attr, "constant_value").Str(); v != "" && v == planned.Get(attr).Str() {
				return j
			}
		}
	}
	return i
}

func first(items []string) string {
	if len(items) > 0 {
		return items[0]
	}
	return ""
}

// routeTargetAttrs are the attributes that name a route's target, in the
// order they are tried.
var routeTargetAttrs = []string{"gateway_id", "egress_only_gateway_id", "nat_gateway_id", "vpc_peering_connection_id", "transit_gateway_id",
	"vpc_endpoint_id", "network_interface_id", "instance_id", "carrier_gateway_id", "local_gateway_id", "core_network_arn"}

// routeTarget sets route's target from the first target attribute that
// holds a value. key reads an attribute as a resource address or id.
func (p *plan) routeTarget(r *resource, route *importer.Route, key func(attr string) string) {
	for _, attr := range routeTargetAttrs {
		k := key(attr)
		if k == "" {
			continue
		}
		typ := ""
		if res := p.byAddr[k]; res != nil {
			typ = res.typ
		}
		set := func(target importer.RouteTarget, note string) {
			route.Target, route.TargetKey, route.TargetNote = target, k, note+" "+k
		}
		switch attr {
		case "gateway_id":
			switch {
			case k == "local":
				route.Target = importer.TargetLocal
			case typ == "aws_internet_gateway" || typ == "" && strings.HasPrefix(k, "igw-"):
				set(importer.TargetInternetGateway, "internet gateway")
			case typ == "aws_vpn_gateway" || typ == "" && strings.HasPrefix(k, "vgw-"):
				set(importer.TargetNotModeled, "virtual private gateway")
			case typ == "aws_vpc_endpoint" || typ == "" && strings.HasPrefix(k, "vpce-"):
				p.endpointTarget(route, k)
			default:
				set(importer.TargetNotModeled, "gateway")
			}
		case "egress_only_gateway_id":
			set(importer.TargetEgressOnly, "egress-only internet gateway")
		case "nat_gateway_id":
			set(importer.TargetNATGateway, "NAT gateway")
		case "vpc_peering_connection_id":
			set(importer.TargetPeering, "peering connection")
			if conn := p.st().peeringAliases[k]; conn != "" {
				route.TargetKey = conn
			}
		case "transit_gateway_id":
			set(importer.TargetTransitGateway, "transit gateway")
		case "vpc_endpoint_id":
			p.endpointTarget(route, k)
		case "network_interface_id":
			set(importer.TargetNotModeled, "network interface")
		case "instance_id":
			set(importer.TargetNotModeled, "instance")
		case "carrier_gateway_id":
			set(importer.TargetNotModeled, "carrier gateway")
		case "local_gateway_id":
			set(importer.TargetNotModeled, "local gateway")
		case "core_network_arn":
			set(importer.TargetNotModeled, "Cloud WAN core network")
		}
		return
	}
}

// endpointTarget sets a route to VPC endpoint key: a gateway endpoint for
// a prefix-list destination, and otherwise a Gateway Load Balancer
// endpoint, the only kind that takes a CIDR route.
func (p *plan) endpointTarget(route *importer.Route, key string) {
	route.TargetKey = key
	if e := p.st().endpoints[key]; route.PrefixList != "" && (e == nil || e.Type == importer.EndpointGateway) {
		route.Target, route.TargetNote = importer.TargetGatewayEndpoint, "gateway endpoint "+key
		return
	}
	route.Target, route.TargetNote = importer.TargetNotModeled, "Gateway Load Balancer endpoint "+key
}

func (p *plan) route(r *resource) {
	rt := p.st().routes[p.key(r, "route_table_id")]
	if rt == nil {
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s adds a route to a route table the plan does not define; it is not read", r.addr)
		return
	}
	route := &importer.Route{Loc: r.loc()}
	route.Destination = cmp.Or(p.str(r, "destination_cidr_block"), p.str(r, "destination_ipv6_cidr_block"))
	if route.PrefixList = p.key(r, "destination_prefix_list_id"); route.PrefixList != "" {
		route.Destination = ""
	}
	p.routeTarget(r, route, func(attr string) string { return p.key(r, attr) })
	rt.Routes = append(rt.Routes, route)
}

func (p *plan) routeTableAssociation(r *resource) {
	subnet := p.key(r, "subnet_id")
	if subnet == "" {
		// An edge association with a gateway routes no subnet.
		return
	}
	rt := p.st().routes[p.key(r, "route_table_id")]
	if rt == nil {
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s associates subnet %s with a route table the plan does not define; the subnet is written with the VPC's main route table", r.addr, subnet)
		return
	}
	rt.Subnets = append(rt.Subnets, subnet)
}

func (p *plan) mainRouteTableAssociation(r *resource) {
	if rt := p.st().routes[p.key(r, "route_table_id")]; rt != nil {
		rt.Main = true
		rt.VPC = p.key(r, "vpc_id")
	}
}

// natGateway reads a NAT gateway. Its Elastic IP address is known when the
// plan shows it, on the gateway or on the aws_eip its allocation_id names.
func (p *plan) natGateway(r *resource) {
	n := &importer.NATGateway{Key: r.addr, Subnet: p.key(r, "subnet_id"), Loc: r.loc()}
	n.Names = append(p.tagHints(r), logicalName(r))
	n.Private = p.str(r, "connectivity_type") == "private"
	if v, ok := r.known("public_ip"); ok && !n.Private {
		n.PublicIP = v.Str()
	}
	if eip := p.byAddr[p.key(r, "allocation_id")]; n.PublicIP == "" && !n.Private && eip != nil && eip.typ == "aws_eip" {
		if v, ok := eip.known("public_ip"); ok {
			n.PublicIP = v.Str()
		}
	}
	p.inv.NATGateways = append(p.inv.NATGateways, n)
}

// vpcEndpoint reads a VPC endpoint. An interface endpoint becomes a
// workload, because it is a set of network interfaces with security
// groups. A gateway endpoint adds its route to route tables.
func (p *plan) vpcEndpoint(r *resource) {
	typ := cmp.Or(p.str(r, "vpc_endpoint_type"), importer.EndpointGateway)
	service := p.str(r, "service_name")
	if !strings.Contains(service, ".") {
		// A service name built from a value unknown until apply reads as
		// that value alone, such as the Region.
		service = ""
	}
	switch typ {
	case importer.EndpointInterface:
		w := p.workload(r, model.KindInterfaceEndpoint, p.keys(r, "subnet_ids"), p.keys(r, "security_group_ids"), false, serviceHint(service))
		w.Service, w.Identity = service, "vpce:"+r.addr
		p.st().interfaceEndpoints[r.addr] = w
	case importer.EndpointGateway, importer.EndpointGatewayLoadBalancer:
		e := &importer.VPCEndpoint{Key: r.addr, VPC: p.key(r, "vpc_id"), Type: typ, Service: service, RouteTables: p.keys(r, "route_table_ids"), Loc: r.loc()}
		e.Names = append(p.tagHints(r), logicalName(r))
		p.inv.VPCEndpoints = append(p.inv.VPCEndpoints, e)
		p.st().endpoints[r.addr] = e
	default:
		p.inv.Warnings.Add(r.loc(), importer.NotModeled, "%s is a VPC endpoint of type %s, which the scenario format does not model; it is left out", r.addr, typ)
	}
}

// serviceHint names an interface endpoint after its service: secretsmanager
// for com.amazonaws.us-east-1.secretsmanager.
func serviceHint(service string) importer.NameHint {
	parts := strings.SplitN(service, ".", 4)
	return importer.NameHint{Rank: importer.RankOwnName, Value: parts[len(parts)-1]}
}

// endpointAssociation reads the resources that add a route table, subnet
// or security group to a VPC endpoint.
func (p *plan) endpointAssociation(r *resource) {
	key := p.key(r, "vpc_endpoint_id")
	gateway, iface := p.st().endpoints[key], p.st().interfaceEndpoints[key]
	switch {
	case r.typ == "aws_vpc_endpoint_route_table_association" && gateway != nil:
		gateway.RouteTables = append(gateway.RouteTables, p.key(r, "route_table_id"))
	case r.typ == "aws_vpc_endpoint_subnet_association" && iface != nil:
		iface.Subnets = append(iface.Subnets, p.key(r, "subnet_id"))
	case r.typ == "aws_vpc_endpoint_security_group_association" && iface != nil:
		iface.Groups = append(iface.Groups, p.key(r, "security_group_id"))
	default:
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s adds to VPC endpoint %s, which the plan does not define as an endpoint of that type; it is not read", r.addr, cmp.Or(key, "(unknown)"))
	}
}

// peering reads a VPC peering connection. The requester's Region is its
// provider's, and the accepter's is peer_region, which defaults to the
// requester's.
func (p *plan) peering(r *resource) {
	pr := &importer.Peering{Key: r.addr, Requester: p.key(r, "vpc_id"), Accepter: p.key(r, "peer_vpc_id"), RequesterRegion: p.region(r), Loc: r.loc()}
	pr.Names = append(p.tagHints(r), logicalName(r))
	pr.AccepterRegion = cmp.Or(p.str(r, "peer_region"), pr.RequesterRegion)
	p.inv.Peerings = append(p.inv.Peerings, pr)
	p.st().peerings[r.addr] = pr
}

// peeringAccepter reads the accepter side of a peering connection. Routes
// may name the connection through it.
func (p *plan) peeringAccepter(r *resource) {
	conn := p.key(r, "vpc_peering_connection_id")
	if p.st().peerings[conn] == nil {
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s accepts peering connection %s, which the plan does not create; the peering is left out", r.addr, cmp.Or(conn, "(unknown)"))
		return
	}
	p.st().peeringAliases[r.addr] = conn
}

// transitGateway reads a transit gateway, whose security-group referencing
// is off unless the plan enables it.
func (p *plan) transitGateway(r *resource) {
	g := &importer.TransitGateway{Key: r.addr, Loc: r.loc(), SecurityGroupReferencing: p.str(r, "security_group_referencing_support") == "enable"}
	g.Names = append(p.tagHints(r), logicalName(r))
	p.inv.TransitGateways = append(p.inv.TransitGateways, g)
}

// transitGatewayAttachment reads a VPC attachment, whose security-group
// referencing is on unless the plan disables it.
func (p *plan) transitGatewayAttachment(r *resource) {
	a := &importer.TGWAttachment{Key: r.addr, TransitGateway: p.key(r, "transit_gateway_id"), VPC: p.key(r, "vpc_id"), Loc: r.loc(),
		SecurityGroupReferencing: p.str(r, "security_group_referencing_support") != "disable"}
	p.inv.TGWAttachments = append(p.inv.TGWAttachments, a)
}

// finishEndpointPrefixLists replaces a prefix-list reference to a gateway
// endpoint, as in prefix_list_ids = [aws_vpc_endpoint.s3.prefix_list_id],
// by the endpoint's service name, which names the AWS-managed list.
func (p *plan) finishEndpointPrefixLists() {
	list := func(key string) string {
		if e := p.st().endpoints[key]; e != nil && e.Service != "" {
			return e.Service
		}
		return key
	}
	for _, g := range p.inv.SecurityGroups {
		for _, rule := range slices.Concat(g.Ingress, g.Egress) {
			if rule.PeerKind == importer.PeerPrefixList {
				rule.Peer = list(rule.Peer)
			}
		}
	}
	for _, rt := range p.inv.RouteTables {
		for _, route := range rt.Routes {
			if route.PrefixList != "" {
				route.PrefixList = list(route.PrefixList)
			}
		}
	}
}
