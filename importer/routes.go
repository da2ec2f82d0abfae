package importer

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// tableState is a route table of the input with what the import decides
// about it.
type tableState struct {
	in   *RouteTable
	vpc  *vpcState
	name string
	// inUse reports that a subnet of the scenario uses the table.
	inUse bool
	// routes are the routes the scenario can hold. translated is set once
	// they are computed, with a warning for each route left out.
	routes     []*RouteOut
	translated bool
	// endpoints are the gateway endpoints that add their route to the
	// table.
	endpoints []*endpointState
	written   bool
}

type natState struct {
	in     *NATGateway
	subnet *subnetState
	name   string
}

// endpointState is a gateway VPC endpoint, read from the input or known
// only from the routes that name it.
type endpointState struct {
	key string
	in  *VPCEndpoint
	vpc *vpcState
	// prefixList is the key of the destination prefix list of a route that
	// names the endpoint, for an endpoint whose service the input does not
	// give.
	prefixList string
	tables     []*tableState
	// listName is the scenario name of the endpoint's prefix list, once
	// resolveEndpoints finds one the format accepts.
	listName string
	name     string
	loc      Location
}

type peeringState struct {
	in   *Peering
	vpcs [2]*vpcState
	name string
	// leftOut is the reason the peering is not written, or empty when it
	// is written.
	leftOut string
}

func (p *peeringState) connects(a, c *vpcState) bool {
	return p.vpcs[0] == a && p.vpcs[1] == c || p.vpcs[0] == c && p.vpcs[1] == a
}

// crossRegion reports whether the input places the peered VPCs in
// different Regions.
func (p *peeringState) crossRegion() bool {
	a, c := p.vpcs[0].region, p.vpcs[1].region
	return a != "" && c != "" && a != c
}

type tgwState struct {
	key string
	in  *TransitGateway
	// inferred marks a gateway that only routes and attachments name.
	inferred    bool
	attachments []*attachmentState
	name        string
}

type attachmentState struct {
	vpc         *vpcState
	referencing bool
	comment     string
}

func (g *tgwState) attachment(v *vpcState) *attachmentState {
	for _, a := range g.attachments {
		if a.vpc == v {
			return a
		}
	}
	return nil
}

// indexRouting reads route tables, NAT gateways, VPC endpoints, peerings and
// transit gateways, and gives every subnet its route table: the explicitly
// associated one, or else the VPC's main table.
func (b *builder) indexRouting() {
	for _, rt := range b.inv.RouteTables {
		vs := b.vpcs[rt.VPC]
		for _, key := range rt.Subnets {
			if s := b.subnets[key]; vs == nil && s != nil {
				vs = s.vpc
			}
		}
		if vs == nil {
			b.warn.Add(rt.Loc, Unresolved, "route table %s belongs to VPC %s, which is not in the input; it is left out", rt.Key, cmpOr(rt.VPC, "(unknown)"))
			continue
		}
		ts := &tableState{in: rt, vpc: vs}
		b.tables[rt.Key] = ts
		b.tableList = append(b.tableList, ts)
		if rt.Main {
			if vs.mainTable != nil {
				b.warn.Add(rt.Loc, NotUnderstood, "route tables %s and %s are both marked as the main table of VPC %s, but a VPC has one; %s is used", vs.mainTable.in.Key, rt.Key, vs.in.Key, vs.mainTable.in.Key)
			} else {
				vs.mainTable = ts
			}
		}
		for _, key := range rt.Subnets {
			s := b.subnets[key]
			switch {
			case s == nil:
				continue
			case s.table != nil:
				b.warn.Add(rt.Loc, NotUnderstood, "subnet %s is associated with route tables %s and %s, but AWS gives a subnet one; it is written with %s", key, s.table.in.Key, rt.Key, s.table.in.Key)
				continue
			}
			s.table, s.explicitTable = ts, true
		}
	}
	for _, vs := range b.vpcList {
		for _, s := range vs.subnets {
			if s.table == nil {
				s.table = vs.mainTable
			}
		}
	}

	for _, n := range b.inv.NATGateways {
		b.nats[n.Key] = &natState{in: n, subnet: b.subnets[n.Subnet]}
		b.natList = append(b.natList, b.nats[n.Key])
	}
	for _, e := range b.inv.VPCEndpoints {
		es := &endpointState{key: e.Key, in: e, vpc: b.vpcs[e.VPC], loc: e.Loc}
		b.endpoints[e.Key] = es
		b.endpointList = append(b.endpointList, es)
		for _, key := range e.RouteTables {
			if ts := b.tables[key]; ts != nil && !slices.Contains(ts.endpoints, es) {
				ts.endpoints = append(ts.endpoints, es)
				es.tables = append(es.tables, ts)
			}
		}
	}
	for _, p := range b.inv.Peerings {
		ps := &peeringState{in: p, vpcs: [2]*vpcState{b.vpcs[p.Requester], b.vpcs[p.Accepter]}}
		b.peerings[p.Key] = ps
		b.peeringList = append(b.peeringList, ps)
		b.setRegion(ps.vpcs[0], p.RequesterRegion, p.Loc)
		b.setRegion(ps.vpcs[1], p.AccepterRegion, p.Loc)
	}
	for _, g := range b.inv.TransitGateways {
		gs := &tgwState{key: g.Key, in: g}
		b.tgws[g.Key] = gs
		b.tgwList = append(b.tgwList, gs)
	}
}

