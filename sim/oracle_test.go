package sim_test

import (
	"flag"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
	"github.com/sgchain/sgchain/sim/internal/oracle"
)

var (
	oracleN    = flag.Int("oracle.n", 300, "number of random scenarios TestOracleAgreement checks")
	oracleSeed = flag.Uint64("oracle.seed", 1, "seed of the first random scenario; scenario i uses seed+i")
)

// TestOracleAgreement generates random small scenarios and requires the
// simulator and the brute-force oracle to agree on every stage verdict,
// every intended hop and every attacker's set of reached tiers. The oracle
// must also confirm the path and packet of every skip finding. A
// disagreement is shrunk to a minimal scenario, printed as YAML. Run more
// scenarios with -oracle.n, and another series with -oracle.seed.
func TestOracleAgreement(t *testing.T) {
	n := *oracleN
	if testing.Short() {
		n = min(n, 50)
	}
	type failure struct {
		seed uint64
		diff string
		yaml string
	}
	var (
		mu       sync.Mutex
		failures []failure
		invalid  []string
		packets  int
	)
	seeds := make(chan uint64)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for seed := range seeds {
				g := newRoutedGenerator(seed).scenario()
				s, diags := model.Parse("random.yaml", []byte(g.yaml()))
				if diags.HasErrors() {
					mu.Lock()
					invalid = append(invalid, fmt.Sprintf("seed %d:\n%s\n%v", seed, g.yaml(), diags.Err()))
					mu.Unlock()
					continue
				}
				diff, sent := compareWithOracle(s)
				mu.Lock()
				packets += sent
				mu.Unlock()
				if diff == "" {
					continue
				}
				small := shrink(g)
				smallDiff, _ := compareWithOracle(mustParse(t, small.yaml()))
				mu.Lock()
				failures = append(failures, failure{seed, smallDiff, small.yaml()})
				mu.Unlock()
			}
		})
	}
	for i := range n {
		seeds <- *oracleSeed + uint64(i)
	}
	close(seeds)
	wg.Wait()

	// The generator should produce valid scenarios; a few invalid ones
	// only waste runs, many mean it has drifted from the format.
	if len(invalid) > n/20 {
		t.Errorf("%d of %d random scenarios do not load; the first:\n%s", len(invalid), n, invalid[0])
	}
	slices.SortFunc(failures, func(a, b failure) int { return int(a.seed) - int(b.seed) })
	for i, f := range failures {
		if i == 5 {
			t.Errorf("... and %d more disagreements", len(failures)-5)
			break
		}
		t.Errorf("seed %d: the simulator and the oracle disagree:\n%s\nshrunk scenario:\n%s", f.seed, f.diff, f.yaml)
	}
	t.Logf("%d scenarios, %d invalid, %d oracle packets", n, len(invalid), packets)
}

func mustParse(t *testing.T, yaml string) *model.Scenario {
	t.Helper()
	s, diags := model.Parse("random.yaml", []byte(yaml))
	if diags.HasErrors() {
		t.Fatalf("scenario does not load:\n%s\n%v", yaml, diags.Err())
	}
	return s
}

