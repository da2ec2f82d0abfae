package terraform

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/sgchain/sgchain/importer"
	"github.com/sgchain/sgchain/model"
)

// handler reads one resource type.
type handler func(p *plan, r *resource)

// handlers maps resource types, with "data." in front for data sources, to
// their readers. The order of readPasses decides which run first, because
// later readers attach to what earlier ones created.
var readPasses = [][]string{
	{"aws_vpc", "aws_default_vpc", "data.aws_vpc", "aws_subnet", "aws_default_subnet", "data.aws_subnet", "aws_internet_gateway", "data.aws_internet_gateway",
		"aws_egress_only_internet_gateway", "aws_vpc_ipv6_cidr_block_association"},
	{"aws_nat_gateway", "aws_vpc_endpoint", "aws_vpc_peering_connection", "aws_ec2_transit_gateway", "aws_ec2_transit_gateway_vpc_attachment"},
	{"aws_vpc_peering_connection_accepter"},
	{"aws_route_table", "aws_default_route_table", "aws_route", "aws_route_table_association", "aws_main_route_table_association",
		"aws_vpc_endpoint_route_table_association", "aws_vpc_endpoint_subnet_association", "aws_vpc_endpoint_security_group_association"},
	{"aws_ec2_managed_prefix_list", "data.aws_ec2_managed_prefix_list", "data.aws_prefix_list", "aws_ec2_managed_prefix_list_entry"},
	{"aws_security_group", "aws_default_security_group", "data.aws_security_group"},
	{"aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"},
	{"aws_network_acl", "aws_default_network_acl", "aws_network_acl_rule", "aws_network_acl_association"},
	{"aws_lb", "aws_alb", "aws_lb_target_group", "aws_alb_target_group"},
	{"aws_lb_listener", "aws_alb_listener"},
	{"aws_lb_listener_rule", "aws_alb_listener_rule", "aws_lb_target_group_attachment", "aws_alb_target_group_attachment"},
	{"aws_db_subnet_group", "aws_elasticache_subnet_group", "random_password", "random_string", "random_uuid", "random_id"},
	{"aws_ecs_service", "aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance", "aws_elasticache_cluster", "aws_elasticache_replication_group",
		"aws_elasticache_serverless_cache", "aws_instance", "aws_lambda_function", "aws_eks_cluster", "aws_eks_node_group"},
	{"aws_wafv2_web_acl", "aws_cloudfront_distribution"},
}

var handlers = map[string]handler{}

