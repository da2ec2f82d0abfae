package sim

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// Reach changes.
const (
	NewlyReaches    = "newly reaches"
	NoLongerReaches = "no longer reaches"
)

// ReachChange is a set of packets from one attacker that reach a tier in one
// scenario and not in the other: the sources and ports of one protocol on
// one entry into the network.
type ReachChange struct {
	Attacker string
	Tier     string
	// Change is NewlyReaches or NoLongerReaches.
	Change string
	// Entry is the first node the packets are sent to, such as a tier or
	// the attacker's own distribution.
	Entry    string
	Protocol model.Protocol
	Ports    []model.PortRange
	Sources  AddrSet
	// AllSources reports whether Sources is every address the attacker can
	// send from on this entry.
	AllSources bool
	// Example is one concrete packet of the change, as the attacker sends it.
	Example Packet
	// Path is the example's path in the scenario where it reaches the tier.
	Path []string
	// Classes counts the packet classes the change merges.
	Classes int
}

// VerdictChange is a stage or hop verdict that differs between the two
// scenarios.
type VerdictChange struct {
	// Kind is "stage" or "hop".
	Kind     string
	Attacker string // for a stage
	Stage    int    // for a stage, 1-based
	Tiers    []string
	From, To string // for a hop
	Before   string // "" when the stage or hop does not exist before
	After    string // "" when it does not exist after
	// Regression reports a change for the worse: holds to skippable, or
	// holds to broken. Repair reports the reverse.
	Regression bool
	Repair     bool
}

// WarningChange is a warning that appears or disappears.
type WarningChange struct {
	Code    string
	Message string
	// New reports whether the warning appears in the second scenario;
	// otherwise it is resolved.
	New bool
}

// DiffReport is the differential reachability between two scenarios.
type DiffReport struct {
	Before, After         string // scenario names
	BeforeFile, AfterFile string
	Reach                 []ReachChange
	Verdicts              []VerdictChange
	Warnings              []WarningChange
	BeforeReport          *Report
	AfterReport           *Report
	// Classes counts the packet classes of the shared partition.
	Classes int
}

// Diff computes what changes between two scenarios: for every attacker and
// tier, the packet classes that newly reach it and that no longer reach it,
// every stage and hop verdict that changes, and warnings that appear or are
// resolved.
//
// Both scenarios are explored on one partition of the packet space, cut by
// the rules of both, so that each class is sent through each scenario once
// and compared exactly.
func Diff(before, after *model.Scenario) (*DiffReport, error) {
	n1, n2 := Compile(before), Compile(after)
	r1, err := n1.Check()
	if err != nil {
		return nil, err
	}
	r2, err := n2.Check()
	if err != nil {
		return nil, err
	}
	d := &DiffReport{Before: before.Name, After: after.Name, BeforeFile: before.Pos.File, AfterFile: after.Pos.File,
		BeforeReport: r1, AfterReport: r2}
	d.Verdicts = verdictChanges(r1, r2)
	d.Warnings = warningChanges(r1, r2)

	for _, pair := range attackerPairs(before, after) {
		changes, classes, err := diffAttacker(n1, n2, pair[0], pair[1])
		if err != nil {
			return nil, err
		}
		d.Reach = append(d.Reach, changes...)
		d.Classes += classes
	}
	return d, nil
}

// HasRegression reports whether any verdict changed for the worse.
func (d *DiffReport) HasRegression() bool {
	return slices.ContainsFunc(d.Verdicts, func(v VerdictChange) bool { return v.Regression })
}

// attackerPairs matches the attackers of two scenarios by name and kind. An
// attacker whose kind changed counts as one removed and one added.
func attackerPairs(before, after *model.Scenario) [][2]*model.Attacker {
	var out [][2]*model.Attacker
	matched := map[*model.Attacker]bool{}
	for _, a := range before.Attackers {
		var b *model.Attacker
		for _, c := range after.Attackers {
			if c.Name == a.Name && c.Kind == a.Kind {
				b = c
			}
		}
		if b != nil {
			matched[b] = true
		}
		out = append(out, [2]*model.Attacker{a, b})
	}
	for _, c := range after.Attackers {
		if !matched[c] {
			out = append(out, [2]*model.Attacker{nil, c})
		}
	}
	return out
}

// side is one scenario's view of a diff: its network, exploration and entry.
type side struct {
	index int // 0 for the scenario before the change, 1 for after
	n     *Network
	x     *exploration
	root  *flowState
	e     *entry
	reach map[int64][]string // tiers reachable from a state, by state ID
}