// setRegion records the Region of a VPC that a peering gives.
func (b *builder) setRegion(vs *vpcState, region string, loc Location) {
	switch {
	case vs == nil || region == "":
	case vs.region == "":
		vs.region = region
	case vs.region != region:
		b.warn.Add(loc, NotUnderstood, "VPC %s is in Region %s, but the input also gives it Region %s; %s is written", vs.in.Key, vs.region, region, vs.region)
	}
}

// connectVPCs decides which peerings and transit gateway attachments the
// scenario holds: those between VPCs that the scenario holds. It runs
// once the VPCs that hold tiers are known, and before security groups are
// resolved, because rules may reference groups across them.
func (b *builder) connectVPCs() {
	for _, vs := range b.vpcList {
		if !vs.used {
			continue
		}
		for _, s := range vs.subnets {
			if s.table != nil {
				s.table.inUse = true
			}
		}
	}

	for _, p := range b.peeringList {
		a, c := p.vpcs[0], p.vpcs[1]
		switch {
		case p.in.Inactive != "":
			p.leftOut = "its state is " + p.in.Inactive + ", so it carries no traffic"
		case a == nil || c == nil:
			missing := p.in.Requester
			if a != nil {
				missing = p.in.Accepter
			}
			p.leftOut = "it peers VPC " + missing + ", which is not in the input"
		case a == c:
			p.leftOut = "it names VPC " + a.in.Key + " at both ends"
		case !a.used || !c.used:
			unused := a
			if a.used {
				unused = c
			}
			p.leftOut = "it peers VPC " + unused.in.Key + ", which holds no imported tier and is left out"
		case a.cidr.Overlaps(c.cidr):
			p.leftOut = fmt.Sprintf("the VPCs' blocks %s and %s overlap, which AWS does not allow for a peering", a.cidr, c.cidr)
		}
	}

	for _, a := range b.inv.TGWAttachments {
		vs := b.vpcs[a.VPC]
		if vs == nil || !vs.used {
			continue
		}
		g := b.transitGateway(a.TransitGateway, a.Loc)
		if g.attachment(vs) != nil {
			continue
		}
		g.attachments = append(g.attachments, &attachmentState{vpc: vs, referencing: a.SecurityGroupReferencing, comment: source(a.Key, a.Loc)})
	}
	// AWS accepts a route to a transit gateway only in a VPC attached to
	// it, so a route to one without an attachment in the input means the
	// input lacks the attachment.
	for _, ts := range b.tableList {
		if !ts.inUse {
			continue
		}
		for _, r := range ts.in.Routes {
			if r.Target != TargetTransitGateway || r.Blackhole || r.TargetKey == "" {
				continue
			}
			g := b.transitGateway(r.TargetKey, r.Loc)
			if g.attachment(ts.vpc) != nil {
				continue
			}
			b.warn.Add(r.Loc, Unresolved, "route table %s routes to transit gateway %s, but the input has no attachment of VPC %s to it (aws ec2 describe-transit-gateway-vpc-attachments); an attachment with AWS's default settings is assumed, with security-group referencing on", ts.in.Key, r.TargetKey, ts.vpc.in.Key)
			g.attachments = append(g.attachments, &attachmentState{vpc: ts.vpc, referencing: true, comment: "assumed from the routes of " + ts.in.Key})
		}
	}
}