func init() {
	for _, t := range []string{"aws_vpc", "aws_default_vpc", "data.aws_vpc"} {
		handlers[t] = (*plan).vpc
	}
	for _, t := range []string{"aws_subnet", "aws_default_subnet", "data.aws_subnet"} {
		handlers[t] = (*plan).subnet
	}

	for _, t := range []string{"aws_internet_gateway", "data.aws_internet_gateway", "aws_db_subnet_group", "aws_elasticache_subnet_group",
		"random_password", "random_string", "random_uuid", "random_id", "aws_rds_cluster_instance", "aws_egress_only_internet_gateway"} {
		// Read where other resources refer to them.
		handlers[t] = func(*plan, *resource) {}
	}

	handlers["aws_vpc_ipv6_cidr_block_association"] = (*plan).vpcIPv6Block
	handlers["aws_route_table"] = (*plan).routeTable
	handlers["aws_default_route_table"] = (*plan).routeTable
	handlers["aws_route"] = (*plan).route
	handlers["aws_route_table_association"] = (*plan).routeTableAssociation
	handlers["aws_main_route_table_association"] = (*plan).mainRouteTableAssociation
	handlers["aws_nat_gateway"] = (*plan).natGateway
	handlers["aws_vpc_endpoint"] = (*plan).vpcEndpoint
	handlers["aws_vpc_endpoint_route_table_association"] = (*plan).endpointAssociation
	handlers["aws_vpc_endpoint_subnet_association"] = (*plan).endpointAssociation
	handlers["aws_vpc_endpoint_security_group_association"] = (*plan).endpointAssociation
	handlers["aws_vpc_peering_connection"] = (*plan).peering
	handlers["aws_vpc_peering_connection_accepter"] = (*plan).peeringAccepter
	handlers["aws_ec2_transit_gateway"] = (*plan).transitGateway
	handlers["aws_ec2_transit_gateway_vpc_attachment"] = (*plan).transitGatewayAttachment
	handlers["aws_ec2_managed_prefix_list"] = (*plan).prefixList
	handlers["data.aws_ec2_managed_prefix_list"] = (*plan).managedPrefixList
	handlers["data.aws_prefix_list"] = (*plan).managedPrefixList
	handlers["aws_ec2_managed_prefix_list_entry"] = (*plan).prefixListEntry
	handlers["aws_security_group"] = (*plan).securityGroup
	handlers["aws_default_security_group"] = (*plan).securityGroup
	handlers["data.aws_security_group"] = (*plan).existingSecurityGroup
	handlers["aws_security_group_rule"] = (*plan).securityGroupRule
	handlers["aws_vpc_security_group_ingress_rule"] = (*plan).vpcSecurityGroupRule
	handlers["aws_vpc_security_group_egress_rule"] = (*plan).vpcSecurityGroupRule
	handlers["aws_network_acl"] = (*plan).networkACL
	handlers["aws_default_network_acl"] = (*plan).networkACL
	handlers["aws_network_acl_rule"] = (*plan).networkACLRule
	handlers["aws_network_acl_association"] = (*plan).networkACLAssociation

	for _, t := range []string{"aws_lb", "aws_alb"} {
		handlers[t] = (*plan).loadBalancer
	}
	for _, t := range []string{"aws_lb_target_group", "aws_alb_target_group"} {
		handlers[t] = (*plan).targetGroup
	}
	for _, t := range []string{"aws_lb_listener", "aws_alb_listener"} {
		handlers[t] = (*plan).listener
	}
	for _, t := range []string{"aws_lb_listener_rule", "aws_alb_listener_rule"} {
		handlers[t] = (*plan).listenerRule
	}
	for _, t := range []string{"aws_lb_target_group_attachment", "aws_alb_target_group_attachment"} {
		handlers[t] = (*plan).targetGroupAttachment
	}

	handlers["aws_ecs_service"] = (*plan).ecsService
	handlers["aws_db_instance"] = (*plan).dbInstance
	handlers["aws_rds_cluster"] = (*plan).dbInstance
	handlers["aws_elasticache_cluster"] = (*plan).cache
	handlers["aws_elasticache_replication_group"] = (*plan).cache
	handlers["aws_elasticache_serverless_cache"] = (*plan).cache
	handlers["aws_instance"] = (*plan).instance
	handlers["aws_lambda_function"] = (*plan).lambda
	handlers["aws_eks_cluster"] = (*plan).eksCluster
	handlers["aws_eks_node_group"] = (*plan).eksNodeGroup
	handlers["aws_wafv2_web_acl"] = (*plan).webACL
	handlers["aws_cloudfront_distribution"] = (*plan).distribution
}

// notModeled lists resource types that change reachability in ways the
// scenario format does not model, with what they are.
var notModeled = map[string]string{
	"aws_elb":                                    "a Classic Load Balancer",
	"aws_wafv2_web_acl_association":              "a web ACL attached to a regional resource such as an ALB",
	"aws_globalaccelerator_accelerator":          "a Global Accelerator",
	"aws_api_gateway_vpc_link":                   "an API Gateway VPC link",
	"aws_apigatewayv2_vpc_link":                  "an API Gateway VPC link",
	"aws_networkfirewall_firewall":               "a Network Firewall",
	"aws_vpn_gateway":                            "a virtual private gateway",
	"aws_ec2_transit_gateway_peering_attachment": "a peering between transit gateways",
	"aws_cloudfront_vpc_origin":                  "a CloudFront VPC origin",
	"aws_security_group_association":             "a security group associated with another VPC",
	"aws_vpc_security_group_vpc_association":     "a security group associated with another VPC",
}

