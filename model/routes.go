package model

import "net/netip"

// RouteTarget is the kind of gateway or connection a route sends its traffic to.
type RouteTarget string

// Route targets. Local is the route every route table has for each block of
// its VPC; the scenario never writes it.
const (
	TargetLocal           RouteTarget = "local"
	TargetInternetGateway RouteTarget = "internet-gateway"
	TargetEgressOnly      RouteTarget = "egress-only-internet-gateway"
	TargetNATGateway      RouteTarget = "nat-gateway"
	TargetPeering         RouteTarget = "peering"
	TargetTransitGateway  RouteTarget = "transit-gateway"
	TargetGatewayEndpoint RouteTarget = "gateway-endpoint"
)

// RouteTable is a VPC route table. Besides its routes it has a local route
// for each block of its VPC, which no other route can override.
type RouteTable struct {
	Name   string
	VPC    *VPC
	Routes []*Route
	// Implicit marks the table the loader builds for a subnet with
	// public: true, which sends 0.0.0.0/0 (and ::/0 when the subnet has
	// an IPv6 block) to the internet gateway.
	Implicit bool
	Path     string
	Pos      Pos
}

// Route sends traffic for a destination block or prefix list to a target.
type Route struct {
	// Destination is the destination block; it is invalid when the route
	// names a prefix list instead.
	Destination netip.Prefix
	PrefixList  *PrefixList
	Target      RouteTarget

	NATGateway     *NATGateway     // target nat-gateway
	Peering        *Peering        // target peering
	TransitGateway *TransitGateway // target transit-gateway
	// GatewayEndpoint is set for the route a gateway endpoint adds to the
	// route tables it is associated with.
	GatewayEndpoint *GatewayEndpoint

	Path string
	Pos  Pos
}

// Destinations returns the blocks the route matches.
func (r *Route) Destinations() []netip.Prefix {
	if r.PrefixList != nil {
		return r.PrefixList.Entries
	}
	return []netip.Prefix{r.Destination}
}

// NATGateway is a NAT gateway. It has no security group; the network ACL of
// its subnet filters it.
type NATGateway struct {
	Name   string
	VPC    *VPC
	Subnet *Subnet
	// Private reports a private NAT gateway, which translates to its
	// private address and cannot reach the internet.
	Private bool
	// PublicAddr is the Elastic IP address of a public NAT gateway: the
	// source address of everything it sends to the internet.
	PublicAddr netip.Addr
	// PrivateIP is the gateway's address in its subnet.
	PrivateIP netip.Addr
	Path      string
	Pos       Pos
}

// Peering is a VPC peering connection between two VPCs.
type Peering struct {
	Name string
	VPCs [2]*VPC
	Path string
	Pos  Pos
}

// CrossRegion reports whether the peered VPCs are in different Regions, in
// which case security-group references do not work across the connection.
func (p *Peering) CrossRegion() bool {
	a, b := p.VPCs[0].Region, p.VPCs[1].Region
	return a != "" && b != "" && a != b
}

// Connects reports whether the peering joins VPCs a and b.
func (p *Peering) Connects(a, b *VPC) bool {
	return (p.VPCs[0] == a && p.VPCs[1] == b) || (p.VPCs[0] == b && p.VPCs[1] == a)
}

// TransitGateway is a transit gateway with its VPC attachments.
type TransitGateway struct {
	Name string
	// SecurityGroupReferencing is the transit gateway's own setting, off by
	// default in AWS.
	SecurityGroupReferencing bool
	Attachments              []*TGWAttachment
	Path                     string
	Pos                      Pos
}

// TGWAttachment attaches a VPC to a transit gateway.
type TGWAttachment struct {
	VPC *VPC
	// SecurityGroupReferencing is the attachment's setting, on by default
	// in AWS.
	SecurityGroupReferencing bool
	Pos                      Pos
}

// Attachment returns the attachment of VPC v, or nil.
func (g *TransitGateway) Attachment(v *VPC) *TGWAttachment {
	for _, a := range g.Attachments {
		if a.VPC == v {
			return a
		}
	}
	return nil
}

// ReferencesAcross reports whether an inbound rule in VPC b can reference a
// security group of VPC a across the gateway: AWS requires the feature on
// the transit gateway and on both attachments.
func (g *TransitGateway) ReferencesAcross(a, b *VPC) bool {
	aa, ab := g.Attachment(a), g.Attachment(b)
	return g.SecurityGroupReferencing && aa != nil && ab != nil && aa.SecurityGroupReferencing && ab.SecurityGroupReferencing
}

// GatewayEndpoint is a gateway VPC endpoint for S3 or DynamoDB. It has no
// security group and no interface: AWS adds a route for the service's prefix
// list to each associated route table.
type GatewayEndpoint struct {
	Name        string
	VPC         *VPC
	PrefixList  *PrefixList
	RouteTables []*RouteTable
	Path        string
	Pos         Pos
}
