package importer

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

type groupState struct {
	in   *SecurityGroup
	vpc  *vpcState
	name string
	used bool
	// stub explains why the group is a stand-in for a group the input does
	// not hold; empty for a group read from the input.
	stub string
	// vpcDefault marks the stand-in for a VPC's default group, which is
	// written with the rules AWS creates that group with.
	vpcDefault bool
	// peers holds the resolved group of each rule with a group peer.
	peers map[*Rule]*groupState
	out   *GroupOut
}

type listState struct {
	in   *PrefixList
	name string
	used bool
	stub bool
	out  *PrefixListOut
}

func (b *builder) indexGroups() {
	for _, g := range b.inv.SecurityGroups {
		gs := &groupState{in: g, vpc: b.vpcs[g.VPC], peers: map[*Rule]*groupState{}}
		b.groups[g.Key] = gs
		b.groupList = append(b.groupList, gs)
	}
	for _, pl := range b.inv.PrefixLists {
		ls := &listState{in: pl}
		b.lists[pl.Key] = ls
		b.listList = append(b.listList, ls)
	}
}

// group resolves the security group key for use in vpc. A group the input
// does not hold, or that sits in another VPC, becomes a stand-in without
// rules so that the reference stays visible.
func (b *builder) group(vpc *vpcState, key string, loc Location, owner string) *groupState {
	g := b.groups[key]
	switch {
	case g != nil && g.vpc == nil:
		g.vpc = vpc
		return g
	case g != nil && g.vpc == vpc:
		return g
	case g != nil:
		return b.stub(vpc, key, fmt.Sprintf("%s uses security group %s of VPC %s, but a tier's groups belong to the tier's VPC; a stand-in group without members or rules takes its place", owner, key, g.vpc.in.Key), loc)
	}
	return b.stub(vpc, key, fmt.Sprintf("%s refers to security group %s, which is not in the input; a stand-in group without rules takes its place", owner, key), loc)
}

// peerGroup resolves the security group that a rule of a group in vpc
// references. A group of another VPC of the scenario is referenced where
// AWS allows it: across a same-Region peering, or in an inbound rule
// across a transit gateway. Otherwise a stand-in without members or rules
// takes its place.
func (b *builder) peerGroup(vpc *vpcState, key string, loc Location, owner string, ingress bool) *groupState {
	g := b.groups[key]
	if g == nil || g.vpc == nil || g.vpc == vpc {
		return b.group(vpc, key, loc, owner)
	}
	blocked := "VPC " + g.vpc.in.Key + " holds no imported tier and is left out"
	if g.vpc.used {
		blocked = b.referenceBlocked(vpc, g.vpc, ingress)
	}
	if blocked == "" {
		return g
	}
	return b.stub(vpc, key, fmt.Sprintf("%s refers to security group %s in VPC %s, but %s; a stand-in group without members or rules takes its place, so the reference matches nothing", owner, key, g.vpc.in.Key, blocked), loc)
}

func (b *builder) stub(vpc *vpcState, key, reason string, loc Location) *groupState {
	sk := vpc.in.Key + "|" + key
	if s := b.stubs[sk]; s != nil {
		return s
	}
	s := &groupState{
		in:    &SecurityGroup{Key: key, VPC: vpc.in.Key, Names: []NameHint{{RankID, key}}, Loc: loc},
		vpc:   vpc,
		stub:  reason,
		peers: map[*Rule]*groupState{},
	}
	b.stubs[sk] = s
	b.groupList = append(b.groupList, s)
	b.warn.Add(loc, Unresolved, "%s", reason)
	return s
}

