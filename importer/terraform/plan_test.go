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
