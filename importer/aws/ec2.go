package aws

import (
	"regexp"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/importer"
	"github.com/sgchain/sgchain/model"
)

func (r *reader) readVPCs() {
	for _, v := range r.vpcs {
		vpc := &importer.VPC{Key: v.Get("VpcId").Str(), CIDR: v.Get("CidrBlock").Str(), Loc: v.Loc()}
		vpc.Names = append(nameHints(tags(v)), importer.NameHint{Rank: importer.RankID, Value: vpc.Key})
		for _, a := range v.Get("Ipv6CidrBlockAssociationSet").List() {
			if a.Path("Ipv6CidrBlockState", "State").Str() == "associated" && vpc.IPv6CIDR == "" {
				vpc.IPv6CIDR = a.Get("Ipv6CidrBlock").Str()
			}
		}
		r.inv.VPCs = append(r.inv.VPCs, vpc)
	}
}

func (r *reader) readSubnets() {
	for _, v := range r.subnets {
		s := &importer.Subnet{Key: v.Get("SubnetId").Str(), VPC: v.Get("VpcId").Str(), CIDR: v.Get("CidrBlock").Str(), Loc: v.Loc()}
		s.Names = append(nameHints(tags(v)), importer.NameHint{Rank: importer.RankID, Value: s.Key})
		for _, a := range v.Get("Ipv6CidrBlockAssociationSet").List() {
			if a.Path("Ipv6CidrBlockState", "State").Str() == "associated" && s.IPv6CIDR == "" {
				s.IPv6CIDR = a.Get("Ipv6CidrBlock").Str()
			}
		}
		r.inv.Subnets = append(r.inv.Subnets, s)
	}
}

// readNetworkACLs reads network ACLs with their entries and subnet
// associations. The default ACL lists every subnet that uses it.
func (r *reader) readNetworkACLs() {
	for _, v := range r.networkACLs {
		acl := &importer.NetworkACL{Key: v.Get("NetworkAclId").Str(), VPC: v.Get("VpcId").Str(), Loc: v.Loc()}
		acl.Names = append(nameHints(tags(v)), importer.NameHint{Rank: importer.RankID, Value: acl.Key})
		acl.Default, _ = v.Get("IsDefault").Bool()
		for _, a := range v.Get("Associations").List() {
			acl.Subnets = append(acl.Subnets, a.Get("SubnetId").Str())
		}
		for _, e := range v.Get("Entries").List() {
			entry := importer.NACLEntry{Action: e.Get("RuleAction").Str(), Protocol: e.Get("Protocol").Str(),
				CIDR: e.Get("CidrBlock").Str() + e.Get("Ipv6CidrBlock").Str(), Loc: e.Loc()}
			entry.Number, _ = e.Get("RuleNumber").Int()
			entry.Egress, _ = e.Get("Egress").Bool()
			entry.FromPort, _ = e.Path("PortRange", "From").Int()
			entry.ToPort, entry.HasPorts = e.Path("PortRange", "To").Int()
			entry.ICMPType, entry.HasICMP = e.Path("IcmpTypeCode", "Type").Int()
			entry.ICMPCode, _ = e.Path("IcmpTypeCode", "Code").Int()
			if !e.Path("IcmpTypeCode", "Code").Exists() {
				entry.ICMPCode = -1
			}
			acl.Entries = append(acl.Entries, entry)
		}
		r.inv.NetworkACLs = append(r.inv.NetworkACLs, acl)
	}
}

