package cloudformation

import (
	"cmp"
	"strings"

	"github.com/sgchain/sgchain/importer"
	"github.com/sgchain/sgchain/model"
)

// vpcCidrBlock reads an IPv6 block associated with a VPC. An
// Amazon-provided block is known only when the stack is deployed.
func (r *reader) vpcCidrBlock(res *resource) {
	v := r.vpcs[r.key(res.props.get("VpcId"))]
	if v == nil || v.IPv6CIDR != "" {
		return
	}
	if block := r.text(res.props.get("Ipv6CidrBlock")); block != "" {
		v.IPv6CIDR = block
		return
	}
	if amazon, _ := r.boolean(res.props.get("AmazonProvidedIpv6CidrBlock")); amazon {
		r.inv.Warnings.Add(res.loc, importer.Unresolved, "%s gives VPC %s an Amazon-provided IPv6 block, which is known only when the stack is deployed, so the VPC is written without IPv6", res.id, v.Key)
	}
}

// routeTable reads an AWS::EC2::RouteTable. A VPC's main route table
// cannot be changed in CloudFormation, so a subnet without an association
// uses the table AWS creates, which has only the local routes.
func (r *reader) routeTable(res *resource) {
	rt := &importer.RouteTable{Key: res.id, VPC: r.key(res.props.get("VpcId")), Loc: res.loc}
	rt.Names = append(r.tagHints(res), logicalID(res))
	r.inv.RouteTables = append(r.inv.RouteTables, rt)
	r.inv.RouteTablesKnown = true
	r.routes[res.id] = rt
}

// routeTargets are the properties of AWS::EC2::Route that name its
// target, in the order they are tried.
var routeTargets = []string{"GatewayId", "EgressOnlyInternetGatewayId", "NatGatewayId", "VpcPeeringConnectionId", "TransitGatewayId",
	"VpcEndpointId", "InstanceId", "NetworkInterfaceId", "CarrierGatewayId", "LocalGatewayId", "CoreNetworkArn"}

// route reads an AWS::EC2::Route.
func (r *reader) route(res *resource) {
	rt := r.routes[r.key(res.props.get("RouteTableId"))]
	if rt == nil {
		r.inv.Warnings.Add(res.loc, importer.Unresolved, "route %s belongs to a route table the template does not define; it is not read", res.id)
		return
	}
	route := &importer.Route{Loc: res.loc}
	route.Destination = cmp.Or(r.text(res.props.get("DestinationCidrBlock")), r.text(res.props.get("DestinationIpv6CidrBlock")))
	if n := res.props.get("DestinationPrefixListId"); n != nil {
		route.Destination, route.PrefixList = "", r.prefixListKey(res, n)
	}
	for _, prop := range routeTargets {
		key := r.key(res.props.get(prop))
		if key == "" {
			continue
		}
		typ := r.typeOf(key)
		set := func(target importer.RouteTarget, note string) {
			route.Target, route.TargetKey, route.TargetNote = target, key, note+" "+key
		}
		switch prop {
		case "GatewayId":
			switch {
			case typ == "AWS::EC2::InternetGateway" || typ == "" && strings.HasPrefix(key, "igw-"):
				set(importer.TargetInternetGateway, "internet gateway")
			case typ == "AWS::EC2::VPNGateway" || typ == "" && strings.HasPrefix(key, "vgw-"):
				set(importer.TargetNotModeled, "virtual private gateway")
			default:
				set(importer.TargetNotModeled, "gateway")
			}
		case "EgressOnlyInternetGatewayId":
			set(importer.TargetEgressOnly, "egress-only internet gateway")
		case "NatGatewayId":
			set(importer.TargetNATGateway, "NAT gateway")
		case "VpcPeeringConnectionId":
			set(importer.TargetPeering, "peering connection")
		case "TransitGatewayId":
			set(importer.TargetTransitGateway, "transit gateway")
		case "VpcEndpointId":
			// Only a Gateway Load Balancer endpoint is the target of a
			// route. A gateway endpoint names its route tables instead.
			set(importer.TargetNotModeled, "Gateway Load Balancer endpoint")
		case "InstanceId":
			set(importer.TargetNotModeled, "instance")
		case "NetworkInterfaceId":
			set(importer.TargetNotModeled, "network interface")
		case "CarrierGatewayId":
			set(importer.TargetNotModeled, "carrier gateway")
		case "LocalGatewayId":
			set(importer.TargetNotModeled, "local gateway")
		case "CoreNetworkArn":
			set(importer.TargetNotModeled, "Cloud WAN core network")
		}
		break
	}
	rt.Routes = append(rt.Routes, route)
}

