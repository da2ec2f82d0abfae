package importer

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// Options are the choices Build leaves to the user.
type Options struct {
	// Name is the scenario name. Empty means "imported".
	Name string
	// Description replaces the generated description when set.
	Description string
	// PrefixLists names the AWS-managed list behind prefix-list ids that the
	// input uses without describing them, such as
	// pl-3b927c52=com.amazonaws.global.cloudfront.origin-facing.
	PrefixLists map[string]string
}

// ErrNoScenario is returned when the input holds too little to write a
// scenario: a scenario needs two tiers to form a chain.
var ErrNoScenario = errors.New("no scenario")

// builder holds the state of one Build.
type builder struct {
	inv  *Inventory
	warn Warnings

	vpcs    map[string]*vpcState
	vpcList []*vpcState
	subnets map[string]*subnetState

	tables       map[string]*tableState
	tableList    []*tableState
	nats         map[string]*natState
	natList      []*natState
	endpoints    map[string]*endpointState
	endpointList []*endpointState
	peerings     map[string]*peeringState
	peeringList  []*peeringState
	tgws         map[string]*tgwState
	tgwList      []*tgwState
	// regionWarned records that the warning about AWS::Region is given.
	regionWarned bool

	groups    map[string]*groupState
	groupList []*groupState
	stubs     map[string]*groupState
	lists     map[string]*listState
	listList  []*listState
	tgs       map[string]*TargetGroup
	acls      map[string]*WebACL

	tierNames *namespace
	tiers     []*tierState
	// Indexes from what inputs refer to a tier by.
	byWorkload map[string]*tierState
	byIP       map[string]*tierState
	byInstance map[string]*tierState
	byLB       map[string]*tierState
	byPublic   map[string]*tierState

	secrets       *secretTable
	listNamespace *namespace
	opts          Options
}

type vpcState struct {
	in      *VPC
	cidr    netip.Prefix
	ipv6    netip.Prefix
	region  string
	name    string
	subnets []*subnetState
	comment []string
	used    bool
	// mainTable is the VPC's main route table, when the input has it.
	mainTable *tableState
	out       *VPCOut
}

type subnetState struct {
	in   *Subnet
	vpc  *vpcState
	cidr netip.Prefix
	ipv6 netip.Prefix
	name string
	// public is the subnet's public flag; proposed marks a flag guessed
	// without route tables.
	public   bool
	proposed string
	comment  string
	out      *SubnetOut
	// table is the subnet's route table: the explicitly associated one
	// (explicitTable), else the VPC's main table, else nil for only the
	// local routes.
	table         *tableState
	explicitTable bool
}

type tierState struct {
	name    string
	kind    model.Kind
	vpc     *vpcState
	subnets []*subnetState
	groups  []*groupState
	// noGroups marks an NLB without security groups.
	noGroups bool
	public   bool
	// ipv6 marks a compute or data-store tier whose interfaces have IPv6
	// addresses, and dualStack a dual-stack load balancer.
	ipv6      bool
	dualStack bool
	service   string
	privateIP string
	scheme    string
	workloads []*Workload
	lb        *LoadBalancer
	dist      *Distribution
	dropped   bool
	// port is the port a data store listens on, when known.
	port    int
	comment []string

	listeners []*ListenerOut
	origins   []*OriginOut
	waf       *WAFOut
	connects  []*ConnectionOut
}

// Build turns an inventory into a scenario. It returns ErrNoScenario,
// wrapped with the reason, when the inventory holds fewer than two tiers.
func Build(inv *Inventory, opts Options) (*Scenario, error) {
	b := &builder{
		inv:        inv,
		opts:       opts,
		warn:       Warnings{List: slices.Clone(inv.Warnings.List)},
		vpcs:       map[string]*vpcState{},
		subnets:    map[string]*subnetState{},
		tables:     map[string]*tableState{},
		nats:       map[string]*natState{},
		endpoints:  map[string]*endpointState{},
		peerings:   map[string]*peeringState{},
		tgws:       map[string]*tgwState{},
		groups:     map[string]*groupState{},
		stubs:      map[string]*groupState{},
		lists:      map[string]*listState{},
		tgs:        map[string]*TargetGroup{},
		acls:       map[string]*WebACL{},
		tierNames:  newNamespace(),
		byWorkload: map[string]*tierState{},
		byIP:       map[string]*tierState{},
		byInstance: map[string]*tierState{},
		byLB:       map[string]*tierState{},
		byPublic:   map[string]*tierState{},
	}
	for _, tg := range inv.TargetGroups {
		b.tgs[tg.Key] = tg
	}
	for _, acl := range inv.WebACLs {
		b.acls[acl.Key] = acl
		for _, id := range acl.IDs {
			b.acls[id] = acl
		}
	}

	b.network()
	b.indexRouting()
	b.indexGroups()
	b.workloadTiers()
	b.loadBalancerTiers()
	b.distributionTiers()
	b.publicSubnets()
	b.secrets = b.collectSecrets()
	b.listeners()
	b.origins()

	var remaining []*tierState
	for _, t := range b.tiers {
		if !t.dropped {
			remaining = append(remaining, t)
		}
	}
	b.tiers = remaining
	if len(b.tiers) < 2 {
		return nil, fmt.Errorf("%w: the input describes %d tier(s) that the scenario format can hold, and a chain needs at least two; check that the input includes network interfaces, load balancers and their listeners", ErrNoScenario, len(b.tiers))
	}

	b.markUsedVPCs()
	b.connectVPCs()
	b.finishGroups()
	b.connections()
	chain, chainComment := b.proposeChain()
	attackers := b.proposeAttackers(chain)
	return b.assemble(opts, chain, chainComment, attackers), nil
}

