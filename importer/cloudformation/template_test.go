package cloudformation

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/importer"
)

func newTemplate(t *testing.T, text string) *template {
	t.Helper()
	root, err := parseTemplate("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return &template{file: "t.yaml", root: root, parameters: root.get("Parameters"), mappings: root.get("Mappings"),
		conditions: root.get("Conditions"), resources: root.get("Resources"), inv: &importer.Inventory{},
		conditionValues: map[string]*bool{}, warned: map[string]bool{}}
}

const evalTemplate = `
Parameters:
  Cidr: {Type: String, Default: 10.20.0.0/16}
  Env: {Type: String, Default: prod}
  Secret: {Type: String, NoEcho: true}
  Zones: {Type: CommaDelimitedList, Default: "a, b"}
Mappings:
  Ports: {prod: {Http: "8080"}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Unknown: !Equals [!Ref Secret, x]
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Ref Cidr}}
  Group: {Type: AWS::EC2::SecurityGroup}
Values:
  cidr3: !Select [3, !Cidr [!GetAtt Vpc.CidrBlock, 8, 8]]
  cidrSmall: !Select [1, !Cidr ["10.0.0.0/24", 4, 4]]
  sub: !Sub "${Env}-alb-${!Literal}"
  subVars: !Sub ["${Name}.example.com", {Name: !Ref Env}]
  subUnknown: !Sub "${Secret}-x"
  join: !Join ["-", [a, !Ref Env, c]]
  split: !Select [1, !Split [",", "x,y,z"]]
  ifProd: !If [IsProd, yes-prod, no-prod]
  ifNot: !If [NotProd, yes, no]
  map: !FindInMap [Ports, !Ref Env, Http]
  getatt: !GetAtt Group.GroupId
  ref: !Ref Group
  long: {"Fn::Join": ["", ["x", {"Ref": "Env"}]]}
  resolve: "{{resolve:secretsmanager:shop/origin:SecretString:value}}"
  zones: !Ref Zones
`

func TestEvalIntrinsics(t *testing.T) {
	tp := newTemplate(t, evalTemplate)
	values := tp.root.get("Values")
	tests := map[string]string{
		"cidr3":     "10.20.3.0/24",
		"cidrSmall": "10.0.0.16/28",
		"sub":       "prod-alb-${Literal}",
		"subVars":   "prod.example.com",
		"join":      "a-prod-c",
		"split":     "y",
		"ifProd":    "yes-prod",
		"ifNot":     "no",
		"map":       "8080",
		"long":      "xprod",
	}
	for key, want := range tests {
		v := tp.eval(values.get(key))
		if !v.known || v.str != want {
			t.Errorf("%s = %+v, want %q", key, v, want)
		}
	}

	if v := tp.eval(values.get("getatt")); v.res != "Group" || v.attr != "GroupId" {
		t.Errorf("getatt = %+v, want a reference to Group.GroupId", v)
	}
	if v := tp.eval(values.get("ref")); v.res != "Group" || v.attr != "" {
		t.Errorf("ref = %+v, want a reference to Group", v)
	}
	for _, key := range []string{"subUnknown", "resolve"} {
		if v := tp.eval(values.get(key)); v.known || v.symbol == "" {
			t.Errorf("%s = %+v, want an unknown value with a symbol", key, v)
		}
	}
	if got := tp.eval(values.get("zones")).strings(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("zones = %v, want [a b]", got)
	}
	if _, ok := tp.condition("Unknown"); ok {
		t.Errorf("a condition on a parameter without default was decided")
	}
}

