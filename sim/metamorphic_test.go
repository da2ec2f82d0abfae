package sim_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// The metamorphic tests change a scenario in a way whose effect on the
// verdicts is clear without computing them. An added allow rule can only
// add reachability and a removed one only take it away. Renaming,
// reordering or splitting a CIDR into its halves changes nothing. The tests
// run on random scenarios and on every shipped scenario.

// metamorphicN is the number of random scenarios each relation runs on.
const metamorphicN = 120

// verdicts is what the metamorphic relations compare: each attacker's stage
// verdicts and reached tiers, and the intended hops.
type verdicts struct {
	skippable map[string]bool // "attacker/stage" of every skippable stage
	stages    []string        // every "attacker/stage", sorted
	holds     map[string]int  // "from->to" to the number of hops that hold
	hops      []string        // every "from->to verdict", sorted
	reached   map[string]bool // "attacker>tier" of every reached tier
}

func verdictsOf(t *testing.T, s *model.Scenario) verdicts {
	t.Helper()
	r, err := sim.Check(s)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	reached, err := sim.ReachedTiers(s)
	if err != nil {
		t.Fatalf("reached tiers: %v", err)
	}
	v := verdicts{skippable: map[string]bool{}, holds: map[string]int{}, reached: map[string]bool{}}
	for _, st := range r.Stages {
		k := fmt.Sprintf("%s/%d", st.Attacker, st.Stage)
		v.stages = append(v.stages, k+" "+st.Verdict)
		if st.Verdict == sim.Skippable {
			v.skippable[k] = true
		}
	}
	for _, h := range r.Hops {
		v.hops = append(v.hops, h.From+"->"+h.To+" "+h.Verdict)
		if h.Verdict == sim.Holds {
			v.holds[h.From+"->"+h.To]++
		}
	}
	for a, tiers := range reached {
		for _, name := range tiers {
			v.reached[a+">"+name] = true
		}
	}
	slices.Sort(v.stages)
	slices.Sort(v.hops)
	return v
}

// same describes how two verdicts differ, or returns "".
func (v verdicts) same(w verdicts) string {
	var out []string
	if !slices.Equal(v.stages, w.stages) {
		out = append(out, fmt.Sprintf("stages %v became %v", v.stages, w.stages))
	}
	if !slices.Equal(v.hops, w.hops) {
		out = append(out, fmt.Sprintf("hops %v became %v", v.hops, w.hops))
	}
	if a, b := sortedKeys(v.reached), sortedKeys(w.reached); !slices.Equal(a, b) {
		out = append(out, fmt.Sprintf("reached %v became %v", a, b))
	}
	return strings.Join(out, "; ")
}

// lost describes what w lacks of v: skippable stages, holding hops and
// reached tiers, or returns "".
func (v verdicts) lost(w verdicts) string {
	var out []string
	for _, k := range sortedKeys(v.skippable) {
		if !w.skippable[k] {
			out = append(out, "stage "+k+" no longer skippable")
		}
	}
	for _, k := range sortedKeys(v.holds) {
		if w.holds[k] < v.holds[k] {
			out = append(out, "hop "+k+" broken")
		}
	}
	for _, k := range sortedKeys(v.reached) {
		if !w.reached[k] {
			out = append(out, k+" no longer reached")
		}
	}
	return strings.Join(out, "; ")
}

// metamorphicCase is a scenario source: its YAML text and a name.
type metamorphicCase struct {
	name string
	yaml string
}

// metamorphicCases returns random scenarios and the shipped ones.
func metamorphicCases(t *testing.T) []metamorphicCase {
	t.Helper()
	n := metamorphicN
	if testing.Short() {
		n = 30
	}
	var out []metamorphicCase
	for seed := uint64(1); seed <= uint64(n); seed++ {
		out = append(out, metamorphicCase{fmt.Sprint("seed-", seed), newGenerator(seed).scenario().yaml()})
	}
	files, err := filepath.Glob("../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped scenarios: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, metamorphicCase{filepath.Base(f), string(data)})
	}
	return out
}

// load parses the case afresh, so that each transformation gets its own
// copy of the model.
func (c metamorphicCase) load(t *testing.T) (*model.Scenario, bool) {
	t.Helper()
	s, diags := model.Parse(c.name, []byte(c.yaml))
	return s, !diags.HasErrors()
}

// allRules returns a pointer to every rule list of s.
func allRules(s *model.Scenario) []*[]*model.Rule {
	var out []*[]*model.Rule
	for _, g := range s.SecurityGroups {
		out = append(out, &g.Ingress, &g.Egress)
	}
	return out
}