// network reads VPCs and subnets and checks their blocks.
func (b *builder) network() {
	for _, v := range b.inv.VPCs {
		vs := &vpcState{in: v, region: v.Region}
		if v.CIDR != "" {
			p, err := netip.ParsePrefix(v.CIDR)
			if err != nil || !p.Addr().Is4() {
				b.warn.Add(v.Loc, NotUnderstood, "VPC %s has the IPv4 block %q, which is not a CIDR", v.Key, v.CIDR)
			} else {
				vs.cidr = p.Masked()
			}
		}
		if v.IPv6CIDR != "" {
			if p, err := netip.ParsePrefix(v.IPv6CIDR); err == nil && p.Addr().Is6() {
				vs.ipv6 = p.Masked()
			}
		}
		b.vpcs[v.Key] = vs
		b.vpcList = append(b.vpcList, vs)
	}

	for _, s := range b.inv.Subnets {
		vs := b.vpcs[s.VPC]
		if vs == nil {
			vs = &vpcState{in: &VPC{Key: s.VPC, Names: []NameHint{{RankID, s.VPC}}, Loc: s.Loc}}
			b.vpcs[s.VPC] = vs
			b.vpcList = append(b.vpcList, vs)
		}
		p, err := netip.ParsePrefix(s.CIDR)
		if err != nil || !p.Addr().Is4() {
			b.warn.Add(s.Loc, NotUnderstood, "subnet %s has the IPv4 block %q, which is not a CIDR, so the subnet is left out", s.Key, s.CIDR)
			continue
		}
		ss := &subnetState{in: s, vpc: vs, cidr: p.Masked()}
		if s.IPv6CIDR != "" {
			if p6, err := netip.ParsePrefix(s.IPv6CIDR); err == nil && p6.Addr().Is6() && p6.Bits() == 64 {
				ss.ipv6 = p6.Masked()
			}
		}
		b.subnets[s.Key] = ss
		vs.subnets = append(vs.subnets, ss)
	}

	for _, vs := range b.vpcList {
		b.checkVPCBlocks(vs)
	}
}

// checkVPCBlocks derives a missing VPC block from the VPC's subnets and
// leaves out subnets outside the block, which belong to secondary blocks
// the scenario format cannot express.
func (b *builder) checkVPCBlocks(vs *vpcState) {
	if !vs.cidr.IsValid() && len(vs.subnets) > 0 {
		p := vs.subnets[0].cidr
		for _, s := range vs.subnets[1:] {
			for p.Bits() > 0 && !(p.Contains(s.cidr.Addr()) && p.Bits() <= s.cidr.Bits()) {
				p = netip.PrefixFrom(p.Addr(), p.Bits()-1).Masked()
			}
		}
		if p.Bits() < 16 {
			p = netip.PrefixFrom(vs.subnets[0].cidr.Addr(), 16).Masked()
		}
		vs.cidr = p
		vs.comment = append(vs.comment, "The input has no VPC block, so this is the smallest block that holds the subnets.")
		b.warn.Add(vs.in.Loc, Unresolved, "VPC %s: the input does not give the VPC's IPv4 block (aws ec2 describe-vpcs), so the scenario uses %s, the smallest block that holds its subnets", vs.in.Key, p)
	}
	if vs.cidr.IsValid() && (vs.cidr.Bits() < 16 || vs.cidr.Bits() > 28) {
		b.warn.Add(vs.in.Loc, NotUnderstood, "VPC %s has the block %s, outside the /16 to /28 that AWS allows", vs.in.Key, vs.cidr)
	}
	if vs.ipv6.IsValid() {
		for _, s := range vs.subnets {
			if s.ipv6.IsValid() && !(vs.ipv6.Contains(s.ipv6.Addr()) && vs.ipv6.Bits() <= 64) {
				s.ipv6 = netip.Prefix{}
			}
		}
	} else {
		for _, s := range vs.subnets {
			s.ipv6 = netip.Prefix{}
		}
	}

	var kept []*subnetState
	for _, s := range vs.subnets {
		if vs.cidr.Contains(s.cidr.Addr()) && vs.cidr.Bits() <= s.cidr.Bits() {
			kept = append(kept, s)
			continue
		}
		b.warn.Add(s.in.Loc, NotModeled, "subnet %s (%s) lies outside the VPC's primary block %s, in a secondary block; the scenario format has one IPv4 block per VPC, so the subnet is left out", s.in.Key, s.cidr, vs.cidr)
		delete(b.subnets, s.in.Key)
	}
	vs.subnets = kept
}