// diffAttacker explores one attacker in both scenarios on a shared partition.
func diffAttacker(n1, n2 *Network, a1, a2 *model.Attacker) ([]ReachChange, int, error) {
	sides := [2]*side{{index: 0, n: n1}, {index: 1, n: n2}}
	entries := [2]map[string]*entry{{}, {}}
	var keys []string
	for i, a := range []*model.Attacker{a1, a2} {
		if a == nil {
			continue
		}
		sides[i].x, sides[i].root = sides[i].n.newExploration(a)
		sides[i].reach = map[int64][]string{}
		for _, e := range sides[i].n.entries(a) {
			k := e.via + ">" + e.to.Name + "@" + e.addressRole()
			entries[i][k] = e
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	name := a1
	if name == nil {
		name = a2
	}

	groups := map[string]*ReachChange{}
	var order []string
	classes := 0
	for _, k := range keys {
		sides[0].e, sides[1].e = entries[0][k], entries[1][k]
		cs, err := sharedClasses(sides)
		if err != nil {
			return nil, 0, err
		}
		// A cell is a class without its headers. The headers an attacker
		// sends are a means to an end, and the report is about which
		// addresses and ports reach a tier, so a cell reaches a tier when
		// one of its header classes does.
		type cell struct {
			reached [2][]string
			paths   [2]map[string][]string
			example [2]*Packet
			class   *sharedClass
		}
		cells := map[string]*cell{}
		var cellOrder []string
		for _, c := range cs {
			classes++
			ck := fmt.Sprintf("%d|%d-%d|%s", c.proto, c.ports.From, c.ports.To, c.srcSet)
			cl, ok := cells[ck]
			if !ok {
				cl = &cell{class: c, paths: [2]map[string][]string{{}, {}}}
				cells[ck] = cl
				cellOrder = append(cellOrder, ck)
			}
			for i, s := range sides {
				tiers, paths := s.send(c)
				for _, t := range tiers {
					if !slices.Contains(cl.reached[i], t) {
						cl.reached[i] = append(cl.reached[i], t)
						cl.paths[i][t] = paths[t]
					}
				}
				if len(tiers) > 0 && cl.example[i] == nil {
					p := c.packet(s.e, s.n)
					cl.example[i] = &p
				}
			}
		}
		domain := entryDomain(sides)
		for _, ck := range cellOrder {
			cl := cells[ck]
			c := cl.class
			for i, change := range []string{NoLongerReaches, NewlyReaches} {
				other := 1 - i
				slices.Sort(cl.reached[i])
				for _, tier := range cl.reached[i] {
					if slices.Contains(cl.reached[other], tier) {
						continue
					}
					g := groupKey(name.Name, tier, change, k, c)
					rc, ok := groups[g]
					if !ok {
						rc = &ReachChange{Attacker: name.Name, Tier: tier, Change: change, Entry: entryName(sides[i].e),
							Protocol: c.proto, Ports: []model.PortRange{c.ports}, Example: *cl.example[i], Path: cl.paths[i][tier]}
						groups[g] = rc
						order = append(order, g)
					}
					rc.Sources = rc.Sources.Union(c.srcSet)
					rc.AllSources = !rc.Sources.IsEmpty() && rc.Sources.Equal(domain)
					rc.Classes++
				}
			}
		}
	}

	var out []ReachChange
	for _, g := range order {
		out = append(out, *groups[g])
	}
	return mergeReachChanges(out), classes, nil
}

func entryName(e *entry) string {
	if e.via != "" {
		return e.via
	}
	return e.to.Name
}

// groupKey identifies the changes that merge into one ReachChange: same
// attacker, tier, direction, entry, protocol and port class, any source.
func groupKey(attacker, tier, change, entry string, c *sharedClass) string {
	return fmt.Sprintf("%s|%s|%s|%s|%d|%d-%d", attacker, tier, change, entry, c.proto, c.ports.From, c.ports.To)
}

// entryDomain returns the union of the source domains of both sides' entry.
func entryDomain(sides [2]*side) AddrSet {
	var out AddrSet
	for _, s := range sides {
		if s.e != nil {
			out = out.Union(s.e.srcs)
		}
	}
	return out
}

// mergeReachChanges joins changes that differ only in their port class and
// have the same sources, so that a rule opening a port range shows as one
// change.
func mergeReachChanges(cs []ReachChange) []ReachChange {
	var out []ReachChange
	for _, c := range cs {
		i := slices.IndexFunc(out, func(o ReachChange) bool {
			return o.Attacker == c.Attacker && o.Tier == c.Tier && o.Change == c.Change && o.Entry == c.Entry &&
				o.Protocol == c.Protocol && o.Sources.Equal(c.Sources)
		})
		if i < 0 {
			out = append(out, c)
			continue
		}
		out[i].Ports = mergePorts(append(out[i].Ports, c.Ports...))
		out[i].Classes += c.Classes
	}
	slices.SortStableFunc(out, func(a, b ReachChange) int {
		return cmp.Or(strings.Compare(a.Attacker, b.Attacker), strings.Compare(a.Tier, b.Tier), strings.Compare(b.Change, a.Change))
	})
	return out
}

// sharedClass is one class of the shared partition of an entry.
type sharedClass struct {
	proto   model.Protocol
	ports   model.PortRange
	port    int
	srcs    [2]netip.Addr // the source on each side; invalid where the side cannot send it
	srcSet  AddrSet
	headers []Header
}

// packet returns the class's packet as entry e of network n sends it, with
// secret header values marked.
func (c *sharedClass) packet(e *entry, n *Network) Packet {
	i := 0
	if !c.srcs[0].IsValid() {
		i = 1
	}
	p := Packet{Src: c.srcs[i], Dst: e.dst, Protocol: c.proto, Identity: e.ident}
	for _, h := range c.headers {
		h.Secret = n.isSecret(h.Name, h.Value)
		p = p.withHeader(h)
	}
	if !e.dst.IsValid() {
		p.DstName = e.to.Name + " (CloudFront)"
	}
	if c.proto.HasPorts() {
		p.Port = c.port
	}
	return p
}

// sharedClasses partitions an entry's packet space by the cuts of both
// sides. A class that a side cannot send, because the side has no such entry
// or its entry does not allow the protocol, port or source, gets an invalid
// source for that side.
func sharedClasses(sides [2]*side) ([]*sharedClass, error) {
	var protos []model.Protocol
	for _, s := range sides {
		if s.e == nil {
			continue
		}
		fam := model.IPv4
		if s.e.dst.Is6() {
			fam = model.IPv6
		}
		for _, p := range protocolClasses(s.e, fam) {
			if !slices.Contains(protos, p) {
				protos = append(protos, p)
			}
		}
	}
	slices.Sort(protos)

	headerSets, err := sharedHeaderClasses(sides)
	if err != nil {
		return nil, err
	}

	var out []*sharedClass
	for _, proto := range protos {
		var domain, cuts []model.PortRange
		for _, s := range sides {
			if s.e == nil {
				continue
			}
			d := s.e.ports
			if d == nil {
				d = []model.PortRange{model.AllPorts}
			}
			domain = append(domain, d...)
			cuts = append(cuts, d...)
			cuts = append(cuts, portClasses(s.e, proto)...)
		}
		for _, ports := range splitPorts(mergePorts(domain), cuts) {
			if !proto.HasPorts() {
				ports = model.AllPorts
			}
			port := portRepresentative(ports)
			srcAtoms, fixed := sharedSources(sides, proto, port)
			hs := headerSets
			if proto != model.TCP {
				hs = [][]Header{nil}
			}
			for _, headers := range hs {
				for _, atom := range srcAtoms {
					c := &sharedClass{proto: proto, ports: ports, port: port, headers: headers}
					rep := representative(atom)
					c.srcSet = normalize([]Interval{atom})
					for i, s := range sides {
						switch {
						case s.e == nil || !s.allows(proto, ports):
						case fixed:
							c.srcs[i] = s.e.src
						case s.e.srcs.Contains(rep):
							c.srcs[i] = rep
						}
					}
					if fixed {
						c.srcSet = AddrSet{}
					}
					out = append(out, c)
				}
				if !proto.HasPorts() {
					break
				}
			}
			if !proto.HasPorts() {
				break
			}
		}
	}
	return out, nil
}

// allows reports whether the side's entry may send proto on the ports.
func (s *side) allows(proto model.Protocol, ports model.PortRange) bool {
	if s.e.protos != nil && !slices.Contains(s.e.protos, proto) {
		return false
	}
	if s.e.ports == nil || !proto.HasPorts() {
		return true
	}
	return slices.ContainsFunc(s.e.ports, func(d model.PortRange) bool { return d.From <= ports.From && ports.To <= d.To })
}

// sharedSources returns the source atoms of the union of both sides' source
// domains, cut by both sides' rules and by each domain, or one placeholder
// atom and fixed=true when the attacker sends from its own interface.
func sharedSources(sides [2]*side, proto model.Protocol, port int) (atoms []Interval, fixed bool) {
	var domain AddrSet
	var cuts []AddrSet
	for _, s := range sides {
		if s.e == nil {
			continue
		}
		if s.e.srcs.IsEmpty() {
			fixed = true
			continue
		}
		domain = domain.Union(s.e.srcs)
		cuts = append(cuts, s.e.srcs)
		cuts = append(cuts, s.n.sourceCuts(s.e.to, proto, port)...)
	}
	if fixed {
		for _, s := range sides {
			if s.e != nil && s.e.src.IsValid() {
				return []Interval{{s.e.src, s.e.src}}, true
			}
		}
	}
	return exampleFirst(Atoms(domain, cuts)), false
}

// sharedHeaderClasses returns header sets for the union of both sides'
// header tests. "Contains this secret" for every secret value of either side
// is one more pattern, so that the values a side must not send always form
// classes of their own.
//
// NOTE: a secret value that itself contains * or ? is read as a pattern
// here, which may merge classes that differ in such a secret.
func sharedHeaderClasses(sides [2]*side) ([][]Header, error) {
	byName := map[string]*headerSpace{}
	var names []string
	for _, s := range sides {
		if s.e == nil {
			continue
		}
		for _, hs := range s.n.headerTests(s.e.to) {
			key := strings.ToLower(hs.name)
			if byName[key] == nil {
				byName[key] = &headerSpace{name: hs.name}
				names = append(names, key)
			}
			for _, p := range hs.patterns {
				if !slices.Contains(byName[key].patterns, p) {
					byName[key].patterns = append(byName[key].patterns, p)
				}
			}
		}
	}
	slices.Sort(names)

	classes := [][]Header{nil}
	for _, key := range names {
		hs := byName[key]
		patterns := slices.Clone(hs.patterns)
		for _, s := range sides {
			for _, sec := range s.n.secrets {
				contains := "*" + strings.ToLower(sec.value) + "*"
				if sec.name == key && !slices.Contains(patterns, contains) && secretMatters(hs.patterns, strings.ToLower(sec.value)) {
					patterns = append(patterns, contains)
				}
			}
		}
		slices.Sort(patterns)
		values, err := sides[0].n.witnesses(patterns, nil)
		if err != nil {
			return nil, err
		}
		var next [][]Header
		for _, c := range classes {
			next = append(next, c)
			for _, v := range values {
				next = append(next, append(slices.Clone(c), Header{Name: hs.name, Value: v}))
			}
		}
		classes = next
	}
	return classes, nil
}

// send sends class c through the side and returns the tiers it reaches, with
// a path to each. It returns nil when the side cannot send c.
func (s *side) send(c *sharedClass) ([]string, map[string][]string) {
	if s.e == nil {
		return nil, nil
	}
	src := c.srcs[s.index]
	if !src.IsValid() {
		return nil, nil
	}
	p := Packet{Src: src, Dst: s.e.dst, Protocol: c.proto, Identity: s.e.ident}
	if !s.e.dst.IsValid() {
		p.DstName = s.e.to.Name + " (CloudFront)"
	}
	if c.proto.HasPorts() {
		p.Port = c.port
	}
	for _, h := range c.headers {
		if !s.n.canSend(s.e.knows, h) {
			return nil, nil
		}
		h.Secret = s.n.isSecret(h.Name, h.Value)
		p = p.withHeader(h)
	}
	p.dstGroups = s.n.privateGroups(s.e)
	st := s.n.sendFrom(s.x, s.root, s.e, p, classInfo{set: true, ports: c.ports, srcs: Interval{src, src}})
	if st == nil {
		return nil, nil
	}
	tiers := s.reachable(st)
	paths := map[string][]string{}
	for _, t := range tiers {
		paths[t] = s.pathTo(st, t)
	}
	return tiers, paths
}

// reachable returns the sorted names of the tiers reachable from state st,
// st's own tier included, memoised by state.
func (s *side) reachable(st *flowState) []string {
	if r, ok := s.reach[st.id]; ok {
		return r
	}
	var out []string
	if st.tier != nil {
		out = append(out, st.tier.Name)
	}
	for _, next := range s.x.graph.out[st.id] {
		for _, t := range s.reachable(s.x.states[next.ID()]) {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	s.reach[st.id] = out
	return out
}

// pathTo returns the node names from the attacker to st, along the edges
// that first reached each state, and on from st breadth first to a state of
// the named tier.
func (s *side) pathTo(st *flowState, tier string) []string {
	var prefix []string
	for id := st.id; id >= 0; id = s.x.graph.firstParent(id) {
		prefix = append([]string{s.x.states[id].node}, prefix...)
	}
	type item struct {
		id   int64
		path []string
	}
	queue := []item{{st.id, prefix}}
	seen := map[int64]bool{}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if seen[it.id] {
			continue
		}
		seen[it.id] = true
		if cur := s.x.states[it.id]; cur.tier != nil && cur.tier.Name == tier {
			return it.path
		}
		for _, next := range s.x.graph.out[it.id] {
			queue = append(queue, item{next.ID(), append(slices.Clone(it.path), s.x.states[next.ID()].node)})
		}
	}
	return nil
}

// verdictChanges compares the stage verdicts (by attacker and stage number)
// and hop verdicts (by endpoints) of two reports.
func verdictChanges(r1, r2 *Report) []VerdictChange {
	var out []VerdictChange
	stageKey := func(v StageVerdict) string { return fmt.Sprintf("%s|%d", v.Attacker, v.Stage) }
	before := map[string]StageVerdict{}
	for _, v := range r1.Stages {
		before[stageKey(v)] = v
	}
	seen := map[string]bool{}
	for _, v := range r2.Stages {
		k := stageKey(v)
		seen[k] = true
		b, ok := before[k]
		c := VerdictChange{Kind: "stage", Attacker: v.Attacker, Stage: v.Stage, Tiers: v.Tiers, After: v.Verdict}
		if ok {
			if b.Verdict == v.Verdict {
				continue
			}
			c.Before = b.Verdict
		}
		c.Regression = v.Verdict == Skippable
		c.Repair = ok && v.Verdict == Holds
		out = append(out, c)
	}
	for _, v := range r1.Stages {
		if !seen[stageKey(v)] {
			out = append(out, VerdictChange{Kind: "stage", Attacker: v.Attacker, Stage: v.Stage, Tiers: v.Tiers, Before: v.Verdict})
		}
	}

	hopKey := func(h HopVerdict) string { return h.From + ">" + h.To }
	beforeHops := map[string]HopVerdict{}
	for _, h := range r1.Hops {
		beforeHops[hopKey(h)] = h
	}
	seenHops := map[string]bool{}
	for _, h := range r2.Hops {
		k := hopKey(h)
		seenHops[k] = true
		b, ok := beforeHops[k]
		c := VerdictChange{Kind: "hop", From: h.From, To: h.To, After: h.Verdict}
		if ok {
			if b.Verdict == h.Verdict {
				continue
			}
			c.Before = b.Verdict
		}
		c.Regression = h.Verdict == Broken
		c.Repair = ok && h.Verdict == Holds
		out = append(out, c)
	}
	for _, h := range r1.Hops {
		if !seenHops[hopKey(h)] {
			out = append(out, VerdictChange{Kind: "hop", From: h.From, To: h.To, Before: h.Verdict})
		}
	}
	return out
}

// warningChanges lists warnings that appear or are resolved, matched by code
// and the rules they name.
func warningChanges(r1, r2 *Report) []WarningChange {
	key := func(f Finding) string { return f.Code + "|" + f.Tier + "|" + strings.Join(f.Rules, ",") }
	collect := func(r *Report) map[string]Finding {
		out := map[string]Finding{}
		for _, f := range r.Findings {
			if f.Kind == KindWarning {
				out[key(f)] = f
			}
		}
		return out
	}
	w1, w2 := collect(r1), collect(r2)
	var out []WarningChange
	for _, f := range r2.Findings {
		if f.Kind == KindWarning {
			if _, ok := w1[key(f)]; !ok {
				out = append(out, WarningChange{Code: f.Code, Message: f.Message, New: true})
			}
		}
	}
	for _, f := range r1.Findings {
		if f.Kind == KindWarning {
			if _, ok := w2[key(f)]; !ok {
				out = append(out, WarningChange{Code: f.Code, Message: f.Message})
			}
		}
	}
	return out
}

// secretMatters reports whether a value containing secret can match one of
// the patterns: a wildcard pattern may match it, and a literal only when
// the literal itself contains the secret. Other secrets of the same header
// name, such as those of unrelated distributions, would only multiply the
// classes.
func secretMatters(patterns []string, secret string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool {
		return strings.ContainsAny(p, "*?") || strings.Contains(p, secret)
	})
}

// addressRole names which of the receiver's addresses the entry sends to, so
// that the entries of two scenarios pair up even when the addresses differ.
func (e *entry) addressRole() string {
	switch {
	case !e.dst.IsValid():
		return "name"
	case e.dst == e.to.PrivateIP:
		return "private"
	case e.dst == e.to.PublicAddr:
		return "public"
	case e.dst == e.to.IPv6Addr:
		return "ipv6"
	}
	return e.dst.String()
}