// transitGateway returns the transit gateway with key, adding one with
// AWS's default settings, and a warning, when the input does not describe
// it.
func (b *builder) transitGateway(key string, loc Location) *tgwState {
	if g := b.tgws[key]; g != nil {
		return g
	}
	g := &tgwState{key: key, inferred: true, in: &TransitGateway{Key: key, Names: []NameHint{{RankID, key}}, Loc: loc}}
	b.tgws[key] = g
	b.tgwList = append(b.tgwList, g)
	b.warn.Add(loc, Unresolved, "transit gateway %s is not in the input (aws ec2 describe-transit-gateways); it is written with security-group referencing off, as AWS creates a transit gateway", key)
	return g
}

// referenceBlocked returns why a rule of a group in VPC from cannot
// reference a group in VPC to, or "" when the scenario's peerings and
// transit gateways allow it. It decides as the scenario loader does. A
// same-Region peering lets every rule reference the peer's groups, and a
// transit gateway lets only inbound rules do so.
func (b *builder) referenceBlocked(from, to *vpcState, ingress bool) string {
	crossRegion := false
	for _, p := range b.peeringList {
		if p.leftOut == "" && p.connects(from, to) {
			if !p.crossRegion() {
				return ""
			}
			crossRegion = true
		}
	}
	for _, g := range b.tgwList {
		if g.attachment(from) != nil && g.attachment(to) != nil {
			if ingress {
				return ""
			}
			return "VPC " + from.in.Key + " reaches VPC " + to.in.Key + " through transit gateway " + g.key + ", across which only inbound rules can reference groups"
		}
	}
	if crossRegion {
		return "VPCs " + from.in.Key + " and " + to.in.Key + " are peered across Regions, and AWS does not let rules reference groups across a cross-Region peering"
	}
	return "the scenario has no same-Region peering between VPCs " + from.in.Key + " and " + to.in.Key + " (or, for an inbound rule, a transit gateway both are attached to)"
}

// routing writes the route tables, NAT gateways, gateway endpoints,
// peerings and transit gateways of the VPCs the scenario holds, and sets
// each subnet's route_table or public flag. It runs once VPCs and subnets
// are named.
func (b *builder) routing(vpcs []*vpcState, s *Scenario) {
	b.nameRouting(vpcs)
	// Without route tables in the input no table is in use, and only the
	// gateways and connections are written.
	for _, v := range vpcs {
		for _, ts := range b.tableList {
			if ts.vpc == v && ts.inUse {
				b.translateRoutes(ts)
			}
		}
	}
	b.resolveEndpoints()
	for _, v := range vpcs {
		b.assignTables(v)
	}
	b.writeNATGateways(vpcs)
	b.writeGatewayEndpoints(vpcs)
	for _, v := range vpcs {
		var tables []*tableState
		for _, ts := range b.tableList {
			if ts.vpc == v && ts.written {
				tables = append(tables, ts)
			}
		}
		slices.SortFunc(tables, func(a, c *tableState) int { return strings.Compare(a.name, c.name) })
		for _, ts := range tables {
			v.out.RouteTables = append(v.out.RouteTables, &RouteTableOut{Name: ts.name, Comment: []string{source(ts.in.Key, ts.in.Loc)}, Routes: ts.routes})
		}
	}

	for _, p := range b.peeringList {
		if p.leftOut != "" {
			if slices.ContainsFunc(p.vpcs[:], func(v *vpcState) bool { return v != nil && v.used }) {
				b.warn.Add(p.in.Loc, LeftOut, "peering connection %s is left out because %s", p.in.Key, p.leftOut)
			}
			continue
		}
		s.Peerings = append(s.Peerings, &PeeringOut{Name: p.name, VPCs: [2]string{p.vpcs[0].name, p.vpcs[1].name}, Comment: source(p.in.Key, p.in.Loc)})
	}
	slices.SortFunc(s.Peerings, func(a, c *PeeringOut) int { return strings.Compare(a.Name, c.Name) })

	for _, g := range b.tgwList {
		if len(g.attachments) == 0 {
			continue
		}
		out := &TransitGatewayOut{Name: g.name, SecurityGroupReferencing: g.in.SecurityGroupReferencing}
		if g.inferred {
			out.Comment = []string{g.key + ": not in the input; AWS's default settings are assumed."}
		} else {
			out.Comment = []string{source(g.key, g.in.Loc)}
		}
		for _, a := range g.attachments {
			out.Attachments = append(out.Attachments, &AttachmentOut{VPC: a.vpc.name, NoReferencing: !a.referencing, Comment: a.comment})
		}
		slices.SortFunc(out.Attachments, func(a, c *AttachmentOut) int { return strings.Compare(a.VPC, c.VPC) })
		s.TransitGateways = append(s.TransitGateways, out)
	}
	slices.SortFunc(s.TransitGateways, func(a, c *TransitGatewayOut) int { return strings.Compare(a.Name, c.Name) })
}