// defaultGroup returns the VPC's default security group, which AWS attaches
// to an interface or load balancer created without groups.
func (b *builder) defaultGroup(vpc *vpcState, loc Location, owner string) *groupState {
	for _, g := range b.groupList {
		if g.vpc == vpc && g.stub == "" && slices.ContainsFunc(g.in.Names, func(h NameHint) bool { return h.Value == "default" }) {
			return g
		}
	}
	sk := vpc.in.Key + "|default"
	if s := b.stubs[sk]; s != nil {
		return s
	}
	s := &groupState{
		in:         &SecurityGroup{Key: "default", VPC: vpc.in.Key, Names: []NameHint{{RankNameTag, "default"}}, Loc: loc},
		vpc:        vpc,
		stub:       "the VPC's default security group, which the input does not include",
		vpcDefault: true,
		peers:      map[*Rule]*groupState{},
	}
	b.stubs[sk] = s
	b.groupList = append(b.groupList, s)
	b.warn.Add(loc, Unresolved, "%s names no security group, so AWS gives it the default group of VPC %s, which is not in the input; it is written with the rules AWS creates it with (all traffic from itself, all traffic out)", owner, vpc.in.Key)
	return s
}

// tierGroups resolves a tier's security groups, at most five as AWS allows
// by default per interface.
func (b *builder) tierGroups(vpc *vpcState, keys []string, loc Location, owner string) []*groupState {
	var out []*groupState
	for _, k := range keys {
		g := b.group(vpc, k, loc, owner)
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	if len(out) > 5 {
		b.warn.Add(loc, NotModeled, "%s has %d security groups; the scenario format allows 5 per tier, AWS's default quota, so only the first 5 are written", owner, len(out))
		out = out[:5]
	}
	return out
}

// finishGroups decides which groups the scenario needs, names them, and
// translates their rules. A group is needed when a tier uses it or a rule
// of a needed group refers to it.
func (b *builder) finishGroups() {
	var queue []*groupState
	mark := func(g *groupState) {
		if !g.used {
			g.used = true
			queue = append(queue, g)
		}
	}
	for _, t := range b.tiers {
		for _, g := range t.groups {
			mark(g)
		}
	}
	for len(queue) > 0 {
		g := queue[0]
		queue = queue[1:]
		owner := "security group " + g.in.Key
		for _, r := range slices.Concat(g.in.Ingress, g.in.Egress) {
			if r.PeerKind != PeerGroup {
				continue
			}
			peer := b.peerGroup(g.vpc, r.Peer, r.Loc, owner, slices.Contains(g.in.Ingress, r))
			g.peers[r] = peer
			mark(peer)
		}
	}

	var used, unused []*groupState
	for _, g := range b.groupList {
		if g.used {
			used = append(used, g)
		} else if g.stub == "" {
			unused = append(unused, g)
		}
	}
	slices.SortStableFunc(used, func(a, c *groupState) int {
		if n := strings.Compare(bestName(a.in.Names), bestName(c.in.Names)); n != 0 {
			return n
		}
		return strings.Compare(a.in.Key, c.in.Key)
	})
	names := newNamespace()
	for _, g := range used {
		g.name = names.unique(bestName(g.in.Names), g.in.Key)
	}
	for _, g := range used {
		g.out = b.groupOut(g)
	}
	if len(unused) > 0 {
		keys := make([]string, len(unused))
		for i, g := range unused {
			keys[i] = g.in.Key
		}
		b.warn.Add(Location{}, LeftOut, "%d security group(s) attached to no imported tier and referenced by no imported group are left out: %s", len(unused), shortList(keys, 20))
	}
}

// shortList joins at most n items and counts the rest.
func shortList(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}

func (b *builder) groupOut(g *groupState) *GroupOut {
	out := &GroupOut{Name: g.name, Description: g.in.Description}
	switch {
	case g.vpcDefault:
		out.Comment = []string{"Stand-in for " + g.stub + ", with the rules AWS creates a default group with."}
		out.Ingress = []*RuleOut{{Protocol: "all", PeerKey: "self", Description: "AWS default rule: all traffic from the group itself"}}
		out.EgressWord = "aws-default"
		return out
	case g.stub != "":
		out.Comment = []string{"Stand-in: " + g.stub + "."}
		out.EgressWord = "none"
		return out
	}
	out.Comment = []string{source(g.in.Key, g.in.Loc)}

	for _, r := range g.in.Ingress {
		if ro := b.ruleOut(g, r); ro != nil {
			out.Ingress = append(out.Ingress, ro)
		}
	}
	var egress []*RuleOut
	for _, r := range g.in.Egress {
		if ro := b.ruleOut(g, r); ro != nil {
			egress = append(egress, ro)
		}
	}

	switch {
	case g.in.EgressMode == EgressAWSDefault && len(egress) == 0 && !g.vpc.ipv6.IsValid():
		out.EgressWord = "aws-default"
	case g.in.EgressMode == EgressAWSDefault:
		// The scenario's aws-default also allows ::/0 in a VPC with IPv6,
		// but AWS creates only the IPv4 rule for a new group, and rules
		// added beside the default cannot be written with the word.
		def := &RuleOut{Protocol: "all", PeerKey: "cidr", Peer: "0.0.0.0/0", Description: "AWS default egress rule"}
		out.Egress = append([]*RuleOut{def}, egress...)
	case len(egress) == 0:
		out.EgressWord = "none"
	case isDefaultEgress(egress, g.vpc.ipv6.IsValid()):
		out.EgressWord = "aws-default"
	default:
		out.Egress = egress
	}
	return out
}

// isDefaultEgress reports whether rules are exactly what the scenario's
// aws-default stands for: all traffic to 0.0.0.0/0, and to ::/0 when the
// VPC has an IPv6 block.
func isDefaultEgress(rules []*RuleOut, ipv6 bool) bool {
	want := []string{"0.0.0.0/0"}
	if ipv6 {
		want = append(want, "::/0")
	}
	if len(rules) != len(want) {
		return false
	}
	var got []string
	for _, r := range rules {
		if r.Protocol != "all" || r.PeerKey != "cidr" {
			return false
		}
		got = append(got, r.Peer)
	}
	slices.Sort(got)
	return slices.Equal(got, want)
}

// protocolNames maps AWS protocol spellings to the scenario's names.
var protocolNames = map[string]string{
	"-1": "all", "all": "all", "tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp",
	"icmp": "icmp", "1": "icmp", "icmpv6": "icmpv6", "58": "icmpv6",
}

// normalizeProtocol returns the scenario spelling of an AWS protocol: a
// name, or a protocol number from 0 to 255.
func normalizeProtocol(p string) (string, bool) {
	p = strings.ToLower(strings.TrimSpace(p))
	if name, ok := protocolNames[p]; ok {
		return name, true
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || n > 255 {
		return "", false
	}
	return strconv.Itoa(n), true
}

// ruleOut translates one rule of group g.
func (b *builder) ruleOut(g *groupState, r *Rule) *RuleOut {
	proto, ok := normalizeProtocol(r.Protocol)
	if !ok {
		b.warn.Add(r.Loc, NotUnderstood, "security group %s has a rule with protocol %q, which is neither a name AWS uses nor a number from 0 to 255; the rule is left out", g.in.Key, r.Protocol)
		return nil
	}
	out := &RuleOut{Protocol: proto, Description: r.Description}

	switch proto {
	case "tcp", "udp":
		out.Ports = portRange(r.FromPort, r.ToPort, r.PortsKnown)
		if !r.PortsKnown {
			out.Comment = "ports not in the input, written as all"
			b.warn.Add(r.Loc, Unresolved, "a %s rule of security group %s has no port range in the input; it is written for all ports", proto, g.in.Key)
		}
	case "icmp", "icmpv6":
		if r.PortsKnown && r.FromPort >= 0 && r.FromPort <= 255 {
			out.ICMPType = strconv.Itoa(r.FromPort)
			if r.ToPort >= 0 && r.ToPort <= 255 {
				out.ICMPCode = strconv.Itoa(r.ToPort)
			}
		}
	}

	switch r.PeerKind {
	case PeerCIDR:
		p, err := netip.ParsePrefix(strings.TrimSpace(r.Peer))
		if err != nil {
			b.warn.Add(r.Loc, NotUnderstood, "security group %s has a rule with the peer %q, which is not a CIDR; the rule is left out", g.in.Key, r.Peer)
			return nil
		}
		if p.Masked() != p {
			b.warn.Add(r.Loc, Mapped, "security group %s has a rule for %s, which has host bits set; it is written as %s, the block AWS applies", g.in.Key, p, p.Masked())
		}
		out.PeerKey, out.Peer = "cidr", p.Masked().String()
	case PeerSelf:
		out.PeerKey = "self"
	case PeerGroup:
		peer := g.peers[r]
		if peer == nil {
			peer = b.peerGroup(g.vpc, r.Peer, r.Loc, "security group "+g.in.Key, slices.Contains(g.in.Ingress, r))
		}
		if peer == g {
			out.PeerKey = "self"
		} else {
			out.PeerKey, out.Peer = "security_group", peer.name
		}
	case PeerPrefixList:
		pl := b.prefixList(r.Peer, r.Loc, "security group "+g.in.Key)
		out.PeerKey, out.Peer = "prefix_list", pl.name
	}
	return out
}

// portRange writes a tcp or udp port range as the scenario's ports value.
func portRange(from, to int, known bool) string {
	switch {
	case !known || from < 0 || to < 0 || from == 0 && to == 65535:
		return "all"
	case from == to:
		return strconv.Itoa(from)
	case from > to:
		from, to = to, from
	}
	return strconv.Itoa(from) + "-" + strconv.Itoa(to)
}

// managedList is an AWS-managed prefix list that the scenario loader accepts
// by name, with the short name the importer gives it.
type managedList struct {
	pattern *regexp.Regexp
	short   string
	family  string
}

// awsRegion matches a Region name as the scenario loader does.
const awsRegion = `[a-z]{2}(-[a-z]+)+-[0-9]`

// knownManagedLists are the AWS-managed lists the scenario loader accepts
// by name (docs/scenario-format.md, "AWS-managed lists").
var knownManagedLists = []managedList{
	{regexp.MustCompile(`^com\.amazonaws\.global\.cloudfront\.origin-facing$`), "cloudfront", "ipv4"},
	{regexp.MustCompile(`^com\.amazonaws\.global\.ipv6\.cloudfront\.origin-facing$`), "cloudfront-ipv6", "ipv6"},
	{regexp.MustCompile(`^com\.amazonaws\.` + awsRegion + `\.s3$`), "s3", "ipv4"},
	{regexp.MustCompile(`^com\.amazonaws\.` + awsRegion + `\.dynamodb$`), "dynamodb", "ipv4"},
	{regexp.MustCompile(`^com\.amazonaws\.global\.route53-healthchecks$`), "route53-healthchecks", "ipv4"},
	{regexp.MustCompile(`^com\.amazonaws\.` + awsRegion + `\.vpc-lattice$`), "vpc-lattice", "ipv4"},
	{regexp.MustCompile(`^com\.amazonaws\.` + awsRegion + `\.ipv6\.vpc-lattice$`), "vpc-lattice-ipv6", "ipv6"},
	{regexp.MustCompile(`^com\.amazonaws\.global\.groundstation$`), "groundstation", "ipv4"},
}

func lookupManagedList(name string) (managedList, bool) {
	for _, m := range knownManagedLists {
		if m.pattern.MatchString(name) {
			return m, true
		}
	}
	return managedList{}, false
}

// prefixList resolves a prefix-list key, marking the list used and naming
// it on first use. A list the input does not hold becomes an empty
// stand-in.
func (b *builder) prefixList(key string, loc Location, owner string) *listState {
	ls := b.lists[key]
	if ls == nil {
		name := key
		if named, ok := b.opts.PrefixLists[key]; ok {
			name = named
		}
		if m, ok := lookupManagedList(name); ok {
			// The list is named directly, or by the --prefix-list option.
			ls = &listState{in: &PrefixList{Key: key, AWSName: name, Family: m.family, Loc: loc}}
		} else {
			ls = &listState{in: &PrefixList{Key: key, Family: "ipv4", Names: []NameHint{{RankID, key}}, Loc: loc}, stub: true}
			b.warn.Add(loc, Unresolved, "%s refers to prefix list %s, which is not in the input (aws ec2 describe-managed-prefix-lists); it is written as an empty list, so the rule matches nothing. If it is an AWS-managed list, name it with --prefix-list %s=NAME", owner, key, key)
		}
		b.lists[key] = ls
		b.listList = append(b.listList, ls)
	}
	if !ls.used {
		ls.used = true
		ls.out = b.prefixListOut(ls)
	}
	return ls
}

func (b *builder) prefixListOut(ls *listState) *PrefixListOut {
	pl := ls.in
	out := &PrefixListOut{Family: pl.Family}
	if out.Family == "" {
		out.Family = "ipv4"
	}
	entries := b.listEntries(pl)

	if m, ok := lookupManagedList(pl.AWSName); ok {
		ls.name = b.uniqueListName(m.short, pl.Key)
		out.Name, out.AWSManaged = ls.name, pl.AWSName
		out.Comment = []string{source(pl.Key, pl.Loc)}
		if pl.EntriesKnown && len(entries) > 0 {
			out.Entries = entries
			out.Comment = append(out.Comment, "entries are the list's contents when it was exported; AWS changes them over time")
		}
		return out
	}

	name := bestName(pl.Names)
	if pl.AWSName != "" && name == "" {
		name = pl.AWSName
	}
	ls.name = b.uniqueListName(name, pl.Key)
	out.Name = ls.name
	out.Comment = []string{source(pl.Key, pl.Loc)}
	out.Entries = entries
	if out.Entries == nil {
		out.Entries = []string{}
	}
	out.MaxEntries = max(pl.MaxEntries, len(entries), 1)
	if out.MaxEntries > 1000 {
		out.MaxEntries = 1000
	}
	switch {
	case pl.AWSName != "":
		out.Comment = append(out.Comment, "AWS-managed list "+pl.AWSName+", written as a customer-managed list because the scenario format does not know it")
		b.warn.Add(pl.Loc, Mapped, "prefix list %s is the AWS-managed list %s, which the scenario format does not know; it is written as a customer-managed list with the entries the input gives, and its weight against the rules quota is not AWS's", pl.Key, pl.AWSName)
	case !pl.EntriesKnown && !ls.stub:
		out.Comment = append(out.Comment, "entries not in the input: run aws ec2 get-managed-prefix-list-entries")
		b.warn.Add(pl.Loc, Unresolved, "the entries of prefix list %s are not in the input (aws ec2 get-managed-prefix-list-entries); it is written empty, so rules that use it match nothing", pl.Key)
	}
	return out
}

func (b *builder) uniqueListName(base, fallback string) string {
	if b.listNamespace == nil {
		b.listNamespace = newNamespace()
	}
	return b.listNamespace.unique(base, fallback)
}

// listEntries validates and sorts a list's entries, keeping those of the
// list's family.
func (b *builder) listEntries(pl *PrefixList) []string {
	if !pl.EntriesKnown {
		return nil
	}
	var out []string
	for _, e := range pl.Entries {
		p, err := netip.ParsePrefix(strings.TrimSpace(e))
		family := "ipv4"
		if err == nil && p.Addr().Is6() {
			family = "ipv6"
		}
		if err != nil || (pl.Family != "" && family != pl.Family) {
			b.warn.Add(pl.Loc, NotUnderstood, "prefix list %s has the entry %q, which is not an %s CIDR; it is left out", pl.Key, e, pl.Family)
			continue
		}
		out = append(out, p.Masked().String())
	}
	slices.SortFunc(out, func(a, c string) int {
		pa, pc := netip.MustParsePrefix(a), netip.MustParsePrefix(c)
		if n := pa.Addr().Compare(pc.Addr()); n != 0 {
			return n
		}
		return pa.Bits() - pc.Bits()
	})
	return slices.Compact(out)
}