// unrelated lists resource type prefixes that do not affect network
// reachability. They are counted in one warning rather than one each.
var unrelated = []string{
	"aws_iam_", "aws_cloudwatch_", "aws_s3_", "aws_ecr_", "aws_kms_", "aws_secretsmanager_", "aws_ssm_", "aws_acm_",
	"aws_route53_", "aws_ecs_cluster", "aws_ecs_task_definition", "aws_appautoscaling_", "aws_autoscaling_policy",
	"aws_db_parameter_group", "aws_db_option_group", "aws_rds_cluster_parameter_group", "aws_elasticache_parameter_group",
	"aws_eip", "aws_cloudfront_origin_access_", "aws_cloudfront_cache_policy", "aws_cloudfront_origin_request_policy",
	"aws_cloudfront_response_headers_policy", "aws_cloudfront_function", "aws_lambda_permission", "aws_lambda_alias",
	"aws_sns_", "aws_sqs_", "aws_logs_", "aws_service_discovery_", "aws_launch_template", "aws_key_pair",
	"aws_flow_log", "aws_vpc_dhcp_options", "aws_servicequotas_", "aws_budgets_", "aws_wafv2_ip_set",
	"aws_wafv2_regex_pattern_set", "aws_wafv2_rule_group", "aws_dynamodb_", "aws_sfn_", "aws_events_", "aws_cloudtrail",
	"data.aws_iam_", "data.aws_caller_identity", "data.aws_region", "data.aws_partition", "data.aws_availability_zones",
	"data.aws_ami", "data.aws_ssm_parameter", "data.aws_secretsmanager_", "data.aws_kms_", "data.aws_acm_",
	"data.aws_route53_", "data.aws_ecr_", "data.aws_s3_", "data.aws_elb_service_account", "data.aws_cloudfront_",
	"terraform_data", "null_resource", "time_", "tls_", "local_", "data.terraform_remote_state", "data.external",
	"data.http", "data.template_file", "data.archive_file", "archive_",
}

// state collects what the handlers build.
type state struct {
	vpcs      map[string]*importer.VPC
	subnets   map[string]*importer.Subnet
	routes    map[string]*importer.RouteTable
	endpoints map[string]*importer.VPCEndpoint
	// interfaceEndpoints holds the workloads of interface endpoints.
	interfaceEndpoints map[string]*importer.Workload
	peerings           map[string]*importer.Peering
	// peeringAliases maps an accepter's address to its connection's.
	peeringAliases map[string]string
	lists          map[string]*importer.PrefixList
	groups         map[string]*importer.SecurityGroup
	acls           map[string]*importer.NetworkACL
	lbs            map[string]*importer.LoadBalancer
	tgs            map[string]*importer.TargetGroup
	listeners      map[string]*importer.Listener
	// rulesWithoutPriority are rules whose priority is known only after
	// apply, numbered after the known ones.
	rulesWithoutPriority map[*importer.Listener][]*importer.ListenerRule
	webACLs              map[string]*importer.WebACL
}

func (p *plan) st() *state { return p.state }

