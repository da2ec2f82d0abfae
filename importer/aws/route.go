package aws

import (
	"regexp"
	"strings"

	"github.com/sgchain/sgchain/importer"
	"github.com/sgchain/sgchain/model"
)

// readRouteTables reads each table's routes and the subnets that use it.
func (r *reader) readRouteTables() {
	r.inv.RouteTablesKnown = len(r.routeTables) > 0
	for _, v := range r.routeTables {
		rt := &importer.RouteTable{Key: v.Get("RouteTableId").Str(), VPC: v.Get("VpcId").Str(), Loc: v.Loc()}
		rt.Names = append(nameHints(tags(v)), importer.NameHint{Rank: importer.RankID, Value: rt.Key})
		for _, a := range v.Get("Associations").List() {
			if state := a.Path("AssociationState", "State").Str(); state != "" && state != "associated" {
				continue
			}
			if main, _ := a.Get("Main").Bool(); main {
				rt.Main = true
			}
			if s := a.Get("SubnetId").Str(); s != "" {
				rt.Subnets = append(rt.Subnets, s)
			}
		}
		for _, route := range v.Get("Routes").List() {
			rt.Routes = append(rt.Routes, readRoute(route))
		}
		r.inv.RouteTables = append(r.inv.RouteTables, rt)
	}
}

// readRoute reads one route of describe-route-tables output. GatewayId
// holds internet gateways, virtual private gateways and VPC endpoints
// alike, so the id's prefix decides the gateway's kind.
func readRoute(v importer.JSON) *importer.Route {
	out := &importer.Route{
		Destination: v.Get("DestinationCidrBlock").Str() + v.Get("DestinationIpv6CidrBlock").Str(),
		PrefixList:  v.Get("DestinationPrefixListId").Str(),
		Blackhole:   v.Get("State").Str() == "blackhole",
		Loc:         v.Loc(),
	}
	set := func(target importer.RouteTarget, key, note string) {
		out.Target, out.TargetKey, out.TargetNote = target, key, note
	}
	gw := v.Get("GatewayId").Str()
	switch {
	case gw == "local":
		set(importer.TargetLocal, "", "")
	case strings.HasPrefix(gw, "igw-"):
		set(importer.TargetInternetGateway, gw, "internet gateway "+gw)
	case strings.HasPrefix(gw, "vpce-") && out.PrefixList != "":
		set(importer.TargetGatewayEndpoint, gw, "gateway endpoint "+gw)
	case strings.HasPrefix(gw, "vpce-"):
		// Only a Gateway Load Balancer endpoint takes a CIDR route.
		set(importer.TargetNotModeled, gw, "Gateway Load Balancer endpoint "+gw)
	case strings.HasPrefix(gw, "vgw-"):
		set(importer.TargetNotModeled, gw, "virtual private gateway "+gw)
	case gw != "":
		set(importer.TargetNotModeled, gw, "gateway "+gw)
	default:
		for _, f := range routeTargetFields {
			if id := v.Get(f.field).Str(); id != "" {
				set(f.target, id, f.noun+" "+id)
				break
			}
		}
	}
	return out
}

// routeTargetFields are the fields of a route that name its target when
// GatewayId does not, in the order they are tried.
var routeTargetFields = []struct {
	field  string
	target importer.RouteTarget
	noun   string
}{
	{"EgressOnlyInternetGatewayId", importer.TargetEgressOnly, "egress-only internet gateway"},
	{"NatGatewayId", importer.TargetNATGateway, "NAT gateway"},
	{"VpcPeeringConnectionId", importer.TargetPeering, "peering connection"},
	{"TransitGatewayId", importer.TargetTransitGateway, "transit gateway"},
	{"InstanceId", importer.TargetNotModeled, "instance"},
	{"NetworkInterfaceId", importer.TargetNotModeled, "network interface"},
	{"CarrierGatewayId", importer.TargetNotModeled, "carrier gateway"},
	{"LocalGatewayId", importer.TargetNotModeled, "local gateway"},
	{"CoreNetworkArn", importer.TargetNotModeled, "Cloud WAN core network"},
}

