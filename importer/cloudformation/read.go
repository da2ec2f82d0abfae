package cloudformation

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/sgchain/sgchain/importer"
	"github.com/sgchain/sgchain/model"
)

// resource is one entry of the Resources section.
type resource struct {
	id    string
	typ   string
	props *node
	loc   importer.Location
}

// reader builds the inventory from a template.
type reader struct {
	*template
	resources []*resource
	byID      map[string]*resource

	groups    map[string]*importer.SecurityGroup
	vpcs      map[string]*importer.VPC
	routes    map[string]*importer.RouteTable
	acls      map[string]*importer.NetworkACL
	lbs       map[string]*importer.LoadBalancer
	tgs       map[string]*importer.TargetGroup
	listeners map[string]*importer.Listener
	lists     map[string]*importer.PrefixList
}

// Read reads the CloudFormation template at path.
func Read(path string) (*importer.Inventory, error) {
	data, err := importer.ReadFile(path)
	if err != nil {
		return nil, err
	}
	root, err := parseTemplate(path, data)
	if err != nil {
		return nil, err
	}
	if root.kind != mapNode || root.get("Resources") == nil {
		return nil, fmt.Errorf("%s has no Resources section, so it is not a CloudFormation template", path)
	}
	t := &template{
		file: path, root: root, parameters: root.get("Parameters"), mappings: root.get("Mappings"),
		conditions: root.get("Conditions"), resources: root.get("Resources"),
		inv:             &importer.Inventory{Source: "cloudformation", Inputs: []string{path}},
		conditionValues: map[string]*bool{}, warned: map[string]bool{},
	}
	r := &reader{
		template: t, byID: map[string]*resource{}, groups: map[string]*importer.SecurityGroup{}, vpcs: map[string]*importer.VPC{}, routes: map[string]*importer.RouteTable{},
		acls: map[string]*importer.NetworkACL{}, lbs: map[string]*importer.LoadBalancer{}, tgs: map[string]*importer.TargetGroup{},
		listeners: map[string]*importer.Listener{}, lists: map[string]*importer.PrefixList{},
	}
	if tr := root.get("Transform"); tr != nil {
		t.inv.Warnings.Add(tr.loc, importer.NotUnderstood, "the template uses Transform %s; transforms such as AWS::Serverless are expanded by CloudFormation, so resources they create are not read", t.eval(tr).text())
	}
	r.collect()
	r.read()
	return t.inv, nil
}

// collect lists the resources whose Condition holds or cannot be decided.
func (r *reader) collect() {
	for _, id := range r.resources0().keys {
		n := r.template.resources.get(id)
		res := &resource{id: id, typ: r.eval(n.get("Type")).str, props: n.get("Properties"), loc: r.template.resources.keyLoc(id)}
		res.loc.Resource = "Resources." + id
		if c := n.get("Condition"); c != nil {
			name := r.eval(c).str
			created, ok := r.condition(name)
			switch {
			case ok && !created:
				r.inv.Warnings.Add(res.loc, importer.LeftOut, "%s is created only when condition %s holds, which it does not with the parameters' defaults; it is left out", id, name)
				continue
			case !ok:
				r.inv.Warnings.Add(res.loc, importer.Unresolved, "%s is created only when condition %s holds, which the template's defaults do not decide; it is read as created", id, name)
			}
		}
		r.resources = append(r.resources, res)
		r.byID[id] = res
	}
}

func (r *reader) resources0() *node { return r.template.resources }

// locOf returns the location of a property node, tagged with the resource.
func (res *resource) locOf(n *node) importer.Location {
	if n == nil {
		return res.loc
	}
	loc := n.loc
	loc.Resource = res.loc.Resource
	return loc
}

// typeOf returns the type of the resource a key names, or "".
func (r *reader) typeOf(key string) string {
	if res := r.byID[key]; res != nil {
		return res.typ
	}
	return ""
}

