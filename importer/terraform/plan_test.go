package terraform

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/importer"
)

func TestAddressHelpers(t *testing.T) {
	if got := configPath(`module.svc["a.b"].module.db[0]`); got != "module.svc.module.db" {
		t.Errorf("configPath = %q", got)
	}
	if got := splitAddress(`module.svc["a.b"].aws_subnet.app[0].id`); !slices.Equal(got, []string{"module", `svc["a.b"]`, "aws_subnet", "app[0]", "id"}) {
		t.Errorf("splitAddress = %q", got)
	}
	if got := parentModule(`module.a.module.b["x"]`); got != "module.a" {
		t.Errorf("parentModule = %q", got)
	}
	if name, index, ok := splitIndex(`app["blue"]`); name != "app" || index != "blue" || !ok {
		t.Errorf("splitIndex = %q, %q, %t", name, index, ok)
	}
}

// planWithModule is a plan whose child module receives a security group id
// through a variable and returns subnet ids through an output, with values
// unknown until apply, as a first plan has them.
const planWithModule = `{
  "format_version": "1.2",
  "planned_values": {"root_module": {
    "resources": [
      {"address": "aws_security_group.app", "mode": "managed", "type": "aws_security_group", "name": "app",
       "values": {"name": "app", "description": "app", "ingress": [{"from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": [], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": true, "description": ""}], "egress": []}},
      {"address": "aws_instance.web[0]", "mode": "managed", "type": "aws_instance", "name": "web", "index": 0, "values": {"associate_public_ip_address": true}},
      {"address": "aws_instance.web[1]", "mode": "managed", "type": "aws_instance", "name": "web", "index": 1, "values": {"associate_public_ip_address": true}}
    ],
    "child_modules": [{"address": "module.net", "resources": [
      {"address": "module.net.aws_vpc.this", "mode": "managed", "type": "aws_vpc", "name": "this", "values": {"cidr_block": "10.0.0.0/16"}},
      {"address": "module.net.aws_subnet.app[0]", "mode": "managed", "type": "aws_subnet", "name": "app", "index": 0, "values": {"cidr_block": "10.0.1.0/24"}},
      {"address": "module.net.aws_subnet.app[1]", "mode": "managed", "type": "aws_subnet", "name": "app", "index": 1, "values": {"cidr_block": "10.0.2.0/24"}},
      {"address": "module.net.aws_security_group_rule.extra", "mode": "managed", "type": "aws_security_group_rule", "name": "extra",
       "values": {"type": "ingress", "from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.9.0.0/16"]}}
    ]}]
  }},
  "resource_changes": [
    {"address": "aws_security_group.app", "change": {"after_unknown": {"id": true, "vpc_id": true}}},
    {"address": "aws_instance.web[0]", "change": {"after_unknown": {"subnet_id": true, "vpc_security_group_ids": true}}},
    {"address": "aws_instance.web[1]", "change": {"after_unknown": {"subnet_id": true, "vpc_security_group_ids": true}}}
  ],
  "configuration": {"root_module": {
    "resources": [
      {"address": "aws_security_group.app", "mode": "managed", "type": "aws_security_group", "name": "app",
       "expressions": {"vpc_id": {"references": ["module.net.vpc_id", "module.net"]}}},
      {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
       "expressions": {"subnet_id": {"references": ["module.net.app_subnet_ids", "module.net", "count.index"]},
                       "vpc_security_group_ids": {"references": ["aws_security_group.app.id", "aws_security_group.app"]}}}
    ],
    "module_calls": {"net": {"source": "./net", "expressions": {"group_id": {"references": ["aws_security_group.app.id", "aws_security_group.app"]}},
      "module": {
        "outputs": {"vpc_id": {"expression": {"references": ["aws_vpc.this.id", "aws_vpc.this"]}},
                    "app_subnet_ids": {"expression": {"references": ["aws_subnet.app"]}}},
        "resources": [
          {"address": "aws_subnet.app", "mode": "managed", "type": "aws_subnet", "name": "app", "expressions": {"vpc_id": {"references": ["aws_vpc.this.id", "aws_vpc.this"]}}},
          {"address": "aws_security_group_rule.extra", "mode": "managed", "type": "aws_security_group_rule", "name": "extra",
           "expressions": {"security_group_id": {"references": ["var.group_id"]}}}
        ]}}}
  }}
}`