// gone reports whether a resource's state means that it carries no
// traffic: it no longer exists, never came to exist, or waits for its
// owner's acceptance. VPC endpoints write their states capitalized.
func gone(state string) bool {
	switch strings.ToLower(state) {
	case "deleted", "deleting", "failed", "failing", "rejected", "rejecting", "expired", "pendingacceptance", "rollingback":
		return true
	}
	return false
}

// readNATGateways reads describe-nat-gateways output, and NAT gateways
// known only from their network interfaces in describe-network-interfaces,
// whose description names the gateway.
func (r *reader) readNATGateways() {
	seen := map[string]bool{}
	for _, v := range r.natGateways {
		if gone(v.Get("State").Str()) {
			continue
		}
		n := &importer.NATGateway{Key: v.Get("NatGatewayId").Str(), Subnet: v.Get("SubnetId").Str(), Loc: v.Loc()}
		n.Names = append(nameHints(tags(v)), importer.NameHint{Rank: importer.RankID, Value: n.Key})
		n.Private = v.Get("ConnectivityType").Str() == "private"
		for _, a := range v.Get("NatGatewayAddresses").List() {
			primary, known := a.Get("IsPrimary").Bool()
			if ip := a.Get("PublicIp").Str(); ip != "" && (n.PublicIP == "" || known && primary) {
				n.PublicIP = ip
			}
		}
		if eni := r.natInterfaces[n.Key]; eni.Exists() && n.PublicIP == "" && !n.Private {
			n.PublicIP = eni.Path("Association", "PublicIp").Str()
		}
		seen[n.Key] = true
		r.inv.NATGateways = append(r.inv.NATGateways, n)
	}
	for _, id := range r.natOrder {
		if seen[id] {
			continue
		}
		v := r.natInterfaces[id]
		// A public NAT gateway's interface carries its Elastic IP address,
		// and a private one's has no public address.
		n := &importer.NATGateway{Key: id, Subnet: v.Get("SubnetId").Str(), Loc: v.Loc(), Names: []importer.NameHint{{Rank: importer.RankID, Value: id}}}
		n.PublicIP = v.Path("Association", "PublicIp").Str()
		n.Private = n.PublicIP == ""
		r.inv.NATGateways = append(r.inv.NATGateways, n)
	}
}

var (
	natGatewayID  = regexp.MustCompile(`nat-[0-9a-z]+`)
	vpcEndpointID = regexp.MustCompile(`vpce-[0-9a-z]+`)
)

// readVPCEndpoints reads describe-vpc-endpoints output. Gateway and
// Gateway Load Balancer endpoints enter the inventory here, and interface
// endpoints become workloads with their network interfaces.
func (r *reader) readVPCEndpoints() {
	for _, v := range r.vpcEndpoints {
		if gone(v.Get("State").Str()) {
			continue
		}
		id := v.Get("VpcEndpointId").Str()
		switch typ := v.Get("VpcEndpointType").Str(); typ {
		case importer.EndpointGateway, importer.EndpointGatewayLoadBalancer:
			e := &importer.VPCEndpoint{Key: id, VPC: v.Get("VpcId").Str(), Type: typ, Service: v.Get("ServiceName").Str(),
				RouteTables: v.Get("RouteTableIds").Strs(), Loc: v.Loc()}
			e.Names = append(nameHints(tags(v)), importer.NameHint{Rank: importer.RankID, Value: id})
			r.inv.VPCEndpoints = append(r.inv.VPCEndpoints, e)
		case importer.EndpointInterface:
			r.interfaceEndpoints[id] = v
		default:
			r.inv.Warnings.Add(v.Loc(), importer.NotModeled, "VPC endpoint %s has the type %s, which the scenario format does not model; it is left out", id, typ)
		}
	}
}

// endpointWorkload returns the workload of an interface endpoint's network
// interface, with the endpoint's service and names when
// describe-vpc-endpoints output has them.
func (r *reader) endpointWorkload(v importer.JSON) *importer.Workload {
	id := vpcEndpointID.FindString(v.Get("Description").Str())
	w := r.interfaceWorkload(v, tags(v), "")
	w.Kind = model.KindInterfaceEndpoint
	w.Identity = "vpce:" + id
	w.PublicIP, w.PublicAddrs = false, nil
	if e := r.interfaceEndpoints[id]; e.Exists() {
		w.Service = e.Get("ServiceName").Str()
		w.Names = append(w.Names, nameHints(tags(e))...)
		w.Names = append(w.Names, serviceHint(w.Service))
		if len(w.Groups) == 0 {
			w.Groups = endpointGroups(e)
		}
	}
	w.Names = append(w.Names, importer.NameHint{Rank: importer.RankID, Value: id})
	return w
}