// read runs the handlers in passes and warns about every resource type it
// does not read.
func (p *plan) read() {
	p.state = &state{
		vpcs: map[string]*importer.VPC{}, subnets: map[string]*importer.Subnet{}, routes: map[string]*importer.RouteTable{},
		endpoints: map[string]*importer.VPCEndpoint{}, interfaceEndpoints: map[string]*importer.Workload{}, peerings: map[string]*importer.Peering{}, peeringAliases: map[string]string{},
		lists: map[string]*importer.PrefixList{}, groups: map[string]*importer.SecurityGroup{}, acls: map[string]*importer.NetworkACL{},
		lbs: map[string]*importer.LoadBalancer{}, tgs: map[string]*importer.TargetGroup{},
		listeners: map[string]*importer.Listener{}, rulesWithoutPriority: map[*importer.Listener][]*importer.ListenerRule{},
		webACLs: map[string]*importer.WebACL{},
	}
	for _, pass := range readPasses {
		for _, r := range p.resources {
			if slices.Contains(pass, typeKey(r)) {
				handlers[typeKey(r)](p, r)
			}
		}
	}
	p.finishListenerRules()
	p.finishNetworkACLs()
	p.finishEndpointPrefixLists()

	ignored := map[string]int{}
	for _, r := range p.resources {
		t := typeKey(r)
		switch {
		case handlers[t] != nil:
		case notModeled[t] != "":
			p.inv.Warnings.Add(r.loc(), importer.NotModeled, "%s is %s, which the scenario format does not model; it is left out", r.addr, notModeled[t])
		case slices.ContainsFunc(unrelated, func(prefix string) bool { return strings.HasPrefix(t, prefix) }):
			ignored[t]++
		default:
			p.inv.Warnings.Add(r.loc(), importer.NotUnderstood, "resource type %s is not read by the importer; if it carries or filters traffic, add it to the scenario by hand", t)
		}
	}
	if len(ignored) > 0 {
		var types []string
		for t, n := range ignored {
			types = append(types, fmt.Sprintf("%s (%d)", t, n))
		}
		sort.Strings(types)
		p.inv.Warnings.Add(importer.Location{File: p.file}, importer.LeftOut, "resources that do not carry or filter traffic are not read: %s", strings.Join(types, ", "))
	}
}

func typeKey(r *resource) string {
	if r.mode == "data" {
		return "data." + r.typ
	}
	return r.typ
}

func (p *plan) vpc(r *resource) {
	v := &importer.VPC{Key: r.addr, CIDR: p.str(r, "cidr_block"), IPv6CIDR: p.str(r, "ipv6_cidr_block"), Region: p.region(r), Loc: r.loc()}
	v.Names = append(p.tagHints(r), logicalName(r))
	p.inv.VPCs = append(p.inv.VPCs, v)
	p.st().vpcs[r.addr] = v
}

func (p *plan) subnet(r *resource) {
	s := &importer.Subnet{Key: r.addr, VPC: p.key(r, "vpc_id"), CIDR: p.str(r, "cidr_block"), IPv6CIDR: p.str(r, "ipv6_cidr_block"), Loc: r.loc()}
	s.Names = append(p.tagHints(r), logicalName(r))
	p.inv.Subnets = append(p.inv.Subnets, s)
	p.st().subnets[r.addr] = s
}

// vpcOfDefault returns the VPC a default_*_id attribute comes from, such as
// aws_vpc.main.default_route_table_id.
func (p *plan) vpcOfDefault(r *resource, attr string) string {
	targets, _ := p.resolveAttr(r, attr)
	for _, t := range targets {
		if t.res != nil && (t.res.typ == "aws_vpc" || t.res.typ == "aws_default_vpc") {
			return t.res.addr
		}
	}
	id := p.str(r, attr)
	for _, v := range p.resources {
		if v.typ == "aws_vpc" && id != "" && v.values.Get(attr).Str() == id {
			return v.addr
		}
	}
	return p.key(r, "vpc_id")
}

func (p *plan) prefixList(r *resource) {
	pl := &importer.PrefixList{Key: r.addr, Family: strings.ToLower(p.str(r, "address_family")), Loc: r.loc(), EntriesKnown: true}
	pl.MaxEntries, _ = p.integer(r, "max_entries")
	pl.Names = append(p.tagHints(r), importer.NameHint{Rank: importer.RankOwnName, Value: p.str(r, "name")}, logicalName(r))
	n := max(len(r.values.Get("entry").List()), len(r.expr("entry").List()))
	for i := range n {
		if c := p.str(r, "entry", i, "cidr"); c != "" {
			pl.Entries = append(pl.Entries, c)
		}
	}
	p.inv.PrefixLists = append(p.inv.PrefixLists, pl)
	p.st().lists[r.addr] = pl
}