// nameRouting names the route tables, NAT gateways, peerings and transit
// gateways, which routes refer to. The scenario format requires each name
// to be unique across all VPCs. Gateway endpoints are named when they are
// written.
func (b *builder) nameRouting(vpcs []*vpcState) {
	inScenario := func(v *vpcState) bool { return v != nil && slices.Contains(vpcs, v) }

	tables := slices.DeleteFunc(slices.Clone(b.tableList), func(ts *tableState) bool { return !ts.inUse })
	sortByName(tables, func(ts *tableState) ([]NameHint, string) { return ts.in.Names, ts.in.Key })
	names := newNamespace()
	for _, ts := range tables {
		ts.name = names.unique(bestName(ts.in.Names), ts.in.Key)
	}

	nats := slices.DeleteFunc(slices.Clone(b.natList), func(n *natState) bool { return n.subnet == nil || !inScenario(n.subnet.vpc) })
	sortByName(nats, func(n *natState) ([]NameHint, string) { return n.in.Names, n.in.Key })
	names = newNamespace()
	for _, n := range nats {
		n.name = names.unique(bestName(n.in.Names), n.in.Key)
	}

	peerings := slices.DeleteFunc(slices.Clone(b.peeringList), func(p *peeringState) bool { return p.leftOut != "" })
	sortByName(peerings, func(p *peeringState) ([]NameHint, string) { return p.in.Names, p.in.Key })
	names = newNamespace()
	for _, p := range peerings {
		p.name = names.unique(bestName(p.in.Names), p.in.Key)
	}

	tgws := slices.DeleteFunc(slices.Clone(b.tgwList), func(g *tgwState) bool { return len(g.attachments) == 0 })
	sortByName(tgws, func(g *tgwState) ([]NameHint, string) { return g.in.Names, g.key })
	names = newNamespace()
	for _, g := range tgws {
		g.name = names.unique(bestName(g.in.Names), g.key)
	}
}

// sortByName sorts items by their best name, then by key, so that names
// do not depend on the input's order.
func sortByName[T any](items []T, hints func(T) ([]NameHint, string)) {
	slices.SortStableFunc(items, func(a, c T) int {
		ha, ka := hints(a)
		hc, kc := hints(c)
		if n := strings.Compare(bestName(ha), bestName(hc)); n != 0 {
			return n
		}
		return strings.Compare(ka, kc)
	})
}

// translateRoutes computes the routes of ts that the scenario can hold,
// with a warning for each route it leaves out.
func (b *builder) translateRoutes(ts *tableState) {
	if ts.translated {
		return
	}
	ts.translated = true
	for _, r := range ts.in.Routes {
		out := b.routeOut(ts, r)
		if out == nil {
			continue
		}
		if i := slices.IndexFunc(ts.routes, func(o *RouteOut) bool {
			return o.Destination == out.Destination && o.PrefixList == out.PrefixList
		}); i >= 0 {
			b.warn.Add(r.Loc, NotUnderstood, "route table %s has two routes for %s, but AWS allows one per destination; the later one is left out", ts.in.Key, routeDestination(r))
			continue
		}
		ts.routes = append(ts.routes, out)
	}
}