// randomRule returns a new rule for group g in direction dir, drawn like
// the random generator's rules.
func randomRule(r *rand.Rand, s *model.Scenario, g *model.SecurityGroup, dir model.Direction) *model.Rule {
	gen := &generator{r: r}
	rule := &model.Rule{Group: g, Direction: dir, Path: fmt.Sprintf("security_groups.%s.added", g.Name)}
	switch r.IntN(6) {
	case 0:
		rule.Protocol, rule.Ports = model.AllProtocols, model.AllPorts
	case 1:
		rule.Protocol, rule.Ports = model.UDP, model.PortRange{From: gen.port(), To: gen.port()}
	case 2:
		rule.Protocol, rule.Ports = model.ICMP, model.PortRange{From: 8 * 256, To: 8*256 + 255}
	default:
		rule.Protocol, rule.Ports = model.TCP, model.PortRange{From: gen.port(), To: gen.port()}
	}
	if rule.Protocol == model.TCP && r.IntN(5) < 2 {
		// Broad rules change verdicts more often than narrow ones.
		rule.Ports = model.AllPorts
	}
	if rule.Ports.From > rule.Ports.To {
		rule.Ports.From, rule.Ports.To = rule.Ports.To, rule.Ports.From
	}
	switch n := r.IntN(10); {
	case n < 5:
		rule.Peer = model.Peer{Kind: model.PeerCIDR, CIDR: netip.MustParsePrefix(gen.cidr())}
	case n < 8:
		peer := s.SecurityGroups[r.IntN(len(s.SecurityGroups))]
		rule.Peer = model.Peer{Kind: model.PeerSecurityGroup, SecurityGroup: peer, Self: peer == g}
	default:
		pl := s.PrefixLists[r.IntN(len(s.PrefixLists))]
		if pl.Family != model.IPv4 {
			rule.Peer = model.Peer{Kind: model.PeerCIDR, CIDR: netip.MustParsePrefix("0.0.0.0/0")}
		} else {
			rule.Peer = model.Peer{Kind: model.PeerPrefixList, PrefixList: pl}
		}
	}
	return rule
}

// TestMetamorphicAddRule adds one random allow rule to one group, three
// times per scenario, and requires that nothing reachable, skippable or
// holding is lost.
func TestMetamorphicAddRule(t *testing.T) {
	t.Parallel()
	changed := 0
	for i, c := range metamorphicCases(t) {
		base, ok := c.load(t)
		if !ok || len(base.SecurityGroups) == 0 || len(base.PrefixLists) == 0 {
			continue
		}
		before := verdictsOf(t, base)
		r := rand.New(rand.NewPCG(uint64(i), 0xadd))
		for range 3 {
			s, _ := c.load(t)
			g := s.SecurityGroups[r.IntN(len(s.SecurityGroups))]
			dir := model.Direction(r.IntN(2))
			rule := randomRule(r, s, g, dir)
			if dir == model.Ingress {
				g.Ingress = append(g.Ingress, rule)
			} else {
				g.Egress = append(g.Egress, rule)
			}
			after := verdictsOf(t, s)
			if lost := before.lost(after); lost != "" {
				t.Errorf("%s: adding %s rule %v %v %v to %s lost: %s", c.name, dir, rule.Protocol, rule.Ports, rule.Peer, g.Name, lost)
			}
			if before.same(after) != "" {
				changed++
			}
		}
	}
	// The relation is only tested where an added rule changes something.
	t.Logf("%d added rules changed a verdict", changed)
}

// TestMetamorphicRemoveRule removes one rule at a time, up to five per
// scenario, and requires that nothing unreachable, holding or broken
// appears.
func TestMetamorphicRemoveRule(t *testing.T) {
	t.Parallel()
	changed := 0
	for i, c := range metamorphicCases(t) {
		base, ok := c.load(t)
		if !ok {
			continue
		}
		before := verdictsOf(t, base)
		var total int
		for _, l := range allRules(base) {
			total += len(*l)
		}
		r := rand.New(rand.NewPCG(uint64(i), 0xde1))
		for range min(5, total) {
			s, _ := c.load(t)
			k := r.IntN(total)
			for _, l := range allRules(s) {
				if k < len(*l) {
					removed := (*l)[k]
					*l = slices.Delete(*l, k, k+1)
					after := verdictsOf(t, s)
					if gained := after.lost(before); gained != "" {
						t.Errorf("%s: removing %s gained: %s", c.name, removed.Path, gained)
					}
					if before.same(after) != "" {
						changed++
					}
					break
				}
				k -= len(*l)
			}
		}
	}
	t.Logf("%d removed rules changed a verdict", changed)
}