// managedPrefixList reads a data source for an existing list, usually an
// AWS-managed one named by name or by a prefix-list-name filter.
func (p *plan) managedPrefixList(r *resource) {
	name := p.str(r, "name")
	if name == "" {
		for i := range r.expr("filter").List() {
			if p.str(r, "filter", i, "name") == "prefix-list-name" {
				name = p.str(r, "filter", i, "values")
			}
		}
	}
	pl := &importer.PrefixList{Key: r.addr, Loc: r.loc(), Family: strings.ToLower(p.str(r, "address_family"))}
	if strings.HasPrefix(name, "com.amazonaws.") {
		pl.AWSName = name
	}
	pl.Names = []importer.NameHint{{Rank: importer.RankOwnName, Value: name}, logicalName(r)}
	pl.MaxEntries, _ = p.integer(r, "max_entries")
	if entries, ok := r.known("entries"); ok {
		pl.EntriesKnown = true
		for _, e := range entries.List() {
			pl.Entries = append(pl.Entries, e.Get("cidr").Str())
		}
	}
	if name == "" {
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s does not name the prefix list it reads; it is written as an empty customer-managed list", r.addr)
	}
	p.inv.PrefixLists = append(p.inv.PrefixLists, pl)
	p.st().lists[r.addr] = pl
}

func (p *plan) prefixListEntry(r *resource) {
	pl := p.st().lists[p.key(r, "prefix_list_id")]
	if pl == nil {
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s adds an entry to a prefix list the plan does not define; it is not read", r.addr)
		return
	}
	pl.Entries = append(pl.Entries, p.str(r, "cidr"))
}

// securityGroup reads a group with its inline rules. The AWS provider
// removes the allow-all egress rule AWS creates with a group, so a group
// has exactly the egress rules the configuration declares.
func (p *plan) securityGroup(r *resource) {
	g := &importer.SecurityGroup{Key: r.addr, VPC: p.key(r, "vpc_id"), Description: p.str(r, "description"), Loc: r.loc(), EgressMode: importer.EgressRules}
	name := p.str(r, "name")
	if r.typ == "aws_default_security_group" {
		name = "default"
		g.VPC = p.vpcOfDefault(r, "vpc_id")
	}
	if name != "" {
		g.Names = append(g.Names, importer.NameHint{Rank: importer.RankNameTag, Value: name})
	}
	g.Names = append(g.Names, logicalName(r))
	g.Ingress = p.inlineRules(r, "ingress", g.Key)
	g.Egress = p.inlineRules(r, "egress", g.Key)
	p.inv.SecurityGroups = append(p.inv.SecurityGroups, g)
	p.st().groups[r.addr] = g
}

// existingSecurityGroup reads a data source for a group the plan does not
// manage. Its rules are not in the plan.
func (p *plan) existingSecurityGroup(r *resource) {
	g := &importer.SecurityGroup{Key: r.addr, VPC: p.key(r, "vpc_id"), Loc: r.loc(), EgressMode: importer.EgressAWSDefault,
		Description: "existing group; its rules are not in the plan"}
	g.Names = []importer.NameHint{{Rank: importer.RankNameTag, Value: p.str(r, "name")}, logicalName(r)}
	p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s reads an existing security group whose rules the plan does not show; if a tier uses it, it is written with no inbound rules and AWS's default egress, so add its rules by hand", r.addr)
	p.inv.SecurityGroups = append(p.inv.SecurityGroups, g)
	p.st().groups[r.addr] = g
}