func (r *reader) routeTableAssociation(res *resource) {
	rt := r.routes[r.key(res.props.get("RouteTableId"))]
	if rt == nil {
		r.inv.Warnings.Add(res.loc, importer.Unresolved, "%s associates a subnet with a route table the template does not define; the subnet is written with only the local routes", res.id)
		return
	}
	rt.Subnets = append(rt.Subnets, r.key(res.props.get("SubnetId")))
}

// natGateway reads a NAT gateway. Its Elastic IP address is known only
// when the template gives the address of the AWS::EC2::EIP it uses.
func (r *reader) natGateway(res *resource) {
	n := &importer.NATGateway{Key: res.id, Subnet: r.key(res.props.get("SubnetId")), Loc: res.loc}
	n.Names = append(r.tagHints(res), logicalID(res))
	n.Private = r.text(res.props.get("ConnectivityType")) == "private"
	if eip := r.byID[r.eval(res.props.get("AllocationId")).res]; eip != nil && eip.typ == "AWS::EC2::EIP" && !n.Private {
		n.PublicIP = r.text(eip.props.get("Address"))
	}
	r.inv.NATGateways = append(r.inv.NATGateways, n)
}

// serviceName returns an endpoint's service name. A name that the template
// builds with !Sub from AWS::Region keeps ${AWS::Region}, which the import
// replaces with a Region and a warning.
func (r *reader) serviceName(n *node) string {
	v := r.eval(n)
	if v.known && !v.isList {
		return v.str
	}
	if rest, ok := strings.CutPrefix(v.symbol, "Fn::Sub:"); ok && strings.HasPrefix(rest, "com.amazonaws.${AWS::Region}.") && !strings.Contains(strings.TrimPrefix(rest, "com.amazonaws.${AWS::Region}."), "${") {
		return rest
	}
	return ""
}

// vpcEndpoint reads a VPC endpoint. An interface endpoint becomes a
// workload, because it is a set of network interfaces with security
// groups. A gateway endpoint adds its route to route tables.
func (r *reader) vpcEndpoint(res *resource) {
	typ := cmp.Or(r.text(res.props.get("VpcEndpointType")), importer.EndpointGateway)
	service := r.serviceName(res.props.get("ServiceName"))
	switch typ {
	case importer.EndpointInterface:
		parts := strings.SplitN(service, ".", 4)
		w := r.workload(res, model.KindInterfaceEndpoint, r.keys(res.props.get("SubnetIds")), r.keys(res.props.get("SecurityGroupIds")), false,
			importer.NameHint{Rank: importer.RankOwnName, Value: parts[len(parts)-1]})
		w.Service, w.Identity = service, "vpce:"+res.id
	case importer.EndpointGateway, importer.EndpointGatewayLoadBalancer:
		e := &importer.VPCEndpoint{Key: res.id, VPC: r.key(res.props.get("VpcId")), Type: typ, Service: service, RouteTables: r.keys(res.props.get("RouteTableIds")), Loc: res.loc}
		e.Names = append(r.tagHints(res), logicalID(res))
		r.inv.VPCEndpoints = append(r.inv.VPCEndpoints, e)
	default:
		r.inv.Warnings.Add(res.loc, importer.NotModeled, "%s is a VPC endpoint of type %s, which the scenario format does not model; it is left out", res.id, typ)
	}
}

// peering reads a VPC peering connection. Both VPCs of a peering the
// scenario can hold are in the template, so both are in the stack's
// Region, which the template does not name.
func (r *reader) peering(res *resource) {
	p := &importer.Peering{Key: res.id, Requester: r.key(res.props.get("VpcId")), Accepter: r.key(res.props.get("PeerVpcId")), Loc: res.loc}
	p.Names = append(r.tagHints(res), logicalID(res))
	r.inv.Peerings = append(r.inv.Peerings, p)
}

// transitGateway reads a transit gateway, whose security-group referencing
// is off unless the template enables it.
func (r *reader) transitGateway(res *resource) {
	g := &importer.TransitGateway{Key: res.id, Loc: res.loc, SecurityGroupReferencing: r.text(res.props.get("SecurityGroupReferencingSupport")) == "enable"}
	g.Names = append(r.tagHints(res), logicalID(res))
	r.inv.TransitGateways = append(r.inv.TransitGateways, g)
}

// transitGatewayAttachment reads a VPC attachment, whose security-group
// referencing is on unless the template disables it.
func (r *reader) transitGatewayAttachment(res *resource) {
	a := &importer.TGWAttachment{Key: res.id, TransitGateway: r.key(res.props.get("TransitGatewayId")), VPC: r.key(res.props.get("VpcId")), Loc: res.loc,
		SecurityGroupReferencing: r.text(res.props.path("Options", "SecurityGroupReferencingSupport")) != "disable"}
	r.inv.TGWAttachments = append(r.inv.TGWAttachments, a)
}