func (r *reader) readPrefixLists() {
	entries := map[string]*document{}
	for _, doc := range r.listEntries {
		id := doc.root.Get("PrefixListId").Str()
		if id == "" {
			id = prefixListIDPattern.FindString(doc.base)
		}
		if id == "" {
			r.inv.Warnings.Add(doc.root.Loc(), importer.Unresolved, "get-managed-prefix-list-entries output does not say which list it belongs to; name the file after the list id (for example entries.pl-0123456789abcdef0.json)")
			continue
		}
		entries[id] = doc
	}

	for _, v := range r.prefixLists {
		pl := &importer.PrefixList{Key: v.Get("PrefixListId").Str(), Loc: v.Loc()}
		name := v.Get("PrefixListName").Str()
		if v.Get("OwnerId").Str() == "AWS" || strings.HasPrefix(name, "com.amazonaws.") {
			pl.AWSName = name
		}
		pl.Names = append(nameHints(tags(v)), importer.NameHint{Rank: importer.RankOwnName, Value: name}, importer.NameHint{Rank: importer.RankID, Value: pl.Key})
		pl.Family = strings.ToLower(v.Get("AddressFamily").Str())
		pl.MaxEntries, _ = v.Get("MaxEntries").Int()
		if doc := entries[pl.Key]; doc != nil {
			pl.EntriesKnown = true
			for _, e := range doc.root.Get("Entries").List() {
				pl.Entries = append(pl.Entries, e.Get("Cidr").Str())
			}
			delete(entries, pl.Key)
		}
		r.inv.PrefixLists = append(r.inv.PrefixLists, pl)
	}
	for id, doc := range entries {
		r.inv.Warnings.Add(doc.root.Loc(), importer.Unresolved, "entries of prefix list %s are in the input, but the list itself is not (aws ec2 describe-managed-prefix-lists); they are not read", id)
	}
}

var prefixListIDPattern = regexp.MustCompile(`pl-[0-9a-f]+`)

// readSecurityGroups splits every permission into one rule per source, as
// the scenario format writes rules.
func (r *reader) readSecurityGroups() {
	for _, v := range r.securityGroups {
		g := &importer.SecurityGroup{
			Key:         v.Get("GroupId").Str(),
			VPC:         v.Get("VpcId").Str(),
			Description: v.Get("Description").Str(),
			Loc:         v.Loc(),
		}
		g.Names = []importer.NameHint{{Rank: importer.RankNameTag, Value: v.Get("GroupName").Str()}, {Rank: importer.RankID, Value: g.Key}}
		r.groupVPC[g.Key] = g.VPC
		g.Ingress = r.permissions(g.Key, v.Get("IpPermissions"))
		g.Egress = r.permissions(g.Key, v.Get("IpPermissionsEgress"))
		r.inv.SecurityGroups = append(r.inv.SecurityGroups, g)
	}
}

func (r *reader) permissions(group string, list importer.JSON) []*importer.Rule {
	var out []*importer.Rule
	for _, p := range list.List() {
		base := importer.Rule{Protocol: p.Get("IpProtocol").Str()}
		from, okFrom := p.Get("FromPort").Int()
		to, okTo := p.Get("ToPort").Int()
		if okFrom && okTo {
			base.FromPort, base.ToPort, base.PortsKnown = from, to, true
		}
		add := func(kind importer.PeerKind, peer, description string, loc importer.Location) {
			rule := base
			rule.PeerKind, rule.Peer, rule.Description, rule.Loc = kind, peer, description, loc
			out = append(out, &rule)
		}
		sources := 0
		for _, e := range p.Get("IpRanges").List() {
			add(importer.PeerCIDR, e.Get("CidrIp").Str(), e.Get("Description").Str(), e.Loc())
			sources++
		}
		for _, e := range p.Get("Ipv6Ranges").List() {
			add(importer.PeerCIDR, e.Get("CidrIpv6").Str(), e.Get("Description").Str(), e.Loc())
			sources++
		}
		for _, e := range p.Get("PrefixListIds").List() {
			add(importer.PeerPrefixList, e.Get("PrefixListId").Str(), e.Get("Description").Str(), e.Loc())
			sources++
		}
		for _, e := range p.Get("UserIdGroupPairs").List() {
			id := e.Get("GroupId").Str()
			kind := importer.PeerGroup
			if id == group {
				kind = importer.PeerSelf
			}
			add(kind, id, e.Get("Description").Str(), e.Loc())
			sources++
		}
		if sources == 0 {
			r.inv.Warnings.Add(p.Loc(), importer.NotUnderstood, "security group %s has a permission without IpRanges, Ipv6Ranges, PrefixListIds or UserIdGroupPairs; it allows nothing and is not read", group)
		}
	}
	return out
}