// TestLocations checks that YAML nodes carry line and column and JSON nodes
// a JSON pointer.
func TestLocations(t *testing.T) {
	y, err := parseTemplate("t.yaml", []byte("Resources:\n  A:\n    Type: !Ref X\n"))
	if err != nil {
		t.Fatal(err)
	}
	if loc := y.path("Resources", "A", "Type").loc; loc.Line != 3 || loc.Column != 11 {
		t.Errorf("YAML location = %d:%d, want 3:11", loc.Line, loc.Column)
	}
	j, err := parseTemplate("t.json", []byte(`{"Resources": {"A/B": {"Type": {"Ref": "X"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if loc := j.path("Resources", "A/B", "Type").loc; loc.Pointer != "/Resources/A~1B/Type" {
		t.Errorf("JSON pointer = %q, want /Resources/A~1B/Type", loc.Pointer)
	}
	if n := j.path("Resources", "A/B", "Type"); n.kind != fnNode || n.fn != "Ref" {
		t.Errorf("{\"Ref\": ...} did not become a function node: %+v", n)
	}
}

// TestReadWarnsAboutUnknownTypes reads a small template with a resource the
// importer does not know, a resource whose condition is false, and a group
// whose default egress rule stays beside a standalone one.
func TestReadWarnsAboutUnknownTypes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.yaml")
	text := `
Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Queue: {Type: AWS::SQS::Queue}
  Custom: {Type: Custom::Thing}
  ProdOnly: {Type: AWS::EC2::SecurityGroup, Condition: IsProd, Properties: {GroupDescription: x}}
  Group: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: y}}
  Extra:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !Ref Group, IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, w := range inv.Warnings.List {
		all.WriteString(w.String() + "\n")
	}
	for _, want := range []string{
		":8:3 (Resources.Custom): warning (not understood): resource type Custom::Thing",
		"ProdOnly is created only when condition IsProd holds, which it does not",
		"AWS::SQS::Queue (1)",
	} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("no warning contains %q:\n%s", want, all.String())
		}
	}
	if len(inv.SecurityGroups) != 1 {
		t.Fatalf("read %d groups, want 1", len(inv.SecurityGroups))
	}
	g := inv.SecurityGroups[0]
	if g.EgressMode != importer.EgressAWSDefault || len(g.Egress) != 1 {
		t.Errorf("group egress = mode %d with %d rules, want AWS's default plus the standalone rule", g.EgressMode, len(g.Egress))
	}
}