func routeDestination(r *Route) string {
	if r.PrefixList != "" {
		return "prefix list " + r.PrefixList
	}
	return r.Destination
}

// routeOut translates one route of ts, or returns nil, with a warning
// unless the scenario adds the route itself, for a route the scenario
// leaves out.
func (b *builder) routeOut(ts *tableState, r *Route) *RouteOut {
	dest := routeDestination(r)
	leftOut := func(kind WarningKind, format string, args ...any) *RouteOut {
		b.warn.Add(r.Loc, kind, "route table %s sends %s to %s; the route is left out, so that traffic follows a less specific route or is dropped", ts.in.Key, dest, fmt.Sprintf(format, args...))
		return nil
	}
	switch {
	case r.Target == TargetLocal:
		// The scenario gives every table the local routes of its VPC.
		return nil
	case r.Blackhole:
		return leftOut(LeftOut, "%s, which no longer exists (a blackhole route, which drops what it matches)", targetNote(r))
	case r.Target == TargetGatewayEndpoint:
		b.endpointRoute(ts, r)
		return nil
	}

	// The destination decides the address family the target must carry.
	family := ""
	var dst netip.Prefix
	if r.PrefixList == "" {
		p, err := netip.ParsePrefix(strings.TrimSpace(r.Destination))
		if err != nil {
			b.warn.Add(r.Loc, NotUnderstood, "route table %s has a route for %q, which is not a CIDR; the route is left out", ts.in.Key, r.Destination)
			return nil
		}
		dst = p.Masked()
		dest = dst.String()
		family = "ipv4"
		if dst.Addr().Is6() {
			family = "ipv6"
		}
		v := ts.vpc
		if v.cidr.IsValid() && v.cidr.Overlaps(dst) && dst.Bits() >= v.cidr.Bits() || v.ipv6.IsValid() && v.ipv6.Overlaps(dst) && dst.Bits() >= v.ipv6.Bits() {
			return leftOut(NotModeled, "%s, inside the VPC's own block: routing within a VPC through a middlebox is not modeled", targetNote(r))
		}
	} else {
		family = b.listFamily(r.PrefixList)
	}

	out := &RouteOut{Destination: dst.String()}
	if r.PrefixList != "" {
		out.Destination = ""
	}
	switch r.Target {
	case TargetInternetGateway:
		out.TargetKey, out.Target = "internet_gateway", "true"
	case TargetEgressOnly:
		if family == "ipv4" {
			return leftOut(NotUnderstood, "an egress-only internet gateway, which carries only IPv6")
		}
		out.TargetKey, out.Target = "egress_only_internet_gateway", "true"
	case TargetNATGateway:
		n := b.nats[r.TargetKey]
		switch {
		case n == nil:
			return leftOut(Unresolved, "NAT gateway %s, which is not in the input (aws ec2 describe-nat-gateways)", r.TargetKey)
		case n.subnet == nil:
			return leftOut(Unresolved, "NAT gateway %s, whose subnet %s is not in the input", r.TargetKey, cmpOr(n.in.Subnet, "(unknown)"))
		case n.subnet.vpc != ts.vpc:
			return leftOut(NotUnderstood, "NAT gateway %s of VPC %s, but a VPC can use only its own NAT gateways", r.TargetKey, n.subnet.vpc.in.Key)
		case family == "ipv6":
			return leftOut(NotModeled, "NAT gateway %s, which translates IPv6 to IPv4 (NAT64); the scenario format models NAT gateways for IPv4 only", r.TargetKey)
		}
		out.TargetKey, out.Target = "nat_gateway", n.name
	case TargetPeering:
		p := b.peerings[r.TargetKey]
		switch {
		case p == nil:
			return leftOut(Unresolved, "peering connection %s, which is not in the input (aws ec2 describe-vpc-peering-connections)", r.TargetKey)
		case p.leftOut != "":
			return leftOut(LeftOut, "peering connection %s, which is left out because %s", r.TargetKey, p.leftOut)
		case p.vpcs[0] != ts.vpc && p.vpcs[1] != ts.vpc:
			return leftOut(NotUnderstood, "peering connection %s, which does not connect VPC %s", r.TargetKey, ts.vpc.in.Key)
		}
		out.TargetKey, out.Target = "peering", p.name
	case TargetTransitGateway:
		g := b.tgws[r.TargetKey]
		if g == nil || g.attachment(ts.vpc) == nil {
			return leftOut(Unresolved, "transit gateway %s, which is not in the input", cmpOr(r.TargetKey, "(unknown)"))
		}
		out.TargetKey, out.Target = "transit_gateway", g.name
	case TargetNotModeled:
		return leftOut(NotModeled, "%s, which the scenario format does not model", targetNote(r))
	default:
		return leftOut(Unresolved, "%s, a target the input does not show", targetNote(r))
	}

	if r.PrefixList != "" {
		ls := b.prefixList(r.PrefixList, r.Loc, "route table "+ts.in.Key)
		out.PrefixList = ls.name
	}
	return out
}

