package importer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// workloadBucket collects workloads that become one tier.
type workloadBucket struct {
	kind      model.Kind
	vpc       *vpcState
	groups    []*groupState
	public    bool
	ipv6      bool
	subnets   []*subnetState
	workloads []*Workload
}

// workloadTiers groups workloads into tiers in two steps. First the
// workloads of one service (same identity) that share kind, groups and
// public addressing are joined, with the union of their subnets. Then
// services whose kind, groups, addressing and subnet sets all agree are
// joined too, because the network treats their interfaces alike.
func (b *builder) workloadTiers() {
	first := map[string]*workloadBucket{}
	var firstOrder []string
	for _, w := range b.inv.Workloads {
		owner := string(w.Kind) + " " + w.Key
		subnets := b.subnetList(w.Subnets, w.Loc, owner)
		if len(subnets) == 0 {
			b.warn.Add(w.Loc, LeftOut, "%s has no subnet in the input, so it cannot be placed and is left out", owner)
			continue
		}
		vpc := subnets[0].vpc
		var groups []*groupState
		if len(w.Groups) == 0 {
			groups = []*groupState{b.defaultGroup(vpc, w.Loc, owner)}
		} else {
			groups = b.tierGroups(vpc, w.Groups, w.Loc, owner)
		}
		public := w.PublicIP && w.Kind != model.KindLambda && w.Kind != model.KindElastiCache && w.Kind != model.KindInterfaceEndpoint
		ipv6 := w.IPv6 && w.Kind != model.KindInterfaceEndpoint
		key := fmt.Sprintf("%s|%s|%s|%t|%t|%s", w.Kind, vpc.in.Key, groupKeys(groups), public, ipv6, w.Identity)
		bk := first[key]
		if bk == nil {
			bk = &workloadBucket{kind: w.Kind, vpc: vpc, groups: groups, public: public, ipv6: ipv6}
			first[key] = bk
			firstOrder = append(firstOrder, key)
		}
		for _, s := range subnets {
			if !slices.Contains(bk.subnets, s) {
				bk.subnets = append(bk.subnets, s)
			}
		}
		bk.workloads = append(bk.workloads, w)
	}

	second := map[string]*workloadBucket{}
	var buckets []*workloadBucket
	for _, key := range firstOrder {
		bk := first[key]
		subnetKeys := make([]string, len(bk.subnets))
		for i, s := range bk.subnets {
			subnetKeys[i] = s.in.Key
		}
		slices.Sort(subnetKeys)
		key2 := fmt.Sprintf("%s|%s|%s|%t|%t|%s", bk.kind, bk.vpc.in.Key, groupKeys(bk.groups), bk.public, bk.ipv6, strings.Join(subnetKeys, ","))
		if merged := second[key2]; merged != nil {
			merged.workloads = append(merged.workloads, bk.workloads...)
			continue
		}
		second[key2] = bk
		buckets = append(buckets, bk)
	}

	// Names are handed out in a fixed order so that the input's order does
	// not change them.
	slices.SortStableFunc(buckets, func(a, c *workloadBucket) int {
		if n := strings.Compare(bestName(bucketHints(a)), bestName(bucketHints(c))); n != 0 {
			return n
		}
		return strings.Compare(a.workloads[0].Key, c.workloads[0].Key)
	})
	for _, bk := range buckets {
		b.workloadTier(bk)
	}
}

func groupKeys(groups []*groupState) string {
	keys := make([]string, len(groups))
	for i, g := range groups {
		keys[i] = g.in.Key
	}
	slices.Sort(keys)
	return strings.Join(keys, ",")
}

// bucketHints returns the name hints of a bucket's workloads, with the
// first group's name as a fallback.
func bucketHints(bk *workloadBucket) []NameHint {
	var hints []NameHint
	for _, w := range bk.workloads {
		hints = append(hints, w.Names...)
	}
	if len(bk.groups) > 0 && !bk.groups[0].vpcDefault {
		if name := bestName(bk.groups[0].in.Names); name != "" && name != "default" {
			hints = append(hints, NameHint{RankGroupName, trimGroupSuffix(name)})
		}
	}
	return hints
}

// trimGroupSuffix drops a "-sg" style suffix from a group name used to name
// a tier.
func trimGroupSuffix(name string) string {
	lower := strings.ToLower(name)
	for _, suffix := range []string{"-security-group", "_security_group", "-sg", "_sg"} {
		if strings.HasSuffix(lower, suffix) && len(name) > len(suffix) {
			return name[:len(name)-len(suffix)]
		}
	}
	return name
}

func (b *builder) workloadTier(bk *workloadBucket) {
	t := &tierState{kind: bk.kind, vpc: bk.vpc, groups: bk.groups, public: bk.public, workloads: bk.workloads}
	hints := bucketHints(bk)
	b.addTier(t, hints, string(bk.kind))

	var ips []string
	for _, w := range bk.workloads {
		ips = append(ips, w.PrivateIPs...)
		if t.port == 0 {
			t.port = w.Port
		}
	}
	ip, subnet := representativeIP(ips, bk.subnets)
	t.privateIP = ip
	t.subnets = subnetOrder(bk.subnets, subnet)
	if bk.ipv6 {
		t.ipv6 = b.ipv6Subnets(t, bk.workloads[0].Loc, "has IPv6 addresses")
	}
	if bk.kind == model.KindInterfaceEndpoint {
		t.service = b.endpointService(bk.workloads)
	}

	keys := make([]string, len(bk.workloads))
	for i, w := range bk.workloads {
		keys[i] = w.Key
		b.byWorkload[w.Key] = t
		if w.Identity != "" {
			b.byIdentity(w.Identity, t)
		}
		if w.InstanceID != "" {
			b.byInstance[w.InstanceID] = t
		}
		for _, a := range w.PrivateIPs {
			b.byIP[a] = t
		}
		for _, a := range w.PublicAddrs {
			b.byPublic[dnsKey(a)] = t
		}
	}
	t.comment = append(t.comment, "From "+shortList(keys, 6)+".")
	if others := otherNames(hints, bestName(hints)); len(others) > 0 {
		t.comment = append(t.comment, "Also holds "+strings.Join(others, ", ")+": same kind, security groups and subnets, so the network treats them alike.")
	}
}