func TestReadFollowsReferences(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, []byte(planWithModule), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}

	var group *importer.SecurityGroup
	for _, g := range inv.SecurityGroups {
		if g.Key == "aws_security_group.app" {
			group = g
		}
	}
	if group == nil {
		t.Fatal("the group was not read")
	}
	if group.VPC != "module.net.aws_vpc.this" {
		t.Errorf("the group's VPC = %q, want the module's VPC through its output", group.VPC)
	}
	if len(group.Ingress) != 2 || group.Ingress[0].PeerKind != importer.PeerSelf || group.Ingress[1].Peer != "10.9.0.0/16" {
		t.Errorf("ingress = %+v, want the inline self rule and the module's rule through var.group_id", group.Ingress)
	}
	if group.EgressMode != importer.EgressRules || len(group.Egress) != 0 {
		t.Errorf("a Terraform group without egress blocks must have no egress rules, got mode %d with %d rules", group.EgressMode, len(group.Egress))
	}

	subnets := map[string]string{}
	for _, w := range inv.Workloads {
		if len(w.Subnets) == 1 {
			subnets[w.Key] = w.Subnets[0]
		}
		if !slices.Equal(w.Groups, []string{"aws_security_group.app"}) {
			t.Errorf("%s groups = %v", w.Key, w.Groups)
		}
	}
	// subnet_id = module.net.app_subnet_ids[count.index] picks the subnet
	// with the instance's own index.
	if subnets["aws_instance.web[0]"] != "module.net.aws_subnet.app[0]" || subnets["aws_instance.web[1]"] != "module.net.aws_subnet.app[1]" {
		t.Errorf("instance subnets = %v, want each instance in the subnet of its own index", subnets)
	}
	for _, w := range inv.Warnings.List {
		if strings.Contains(w.Message, "count.index") {
			t.Errorf("count.index is reported as unresolved: %s", w)
		}
	}
}

// planWithNLB has an NLB without security groups that forwards TCP 7350 to
// an instance registered through an attachment, with client IP
// preservation turned off.
const planWithNLB = `{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_lb.game", "mode": "managed", "type": "aws_lb", "name": "game",
     "values": {"name": "game-nlb", "internal": false, "load_balancer_type": "network",
                "subnet_mapping": [{"allocation_id": "eipalloc-0123456789abcdef0", "subnet_id": "subnet-0aaa"}]}},
    {"address": "aws_lb_target_group.game", "mode": "managed", "type": "aws_lb_target_group", "name": "game",
     "values": {"name": "game", "port": 7350, "protocol": "TCP", "target_type": "instance", "preserve_client_ip": "false",
                "health_check": [{"port": "7351"}]}},
    {"address": "aws_lb_listener.game", "mode": "managed", "type": "aws_lb_listener", "name": "game",
     "values": {"port": 7350, "protocol": "TCP", "default_action": [{"type": "forward"}]}},
    {"address": "aws_lb_target_group_attachment.game", "mode": "managed", "type": "aws_lb_target_group_attachment", "name": "game",
     "values": {"port": 7350}},
    {"address": "aws_instance.server", "mode": "managed", "type": "aws_instance", "name": "server",
     "values": {"subnet_id": "subnet-0bbb", "vpc_security_group_ids": ["sg-0ccc"], "tags": {"Name": "game-server"}}}
  ]}},
  "resource_changes": [
    {"address": "aws_lb.game", "change": {"after_unknown": {"security_groups": true, "dns_name": true}}},
    {"address": "aws_lb_listener.game", "change": {"after_unknown": {"default_action": [{"target_group_arn": true}], "load_balancer_arn": true}}},
    {"address": "aws_lb_target_group_attachment.game", "change": {"after_unknown": {"target_group_arn": true, "target_id": true}}}
  ],
  "configuration": {"root_module": {"resources": [
    {"address": "aws_lb_listener.game", "mode": "managed", "type": "aws_lb_listener", "name": "game",
     "expressions": {"load_balancer_arn": {"references": ["aws_lb.game.arn", "aws_lb.game"]},
                     "default_action": [{"target_group_arn": {"references": ["aws_lb_target_group.game.arn", "aws_lb_target_group.game"]}}]}},
    {"address": "aws_lb_target_group_attachment.game", "mode": "managed", "type": "aws_lb_target_group_attachment", "name": "game",
     "expressions": {"target_group_arn": {"references": ["aws_lb_target_group.game.arn", "aws_lb_target_group.game"]},
                     "target_id": {"references": ["aws_instance.server.id", "aws_instance.server"]}}}
  ]}}
}`