// listFamily returns the address family of the prefix list with key, as
// prefixList will write it: a list of the input, an AWS-managed list named
// by the --prefix-list option, or else an IPv4 stand-in.
func (b *builder) listFamily(key string) string {
	if ls := b.lists[key]; ls != nil && ls.in.Family != "" {
		return ls.in.Family
	}
	name := key
	if named, ok := b.opts.PrefixLists[key]; ok {
		name = named
	}
	if m, ok := lookupManagedList(name); ok {
		return m.family
	}
	return "ipv4"
}

// targetNote names a route's target for a warning.
func targetNote(r *Route) string {
	if r.TargetNote != "" {
		return r.TargetNote
	}
	if r.TargetKey != "" {
		return r.TargetKey
	}
	return "an unknown target"
}

// endpointRoute records the route a gateway endpoint added to ts. The
// scenario writes the endpoint's route tables instead of the route.
func (b *builder) endpointRoute(ts *tableState, r *Route) {
	es := b.endpoints[r.TargetKey]
	if es == nil {
		es = &endpointState{key: r.TargetKey, vpc: ts.vpc, loc: r.Loc}
		b.endpoints[r.TargetKey] = es
		b.endpointList = append(b.endpointList, es)
	}
	if es.in != nil && es.in.Type == EndpointGatewayLoadBalancer {
		b.warn.Add(r.Loc, NotModeled, "route table %s sends %s to Gateway Load Balancer endpoint %s, which the scenario format does not model; the route is left out, so that traffic follows a less specific route or is dropped", ts.in.Key, routeDestination(r), r.TargetKey)
		return
	}
	if es.prefixList == "" {
		es.prefixList = r.PrefixList
	}
	if !slices.Contains(es.tables, ts) {
		es.tables = append(es.tables, ts)
		ts.endpoints = append(ts.endpoints, es)
	}
}

// gatewayService matches the service names of gateway endpoints that the
// scenario format models, as AWS writes them and as a template builds them
// from its Region.
var gatewayService = regexp.MustCompile(`^com\.amazonaws\.(` + awsRegion + `|\$\{AWS::Region\})\.(s3|dynamodb)$`)