// readInstances indexes describe-instances output, whose tags name the
// instances behind EC2 interfaces.
func (r *reader) readInstances() {
	for _, v := range r.instances {
		r.instance[v.Get("InstanceId").Str()] = v
	}
}

// interfaceKind classifies a network interface by what AWS wrote in it.
type interfaceKind int

const (
	ifaceWorkload interfaceKind = iota
	ifaceLoadBalancer
	ifaceNATGateway
	ifaceNotModeled
	ifaceUnattached
	ifaceUnknown
)

var (
	lambdaDescription = regexp.MustCompile(`^AWS Lambda VPC ENI-(.+?)(-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$`)
	elastiCacheName   = regexp.MustCompile(`^ElastiCache (\S+?)(-[0-9]{4}(-[0-9]{3})?)?$`)
)

// readInterfaces turns every network interface into a workload, a load
// balancer node, a NAT gateway's interface, or a warning for the
// interfaces the format does not model (Gateway Load Balancer endpoints and
// other AWS-managed interfaces). An interface endpoint's interfaces are
// workloads of kind interface_endpoint.
func (r *reader) readInterfaces() {
	seenInstances := map[string]bool{}
	seenEndpoints := map[string]bool{}
	for _, v := range r.interfaces {
		w, kind, note := r.classifyInterface(v)
		id := v.Get("NetworkInterfaceId").Str()
		switch kind {
		case ifaceLoadBalancer:
			r.attachToLoadBalancer(v, note)
		case ifaceNATGateway:
			if _, dup := r.natInterfaces[note]; !dup && note != "" {
				r.natInterfaces[note] = v
				r.natOrder = append(r.natOrder, note)
			}
		case ifaceNotModeled:
			r.inv.Warnings.Add(v.Loc(), importer.NotModeled, "network interface %s belongs to %s, which the scenario format does not model; it is left out", id, note)
		case ifaceUnattached:
			r.inv.Warnings.Add(v.Loc(), importer.LeftOut, "network interface %s is not attached to anything; it is left out", id)
		case ifaceUnknown:
			r.inv.Warnings.Add(v.Loc(), importer.NotUnderstood, "network interface %s (type %q, requester %q, description %q) belongs to no service the importer recognizes; it is left out", id, v.Get("InterfaceType").Str(), v.Get("RequesterId").Str(), v.Get("Description").Str())
		default:
			if w.InstanceID != "" {
				seenInstances[w.InstanceID] = true
			}
			if w.Kind == model.KindInterfaceEndpoint {
				seenEndpoints[strings.TrimPrefix(w.Identity, "vpce:")] = true
			}
			r.inv.Workloads = append(r.inv.Workloads, w)
		}
	}
	r.readInterfaceEndpoints(seenEndpoints)

	// Instances whose interfaces are not in the input still become
	// workloads, from their describe-instances output.
	for _, v := range r.instances {
		id := v.Get("InstanceId").Str()
		if seenInstances[id] || v.Path("State", "Name").Str() == "terminated" {
			continue
		}
		t := tags(v)
		w := &importer.Workload{Key: id, Kind: model.KindEC2, InstanceID: id, Loc: v.Loc(), Identity: t["aws:autoscaling:groupName"]}
		if s := v.Get("SubnetId").Str(); s != "" {
			w.Subnets = []string{s}
		}
		for _, g := range v.Get("SecurityGroups").List() {
			w.Groups = append(w.Groups, g.Get("GroupId").Str())
		}
		if ip := v.Get("PrivateIpAddress").Str(); ip != "" {
			w.PrivateIPs = []string{ip}
		}
		if ip := v.Get("PublicIpAddress").Str(); ip != "" {
			w.PublicIP = true
			w.PublicAddrs = []string{ip, v.Get("PublicDnsName").Str()}
		}
		w.IPv6 = v.Get("Ipv6Address").Str() != ""
		for _, ni := range v.Get("NetworkInterfaces").List() {
			if index, _ := ni.Path("Attachment", "DeviceIndex").Int(); index == 0 && len(ni.Get("Ipv6Addresses").List()) > 0 {
				w.IPv6 = true
			}
		}
		w.Names = append(nameHints(t), importer.NameHint{Rank: importer.RankID, Value: id})
		r.inv.Workloads = append(r.inv.Workloads, w)
	}
}