// byIdentity indexes a tier by the service identity of its workloads, such
// as an ECS service, so that target groups can name the service.
func (b *builder) byIdentity(identity string, t *tierState) {
	b.byWorkload["identity:"+identity] = t
}

// plural returns n and noun, adding s for any count but 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// loadBalancerTiers makes a tier of every ALB and NLB. Listeners follow in
// listeners, once every tier they may forward to exists.
func (b *builder) loadBalancerTiers() {
	for _, lb := range b.inv.LoadBalancers {
		owner := "load balancer " + lb.Key
		var kind model.Kind
		switch lb.Type {
		case "application":
			kind = model.KindALB
		case "network":
			kind = model.KindNLB
		case "gateway":
			b.warn.Add(lb.Loc, NotModeled, "%s is a Gateway Load Balancer, which the scenario format does not model; it is left out", owner)
			continue
		default:
			b.warn.Add(lb.Loc, NotUnderstood, "%s has the type %q; only application and network load balancers are read", owner, lb.Type)
			continue
		}
		subnets := b.subnetList(lb.Subnets, lb.Loc, owner)
		if len(subnets) == 0 {
			b.warn.Add(lb.Loc, LeftOut, "%s has no subnet in the input, so it is left out", owner)
			continue
		}
		t := &tierState{kind: kind, vpc: subnets[0].vpc, lb: lb, scheme: lb.Scheme}
		if t.scheme != "internal" {
			t.scheme = "internet-facing"
		}
		t.public = t.scheme == "internet-facing"
		switch {
		case len(lb.Groups) > 0:
			t.groups = b.tierGroups(t.vpc, lb.Groups, lb.Loc, owner)
		case kind == model.KindALB:
			t.groups = []*groupState{b.defaultGroup(t.vpc, lb.Loc, owner)}
		default:
			t.noGroups = true
			if !lb.GroupsKnown {
				b.warn.Add(lb.Loc, Unresolved, "the security groups of %s are not in the input; it is written without groups, which admits every client", owner)
			}
		}
		ip, subnet := representativeIP(lb.PrivateIPs, subnets)
		t.privateIP = ip
		t.subnets = subnetOrder(subnets, subnet)
		b.addTier(t, lb.Names, string(kind))
		t.comment = append(t.comment, source(lb.Key, lb.Loc))
		switch lb.IPAddressType {
		case "", "ipv4":
		case "dualstack":
			t.dualStack = b.ipv6Subnets(t, lb.Loc, "is dual-stack")
		case "dualstack-without-public-ipv4":
			t.dualStack = b.ipv6Subnets(t, lb.Loc, "is dual-stack")
			if t.dualStack && t.public {
				b.warn.Add(lb.Loc, Mapped, "%s is dual-stack without a public IPv4 address, which the scenario format cannot express; it is written as dualstack, which also gives it a public IPv4 address and can only add paths", owner)
			}
		default:
			b.warn.Add(lb.Loc, NotUnderstood, "%s has the IP address type %q; it is written as ipv4", owner, lb.IPAddressType)
		}
		b.byLB[lb.Key] = t
		if lb.DNSName != "" {
			b.byPublic[dnsKey(lb.DNSName)] = t
		}
	}
}

// ipv6Subnets reports whether every subnet of t has an IPv6 block, which
// IPv6 addresses need, and warns when one does not.
func (b *builder) ipv6Subnets(t *tierState, loc Location, property string) bool {
	for _, s := range t.subnets {
		if !s.ipv6.IsValid() {
			b.warn.Add(loc, Unresolved, "tier %s %s, but its subnet %s has no IPv6 block in the input; it is written without IPv6", t.name, property, s.in.Key)
			return false
		}
	}
	return true
}

// endpointService returns the service name of the interface endpoints in
// a tier, or "" when they serve different services or the input does not
// name one.
func (b *builder) endpointService(ws []*Workload) string {
	service := ws[0].Service
	for _, w := range ws[1:] {
		if w.Service != service {
			return ""
		}
	}
	if rest, ok := strings.CutPrefix(service, "com.amazonaws.${AWS::Region}."); ok {
		service = "com.amazonaws." + b.templateRegion(ws[0].Loc) + "." + rest
	}
	return service
}

// dnsKey normalizes a DNS name or address for matching CloudFront origin
// domains: lower case, no trailing dot, and no "dualstack." prefix, which
// names the same load balancer over IPv4 and IPv6.
func dnsKey(s string) string {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	return strings.TrimPrefix(s, "dualstack.")
}

func (b *builder) distributionTiers() {
	for _, d := range b.inv.Distributions {
		t := &tierState{kind: model.KindCloudFront, dist: d}
		b.addTier(t, d.Names, "cloudfront")
		t.comment = append(t.comment, source(d.Key, d.Loc))
	}
}
