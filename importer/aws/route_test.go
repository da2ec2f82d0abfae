package aws

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sgchain/sgchain/importer"
	"github.com/sgchain/sgchain/model"
)

// TestReadRoute checks how each kind of route describe-route-tables prints
// is classified. GatewayId holds internet gateways, virtual private
// gateways and VPC endpoints alike, which differ in the id's prefix. The
// other targets have keys of their own.
func TestReadRoute(t *testing.T) {
	tests := []struct {
		name   string
		route  string
		target importer.RouteTarget
		key    string
	}{
		{"local", `{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}`, importer.TargetLocal, ""},
		{"internet gateway", `{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}`, importer.TargetInternetGateway, "igw-1"},
		{"internet gateway ipv6", `{"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-1"}`, importer.TargetInternetGateway, "igw-1"},
		// A gateway endpoint's route has its service's prefix list as
		// destination, and a Gateway Load Balancer endpoint takes CIDR
		// routes.
		{"gateway endpoint", `{"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-1"}`, importer.TargetGatewayEndpoint, "vpce-1"},
		{"gwlb endpoint", `{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "vpce-2"}`, importer.TargetNotModeled, "vpce-2"},
		{"virtual private gateway", `{"DestinationCidrBlock": "10.9.0.0/16", "GatewayId": "vgw-1", "Origin": "EnableVgwRoutePropagation"}`, importer.TargetNotModeled, "vgw-1"},
		{"egress-only", `{"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1"}`, importer.TargetEgressOnly, "eigw-1"},
		{"nat gateway", `{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"}`, importer.TargetNATGateway, "nat-1"},
		{"peering", `{"DestinationCidrBlock": "10.1.0.0/16", "VpcPeeringConnectionId": "pcx-1"}`, importer.TargetPeering, "pcx-1"},
		{"transit gateway", `{"DestinationCidrBlock": "10.2.0.0/16", "TransitGatewayId": "tgw-1"}`, importer.TargetTransitGateway, "tgw-1"},
		{"instance", `{"DestinationCidrBlock": "0.0.0.0/0", "InstanceId": "i-1", "NetworkInterfaceId": "eni-1"}`, importer.TargetNotModeled, "i-1"},
		{"network interface", `{"DestinationCidrBlock": "0.0.0.0/0", "NetworkInterfaceId": "eni-1"}`, importer.TargetNotModeled, "eni-1"},
		{"carrier gateway", `{"DestinationCidrBlock": "0.0.0.0/0", "CarrierGatewayId": "cagw-1"}`, importer.TargetNotModeled, "cagw-1"},
		{"local gateway", `{"DestinationCidrBlock": "0.0.0.0/0", "LocalGatewayId": "lgw-1"}`, importer.TargetNotModeled, "lgw-1"},
		{"unknown", `{"DestinationCidrBlock": "0.0.0.0/0"}`, importer.TargetUnknown, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := importer.DecodeJSON("rt.json", []byte(tc.route))
			if err != nil {
				t.Fatal(err)
			}
			r := readRoute(v)
			if r.Target != tc.target || r.TargetKey != tc.key {
				t.Errorf("target = %d %q, want %d %q", r.Target, r.TargetKey, tc.target, tc.key)
			}
		})
	}

	v, _ := importer.DecodeJSON("rt.json", []byte(`{"DestinationCidrBlock": "10.1.0.0/16", "VpcPeeringConnectionId": "pcx-1", "State": "blackhole"}`))
	if r := readRoute(v); !r.Blackhole {
		t.Errorf("a route in state blackhole is not marked as one")
	}
}