// classifyInterface returns the workload an interface stands for, or the
// kind of interface it is otherwise, with a note: the load balancer's
// ARN suffix, or what the interface belongs to.
func (r *reader) classifyInterface(v importer.JSON) (*importer.Workload, interfaceKind, string) {
	desc := v.Get("Description").Str()
	itype := strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(v.Get("InterfaceType").Str()))
	requester := v.Get("RequesterId").Str()
	t := tags(v)
	instanceID := v.Path("Attachment", "InstanceId").Str()

	switch {
	case strings.HasPrefix(desc, "ELB app/"), strings.HasPrefix(desc, "ELB net/"), strings.HasPrefix(desc, "ELB gwy/"):
		return nil, ifaceLoadBalancer, strings.TrimPrefix(desc, "ELB ")
	case strings.HasPrefix(desc, "ELB "):
		return nil, ifaceNotModeled, "Classic Load Balancer " + strings.TrimPrefix(desc, "ELB ")
	case itype == "natgateway":
		return nil, ifaceNATGateway, natGatewayID.FindString(desc)
	case itype == "vpcendpoint":
		return r.endpointWorkload(v), ifaceWorkload, ""
	case itype == "gatewayloadbalancerendpoint":
		return nil, ifaceNotModeled, "a Gateway Load Balancer endpoint (" + desc + ")"
	case itype == "transitgateway":
		return nil, ifaceNotModeled, "a transit gateway attachment (" + desc + ")"
	case itype == "apigatewaymanaged", itype == "globalacceleratormanaged", itype == "quicksight",
		itype == "iotrulesmanaged", itype == "awscodestarconnectionsmanaged", itype == "gatewayloadbalancer":
		return nil, ifaceNotModeled, "an AWS-managed " + v.Get("InterfaceType").Str() + " interface (" + desc + ")"
	}

	w := r.interfaceWorkload(v, t, instanceID)
	switch {
	case itype == "lambda", strings.HasPrefix(desc, "AWS Lambda VPC ENI"):
		w.Kind = model.KindLambda
		if m := lambdaDescription.FindStringSubmatch(desc); m != nil {
			w.Identity = "lambda:" + m[1]
			w.Names = append(w.Names, importer.NameHint{Rank: importer.RankOwnName, Value: m[1]})
		}
	case requester == "amazon-rds" || desc == "RDSNetworkInterface":
		w.Kind = model.KindRDS
	case requester == "amazon-elasticache" || strings.HasPrefix(desc, "ElastiCache "):
		w.Kind = model.KindElastiCache
		if m := elastiCacheName.FindStringSubmatch(desc); m != nil {
			w.Identity = "elasticache:" + m[1]
			w.Names = append(w.Names, importer.NameHint{Rank: importer.RankOwnName, Value: m[1]})
		}
	case t["aws:ecs:serviceName"] != "" || strings.HasPrefix(desc, "arn:aws:ecs:") || strings.HasPrefix(desc, "arn:aws-"):
		w.Kind = model.KindECS
		if svc := t["aws:ecs:serviceName"]; svc != "" {
			w.Identity = "ecs:" + t["aws:ecs:clusterName"] + "/" + svc
			w.Names = append(w.Names, importer.NameHint{Rank: importer.RankService, Value: svc})
		}
	case strings.HasPrefix(desc, "aws-K8S-"), strings.HasPrefix(desc, "Amazon EKS "):
		w.Kind = model.KindEKS
		if cluster, ok := strings.CutPrefix(desc, "Amazon EKS "); ok {
			w.Identity = "eks:" + cluster
			w.Names = append(w.Names, importer.NameHint{Rank: importer.RankOwnName, Value: cluster + "-control-plane"})
		}
	case instanceID != "":
		w.Kind = model.KindEC2
	case v.Get("Status").Str() == "available":
		return nil, ifaceUnattached, ""
	default:
		return nil, ifaceUnknown, ""
	}
	return w, ifaceWorkload, ""
}

