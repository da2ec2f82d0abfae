package terraform

import (
	"strings"

	"github.com/sgchain/sgchain/importer"
	"github.com/sgchain/sgchain/model"
)

// ecsService reads an ECS service in awsvpc mode, and adds its tasks to the
// target groups its load_balancer blocks name.
func (p *plan) ecsService(r *resource) {
	if !r.values.Get("network_configuration").Exists() && len(r.expr("network_configuration").List()) == 0 {
		p.inv.Warnings.Add(r.loc(), importer.NotModeled, "%s has no network_configuration, so its tasks use the network interfaces of their container instances (bridge or host mode), which the scenario format does not tie to a service; it is left out", r.addr)
		return
	}
	name := p.str(r, "name")
	public, _ := p.boolean(r, "network_configuration", 0, "assign_public_ip")
	w := p.workload(r, model.KindECS, p.keys(r, "network_configuration", 0, "subnets"), p.keys(r, "network_configuration", 0, "security_groups"), public,
		importer.NameHint{Rank: importer.RankService, Value: name})
	w.Identity = "ecs:" + r.addr

	n := max(len(r.values.Get("load_balancer").List()), len(r.expr("load_balancer").List()))
	for i := range n {
		tg := p.st().tgs[p.key(r, "load_balancer", i, "target_group_arn")]
		if tg == nil {
			p.inv.Warnings.Add(r.locAt("load_balancer"), importer.Unresolved, "%s registers with a target group the plan does not define; the registration is not read", r.addr)
			continue
		}
		port, _ := p.integer(r, "load_balancer", i, "container_port")
		tg.Members = append(tg.Members, importer.Member{Workload: r.addr, Port: port})
		tg.MembersKnown = true
	}
}

// enginePorts are the default ports of RDS engines, used when the
// configuration leaves port to AWS.
var enginePorts = map[string]int{
	"postgres": 5432, "aurora-postgresql": 5432, "mysql": 3306, "mariadb": 3306, "aurora-mysql": 3306, "aurora": 3306,
	"oracle-ee": 1521, "oracle-se2": 1521, "sqlserver-ee": 1433, "sqlserver-se": 1433, "sqlserver-ex": 1433, "sqlserver-web": 1433,
}

// dbInstance reads an RDS instance or an Aurora cluster. Its subnets come
// from its DB subnet group.
func (p *plan) dbInstance(r *resource) {
	subnets := p.subnetGroupSubnets(r, "db_subnet_group_name", "aws_db_subnet_group")
	public, _ := p.boolean(r, "publicly_accessible")
	if r.typ == "aws_rds_cluster" {
		public = p.clusterPublic(r)
	}
	id := p.str(r, "identifier")
	if id == "" {
		id = p.str(r, "cluster_identifier")
	}
	w := p.workload(r, model.KindRDS, subnets, p.keys(r, "vpc_security_group_ids"), public, importer.NameHint{Rank: importer.RankOwnName, Value: id})
	w.IPv6 = strings.EqualFold(p.str(r, "network_type"), "DUAL")
	w.Port, _ = p.integer(r, "port")
	if w.Port == 0 {
		w.Port = enginePorts[p.str(r, "engine")]
	}
}

// clusterPublic reports whether an instance of an Aurora cluster is
// publicly accessible.
func (p *plan) clusterPublic(cluster *resource) bool {
	for _, r := range p.resources {
		if r.typ != "aws_rds_cluster_instance" || p.key(r, "cluster_identifier") != cluster.addr {
			continue
		}
		if public, _ := p.boolean(r, "publicly_accessible"); public {
			return true
		}
	}
	return false
}