// TestReadRoutingResources reads NAT gateways, VPC endpoints, a peering and
// a transit gateway, from their describe output and from network
// interfaces alone.
func TestReadRoutingResources(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"nat-gateways.json": `{"NatGateways": [
			{"NatGatewayId": "nat-1", "SubnetId": "subnet-a", "ConnectivityType": "public", "State": "available",
			 "NatGatewayAddresses": [{"PublicIp": "198.51.100.7", "IsPrimary": false}, {"PublicIp": "198.51.100.8", "IsPrimary": true}]},
			{"NatGatewayId": "nat-2", "SubnetId": "subnet-a", "ConnectivityType": "private", "State": "available"},
			{"NatGatewayId": "nat-3", "SubnetId": "subnet-a", "State": "deleted"}]}`,
		"network-interfaces.json": `{"NetworkInterfaces": [
			{"NetworkInterfaceId": "eni-n", "InterfaceType": "nat_gateway", "Description": "Interface for NAT Gateway nat-4", "SubnetId": "subnet-b",
			 "PrivateIpAddress": "10.0.1.9", "Association": {"PublicIp": "198.51.100.9"}},
			{"NetworkInterfaceId": "eni-e", "InterfaceType": "vpc_endpoint", "Description": "VPC Endpoint Interface vpce-i", "SubnetId": "subnet-b",
			 "PrivateIpAddress": "10.0.1.20", "Groups": [{"GroupId": "sg-e"}]},
			{"NetworkInterfaceId": "eni-g", "InterfaceType": "gateway_load_balancer_endpoint", "Description": "VPC Endpoint Interface vpce-g", "SubnetId": "subnet-b"},
			{"NetworkInterfaceId": "eni-6", "InterfaceType": "interface", "Description": "", "SubnetId": "subnet-b", "PrivateIpAddress": "10.0.1.30",
			 "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:1:2301::1e"}], "Attachment": {"InstanceId": "i-1", "DeviceIndex": 0}}]}`,
		"vpc-endpoints.json": `{"VpcEndpoints": [
			{"VpcEndpointId": "vpce-s3", "VpcEndpointType": "Gateway", "VpcId": "vpc-1", "ServiceName": "com.amazonaws.us-east-1.s3", "State": "available", "RouteTableIds": ["rtb-1"]},
			{"VpcEndpointId": "vpce-i", "VpcEndpointType": "Interface", "VpcId": "vpc-1", "ServiceName": "com.amazonaws.us-east-1.ssm", "State": "available",
			 "SubnetIds": ["subnet-b"], "Groups": [{"GroupId": "sg-e"}], "Tags": [{"Key": "Name", "Value": "ssm"}]},
			{"VpcEndpointId": "vpce-j", "VpcEndpointType": "Interface", "VpcId": "vpc-1", "ServiceName": "com.amazonaws.us-east-1.kms", "State": "available",
			 "SubnetIds": ["subnet-b"], "Groups": [{"GroupId": "sg-e"}]}]}`,
		"vpc-peering-connections.json": `{"VpcPeeringConnections": [
			{"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "active"},
			 "RequesterVpcInfo": {"VpcId": "vpc-1", "Region": "us-east-1"}, "AccepterVpcInfo": {"VpcId": "vpc-2", "Region": "eu-west-1"}},
			{"VpcPeeringConnectionId": "pcx-2", "Status": {"Code": "pending-acceptance"},
			 "RequesterVpcInfo": {"VpcId": "vpc-1"}, "AccepterVpcInfo": {"VpcId": "vpc-3"}}]}`,
		"transit-gateways.json": `{"TransitGateways": [{"TransitGatewayId": "tgw-1", "State": "available", "Options": {"SecurityGroupReferencingSupport": "enable"}}]}`,
		"transit-gateway-vpc-attachments.json": `{"TransitGatewayVpcAttachments": [
			{"TransitGatewayAttachmentId": "tgw-attach-1", "TransitGatewayId": "tgw-1", "VpcId": "vpc-1", "State": "available"},
			{"TransitGatewayAttachmentId": "tgw-attach-2", "TransitGatewayId": "tgw-1", "VpcId": "vpc-2", "State": "available",
			 "Options": {"SecurityGroupReferencingSupport": "disable"}}]}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := Read([]string{dir})
	if err != nil {
		t.Fatal(err)
	}

	nats := map[string]*importer.NATGateway{}
	for _, n := range inv.NATGateways {
		nats[n.Key] = n
	}
	// A deleted gateway carries nothing. A private one has no Elastic IP
	// address, and a public one sends from its primary address.
	if len(nats) != 3 || nats["nat-1"].PublicIP != "198.51.100.8" || !nats["nat-2"].Private || nats["nat-3"] != nil {
		t.Errorf("NAT gateways = %+v", nats)
	}
	if n := nats["nat-4"]; n == nil || n.Subnet != "subnet-b" || n.PublicIP != "198.51.100.9" || n.Private {
		t.Errorf("the NAT gateway known from its interface = %+v, want subnet-b with 198.51.100.9", n)
	}

	if len(inv.VPCEndpoints) != 1 || inv.VPCEndpoints[0].Type != importer.EndpointGateway || !slices.Equal(inv.VPCEndpoints[0].RouteTables, []string{"rtb-1"}) {
		t.Errorf("gateway endpoints = %+v", inv.VPCEndpoints)
	}
	endpoints := map[string]*importer.Workload{}
	for _, w := range inv.Workloads {
		if w.Kind == model.KindInterfaceEndpoint {
			endpoints[w.Identity] = w
		}
	}
	if e := endpoints["vpce:vpce-i"]; e == nil || e.Service != "com.amazonaws.us-east-1.ssm" || !slices.Equal(e.PrivateIPs, []string{"10.0.1.20"}) || e.Key != "eni-e" {
		t.Errorf("the interface endpoint with its interface = %+v", e)
	}
	if e := endpoints["vpce:vpce-j"]; e == nil || e.Key != "vpce-j" || !slices.Equal(e.Subnets, []string{"subnet-b"}) || !slices.Equal(e.Groups, []string{"sg-e"}) {
		t.Errorf("the interface endpoint without interfaces in the input = %+v", e)
	}
	for _, w := range inv.Workloads {
		if w.Key == "eni-6" && !w.IPv6 {
			t.Errorf("an interface with an IPv6 address is read without IPv6")
		}
	}

	if len(inv.Peerings) != 2 || inv.Peerings[0].AccepterRegion != "eu-west-1" || inv.Peerings[0].Inactive != "" || inv.Peerings[1].Inactive != "pending-acceptance" {
		t.Errorf("peerings = %+v", inv.Peerings)
	}
	// A transit gateway's referencing is off unless enabled, and an
	// attachment's is on unless disabled.
	if len(inv.TransitGateways) != 1 || !inv.TransitGateways[0].SecurityGroupReferencing {
		t.Errorf("transit gateways = %+v", inv.TransitGateways)
	}
	if len(inv.TGWAttachments) != 2 || !inv.TGWAttachments[0].SecurityGroupReferencing || inv.TGWAttachments[1].SecurityGroupReferencing {
		t.Errorf("attachments = %+v", inv.TGWAttachments)
	}
}