func TestReadNetworkLoadBalancer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, []byte(planWithNLB), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.LoadBalancers) != 1 {
		t.Fatalf("read %d load balancers, want 1", len(inv.LoadBalancers))
	}
	lb := inv.LoadBalancers[0]
	if lb.Type != "network" || lb.Scheme != "internet-facing" || !slices.Equal(lb.Subnets, []string{"subnet-0aaa"}) {
		t.Errorf("load balancer = type %q, scheme %q, subnets %v", lb.Type, lb.Scheme, lb.Subnets)
	}
	if len(lb.Groups) != 0 || !lb.GroupsKnown {
		t.Errorf("groups = %v (known %t), want none: the configuration sets no security_groups", lb.Groups, lb.GroupsKnown)
	}
	if len(lb.Listeners) != 1 || len(lb.Listeners[0].Default) != 1 || !slices.Equal(lb.Listeners[0].Default[0].TargetGroups, []string{"aws_lb_target_group.game"}) {
		t.Fatalf("listeners = %+v, want one forwarding to the target group", lb.Listeners)
	}

	tg := inv.TargetGroups[0]
	if tg.PreserveClientIP == nil || *tg.PreserveClientIP || tg.HealthCheckPort != 7351 {
		t.Errorf("target group preserve_client_ip = %v, health check port %d; want false and 7351", tg.PreserveClientIP, tg.HealthCheckPort)
	}
	if len(tg.Members) != 1 || tg.Members[0].Workload != "aws_instance.server" || tg.Members[0].Port != 7350 {
		t.Errorf("members = %+v, want the instance on 7350", tg.Members)
	}
}