// inlineRules reads the ingress or egress blocks of an aws_security_group.
// Where a block's planned values are unknown, the block in the
// configuration with the same ports and protocol supplies the references.
func (p *plan) inlineRules(r *resource, block, group string) []*importer.Rule {
	values, known := r.values.Get(block), r.values.Get(block).Exists()
	if u, ok := at(r.unknown, block).V.(bool); ok && u {
		known = false
	}
	configs := r.expr(block).List()
	var out []*importer.Rule
	if !known {
		for i := range configs {
			out = append(out, p.ruleFromConfig(r, block, i, group)...)
		}
		return out
	}
	for i, v := range values.List() {
		loc := r.locAt(fmt.Sprintf("%s[%d]", block, i))
		base := importer.Rule{Protocol: v.Get("protocol").Str(), Description: v.Get("description").Str(), Loc: loc}
		base.FromPort, _ = v.Get("from_port").Int()
		base.ToPort, base.PortsKnown = v.Get("to_port").Int()
		cfg := p.matchBlock(r, block, v)

		peers := func(field string, kind importer.PeerKind) {
			list := v.Get(field)
			complete := list.Exists() && !slices.ContainsFunc(list.List(), func(e importer.JSON) bool { return !e.Exists() })
			var ids []string
			if complete || cfg < 0 {
				for _, id := range list.Strs() {
					if res := p.byID[id]; res != nil {
						id = res.addr
					}
					ids = append(ids, id)
				}
			} else {
				ids = p.keys(r, block, cfg, field)
			}
			for _, id := range ids {
				rule := base
				rule.PeerKind, rule.Peer = kind, id
				if kind == importer.PeerGroup && id == group {
					rule.PeerKind = importer.PeerSelf
				}
				out = append(out, &rule)
			}
		}
		peers("cidr_blocks", importer.PeerCIDR)
		peers("ipv6_cidr_blocks", importer.PeerCIDR)
		peers("prefix_list_ids", importer.PeerPrefixList)
		peers("security_groups", importer.PeerGroup)
		if self, _ := v.Get("self").Bool(); self {
			rule := base
			rule.PeerKind = importer.PeerSelf
			out = append(out, &rule)
		}
	}
	return out
}

// matchBlock returns the index of the configuration block whose constant
// ports and protocol equal those of the planned block v, or -1.
func (p *plan) matchBlock(r *resource, block string, v importer.JSON) int {
	for i, c := range r.expr(block).List() {
		same := true
		for _, field := range []string{"from_port", "to_port", "protocol"} {
			if cv := c.Path(field, "constant_value"); cv.Exists() && cv.Str() != v.Get(field).Str() {
				same = false
			}
		}
		if same {
			return i
		}
	}
	return -1
}

// ruleFromConfig reads an ingress or egress block from the configuration
// alone, for a group whose rules are all unknown in the planned values.
func (p *plan) ruleFromConfig(r *resource, block string, i int, group string) []*importer.Rule {
	loc := r.locAt(fmt.Sprintf("%s[%d]", block, i))
	base := importer.Rule{Protocol: p.str(r, block, i, "protocol"), Description: p.str(r, block, i, "description"), Loc: loc}
	var okFrom bool
	base.FromPort, okFrom = p.integer(r, block, i, "from_port")
	base.ToPort, base.PortsKnown = p.integer(r, block, i, "to_port")
	base.PortsKnown = base.PortsKnown && okFrom
	var out []*importer.Rule
	add := func(kind importer.PeerKind, peers []string) {
		for _, peer := range peers {
			rule := base
			rule.PeerKind, rule.Peer = kind, peer
			if kind == importer.PeerGroup && peer == group {
				rule.PeerKind = importer.PeerSelf
			}
			out = append(out, &rule)
		}
	}
	add(importer.PeerCIDR, p.texts(r, block, i, "cidr_blocks"))
	add(importer.PeerCIDR, p.texts(r, block, i, "ipv6_cidr_blocks"))
	add(importer.PeerPrefixList, p.keys(r, block, i, "prefix_list_ids"))
	add(importer.PeerGroup, p.keys(r, block, i, "security_groups"))
	if self, _ := p.boolean(r, block, i, "self"); self {
		rule := base
		rule.PeerKind = importer.PeerSelf
		out = append(out, &rule)
	}
	return out
}