// TestMetamorphicRename gives every security group and tier a new name, in
// the reverse of the old names' order, and requires the same verdicts
// under the renaming.
func TestMetamorphicRename(t *testing.T) {
	t.Parallel()
	for _, c := range metamorphicCases(t) {
		base, ok := c.load(t)
		if !ok {
			continue
		}
		before := verdictsOf(t, base)

		s, _ := c.load(t)
		back := map[string]string{}
		for i, g := range s.SecurityGroups {
			g.Name = fmt.Sprintf("zz-group-%03d", len(s.SecurityGroups)-i)
		}
		for i, tier := range s.Tiers {
			renamed := fmt.Sprintf("aa-tier-%03d", len(s.Tiers)-i)
			back[renamed] = tier.Name
			tier.Name = renamed
		}
		after := verdictsOf(t, s)
		after = renameVerdicts(after, back)
		if diff := before.same(after); diff != "" {
			t.Errorf("%s: renaming changed the verdicts: %s", c.name, diff)
		}
	}
}

// renameVerdicts maps the tier names in v back through names.
func renameVerdicts(v verdicts, names map[string]string) verdicts {
	swap := func(s string) string {
		for _, sep := range []string{"->", ">"} {
			if a, b, ok := strings.Cut(s, sep); ok {
				rest := ""
				if i := strings.IndexByte(b, ' '); i >= 0 {
					b, rest = b[:i], b[i:]
				}
				if n, ok := names[a]; ok {
					a = n
				}
				if n, ok := names[b]; ok {
					b = n
				}
				return a + sep + b + rest
			}
		}
		return s
	}
	out := verdicts{stages: v.stages, skippable: v.skippable, holds: map[string]int{}, reached: map[string]bool{}}
	for _, h := range v.hops {
		out.hops = append(out.hops, swap(h))
	}
	slices.Sort(out.hops)
	for k, n := range v.holds {
		out.holds[swap(k)] = n
	}
	for k := range v.reached {
		out.reached[swap(k)] = true
	}
	return out
}

// TestMetamorphicReorder shuffles the order of tiers, groups, attackers,
// prefix lists, the rules of each group, the groups of each tier and the
// tiers of each stage, and requires the same verdicts.
func TestMetamorphicReorder(t *testing.T) {
	t.Parallel()
	for i, c := range metamorphicCases(t) {
		base, ok := c.load(t)
		if !ok {
			continue
		}
		before := verdictsOf(t, base)
		r := rand.New(rand.NewPCG(uint64(i), 0x0de7))
		for range 2 {
			s, _ := c.load(t)
			shuffle(r, s.Tiers)
			shuffle(r, s.SecurityGroups)
			shuffle(r, s.Attackers)
			shuffle(r, s.PrefixLists)
			for _, g := range s.SecurityGroups {
				shuffle(r, g.Ingress)
				shuffle(r, g.Egress)
			}
			for _, tier := range s.Tiers {
				shuffle(r, tier.SecurityGroups)
			}
			for _, st := range s.Chain {
				shuffle(r, st.Tiers)
			}
			if diff := before.same(verdictsOf(t, s)); diff != "" {
				t.Errorf("%s: reordering changed the verdicts: %s", c.name, diff)
			}
		}
	}
}

// TestMetamorphicReorderFile reorders the sections of random scenarios in
// the YAML text itself: tiers, groups, attackers and each group's rules.
// The private addresses are pinned first, because the loader gives tiers
// without private_ip addresses in file order.
func TestMetamorphicReorderFile(t *testing.T) {
	t.Parallel()
	n := metamorphicN
	if testing.Short() {
		n = 30
	}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		g := newGenerator(seed).scenario()
		base, diags := model.Parse("random.yaml", []byte(g.yaml()))
		if diags.HasErrors() {
			continue
		}
		for _, tier := range g.tiers {
			if mt := tierNamed(base, tier.name); mt.PrivateIP.IsValid() {
				tier.privateIP = mt.PrivateIP.String()
			}
		}
		pinned := mustParse(t, g.yaml())
		before := verdictsOf(t, pinned)

		r := rand.New(rand.NewPCG(seed, 0xf11e))
		c := g.clone()
		shuffle(r, c.tiers)
		shuffle(r, c.groups)
		shuffle(r, c.attackers)
		for _, sg := range c.groups {
			shuffle(r, sg.ingress)
			shuffle(r, sg.egress)
		}
		s, diags := model.Parse("random.yaml", []byte(c.yaml()))
		if diags.HasErrors() {
			t.Fatalf("seed %d: the reordered scenario does not load: %v\n%s", seed, diags.Err(), c.yaml())
		}
		if diff := before.same(verdictsOf(t, s)); diff != "" {
			t.Errorf("seed %d: reordering the file changed the verdicts: %s\n%s", seed, diff, c.yaml())
		}
	}
}