// TestReadRoutes reads routes to each kind of target, a VPC's IPv6 block
// and the subnet blocks carved out of it, endpoints whose service names a
// template builds from AWS::Region, and transit gateway settings.
func TestReadRoutes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.yaml")
	text := `
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Ipv6: {Type: AWS::EC2::VPCCidrBlock, Properties: {VpcId: !Ref Vpc, Ipv6Pool: ipv6pool-ec2-1, Ipv6CidrBlock: "2600:1f18:1:2300::/56"}}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
      Ipv6CidrBlock: !Select [3, !Cidr [!Select [0, !GetAtt Vpc.Ipv6CidrBlocks], 256, 64]]
  Other: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.1.0.0/16}}
  OtherIpv6: {Type: AWS::EC2::VPCCidrBlock, Properties: {VpcId: !Ref Other, AmazonProvidedIpv6CidrBlock: true}}
  OtherSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Other
      CidrBlock: 10.1.1.0/24
      Ipv6CidrBlock: !Select [0, !Cidr [!Select [0, !GetAtt Other.Ipv6CidrBlocks], 256, 64]]
  Igw: {Type: AWS::EC2::InternetGateway}
  Eigw: {Type: AWS::EC2::EgressOnlyInternetGateway, Properties: {VpcId: !Ref Vpc}}
  Vgw: {Type: AWS::EC2::VPNGateway, Properties: {Type: ipsec.1}}
  Eip: {Type: AWS::EC2::EIP, Properties: {Domain: vpc, Address: 198.51.100.30}}
  Nat: {Type: AWS::EC2::NatGateway, Properties: {SubnetId: !Ref Subnet, AllocationId: !GetAtt Eip.AllocationId}}
  Pcx: {Type: AWS::EC2::VPCPeeringConnection, Properties: {VpcId: !Ref Vpc, PeerVpcId: !Ref Other}}
  Tgw: {Type: AWS::EC2::TransitGateway, Properties: {SecurityGroupReferencingSupport: enable}}
  Attach:
    Type: AWS::EC2::TransitGatewayVpcAttachment
    Properties: {TransitGatewayId: !Ref Tgw, VpcId: !Ref Vpc, SubnetIds: [!Ref Subnet], Options: {SecurityGroupReferencingSupport: disable}}
  Table: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}
  R1: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Table, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}}
  R2: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Table, DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: !Ref Eigw}}
  R3: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Table, DestinationCidrBlock: 10.8.0.0/16, NatGatewayId: !Ref Nat}}
  R4: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Table, DestinationCidrBlock: !GetAtt Other.CidrBlock, VpcPeeringConnectionId: !Ref Pcx}}
  R5: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Table, DestinationCidrBlock: 10.2.0.0/16, TransitGatewayId: !Ref Tgw}}
  R6: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Table, DestinationCidrBlock: 10.9.0.0/16, GatewayId: !Ref Vgw}}
  R7: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Table, DestinationCidrBlock: 10.7.0.0/16, VpcEndpointId: vpce-0123}}
  R8: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Table, DestinationCidrBlock: 10.6.0.0/16, InstanceId: i-0123}}
  S3: {Type: AWS::EC2::VPCEndpoint, Properties: {VpcId: !Ref Vpc, ServiceName: !Sub "com.amazonaws.${AWS::Region}.s3", RouteTableIds: [!Ref Table]}}
  Ssm:
    Type: AWS::EC2::VPCEndpoint
    Properties: {VpcId: !Ref Vpc, VpcEndpointType: Interface, ServiceName: com.amazonaws.eu-west-1.ssm, SubnetIds: [!Ref Subnet]}
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}

	if inv.VPCs[0].IPv6CIDR != "2600:1f18:1:2300::/56" || inv.Subnets[0].IPv6CIDR != "2600:1f18:1:2303::/64" {
		t.Errorf("VPC IPv6 block %q and subnet block %q, want the stated /56 and its fourth /64", inv.VPCs[0].IPv6CIDR, inv.Subnets[0].IPv6CIDR)
	}
	// An Amazon-provided block is allocated at deployment, so the
	// template does not know it.
	if inv.VPCs[1].IPv6CIDR != "" || inv.Subnets[1].IPv6CIDR != "" {
		t.Errorf("an Amazon-provided block is read as %q and %q", inv.VPCs[1].IPv6CIDR, inv.Subnets[1].IPv6CIDR)
	}

	want := map[string]struct {
		target importer.RouteTarget
		key    string
	}{
		"0.0.0.0/0":   {importer.TargetInternetGateway, "Igw"},
		"::/0":        {importer.TargetEgressOnly, "Eigw"},
		"10.8.0.0/16": {importer.TargetNATGateway, "Nat"},
		"10.1.0.0/16": {importer.TargetPeering, "Pcx"},
		"10.2.0.0/16": {importer.TargetTransitGateway, "Tgw"},
		"10.9.0.0/16": {importer.TargetNotModeled, "Vgw"},
		"10.7.0.0/16": {importer.TargetNotModeled, "vpce-0123"},
		"10.6.0.0/16": {importer.TargetNotModeled, "i-0123"},
	}
	if len(inv.RouteTables) != 1 || len(inv.RouteTables[0].Routes) != len(want) {
		t.Fatalf("route tables = %+v", inv.RouteTables)
	}
	for _, r := range inv.RouteTables[0].Routes {
		if w := want[r.Destination]; r.Target != w.target || r.TargetKey != w.key {
			t.Errorf("route %s: target %d %q, want %d %q", r.Destination, r.Target, r.TargetKey, w.target, w.key)
		}
	}

	if len(inv.NATGateways) != 1 || inv.NATGateways[0].PublicIP != "198.51.100.30" || inv.NATGateways[0].Subnet != "Subnet" {
		t.Errorf("NAT gateways = %+v", inv.NATGateways)
	}
	// A template cannot name its own Region, so the service name keeps
	// ${AWS::Region} for the builder to replace.
	if len(inv.VPCEndpoints) != 1 || inv.VPCEndpoints[0].Service != "com.amazonaws.${AWS::Region}.s3" || !slices.Equal(inv.VPCEndpoints[0].RouteTables, []string{"Table"}) {
		t.Errorf("gateway endpoints = %+v", inv.VPCEndpoints)
	}
	var ssm *importer.Workload
	for _, w := range inv.Workloads {
		if w.Key == "Ssm" {
			ssm = w
		}
	}
	if ssm == nil || ssm.Service != "com.amazonaws.eu-west-1.ssm" || !slices.Equal(ssm.Subnets, []string{"Subnet"}) {
		t.Errorf("interface endpoint = %+v", ssm)
	}
	if len(inv.Peerings) != 1 || inv.Peerings[0].Requester != "Vpc" || inv.Peerings[0].Accepter != "Other" {
		t.Errorf("peerings = %+v", inv.Peerings)
	}
	if len(inv.TransitGateways) != 1 || !inv.TransitGateways[0].SecurityGroupReferencing ||
		len(inv.TGWAttachments) != 1 || inv.TGWAttachments[0].SecurityGroupReferencing || inv.TGWAttachments[0].VPC != "Vpc" {
		t.Errorf("transit gateway = %+v, attachments %+v", inv.TransitGateways, inv.TGWAttachments)
	}
}