// resolveEndpoints decides the prefix list of each gateway endpoint whose
// route tables the scenario uses, and leaves out, with a warning, those
// the scenario format cannot hold.
func (b *builder) resolveEndpoints() {
	for _, es := range b.endpointList {
		used := slices.ContainsFunc(es.tables, func(ts *tableState) bool { return ts.inUse })
		if !used {
			continue
		}
		if es.in != nil && es.in.Type == EndpointGatewayLoadBalancer {
			b.dropEndpoint(es)
			continue
		}
		var service string
		if es.in != nil {
			service = es.in.Service
		}
		if m := gatewayService.FindStringSubmatch(service); m != nil && m[1] == "${AWS::Region}" {
			service = "com.amazonaws." + b.templateRegion(es.loc) + "." + m[3]
		}
		var ls *listState
		switch {
		case gatewayService.MatchString(service):
			ls = b.managedList(service, es.loc)
		case service == "" && es.prefixList != "":
			name := b.opts.PrefixLists[es.prefixList]
			if known := b.lists[es.prefixList]; known != nil {
				name = known.in.AWSName
			}
			if !gatewayService.MatchString(name) {
				b.warn.Add(es.loc, Unresolved, "gateway endpoint %s routes prefix list %s, which the input does not name as the S3 or DynamoDB list; the endpoint is left out. Name the list with --prefix-list %s=com.amazonaws.REGION.s3 (or .dynamodb)", es.key, es.prefixList, es.prefixList)
				b.dropEndpoint(es)
				continue
			}
			ls = b.prefixList(es.prefixList, es.loc, "gateway endpoint "+es.key)
		default:
			if service == "" {
				b.warn.Add(es.loc, Unresolved, "the service of gateway endpoint %s is not in the input; the endpoint is left out", es.key)
			} else {
				b.warn.Add(es.loc, NotModeled, "gateway endpoint %s is for %s, but gateway endpoints exist only for S3 and DynamoDB; it is left out", es.key, service)
			}
			b.dropEndpoint(es)
			continue
		}
		if !ls.used {
			ls.used = true
			ls.out = b.prefixListOut(ls)
		}
		es.listName = ls.name
	}
}

func (b *builder) dropEndpoint(es *endpointState) {
	for _, ts := range es.tables {
		ts.endpoints = slices.DeleteFunc(ts.endpoints, func(e *endpointState) bool { return e == es })
	}
	es.tables = nil
}

// managedList returns the AWS-managed prefix list named name, reusing a
// list of the input with that name.
func (b *builder) managedList(name string, loc Location) *listState {
	for _, ls := range b.listList {
		if ls.in.AWSName == name {
			return b.prefixList(ls.in.Key, loc, "")
		}
	}
	return b.prefixList(name, loc, "")
}

// templateRegion returns the Region to write in place of AWS::Region, and
// warns once. CloudFormation resolves AWS::Region only when it deploys the
// stack.
func (b *builder) templateRegion(loc Location) string {
	const region = "us-east-1"
	if !b.regionWarned {
		b.regionWarned = true
		b.warn.Add(loc, Mapped, "the template builds service names from AWS::Region, which is known only when the stack is deployed; they are written for %s. The check does not depend on the Region, but correct it to the stack's", region)
	}
	return region
}

// assignTables sets each subnet of v to public: true, to its route table,
// or to nothing for a table with only the local routes, and decides which
// tables v writes.
func (b *builder) assignTables(v *vpcState) {
	var implicit, emptyExplicit []*subnetState
	for _, s := range v.subnets {
		ts := s.table
		if ts == nil {
			continue
		}
		association := "explicitly associated"
		if !s.explicitTable {
			association = "the VPC's main table"
		}
		switch {
		case exactlyPublic(ts, s):
			s.out.Public = true
			blocks := "0.0.0.0/0"
			if s.ipv6.IsValid() {
				blocks = "0.0.0.0/0 and ::/0"
			}
			s.out.Comment += ": route table " + ts.in.Key + " (" + association + ") sends " + blocks + " to an internet gateway and has no other route"
		case len(ts.routes) == 0 && len(ts.endpoints) == 0:
			if s.explicitTable {
				emptyExplicit = append(emptyExplicit, s)
			}
		case s.explicitTable:
			s.out.RouteTable = ts.name
			ts.written = true
		default:
			implicit = append(implicit, s)
			s.out.Comment += ": the VPC's main route table"
		}
	}
	if len(implicit) > 0 {
		v.mainTable.written = true
		v.out.MainRouteTable = v.mainTable.name
	}
	// A subnet associated with a table of only local routes needs the
	// table written only when the main table would otherwise give it
	// routes.
	for _, s := range emptyExplicit {
		if v.out.MainRouteTable != "" && s.table != v.mainTable {
			s.out.RouteTable = s.table.name
			s.table.written = true
		}
	}
}