// keys returns what a property that names resources refers to: logical ids
// of template resources, or ids and unknown values as text.
func (r *reader) keys(n *node) []string {
	var out []string
	for _, v := range r.eval(n).items() {
		k := v.res
		if k == "" {
			k = v.text()
		}
		if k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func (r *reader) key(n *node) string {
	if k := r.keys(n); len(k) > 0 {
		return k[0]
	}
	return ""
}

// text returns a string property, or "" when it is unknown.
func (r *reader) text(n *node) string {
	v := r.eval(n)
	if v.known && !v.isList {
		return v.str
	}
	return ""
}

func (r *reader) integer(n *node) (int, bool) { return atoi(r.text(n)) }

func (r *reader) boolean(n *node) (bool, bool) {
	switch strings.ToLower(r.text(n)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// secretValue returns a string that may be unknown, named by what it comes
// from so that two properties using the same parameter compare equal.
func (r *reader) secretValue(n *node) importer.Value {
	v := r.eval(n)
	switch {
	case v.known && !v.isList:
		return importer.Value{Text: v.str}
	case v.res != "":
		return importer.Value{Symbol: v.text()}
	}
	return importer.Value{Symbol: v.text()}
}

// tagHints returns the name hints of a resource: its Name tag and logical
// id.
func (r *reader) tagHints(res *resource) []importer.NameHint {
	var out []importer.NameHint
	for _, tag := range res.props.get("Tags").elements() {
		if r.text(tag.get("Key")) == "Name" {
			if name := r.text(tag.get("Value")); name != "" {
				out = append(out, importer.NameHint{Rank: importer.RankNameTag, Value: name})
			}
		}
	}
	return out
}

func logicalID(res *resource) importer.NameHint {
	return importer.NameHint{Rank: importer.RankLogicalID, Value: res.id}
}

// handler reads one resource type.
type handler func(r *reader, res *resource)

// passes lists resource types in the order they are read: later types
// attach to what earlier ones created.
var passes = [][]string{
	{"AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::RouteTable", "AWS::EC2::PrefixList"},
	{"AWS::EC2::VPCCidrBlock", "AWS::EC2::NatGateway", "AWS::EC2::VPCEndpoint", "AWS::EC2::VPCPeeringConnection", "AWS::EC2::TransitGateway",
		"AWS::EC2::TransitGatewayAttachment", "AWS::EC2::TransitGatewayVpcAttachment"},
	{"AWS::EC2::Route", "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::SecurityGroup", "AWS::EC2::NetworkAcl"},
	{"AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress", "AWS::EC2::NetworkAclEntry", "AWS::EC2::SubnetNetworkAclAssociation"},
	{"AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup"},
	{"AWS::ElasticLoadBalancingV2::Listener"},
	{"AWS::ElasticLoadBalancingV2::ListenerRule", "AWS::ECS::Service", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster",
		"AWS::ElastiCache::CacheCluster", "AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::ServerlessCache",
		"AWS::EC2::Instance", "AWS::Lambda::Function", "AWS::WAFv2::WebACL"},
	{"AWS::CloudFront::Distribution"},
}

var handlers = map[string]handler{
	"AWS::EC2::VPC":                             (*reader).vpc,
	"AWS::EC2::Subnet":                          (*reader).subnet,
	"AWS::EC2::RouteTable":                      (*reader).routeTable,
	"AWS::EC2::VPCCidrBlock":                    (*reader).vpcCidrBlock,
	"AWS::EC2::NatGateway":                      (*reader).natGateway,
	"AWS::EC2::VPCEndpoint":                     (*reader).vpcEndpoint,
	"AWS::EC2::VPCPeeringConnection":            (*reader).peering,
	"AWS::EC2::TransitGateway":                  (*reader).transitGateway,
	"AWS::EC2::TransitGatewayAttachment":        (*reader).transitGatewayAttachment,
	"AWS::EC2::TransitGatewayVpcAttachment":     (*reader).transitGatewayAttachment,
	"AWS::EC2::Route":                           (*reader).route,
	"AWS::EC2::SubnetRouteTableAssociation":     (*reader).routeTableAssociation,
	"AWS::EC2::PrefixList":                      (*reader).prefixList,
	"AWS::EC2::SecurityGroup":                   (*reader).securityGroup,
	"AWS::EC2::SecurityGroupIngress":            (*reader).standaloneRule,
	"AWS::EC2::SecurityGroupEgress":             (*reader).standaloneRule,
	"AWS::EC2::NetworkAcl":                      (*reader).networkACL,
	"AWS::EC2::NetworkAclEntry":                 (*reader).networkACLEntry,
	"AWS::EC2::SubnetNetworkAclAssociation":     (*reader).networkACLAssociation,
	"AWS::ElasticLoadBalancingV2::LoadBalancer": (*reader).loadBalancer,
	"AWS::ElasticLoadBalancingV2::TargetGroup":  (*reader).targetGroup,
	"AWS::ElasticLoadBalancingV2::Listener":     (*reader).listener,
	"AWS::ElasticLoadBalancingV2::ListenerRule": (*reader).listenerRule,
	"AWS::ECS::Service":                         (*reader).ecsService,
	"AWS::RDS::DBInstance":                      (*reader).database,
	"AWS::RDS::DBCluster":                       (*reader).database,
	"AWS::ElastiCache::CacheCluster":            (*reader).cache,
	"AWS::ElastiCache::ReplicationGroup":        (*reader).cache,
	"AWS::ElastiCache::ServerlessCache":         (*reader).cache,
	"AWS::EC2::Instance":                        (*reader).instance,
	"AWS::Lambda::Function":                     (*reader).lambda,
	"AWS::WAFv2::WebACL":                        (*reader).webACL,
	"AWS::CloudFront::Distribution":             (*reader).distribution,
	"AWS::EC2::InternetGateway":                 nil,
	"AWS::EC2::EgressOnlyInternetGateway":       nil,
	"AWS::EC2::VPCGatewayAttachment":            nil,
	"AWS::RDS::DBSubnetGroup":                   nil,
	"AWS::ElastiCache::SubnetGroup":             nil,
}

// notModeled lists resource types that change reachability in ways the
// scenario format does not model.
var notModeled = map[string]string{
	"AWS::EC2::TransitGatewayPeeringAttachment": "a peering between transit gateways",
	"AWS::ElasticLoadBalancing::LoadBalancer":   "a Classic Load Balancer",
	"AWS::WAFv2::WebACLAssociation":             "a web ACL attached to a regional resource such as an ALB",
	"AWS::GlobalAccelerator::Accelerator":       "a Global Accelerator",
	"AWS::EC2::VPNGateway":                      "a virtual private gateway",
	"AWS::NetworkFirewall::Firewall":            "a Network Firewall",
	"AWS::CloudFront::VpcOrigin":                "a CloudFront VPC origin",
	"AWS::EKS::Cluster":                         "an EKS cluster",
	"AWS::EKS::Nodegroup":                       "an EKS node group",
	"AWS::AutoScaling::AutoScalingGroup":        "an Auto Scaling group, whose instances come from a launch template",
}

// unrelated lists resource type prefixes that do not carry or filter
// traffic. They are counted in one warning.
var unrelated = []string{
	"AWS::IAM::", "AWS::Logs::", "AWS::S3::", "AWS::ECS::Cluster", "AWS::ECS::TaskDefinition", "AWS::ECS::CapacityProvider",
	"AWS::SecretsManager::", "AWS::KMS::", "AWS::EC2::EIP", "AWS::CertificateManager::", "AWS::Route53::", "AWS::CloudWatch::",
	"AWS::SSM::", "AWS::ApplicationAutoScaling::", "AWS::CloudFront::OriginAccessControl", "AWS::CloudFront::CloudFrontOriginAccessIdentity",
	"AWS::CloudFront::CachePolicy", "AWS::CloudFront::OriginRequestPolicy", "AWS::CloudFront::ResponseHeadersPolicy", "AWS::CloudFront::Function",
	"AWS::RDS::DBParameterGroup", "AWS::RDS::DBClusterParameterGroup", "AWS::ElastiCache::ParameterGroup", "AWS::ECR::",
	"AWS::SNS::", "AWS::SQS::", "AWS::Events::", "AWS::Lambda::Permission", "AWS::Lambda::Version", "AWS::Lambda::Alias",
	"AWS::ServiceDiscovery::", "AWS::EC2::LaunchTemplate", "AWS::EC2::FlowLog", "AWS::EC2::DHCPOptions", "AWS::WAFv2::IPSet",
	"AWS::WAFv2::RegexPatternSet", "AWS::WAFv2::RuleGroup", "AWS::DynamoDB::", "AWS::CloudFormation::WaitCondition", "AWS::CloudFormation::Macro", "AWS::EC2::KeyPair",
}

func (r *reader) read() {
	for _, pass := range passes {
		for _, res := range r.resources {
			if slices.Contains(pass, res.typ) {
				handlers[res.typ](r, res)
			}
		}
	}
	// Network ACLs enter the inventory in template order, once their entries
	// and associations are read.
	for _, res := range r.resources {
		if acl := r.acls[res.id]; acl != nil {
			r.inv.NetworkACLs = append(r.inv.NetworkACLs, acl)
		}
	}

	ignored := map[string]int{}
	for _, res := range r.resources {
		_, handled := handlers[res.typ]
		switch {
		case handled:
		case notModeled[res.typ] != "":
			r.inv.Warnings.Add(res.loc, importer.NotModeled, "%s is %s, which the scenario format does not model; it is left out", res.id, notModeled[res.typ])
		case slices.ContainsFunc(unrelated, func(prefix string) bool { return strings.HasPrefix(res.typ, prefix) }):
			ignored[res.typ]++
		default:
			r.inv.Warnings.Add(res.loc, importer.NotUnderstood, "resource type %s of %s is not read by the importer; if it carries or filters traffic, add it to the scenario by hand", res.typ, res.id)
		}
	}
	if len(ignored) > 0 {
		var types []string
		for t, n := range ignored {
			types = append(types, fmt.Sprintf("%s (%d)", t, n))
		}
		sort.Strings(types)
		r.inv.Warnings.Add(importer.Location{File: r.file}, importer.LeftOut, "resources that do not carry or filter traffic are not read: %s", strings.Join(types, ", "))
	}
}

func (r *reader) vpc(res *resource) {
	v := &importer.VPC{Key: res.id, CIDR: r.text(res.props.get("CidrBlock")), Loc: res.loc}
	v.Names = append(r.tagHints(res), logicalID(res))
	r.inv.VPCs = append(r.inv.VPCs, v)
	r.vpcs[res.id] = v
}

func (r *reader) subnet(res *resource) {
	s := &importer.Subnet{Key: res.id, VPC: r.key(res.props.get("VpcId")), CIDR: r.text(res.props.get("CidrBlock")), Loc: res.loc}
	if s.CIDR == "" {
		r.inv.Warnings.Add(res.locOf(res.props.get("CidrBlock")), importer.Unresolved, "the IPv4 block of subnet %s is not known from the template", res.id)
	}
	if n := res.props.get("Ipv6CidrBlock"); n != nil {
		if s.IPv6CIDR = r.text(n); s.IPv6CIDR == "" {
			r.inv.Warnings.Add(res.locOf(n), importer.Unresolved, "the IPv6 block of subnet %s is known only when the stack is deployed (an Amazon-provided block), so the subnet is written without one", res.id)
		}
	}
	s.Names = append(r.tagHints(res), logicalID(res))
	r.inv.Subnets = append(r.inv.Subnets, s)
}

func (r *reader) prefixList(res *resource) {
	pl := &importer.PrefixList{Key: res.id, Family: strings.ToLower(r.text(res.props.get("AddressFamily"))), Loc: res.loc, EntriesKnown: true}
	pl.MaxEntries, _ = r.integer(res.props.get("MaxEntries"))
	pl.Names = append(r.tagHints(res), importer.NameHint{Rank: importer.RankOwnName, Value: r.text(res.props.get("PrefixListName"))}, logicalID(res))
	for _, e := range res.props.get("Entries").elements() {
		pl.Entries = append(pl.Entries, r.text(e.get("Cidr")))
	}
	r.inv.PrefixLists = append(r.inv.PrefixLists, pl)
	r.lists[res.id] = pl
}

// securityGroup reads a group with its inline rules. Without
// SecurityGroupEgress, the group keeps the allow-all egress rule AWS
// creates with it.
func (r *reader) securityGroup(res *resource) {
	g := &importer.SecurityGroup{Key: res.id, VPC: r.key(res.props.get("VpcId")), Description: r.text(res.props.get("GroupDescription")), Loc: res.loc}
	if name := r.text(res.props.get("GroupName")); name != "" {
		g.Names = append(g.Names, importer.NameHint{Rank: importer.RankNameTag, Value: name})
	}
	g.Names = append(append(g.Names, r.tagHints(res)...), logicalID(res))
	for _, n := range res.props.get("SecurityGroupIngress").elements() {
		g.Ingress = append(g.Ingress, r.rules(res, n, false, g.Key)...)
	}
	egress := res.props.get("SecurityGroupEgress")
	if egress == nil {
		g.EgressMode = importer.EgressAWSDefault
	}
	for _, n := range egress.elements() {
		g.Egress = append(g.Egress, r.rules(res, n, true, g.Key)...)
	}
	r.inv.SecurityGroups = append(r.inv.SecurityGroups, g)
	r.groups[res.id] = g
}

// rules reads one ingress or egress rule object. CloudFormation gives each
// rule one peer.
func (r *reader) rules(res *resource, n *node, egress bool, group string) []*importer.Rule {
	rule := &importer.Rule{Protocol: r.text(n.get("IpProtocol")), Description: r.text(n.get("Description")), Loc: res.locOf(n)}
	var okFrom bool
	rule.FromPort, okFrom = r.integer(n.get("FromPort"))
	rule.ToPort, rule.PortsKnown = r.integer(n.get("ToPort"))
	rule.PortsKnown = rule.PortsKnown && okFrom
	groupKey, listKey := "SourceSecurityGroupId", "SourcePrefixListId"
	if egress {
		groupKey, listKey = "DestinationSecurityGroupId", "DestinationPrefixListId"
	}
	switch {
	case n.get("CidrIp") != nil:
		rule.PeerKind, rule.Peer = importer.PeerCIDR, r.text(n.get("CidrIp"))
	case n.get("CidrIpv6") != nil:
		rule.PeerKind, rule.Peer = importer.PeerCIDR, r.text(n.get("CidrIpv6"))
	case n.get(listKey) != nil:
		rule.PeerKind, rule.Peer = importer.PeerPrefixList, r.prefixListKey(res, n.get(listKey))
	case n.get(groupKey) != nil:
		rule.PeerKind, rule.Peer = importer.PeerGroup, r.key(n.get(groupKey))
		if rule.Peer == group {
			rule.PeerKind = importer.PeerSelf
		}
	case n.get("SourceSecurityGroupName") != nil:
		r.inv.Warnings.Add(res.locOf(n), importer.NotModeled, "a rule of %s names its source group by name, which only EC2-Classic and the default VPC allow; it is left out", res.id)
		return nil
	default:
		r.inv.Warnings.Add(res.locOf(n), importer.NotUnderstood, "a rule of %s names no peer the importer reads; it is left out", res.id)
		return nil
	}
	return []*importer.Rule{rule}
}

// cloudFrontName matches parameter and mapping names that mark a prefix
// list as CloudFront's origin-facing list.
var cloudFrontName = regexp.MustCompile(`(?i)cloud-?front`)

// prefixListKey returns the key of the prefix list a rule names. A pl- id
// taken from a parameter or mapping whose name mentions CloudFront is read
// as the CloudFront origin-facing list, because CloudFormation cannot look
// an AWS-managed list up by name and templates pass its id in that way.
func (r *reader) prefixListKey(res *resource, n *node) string {
	key := r.key(n)
	if r.lists[key] != nil || !strings.HasPrefix(key, "pl-") {
		return key
	}
	if source := r.prefixListSource(n); source != "" && cloudFrontName.MatchString(source) {
		name := "com.amazonaws.global.cloudfront.origin-facing"
		if strings.Contains(strings.ToLower(source), "ipv6") {
			name = "com.amazonaws.global.ipv6.cloudfront.origin-facing"
		}
		pl := &importer.PrefixList{Key: key, AWSName: name, Loc: res.locOf(n)}
		r.inv.PrefixLists = append(r.inv.PrefixLists, pl)
		r.lists[key] = pl
		r.inv.Warnings.Add(res.locOf(n), importer.Mapped, "prefix list %s comes from %s, whose name mentions CloudFront, so it is written as %s; confirm the id", key, source, name)
	}
	return key
}

// prefixListSource names the parameter or mapping a Ref or Fn::FindInMap
// takes a prefix-list id from.
func (r *reader) prefixListSource(n *node) string {
	if n == nil || n.kind != fnNode {
		return ""
	}
	switch n.fn {
	case "Ref":
		if p := r.parameters.get(n.arg.str); p != nil {
			return "parameter " + n.arg.str + " (" + r.text(p.get("Description")) + ")"
		}
	case "Fn::FindInMap":
		var parts []string
		for _, e := range n.arg.elements() {
			parts = append(parts, r.eval(e).text())
		}
		return "mapping " + strings.Join(parts, "/")
	}
	return ""
}

// standaloneRule reads AWS::EC2::SecurityGroupIngress and
// AWS::EC2::SecurityGroupEgress. A rule added to a group without inline
// egress rules comes beside AWS's default egress rule, which stays.
func (r *reader) standaloneRule(res *resource) {
	key := r.key(res.props.get("GroupId"))
	g := r.groups[key]
	if g == nil {
		if key == "" {
			r.inv.Warnings.Add(res.loc, importer.Unresolved, "%s names no security group the template resolves; it is not read", res.id)
			return
		}
		g = &importer.SecurityGroup{Key: key, EgressMode: importer.EgressAWSDefault, Loc: res.loc,
			Names: []importer.NameHint{{Rank: importer.RankID, Value: key}}, Description: "group outside the template"}
		r.inv.Warnings.Add(res.loc, importer.Unresolved, "%s adds a rule to security group %s, which the template does not define; the group is written with the rules the template adds and AWS's default egress", res.id, key)
		r.inv.SecurityGroups = append(r.inv.SecurityGroups, g)
		r.groups[key] = g
	}
	egress := res.typ == "AWS::EC2::SecurityGroupEgress"
	rules := r.rules(res, res.props, egress, g.Key)
	if egress {
		g.Egress = append(g.Egress, rules...)
	} else {
		g.Ingress = append(g.Ingress, rules...)
	}
}

func (r *reader) networkACL(res *resource) {
	acl := &importer.NetworkACL{Key: res.id, VPC: r.key(res.props.get("VpcId")), Loc: res.loc}
	acl.Names = append(r.tagHints(res), logicalID(res))
	r.acls[res.id] = acl
}

func (r *reader) networkACLEntry(res *resource) {
	acl := r.acls[r.key(res.props.get("NetworkAclId"))]
	if acl == nil {
		r.inv.Warnings.Add(res.loc, importer.Unresolved, "%s is a network ACL entry for an ACL the template does not define; it is left out", res.id)
		return
	}
	e := importer.NACLEntry{Action: r.text(res.props.get("RuleAction")), Protocol: r.text(res.props.get("Protocol")),
		CIDR: r.text(res.props.get("CidrBlock")) + r.text(res.props.get("Ipv6CidrBlock")), Loc: res.loc}
	e.Number, _ = r.integer(res.props.get("RuleNumber"))
	e.Egress, _ = r.boolean(res.props.get("Egress"))
	e.FromPort, _ = r.integer(res.props.path("PortRange", "From"))
	e.ToPort, e.HasPorts = r.integer(res.props.path("PortRange", "To"))
	e.ICMPType, e.HasICMP = r.integer(res.props.path("Icmp", "Type"))
	code, ok := r.integer(res.props.path("Icmp", "Code"))
	if !ok {
		code = -1
	}
	e.ICMPCode = code
	acl.Entries = append(acl.Entries, e)
}

func (r *reader) networkACLAssociation(res *resource) {
	acl := r.acls[r.key(res.props.get("NetworkAclId"))]
	if acl == nil {
		r.inv.Warnings.Add(res.loc, importer.Unresolved, "%s associates a subnet with a network ACL the template does not define; the subnet is written with the VPC's default network ACL", res.id)
		return
	}
	acl.Subnets = append(acl.Subnets, r.key(res.props.get("SubnetId")))
}

// workload adds a compute or data-store workload.
func (r *reader) workload(res *resource, kind model.Kind, subnets, groups []string, public bool, names ...importer.NameHint) *importer.Workload {
	w := &importer.Workload{Key: res.id, Kind: kind, Subnets: subnets, Groups: groups, PublicIP: public, Loc: res.loc}
	w.Names = append(append(r.tagHints(res), names...), logicalID(res))
	r.inv.Workloads = append(r.inv.Workloads, w)
	return w
}

func (r *reader) ecsService(res *resource) {
	cfg := res.props.path("NetworkConfiguration", "AwsvpcConfiguration")
	if cfg == nil {
		r.inv.Warnings.Add(res.loc, importer.NotModeled, "%s has no AwsvpcConfiguration, so its tasks use the network interfaces of their container instances, which the scenario format does not tie to a service; it is left out", res.id)
		return
	}
	name := r.text(res.props.get("ServiceName"))
	w := r.workload(res, model.KindECS, r.keys(cfg.get("Subnets")), r.keys(cfg.get("SecurityGroups")), r.text(cfg.get("AssignPublicIp")) == "ENABLED",
		importer.NameHint{Rank: importer.RankService, Value: name})
	w.Identity = "ecs:" + res.id
	for _, lb := range res.props.get("LoadBalancers").elements() {
		tg := r.tgs[r.key(lb.get("TargetGroupArn"))]
		if tg == nil {
			r.inv.Warnings.Add(res.locOf(lb), importer.Unresolved, "%s registers with a target group the template does not define; the registration is not read", res.id)
			continue
		}
		port, _ := r.integer(lb.get("ContainerPort"))
		tg.Members = append(tg.Members, importer.Member{Workload: res.id, Port: port})
		tg.MembersKnown = true
	}
}

// enginePorts are the default ports of RDS engines.
var enginePorts = map[string]int{
	"postgres": 5432, "aurora-postgresql": 5432, "mysql": 3306, "mariadb": 3306, "aurora-mysql": 3306,
	"oracle-ee": 1521, "oracle-se2": 1521, "sqlserver-ee": 1433, "sqlserver-se": 1433, "sqlserver-ex": 1433, "sqlserver-web": 1433,
}

func (r *reader) database(res *resource) {
	subnets := r.subnetGroup(res, res.props.get("DBSubnetGroupName"), "AWS::RDS::DBSubnetGroup")
	groups := r.keys(res.props.get("VPCSecurityGroups"))
	if res.typ == "AWS::RDS::DBCluster" {
		groups = r.keys(res.props.get("VpcSecurityGroupIds"))
	}
	public, _ := r.boolean(res.props.get("PubliclyAccessible"))
	id := r.text(res.props.get("DBInstanceIdentifier")) + r.text(res.props.get("DBClusterIdentifier"))
	w := r.workload(res, model.KindRDS, subnets, groups, public, importer.NameHint{Rank: importer.RankOwnName, Value: id})
	w.IPv6 = strings.EqualFold(r.text(res.props.get("NetworkType")), "DUAL")
	if port, ok := r.integer(res.props.get("Port")); ok {
		w.Port = port
	} else {
		w.Port = enginePorts[r.text(res.props.get("Engine"))]
	}
}

// subnetGroup returns the subnets of the subnet group n names.
func (r *reader) subnetGroup(res *resource, n *node, typ string) []string {
	key := r.key(n)
	group := r.byID[key]
	if group == nil {
		for _, g := range r.resources {
			if g.typ == typ && (r.text(g.props.get("DBSubnetGroupName")) == key || r.text(g.props.get("CacheSubnetGroupName")) == key) {
				group = g
			}
		}
	}
	if group == nil || group.typ != typ {
		r.inv.Warnings.Add(res.locOf(n), importer.Unresolved, "%s uses subnet group %q, which the template does not define, so its subnets are unknown", res.id, key)
		return nil
	}
	return r.keys(group.props.get("SubnetIds"))
}

func (r *reader) cache(res *resource) {
	var subnets []string
	if res.typ == "AWS::ElastiCache::ServerlessCache" {
		subnets = r.keys(res.props.get("SubnetIds"))
	} else {
		subnets = r.subnetGroup(res, res.props.get("CacheSubnetGroupName"), "AWS::ElastiCache::SubnetGroup")
	}
	groups := r.keys(res.props.get("VpcSecurityGroupIds"))
	if len(groups) == 0 {
		groups = r.keys(res.props.get("SecurityGroupIds"))
	}
	id := r.text(res.props.get("ClusterName")) + r.text(res.props.get("ReplicationGroupId")) + r.text(res.props.get("ServerlessCacheName"))
	w := r.workload(res, model.KindElastiCache, subnets, groups, false, importer.NameHint{Rank: importer.RankOwnName, Value: id})
	w.Port, _ = r.integer(res.props.get("Port"))
	w.IPv6 = r.text(res.props.get("NetworkType")) == "dual_stack"
}

func (r *reader) instance(res *resource) {
	subnets := r.keys(res.props.get("SubnetId"))
	groups := r.keys(res.props.get("SecurityGroupIds"))
	public := false
	ipv6 := hasIPv6(r, res.props)
	for _, ni := range res.props.get("NetworkInterfaces").elements() {
		if idx, _ := r.integer(ni.get("DeviceIndex")); idx != 0 {
			continue
		}
		subnets = append(subnets, r.keys(ni.get("SubnetId"))...)
		groups = append(groups, r.keys(ni.get("GroupSet"))...)
		public, _ = r.boolean(ni.get("AssociatePublicIpAddress"))
		ipv6 = ipv6 || hasIPv6(r, ni)
	}
	if len(r.keys(res.props.get("SecurityGroups"))) > 0 && len(groups) == 0 {
		r.inv.Warnings.Add(res.loc, importer.Unresolved, "%s names its security groups by name (SecurityGroups), which only the default VPC allows; write them as SecurityGroupIds", res.id)
	}
	w := r.workload(res, model.KindEC2, subnets, groups, public)
	if ip := r.text(res.props.get("PrivateIpAddress")); ip != "" {
		w.PrivateIPs = []string{ip}
	}
	w.IPv6 = ipv6
}

// hasIPv6 reports whether an instance or network interface specification
// requests IPv6 addresses.
func hasIPv6(r *reader, n *node) bool {
	count, _ := r.integer(n.get("Ipv6AddressCount"))
	return count > 0 || len(n.get("Ipv6Addresses").elements()) > 0
}

func (r *reader) lambda(res *resource) {
	cfg := res.props.get("VpcConfig")
	if cfg == nil {
		return
	}
	name := r.text(res.props.get("FunctionName"))
	w := r.workload(res, model.KindLambda, r.keys(cfg.get("SubnetIds")), r.keys(cfg.get("SecurityGroupIds")), false,
		importer.NameHint{Rank: importer.RankOwnName, Value: name})
	w.Identity = "lambda:" + res.id
	w.IPv6, _ = r.boolean(cfg.get("Ipv6AllowedForDualStack"))
}