// readInterfaceEndpoints adds the interface endpoints of
// describe-vpc-endpoints output whose network interfaces are not in the
// input.
func (r *reader) readInterfaceEndpoints(seen map[string]bool) {
	for _, v := range r.vpcEndpoints {
		id := v.Get("VpcEndpointId").Str()
		if v.Get("VpcEndpointType").Str() != importer.EndpointInterface || gone(v.Get("State").Str()) || seen[id] {
			continue
		}
		w := &importer.Workload{Key: id, Kind: model.KindInterfaceEndpoint, Identity: "vpce:" + id, Subnets: v.Get("SubnetIds").Strs(),
			Groups: endpointGroups(v), Service: v.Get("ServiceName").Str(), Loc: v.Loc()}
		w.Names = append(nameHints(tags(v)), serviceHint(w.Service), importer.NameHint{Rank: importer.RankID, Value: id})
		r.inv.Workloads = append(r.inv.Workloads, w)
	}
}

func endpointGroups(v importer.JSON) []string {
	var out []string
	for _, g := range v.Get("Groups").List() {
		out = append(out, g.Get("GroupId").Str())
	}
	return out
}

// serviceHint names an interface endpoint after its service: secretsmanager
// for com.amazonaws.us-east-1.secretsmanager.
func serviceHint(service string) importer.NameHint {
	parts := strings.SplitN(service, ".", 4)
	return importer.NameHint{Rank: importer.RankOwnName, Value: parts[len(parts)-1]}
}

// readPeerings reads describe-vpc-peering-connections output, which gives
// each VPC's Region.
func (r *reader) readPeerings() {
	for _, v := range r.peerings {
		p := &importer.Peering{
			Key:             v.Get("VpcPeeringConnectionId").Str(),
			Requester:       v.Path("RequesterVpcInfo", "VpcId").Str(),
			Accepter:        v.Path("AccepterVpcInfo", "VpcId").Str(),
			RequesterRegion: v.Path("RequesterVpcInfo", "Region").Str(),
			AccepterRegion:  v.Path("AccepterVpcInfo", "Region").Str(),
			Loc:             v.Loc(),
		}
		p.Names = append(nameHints(tags(v)), importer.NameHint{Rank: importer.RankID, Value: p.Key})
		if code := v.Path("Status", "Code").Str(); code != "" && code != "active" {
			p.Inactive = code
		}
		r.inv.Peerings = append(r.inv.Peerings, p)
	}
}

// readTransitGateways reads describe-transit-gateways and
// describe-transit-gateway-vpc-attachments output.
func (r *reader) readTransitGateways() {
	for _, v := range r.tgws {
		if gone(v.Get("State").Str()) {
			continue
		}
		g := &importer.TransitGateway{Key: v.Get("TransitGatewayId").Str(), Loc: v.Loc()}
		g.Names = append(nameHints(tags(v)), importer.NameHint{Rank: importer.RankID, Value: g.Key})
		g.SecurityGroupReferencing = v.Path("Options", "SecurityGroupReferencingSupport").Str() == "enable"
		r.inv.TransitGateways = append(r.inv.TransitGateways, g)
	}
	for _, v := range r.tgwAttachments {
		if gone(v.Get("State").Str()) {
			continue
		}
		a := &importer.TGWAttachment{Key: v.Get("TransitGatewayAttachmentId").Str(), TransitGateway: v.Get("TransitGatewayId").Str(), VPC: v.Get("VpcId").Str(), Loc: v.Loc()}
		a.SecurityGroupReferencing = v.Path("Options", "SecurityGroupReferencingSupport").Str() != "disable"
		r.inv.TGWAttachments = append(r.inv.TGWAttachments, a)
	}
}