// publicSubnets proposes public subnets when the input has no route
// tables: a subnet that holds an internet-facing load balancer or an
// interface with a public address is proposed as public. With route tables,
// routing decides each subnet's routes once the scenario's names are known.
func (b *builder) publicSubnets() {
	if !b.inv.RouteTablesKnown {
		b.proposePublicSubnets()
	}
}

func (b *builder) proposePublicSubnets() {
	reasons := map[*subnetState]string{}
	for _, t := range b.tiers {
		if !t.public {
			continue
		}
		for _, s := range t.subnets {
			if _, seen := reasons[s]; !seen {
				reasons[s] = t.name
			}
		}
	}
	var names []string
	for s, tier := range reasons {
		s.public = true
		s.proposed = tier
		s.comment = "PROPOSED public: holds " + tier + ", which has a public address; the input has no route tables"
		names = append(names, s.in.Key)
	}
	if len(names) > 0 {
		slices.Sort(names)
		b.warn.Add(Location{}, Unresolved, "the input has no route tables (aws ec2 describe-route-tables), so subnets %s are proposed as public because they hold internet-facing resources; every other subnet is written as private", strings.Join(names, ", "))
	}
}

// subnetList resolves subnet keys within one VPC, reporting unknown keys
// and subnets of another VPC. The VPC is the first known subnet's.
func (b *builder) subnetList(keys []string, loc Location, owner string) []*subnetState {
	var out []*subnetState
	var vpc *vpcState
	for _, k := range keys {
		s := b.subnets[k]
		switch {
		case s == nil:
			b.warn.Add(loc, Unresolved, "%s uses subnet %s, which is not in the input; it is left out of the tier", owner, k)
			continue
		case vpc == nil:
			vpc = s.vpc
		case s.vpc != vpc:
			b.warn.Add(loc, NotModeled, "%s spans VPCs %s and %s; the scenario keeps a tier in one VPC, so subnet %s is left out", owner, vpc.in.Key, s.vpc.in.Key, k)
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// addTier registers a tier under a unique name.
func (b *builder) addTier(t *tierState, hints []NameHint, fallback string) {
	t.name = b.tierNames.unique(bestName(hints), fallback)
	b.tiers = append(b.tiers, t)
}

// subnetOrder puts the subnet of the representative address first and the
// rest in block order.
func subnetOrder(subnets []*subnetState, first *subnetState) []*subnetState {
	out := slices.Clone(subnets)
	slices.SortFunc(out, func(a, c *subnetState) int {
		switch {
		case a == first:
			return -1
		case c == first:
			return 1
		}
		return a.cidr.Addr().Compare(c.cidr.Addr())
	})
	return out
}

// representativeIP picks the lowest of ips that lies in one of subnets and
// is not reserved by AWS, and returns it with its subnet.
func representativeIP(ips []string, subnets []*subnetState) (string, *subnetState) {
	var best netip.Addr
	var bestSubnet *subnetState
	for _, s := range ips {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			continue
		}
		for _, sub := range subnets {
			if !usableAddress(sub.cidr, a) {
				continue
			}
			if !best.IsValid() || a.Less(best) {
				best, bestSubnet = a, sub
			}
		}
	}
	if !best.IsValid() {
		return "", nil
	}
	return best.String(), bestSubnet
}

// usableAddress reports whether a lies in p outside the first four and the
// last address, which AWS reserves.
func usableAddress(p netip.Prefix, a netip.Addr) bool {
	if !p.Contains(a) {
		return false
	}
	first := p.Masked().Addr()
	for range 4 {
		if a == first {
			return false
		}
		first = first.Next()
	}
	return a != lastAddr(p)
}

// lastAddr returns the last address of the IPv4 prefix p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n |= 1<<(32-p.Bits()) - 1
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}