func tierNamed(s *model.Scenario, name string) *model.Tier {
	for _, t := range s.Tiers {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func shuffle[T any](r *rand.Rand, xs []T) {
	r.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
}

// TestMetamorphicSplitCIDR replaces, one at a time, each IPv4 CIDR of a
// scenario by its two halves: in a rule (which becomes two rules), a prefix
// list, an attacker's ranges, a web ACL rule and an ALB source-ip
// condition. The verdicts must not change.
func TestMetamorphicSplitCIDR(t *testing.T) {
	t.Parallel()
	for _, c := range metamorphicCases(t) {
		base, ok := c.load(t)
		if !ok {
			continue
		}
		before := verdictsOf(t, base)
		// At most eight splits per scenario keep the test quick.
		for k := 0; k < 8; k++ {
			s, _ := c.load(t)
			what, ok := splitNth(s, k)
			if !ok {
				break
			}
			if diff := before.same(verdictsOf(t, s)); diff != "" {
				t.Errorf("%s: splitting %s changed the verdicts: %s", c.name, what, diff)
			}
		}
	}
}

// halves returns the two halves of p, or false for a host prefix or an
// IPv6 prefix.
func halves(p netip.Prefix) (lo, hi netip.Prefix, ok bool) {
	if !p.Addr().Is4() || p.Bits() == 32 {
		return p, p, false
	}
	lo = netip.PrefixFrom(p.Addr(), p.Bits()+1)
	b := p.Addr().As4()
	bit := p.Bits()
	b[bit/8] |= 0x80 >> (bit % 8)
	hi = netip.PrefixFrom(netip.AddrFrom4(b), p.Bits()+1)
	return lo, hi, true
}

// splitPrefixes replaces the i-th splittable prefix of ps by its halves.
func splitPrefixes(ps []netip.Prefix, i int) ([]netip.Prefix, bool) {
	lo, hi, ok := halves(ps[i])
	if !ok {
		return ps, false
	}
	return slices.Insert(slices.Delete(slices.Clone(ps), i, i+1), i, lo, hi), true
}

// splitNth splits the k-th splittable IPv4 CIDR of s, counting rules,
// prefix-list entries, attacker ranges, web ACL rules and ALB source-ip
// conditions in that order, and describes the one it split. It reports
// false when s has fewer.
func splitNth(s *model.Scenario, k int) (string, bool) {
	n := 0
	for _, g := range s.SecurityGroups {
		for _, rules := range []*[]*model.Rule{&g.Ingress, &g.Egress} {
			for i, r := range *rules {
				if r.Peer.Kind != model.PeerCIDR {
					continue
				}
				lo, hi, ok := halves(r.Peer.CIDR)
				if !ok {
					continue
				}
				if n == k {
					a, b := *r, *r
					a.Peer.CIDR, b.Peer.CIDR = lo, hi
					*rules = slices.Insert(slices.Delete(*rules, i, i+1), i, &a, &b)
					return r.Path + " " + r.Peer.CIDR.String(), true
				}
				n++
			}
		}
	}
	try := func(ps *[]netip.Prefix, where string) (string, bool) {
		for i := range *ps {
			if _, _, ok := halves((*ps)[i]); !ok {
				continue
			}
			if n == k {
				split, _ := splitPrefixes(*ps, i)
				what := where + " " + (*ps)[i].String()
				*ps = split
				return what, true
			}
			n++
		}
		return "", false
	}
	for _, pl := range s.PrefixLists {
		if pl.Family != model.IPv4 {
			continue
		}
		if what, ok := try(&pl.Entries, "prefix list "+pl.Name); ok {
			return what, true
		}
	}
	for _, a := range s.Attackers {
		if what, ok := try(&a.CIDRs, "attacker "+a.Name); ok {
			return what, true
		}
	}
	for _, t := range s.Tiers {
		if t.CloudFront != nil && t.CloudFront.WAF != nil {
			for _, r := range t.CloudFront.WAF.Rules {
				if what, ok := try(&r.SourceCIDRs, r.Path); ok {
					return what, true
				}
			}
		}
		for _, l := range t.Listeners {
			for _, r := range l.Rules {
				for _, c := range r.Conditions {
					if what, ok := try(&c.SourceIPs, c.Path); ok {
						return what, true
					}
				}
			}
		}
	}
	return "", false
}