// groupFor returns the group a standalone rule belongs to. A group the
// plan does not define is added with AWS's default egress, because the
// plan does not show its other rules.
func (p *plan) groupFor(r *resource) *importer.SecurityGroup {
	key := p.key(r, "security_group_id")
	if g := p.st().groups[key]; g != nil {
		return g
	}
	if key == "" {
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s does not say which security group it belongs to; it is not read", r.addr)
		return nil
	}
	g := &importer.SecurityGroup{Key: key, Loc: r.loc(), EgressMode: importer.EgressAWSDefault,
		Names: []importer.NameHint{{Rank: importer.RankID, Value: key}}, Description: "group outside the plan"}
	p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s adds a rule to security group %s, which the plan does not define; the group is written with the rules the plan adds and AWS's default egress", r.addr, key)
	p.inv.SecurityGroups = append(p.inv.SecurityGroups, g)
	p.st().groups[key] = g
	return g
}

// securityGroupRule reads an aws_security_group_rule.
func (p *plan) securityGroupRule(r *resource) {
	g := p.groupFor(r)
	if g == nil {
		return
	}
	base := importer.Rule{Protocol: p.str(r, "protocol"), Description: p.str(r, "description"), Loc: r.loc()}
	var okFrom bool
	base.FromPort, okFrom = p.integer(r, "from_port")
	base.ToPort, base.PortsKnown = p.integer(r, "to_port")
	base.PortsKnown = base.PortsKnown && okFrom

	var rules []*importer.Rule
	add := func(kind importer.PeerKind, peers ...string) {
		for _, peer := range peers {
			rule := base
			rule.PeerKind, rule.Peer = kind, peer
			if kind == importer.PeerGroup && peer == g.Key {
				rule.PeerKind = importer.PeerSelf
			}
			rules = append(rules, &rule)
		}
	}
	add(importer.PeerCIDR, p.texts(r, "cidr_blocks")...)
	add(importer.PeerCIDR, p.texts(r, "ipv6_cidr_blocks")...)
	add(importer.PeerPrefixList, p.keys(r, "prefix_list_ids")...)
	if src := p.key(r, "source_security_group_id"); src != "" {
		add(importer.PeerGroup, src)
	}
	if self, _ := p.boolean(r, "self"); self {
		add(importer.PeerSelf, g.Key)
	}

	if p.str(r, "type") == "egress" {
		g.Egress = append(g.Egress, rules...)
	} else {
		g.Ingress = append(g.Ingress, rules...)
	}
}

// vpcSecurityGroupRule reads aws_vpc_security_group_ingress_rule and
// aws_vpc_security_group_egress_rule, which hold one peer each.
func (p *plan) vpcSecurityGroupRule(r *resource) {
	g := p.groupFor(r)
	if g == nil {
		return
	}
	rule := &importer.Rule{Protocol: p.str(r, "ip_protocol"), Description: p.str(r, "description"), Loc: r.loc()}
	var okFrom bool
	rule.FromPort, okFrom = p.integer(r, "from_port")
	rule.ToPort, rule.PortsKnown = p.integer(r, "to_port")
	rule.PortsKnown = rule.PortsKnown && okFrom
	switch {
	case p.str(r, "cidr_ipv4") != "":
		rule.PeerKind, rule.Peer = importer.PeerCIDR, p.str(r, "cidr_ipv4")
	case p.str(r, "cidr_ipv6") != "":
		rule.PeerKind, rule.Peer = importer.PeerCIDR, p.str(r, "cidr_ipv6")
	case p.key(r, "prefix_list_id") != "":
		rule.PeerKind, rule.Peer = importer.PeerPrefixList, p.key(r, "prefix_list_id")
	case p.key(r, "referenced_security_group_id") != "":
		rule.PeerKind, rule.Peer = importer.PeerGroup, p.key(r, "referenced_security_group_id")
		if rule.Peer == g.Key {
			rule.PeerKind = importer.PeerSelf
		}
	default:
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s names no peer the plan resolves; it is not read", r.addr)
		return
	}
	if r.typ == "aws_vpc_security_group_egress_rule" {
		g.Egress = append(g.Egress, rule)
	} else {
		g.Ingress = append(g.Ingress, rule)
	}
}