// compareWithOracle checks s with the simulator and the oracle and returns
// every difference, one per line, or "" when they agree. It also returns
// the number of packets the oracle sent.
func compareWithOracle(s *model.Scenario) (string, int) {
	var diffs []string
	report, err := sim.Check(s)
	if err != nil {
		return "sim.Check: " + err.Error(), 0
	}
	reached, err := sim.ReachedTiers(s)
	if err != nil {
		return "sim.ReachedTiers: " + err.Error(), 0
	}
	o := oracle.New(s, oracle.DefaultUniverse(s))
	want := oracle.Run(s, oracle.DefaultUniverse(s))

	for _, st := range report.Stages {
		got := st.Verdict == sim.Skippable
		if exp := want.Skippable[st.Attacker][st.Stage]; got != exp {
			diffs = append(diffs, fmt.Sprintf("stage %d for %s: simulator %s, oracle skippable=%v%s", st.Stage, st.Attacker, st.Verdict, exp,
				oracleWitness(want, s, st.Attacker, st.Stage)))
		}
	}

	// Hops compare as multisets: a tier may connect to another twice.
	var gotHops, wantHops []string
	for _, h := range report.Hops {
		gotHops = append(gotHops, h.From+"->"+h.To+" "+h.Verdict)
	}
	for _, h := range want.Hops {
		v := sim.Broken
		if h.Holds {
			v = sim.Holds
		}
		wantHops = append(wantHops, h.From+"->"+h.To+" "+v)
	}
	slices.Sort(gotHops)
	slices.Sort(wantHops)
	if !slices.Equal(gotHops, wantHops) {
		diffs = append(diffs, fmt.Sprintf("hops: simulator %v, oracle %v", gotHops, wantHops))
	}

	for _, a := range s.Attackers {
		got := reached[a.Name]
		var exp []string
		for _, t := range s.Tiers {
			if want.Reached[a.Name][t.Name] {
				exp = append(exp, t.Name)
			}
		}
		if !slices.Equal(got, exp) {
			diffs = append(diffs, fmt.Sprintf("%s reaches: simulator %v, oracle %v", a.Name, got, exp))
		}
	}

	// Every skip finding's path and packet must be real.
	for _, f := range report.Findings {
		if f.Kind != sim.KindSkip {
			continue
		}
		a := attackerNamed(s, f.Attacker)
		// The finding's first hop carries the packet the attacker sent,
		// or its request to its own distribution, which then sends the
		// packet of the second hop.
		p := f.Hops[0].Packet
		if len(f.Path) > 2 && f.Path[1] == oracle.DistributionNode(a.Name) {
			p = f.Hops[1].Packet
		}
		headers := map[string]string{}
		for _, h := range p.Headers {
			headers[h.Name] = h.Value
		}
		if !o.Replay(a, f.Path, p.Src, p.Dst, p.Protocol, p.Port, headers) {
			diffs = append(diffs, fmt.Sprintf("skip finding %q: the oracle does not deliver packet %v along path %s", f.Message, &p, strings.Join(f.Path, " > ")))
		}
	}
	return strings.Join(diffs, "\n"), want.Packets
}