// subnetGroupSubnets returns the subnets of the subnet group an attribute
// names, by reference or by the group's name.
func (p *plan) subnetGroupSubnets(r *resource, attr, groupType string) []string {
	key := p.key(r, attr)
	group := p.byAddr[key]
	if group == nil && key != "" {
		for _, g := range p.resources {
			if g.typ == groupType && g.values.Get("name").Str() == key {
				group = g
			}
		}
	}
	if group == nil || group.typ != groupType {
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s uses subnet group %q, which the plan does not define, so its subnets are unknown", r.addr, key)
		return nil
	}
	return p.keys(group, "subnet_ids")
}

// cache reads an ElastiCache cluster, replication group or serverless
// cache.
func (p *plan) cache(r *resource) {
	var subnets []string
	if r.typ == "aws_elasticache_serverless_cache" {
		subnets = p.keys(r, "subnet_ids")
	} else {
		subnets = p.subnetGroupSubnets(r, "subnet_group_name", "aws_elasticache_subnet_group")
	}
	id := p.str(r, "cluster_id")
	if id == "" {
		id = p.str(r, "replication_group_id")
	}
	if id == "" {
		id = p.str(r, "name")
	}
	w := p.workload(r, model.KindElastiCache, subnets, p.keys(r, "security_group_ids"), false, importer.NameHint{Rank: importer.RankOwnName, Value: id})
	w.Port, _ = p.integer(r, "port")
	w.IPv6 = p.str(r, "network_type") == "dual_stack"
}

func (p *plan) instance(r *resource) {
	if names := p.texts(r, "security_groups"); len(names) > 0 && len(p.keys(r, "vpc_security_group_ids")) == 0 {
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s names its security groups by name (security_groups), which only the default VPC allows; write them as vpc_security_group_ids", r.addr)
	}
	public, _ := p.boolean(r, "associate_public_ip_address")
	w := p.workload(r, model.KindEC2, p.keys(r, "subnet_id"), p.keys(r, "vpc_security_group_ids"), public)
	if ip := p.str(r, "private_ip"); ip != "" {
		w.PrivateIPs = []string{ip}
	}
	if ip := p.str(r, "public_ip"); ip != "" {
		w.PublicAddrs = append(w.PublicAddrs, ip, p.str(r, "public_dns"))
	}
	count, _ := p.integer(r, "ipv6_address_count")
	w.IPv6 = count > 0 || len(p.texts(r, "ipv6_addresses")) > 0
}

// lambda reads a function attached to a VPC. A function without vpc_config
// runs outside every VPC and is not part of the scenario.
func (p *plan) lambda(r *resource) {
	if !r.values.Get("vpc_config").Exists() && len(r.expr("vpc_config").List()) == 0 {
		return
	}
	name := p.str(r, "function_name")
	w := p.workload(r, model.KindLambda, p.keys(r, "vpc_config", 0, "subnet_ids"), p.keys(r, "vpc_config", 0, "security_group_ids"), false,
		importer.NameHint{Rank: importer.RankOwnName, Value: name})
	w.Identity = "lambda:" + name
	w.IPv6, _ = p.boolean(r, "vpc_config", 0, "ipv6_allowed_for_dual_stack")
}

// eksCluster reads the interfaces of an EKS control plane. The cluster
// security group EKS creates is not in the plan.
func (p *plan) eksCluster(r *resource) {
	name := p.str(r, "name")
	p.workload(r, model.KindEKS, p.keys(r, "vpc_config", 0, "subnet_ids"), p.keys(r, "vpc_config", 0, "security_group_ids"), false,
		importer.NameHint{Rank: importer.RankOwnName, Value: strings.TrimSpace(name + "-control-plane")})
	p.inv.Warnings.Add(r.loc(), importer.NotModeled, "%s: the cluster security group that EKS creates and attaches is not in the plan, so only the security groups of vpc_config are written", r.addr)
}

func (p *plan) eksNodeGroup(r *resource) {
	p.inv.Warnings.Add(r.loc(), importer.NotModeled, "%s: the nodes of a managed node group get security groups from EKS or a launch template, which the plan does not resolve; the node group is left out", r.addr)
}