// networkACL collects a network ACL with its inline entries. Standalone
// entries and associations attach to it later.
func (p *plan) networkACL(r *resource) {
	acl := &importer.NetworkACL{Key: r.addr, Default: r.typ == "aws_default_network_acl", Subnets: p.keys(r, "subnet_ids"), Loc: r.loc()}
	acl.Names = append(p.tagHints(r), logicalName(r))
	if acl.Default {
		// default_network_acl_id refers to the VPC's attribute of that name.
		acl.VPC = cmp.Or(p.key(r, "vpc_id"), p.key(r, "default_network_acl_id"))
	} else {
		acl.VPC = p.key(r, "vpc_id")
	}
	for _, dir := range []string{"ingress", "egress"} {
		n := max(len(r.values.Get(dir).List()), len(r.expr(dir).List()))
		for i := range n {
			e := importer.NACLEntry{Egress: dir == "egress", Action: p.str(r, dir, i, "action"), Protocol: p.str(r, dir, i, "protocol"),
				CIDR: p.str(r, dir, i, "cidr_block") + p.str(r, dir, i, "ipv6_cidr_block"), Loc: r.locAt(fmt.Sprintf("%s[%d]", dir, i))}
			e.Number, _ = p.integer(r, dir, i, "rule_no")
			e.FromPort, _ = p.integer(r, dir, i, "from_port")
			e.ToPort, e.HasPorts = p.integer(r, dir, i, "to_port")
			e.ICMPType, e.HasICMP = p.integer(r, dir, i, "icmp_type")
			e.ICMPCode, _ = p.integer(r, dir, i, "icmp_code")
			acl.Entries = append(acl.Entries, e)
		}
	}
	p.st().acls[r.addr] = acl
}

func (p *plan) networkACLRule(r *resource) {
	acl := p.st().acls[p.key(r, "network_acl_id")]
	if acl == nil {
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s is a network ACL entry for an ACL the plan does not define; it is left out", r.addr)
		return
	}
	e := importer.NACLEntry{Action: p.str(r, "rule_action"), Protocol: p.str(r, "protocol"), CIDR: p.str(r, "cidr_block") + p.str(r, "ipv6_cidr_block"), Loc: r.loc()}
	e.Number, _ = p.integer(r, "rule_number")
	e.Egress, _ = p.boolean(r, "egress")
	e.FromPort, _ = p.integer(r, "from_port")
	e.ToPort, e.HasPorts = p.integer(r, "to_port")
	e.ICMPType, e.HasICMP = p.integer(r, "icmp_type")
	e.ICMPCode, _ = p.integer(r, "icmp_code")
	if !e.HasICMP {
		e.ICMPCode = -1
	}
	acl.Entries = append(acl.Entries, e)
}

func (p *plan) networkACLAssociation(r *resource) {
	acl := p.st().acls[p.key(r, "network_acl_id")]
	if acl == nil {
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s associates a subnet with a network ACL the plan does not define; the subnet is written with the VPC's default network ACL", r.addr)
		return
	}
	acl.Subnets = append(acl.Subnets, p.key(r, "subnet_id"))
}

// finishNetworkACLs adds the network ACLs to the inventory in the plan's
// resource order, once their standalone entries and associations are read.
func (p *plan) finishNetworkACLs() {
	for _, r := range p.resources {
		if acl := p.st().acls[r.addr]; acl != nil {
			p.inv.NetworkACLs = append(p.inv.NetworkACLs, acl)
		}
	}
}

// workload adds a compute or data-store workload.
func (p *plan) workload(r *resource, kind model.Kind, subnets, groups []string, public bool, names ...importer.NameHint) *importer.Workload {
	w := &importer.Workload{Key: r.addr, Kind: kind, Subnets: subnets, Groups: groups, PublicIP: public, Loc: r.loc()}
	w.Names = append(append(p.tagHints(r), names...), logicalName(r))
	if id := r.values.Get("id").Str(); id != "" && kind == model.KindEC2 {
		w.InstanceID = id
	}
	p.inv.Workloads = append(p.inv.Workloads, w)
	return w
}