// planWithRoutes has a route table whose two inline routes Terraform lists
// in another order in the planned values than in the configuration, with
// targets unknown until apply. It also has a peering to a VPC of another
// Region, a gateway endpoint whose prefix list a rule references, and a
// transit gateway attachment that leaves referencing to AWS's default.
const planWithRoutes = `{
  "format_version": "1.2",
  "variables": {"region": {"value": "eu-central-1"}},
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_vpc.a", "mode": "managed", "type": "aws_vpc", "name": "a", "values": {"cidr_block": "10.0.0.0/16"}},
    {"address": "aws_vpc.b", "mode": "managed", "type": "aws_vpc", "name": "b", "values": {"cidr_block": "10.1.0.0/16"}},
    {"address": "aws_internet_gateway.a", "mode": "managed", "type": "aws_internet_gateway", "name": "a", "values": {}},
    {"address": "aws_eip.nat", "mode": "managed", "type": "aws_eip", "name": "nat", "values": {"domain": "vpc", "public_ip": "198.51.100.20"}},
    {"address": "aws_nat_gateway.a", "mode": "managed", "type": "aws_nat_gateway", "name": "a", "values": {"connectivity_type": "public"}},
    {"address": "aws_route_table.rt", "mode": "managed", "type": "aws_route_table", "name": "rt", "values": {"route": [
      {"cidr_block": "10.9.0.0/16", "ipv6_cidr_block": "", "gateway_id": "", "destination_prefix_list_id": ""},
      {"cidr_block": "0.0.0.0/0", "ipv6_cidr_block": "", "nat_gateway_id": "", "destination_prefix_list_id": ""}]}},
    {"address": "aws_vpc_endpoint.s3", "mode": "managed", "type": "aws_vpc_endpoint", "name": "s3",
     "values": {"service_name": "com.amazonaws.eu-central-1.s3", "vpc_endpoint_type": "Gateway"}},
    {"address": "aws_security_group.app", "mode": "managed", "type": "aws_security_group", "name": "app", "values": {"name": "app"}},
    {"address": "aws_vpc_peering_connection.p", "mode": "managed", "type": "aws_vpc_peering_connection", "name": "p", "values": {"peer_region": "us-west-2"}},
    {"address": "aws_ec2_transit_gateway.t", "mode": "managed", "type": "aws_ec2_transit_gateway", "name": "t", "values": {"security_group_referencing_support": "enable"}},
    {"address": "aws_ec2_transit_gateway_vpc_attachment.b", "mode": "managed", "type": "aws_ec2_transit_gateway_vpc_attachment", "name": "b", "values": {}}
  ]}},
  "resource_changes": [
    {"address": "aws_route_table.rt", "change": {"after_unknown": {"vpc_id": true, "route": [{"nat_gateway_id": true}, {"gateway_id": true}]}}},
    {"address": "aws_nat_gateway.a", "change": {"after_unknown": {"subnet_id": true, "allocation_id": true, "public_ip": true}}},
    {"address": "aws_vpc_endpoint.s3", "change": {"after_unknown": {"vpc_id": true, "route_table_ids": true, "prefix_list_id": true}}},
    {"address": "aws_security_group.app", "change": {"after_unknown": {"egress": true, "vpc_id": true}}},
    {"address": "aws_vpc_peering_connection.p", "change": {"after_unknown": {"vpc_id": true, "peer_vpc_id": true}}},
    {"address": "aws_ec2_transit_gateway_vpc_attachment.b", "change": {"after_unknown": {"vpc_id": true, "transit_gateway_id": true, "security_group_referencing_support": true}}}
  ],
  "configuration": {
    "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"references": ["var.region"]}}}},
    "root_module": {"resources": [
      {"address": "aws_route_table.rt", "mode": "managed", "type": "aws_route_table", "name": "rt", "provider_config_key": "aws",
       "expressions": {"vpc_id": {"references": ["aws_vpc.a.id", "aws_vpc.a"]}, "route": [
         {"cidr_block": {"constant_value": "0.0.0.0/0"}, "gateway_id": {"references": ["aws_internet_gateway.a.id", "aws_internet_gateway.a"]}},
         {"cidr_block": {"constant_value": "10.9.0.0/16"}, "nat_gateway_id": {"references": ["aws_nat_gateway.a.id", "aws_nat_gateway.a"]}}]}},
      {"address": "aws_nat_gateway.a", "mode": "managed", "type": "aws_nat_gateway", "name": "a", "provider_config_key": "aws",
       "expressions": {"allocation_id": {"references": ["aws_eip.nat.id", "aws_eip.nat"]}}},
      {"address": "aws_vpc_endpoint.s3", "mode": "managed", "type": "aws_vpc_endpoint", "name": "s3", "provider_config_key": "aws",
       "expressions": {"vpc_id": {"references": ["aws_vpc.a.id", "aws_vpc.a"]}, "route_table_ids": {"references": ["aws_route_table.rt.id", "aws_route_table.rt"]}}},
      {"address": "aws_security_group.app", "mode": "managed", "type": "aws_security_group", "name": "app", "provider_config_key": "aws",
       "expressions": {"egress": [{"protocol": {"constant_value": "tcp"}, "from_port": {"constant_value": 443}, "to_port": {"constant_value": 443},
                                   "prefix_list_ids": {"references": ["aws_vpc_endpoint.s3.prefix_list_id", "aws_vpc_endpoint.s3"]}}]}},
      {"address": "aws_vpc_peering_connection.p", "mode": "managed", "type": "aws_vpc_peering_connection", "name": "p", "provider_config_key": "aws",
       "expressions": {"vpc_id": {"references": ["aws_vpc.a.id", "aws_vpc.a"]}, "peer_vpc_id": {"references": ["aws_vpc.b.id", "aws_vpc.b"]}}},
      {"address": "aws_ec2_transit_gateway_vpc_attachment.b", "mode": "managed", "type": "aws_ec2_transit_gateway_vpc_attachment", "name": "b", "provider_config_key": "aws",
       "expressions": {"vpc_id": {"references": ["aws_vpc.b.id", "aws_vpc.b"]}, "transit_gateway_id": {"references": ["aws_ec2_transit_gateway.t.id", "aws_ec2_transit_gateway.t"]}}}
    ]}}
}`