// oracleWitness names a path the oracle found for a skippable stage.
func oracleWitness(r *oracle.Result, s *model.Scenario, attacker string, stage int) string {
	if !r.Skippable[attacker][stage] {
		return ""
	}
	names := map[string]bool{}
	for _, t := range s.Chain[stage-1].Tiers {
		names[t.Name] = true
	}
	var paths []string
	for p := range r.Paths[attacker] {
		nodes := strings.Split(p, " > ")
		if names[nodes[len(nodes)-1]] {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	if len(paths) > 3 {
		paths = append(paths[:3], "...")
	}
	return " (oracle paths to the stage: " + strings.Join(paths, "; ") + ")"
}

func attackerNamed(s *model.Scenario, name string) *model.Attacker {
	for _, a := range s.Attackers {
		if a.Name == name {
			return a
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// shrink removes parts of g one at a time, keeping each removal after
// which the scenario still loads and the two models still disagree, until
// no single removal keeps the disagreement.
func shrink(g *genScenario) *genScenario {
	disagrees := func(c *genScenario) bool {
		s, diags := model.Parse("random.yaml", []byte(c.yaml()))
		if diags.HasErrors() {
			return false
		}
		diff, _ := compareWithOracle(s)
		return diff != ""
	}
	for changed := true; changed; {
		changed = false
		for _, c := range shrinkCandidates(g) {
			if disagrees(c) {
				g, changed = c, true
				break
			}
		}
	}
	return g
}

// shrinkCandidates returns every scenario that is g with one part removed.
// Some of them do not load, because a removed part is still referenced;
// removing a tier also has a variant that removes its references.
func shrinkCandidates(g *genScenario) []*genScenario {
	var out []*genScenario
	edit := func(f func(c *genScenario)) {
		c := g.clone()
		f(c)
		out = append(out, c)
	}
	for i := range g.attackers {
		edit(func(c *genScenario) { c.attackers = slices.Delete(c.attackers, i, i+1) })
		if g.attackers[i].knows != nil {
			edit(func(c *genScenario) { c.attackers[i].knows = nil })
		}
	}
	for i, t := range g.tiers {
		edit(func(c *genScenario) { c.tiers = slices.Delete(c.tiers, i, i+1) })
		edit(func(c *genScenario) { removeTier(c, t.name) })
		for j := range t.origins {
			edit(func(c *genScenario) { c.tiers[i].origins = slices.Delete(c.tiers[i].origins, j, j+1) })
		}
		for j := range t.listeners {
			edit(func(c *genScenario) { c.tiers[i].listeners = slices.Delete(c.tiers[i].listeners, j, j+1) })
		}
		for j := range t.connects {
			edit(func(c *genScenario) { c.tiers[i].connects = slices.Delete(c.tiers[i].connects, j, j+1) })
		}
		for j := range t.groups {
			edit(func(c *genScenario) { c.tiers[i].groups = slices.Delete(c.tiers[i].groups, j, j+1) })
		}
		if t.waf != "" {
			edit(func(c *genScenario) { c.tiers[i].waf = "" })
		}
	}
	for i, sg := range g.groups {
		edit(func(c *genScenario) { c.groups = slices.Delete(c.groups, i, i+1) })
		for j := range sg.ingress {
			edit(func(c *genScenario) { c.groups[i].ingress = slices.Delete(c.groups[i].ingress, j, j+1) })
		}
		for j := range sg.egress {
			edit(func(c *genScenario) { c.groups[i].egress = slices.Delete(c.groups[i].egress, j, j+1) })
		}
		if sg.egressMode != "none" {
			edit(func(c *genScenario) { c.groups[i].egressMode, c.groups[i].egress = "none", nil })
		}
	}
	for i, st := range g.chain {
		edit(func(c *genScenario) { c.chain = slices.Delete(c.chain, i, i+1) })
		for j := range st {
			if len(st) > 1 {
				edit(func(c *genScenario) { c.chain[i] = slices.Delete(c.chain[i], j, j+1) })
			}
		}
	}
	for i, acl := range g.acls {
		for j := range acl.ingress {
			edit(func(c *genScenario) { c.acls[i].ingress = slices.Delete(c.acls[i].ingress, j, j+1) })
		}
		for j := range acl.egress {
			edit(func(c *genScenario) { c.acls[i].egress = slices.Delete(c.acls[i].egress, j, j+1) })
		}
	}
	for sn := range g.subnetACL {
		edit(func(c *genScenario) { delete(c.subnetACL, sn) })
	}
	for i, acl := range g.acls {
		// Only a network ACL that no subnet names can go.
		if !slices.Contains(slices.Collect(maps.Values(g.subnetACL)), acl.name) {
			edit(func(c *genScenario) { c.acls = slices.Delete(c.acls, i, i+1) })
		}
	}
	for i, t := range g.tiers {
		if t.ephemeral != "" {
			edit(func(c *genScenario) { c.tiers[i].ephemeral = "" })
		}
	}
	if g.office != nil {
		edit(func(c *genScenario) { c.office = nil })
	}
	if g.cloudFrontEntries != nil {
		edit(func(c *genScenario) { c.cloudFrontEntries = nil })
	}
	netShrinkCandidates(g, edit)
	return out
}

// removeTier deletes the named tier and every reference to it: chain
// entries, origins, listeners and connections that name it, and attackers
// on it. A stage left empty goes too.
func removeTier(c *genScenario, name string) {
	ref := func(s string) bool {
		return strings.Contains(s, "tier: "+name+",") || strings.Contains(s, "tier: "+name+"}")
	}
	c.tiers = slices.DeleteFunc(c.tiers, func(t *genTier) bool { return t.name == name })
	for _, t := range c.tiers {
		t.origins = slices.DeleteFunc(t.origins, ref)
		t.listeners = slices.DeleteFunc(t.listeners, ref)
		t.connects = slices.DeleteFunc(t.connects, ref)
	}
	for i := range c.chain {
		c.chain[i] = slices.DeleteFunc(c.chain[i], func(s string) bool { return s == name })
	}
	c.chain = slices.DeleteFunc(c.chain, func(st []string) bool { return len(st) == 0 })
	c.attackers = slices.DeleteFunc(c.attackers, func(a *genAttacker) bool { return a.tier == name })
}

// TestOracleGeneratorIsReproducible guards the regression seeds: the same
// seed must give the same scenario.
func TestOracleGeneratorIsReproducible(t *testing.T) {
	for _, seed := range []uint64{1, 2, 77} {
		a, b := newGenerator(seed).scenario().yaml(), newGenerator(seed).scenario().yaml()
		if a != b {
			t.Errorf("seed %d gives two different scenarios", seed)
		}
		a, b = newRoutedGenerator(seed).scenario().yaml(), newRoutedGenerator(seed).scenario().yaml()
		if a != b {
			t.Errorf("seed %d gives two different routed scenarios", seed)
		}
	}
	if newGenerator(1).scenario().yaml() == newGenerator(2).scenario().yaml() {
		t.Error("seeds 1 and 2 give the same scenario")
	}
	_ = strconv.Itoa
}