// exactlyPublic reports whether the routes of ts are exactly what public:
// true stands for on subnet s: 0.0.0.0/0 to an internet gateway, ::/0 to
// an internet gateway when s has an IPv6 block, and nothing else.
func exactlyPublic(ts *tableState, s *subnetState) bool {
	var v4, v6 bool
	for _, r := range ts.in.Routes {
		switch {
		case r.Target == TargetLocal:
		case r.Target != TargetInternetGateway || r.Blackhole || r.PrefixList != "":
			return false
		case r.Destination == "0.0.0.0/0" && !v4:
			v4 = true
		case r.Destination == "::/0" && !v6 && s.ipv6.IsValid():
			v6 = true
		default:
			return false
		}
	}
	return v4 && v6 == s.ipv6.IsValid() && len(ts.endpoints) == 0
}

// writeNATGateways writes the NAT gateways of the scenario's VPCs.
func (b *builder) writeNATGateways(vpcs []*vpcState) {
	eips := map[string]string{}
	for _, v := range vpcs {
		for _, n := range b.natList {
			if n.subnet == nil || n.subnet.vpc != v {
				continue
			}
			out := &NATGatewayOut{Name: n.name, Subnet: n.subnet.name, Private: n.in.Private, Comment: source(n.in.Key, n.in.Loc)}
			if ip := n.in.PublicIP; ip != "" && !n.in.Private {
				a, err := netip.ParseAddr(ip)
				switch {
				case err != nil || !model.IsPublicIPv4(a):
					b.warn.Add(n.in.Loc, NotUnderstood, "NAT gateway %s has the Elastic IP address %q, which is not a public IPv4 address; the scenario assigns one", n.in.Key, ip)
				case eips[a.String()] != "":
					b.warn.Add(n.in.Loc, NotUnderstood, "NAT gateways %s and %s both have the Elastic IP address %s, which AWS gives to one; the scenario assigns %s another", eips[a.String()], n.in.Key, a, n.in.Key)
				default:
					out.ElasticIP = a.String()
					eips[a.String()] = n.in.Key
				}
			}
			v.out.NATGateways = append(v.out.NATGateways, out)
		}
		slices.SortFunc(v.out.NATGateways, func(a, c *NATGatewayOut) int { return strings.Compare(a.Name, c.Name) })
	}
	for _, n := range b.natList {
		if n.subnet == nil {
			b.warn.Add(n.in.Loc, Unresolved, "NAT gateway %s is in subnet %s, which is not in the input; it is left out", n.in.Key, cmpOr(n.in.Subnet, "(unknown)"))
		}
	}
}

// writeGatewayEndpoints writes the gateway endpoints with the route tables
// of the scenario that they add their route to.
func (b *builder) writeGatewayEndpoints(vpcs []*vpcState) {
	names := newNamespace()
	eps := slices.Clone(b.endpointList)
	sortByName(eps, func(es *endpointState) ([]NameHint, string) {
		if es.in != nil {
			return es.in.Names, es.key
		}
		return nil, es.key
	})
	for _, es := range eps {
		if len(es.tables) == 0 || es.listName == "" {
			continue
		}
		// AWS adds an endpoint's route only to tables of its own VPC.
		vpc := es.vpc
		if vpc == nil {
			vpc = es.tables[0].vpc
		}
		var tables []string
		for _, ts := range es.tables {
			if ts.written && ts.vpc == vpc {
				tables = append(tables, ts.name)
			}
		}
		if len(tables) == 0 {
			continue
		}
		slices.Sort(tables)
		var hints []NameHint
		if es.in != nil {
			hints = es.in.Names
		}
		es.name = names.unique(cmpOr(bestName(hints), es.listName), es.key)
		comment := source(es.key, es.loc)
		if es.in == nil {
			comment = es.key + ": known from the routes it adds; the input does not describe it (aws ec2 describe-vpc-endpoints)"
		}
		vpc.out.GatewayEndpoints = append(vpc.out.GatewayEndpoints, &GatewayEndpointOut{Name: es.name, PrefixList: es.listName, RouteTables: tables, Comment: comment})
	}
	for _, v := range vpcs {
		slices.SortFunc(v.out.GatewayEndpoints, func(a, c *GatewayEndpointOut) int { return strings.Compare(a.Name, c.Name) })
	}
}