func TestReadRoutes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, []byte(planWithRoutes), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}

	if len(inv.RouteTables) != 1 || len(inv.RouteTables[0].Routes) != 2 {
		t.Fatalf("route tables = %+v", inv.RouteTables)
	}
	targets := map[string]string{}
	for _, r := range inv.RouteTables[0].Routes {
		targets[r.Destination] = r.TargetKey
	}
	// Each planned route takes its target from the configuration block
	// with the same destination, not the block at the same position.
	if targets["0.0.0.0/0"] != "aws_internet_gateway.a" || targets["10.9.0.0/16"] != "aws_nat_gateway.a" {
		t.Errorf("route targets = %v, want 0.0.0.0/0 to the internet gateway and 10.9.0.0/16 to the NAT gateway", targets)
	}

	if len(inv.NATGateways) != 1 || inv.NATGateways[0].PublicIP != "198.51.100.20" {
		t.Errorf("NAT gateways = %+v, want the Elastic IP address of the aws_eip allocation_id names", inv.NATGateways)
	}
	if len(inv.VPCEndpoints) != 1 || !slices.Equal(inv.VPCEndpoints[0].RouteTables, []string{"aws_route_table.rt"}) {
		t.Errorf("gateway endpoints = %+v", inv.VPCEndpoints)
	}
	// A rule that names the endpoint's prefix_list_id names the service's
	// AWS-managed list.
	var group *importer.SecurityGroup
	for _, g := range inv.SecurityGroups {
		group = g
	}
	if group == nil || len(group.Egress) != 1 || group.Egress[0].Peer != "com.amazonaws.eu-central-1.s3" {
		t.Errorf("the rule's prefix list = %+v, want com.amazonaws.eu-central-1.s3", group)
	}

	// The requester's Region is its provider's, and the accepter's is
	// peer_region.
	regions := map[string]string{}
	for _, v := range inv.VPCs {
		regions[v.Key] = v.Region
	}
	if regions["aws_vpc.a"] != "eu-central-1" {
		t.Errorf("VPC regions = %v, want the provider's Region eu-central-1", regions)
	}
	if len(inv.Peerings) != 1 || inv.Peerings[0].RequesterRegion != "eu-central-1" || inv.Peerings[0].AccepterRegion != "us-west-2" ||
		inv.Peerings[0].Requester != "aws_vpc.a" || inv.Peerings[0].Accepter != "aws_vpc.b" {
		t.Errorf("peerings = %+v", inv.Peerings)
	}

	// AWS creates a transit gateway with referencing off and an attachment
	// with it on.
	if len(inv.TransitGateways) != 1 || !inv.TransitGateways[0].SecurityGroupReferencing {
		t.Errorf("transit gateways = %+v", inv.TransitGateways)
	}
	if len(inv.TGWAttachments) != 1 || !inv.TGWAttachments[0].SecurityGroupReferencing || inv.TGWAttachments[0].TransitGateway != "aws_ec2_transit_gateway.t" {
		t.Errorf("attachments = %+v", inv.TGWAttachments)
	}
}