// interfaceWorkload reads the addresses, groups and names of an interface.
func (r *reader) interfaceWorkload(v importer.JSON, t map[string]string, instanceID string) *importer.Workload {
	id := v.Get("NetworkInterfaceId").Str()
	w := &importer.Workload{Key: id, InstanceID: instanceID, Loc: v.Loc()}
	if s := v.Get("SubnetId").Str(); s != "" {
		w.Subnets = []string{s}
	}
	for _, g := range v.Get("Groups").List() {
		w.Groups = append(w.Groups, g.Get("GroupId").Str())
	}
	w.PrivateIPs, w.PublicAddrs = interfaceAddresses(v)
	w.PublicIP = len(w.PublicAddrs) > 0
	w.IPv6 = len(v.Get("Ipv6Addresses").List()) > 0 || v.Get("Ipv6Address").Str() != ""
	w.Names = nameHints(t)
	if instanceID != "" {
		if inst, ok := r.instance[instanceID]; ok {
			it := tags(inst)
			w.Names = append(w.Names, nameHints(it)...)
			if asg := it["aws:autoscaling:groupName"]; asg != "" {
				w.Identity = "asg:" + asg
				w.Names = append(w.Names, importer.NameHint{Rank: importer.RankService, Value: asg})
			}
		}
		w.Names = append(w.Names, importer.NameHint{Rank: importer.RankID, Value: instanceID})
	}
	return w
}

// interfaceAddresses returns an interface's private IPv4 addresses, primary
// first, and its public addresses and DNS names.
func interfaceAddresses(v importer.JSON) (private, public []string) {
	if ip := v.Get("PrivateIpAddress").Str(); ip != "" {
		private = append(private, ip)
	}
	addPublic := func(a importer.JSON) {
		if ip := a.Get("PublicIp").Str(); ip != "" && !slices.Contains(public, ip) {
			public = append(public, ip)
			if dns := a.Get("PublicDnsName").Str(); dns != "" {
				public = append(public, dns)
			}
		}
	}
	addPublic(v.Get("Association"))
	for _, a := range v.Get("PrivateIpAddresses").List() {
		if ip := a.Get("PrivateIpAddress").Str(); ip != "" && !slices.Contains(private, ip) {
			private = append(private, ip)
		}
		addPublic(a.Get("Association"))
	}
	return private, public
}

// attachToLoadBalancer records a load balancer node's subnet and addresses
// on its load balancer. suffix is type/name/id, as in the description
// "ELB app/shop-alb/50dc6c495c0c9188".
func (r *reader) attachToLoadBalancer(v importer.JSON, suffix string) {
	lb := r.lbBySufx[suffix]
	if lb == nil {
		r.inv.Warnings.Add(v.Loc(), importer.Unresolved, "network interface %s belongs to load balancer %s, which is not in the input (aws elbv2 describe-load-balancers); it is left out", v.Get("NetworkInterfaceId").Str(), suffix)
		return
	}
	private, _ := interfaceAddresses(v)
	lb.PrivateIPs = append(lb.PrivateIPs, private...)
	if s := v.Get("SubnetId").Str(); s != "" && !slices.Contains(lb.Subnets, s) {
		lb.Subnets = append(lb.Subnets, s)
	}
}
