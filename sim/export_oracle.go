package sim

import "github.com/sgchain/sgchain/model"

// ReachedTiers explores every attacker of the scenario and returns, by
// attacker name, the tiers that some packet the attacker can send arrives
// at, in scenario order. A tier counts when it delivers the packet, as
// Hop.Delivered defines; a compromised attacker's own tier counts only when
// a packet arrives back at it. The tests that compare the simulator with an
// independent brute-force model use it; Check reports the same exploration
// as stage verdicts and findings. It returns Check's error for header
// patterns too complex to enumerate.
func ReachedTiers(s *model.Scenario) (map[string][]string, error) {
	n := Compile(s)
	out := make(map[string][]string, len(s.Attackers))
	for _, a := range s.Attackers {
		x := n.explore(a)
		if x.err != nil {
			return nil, x.err
		}
		reached := map[*tierInfo]bool{}
		// The first state is the attacker itself, which no packet reached.
		for _, st := range x.states[1:] {
			if st.tier != nil {
				reached[st.tier] = true
			}
		}
		names := []string{}
		for _, t := range s.Tiers {
			if reached[n.tiers[t.Name]] {
				names = append(names, t.Name)
			}
		}
		out[a.Name] = names
	}
	return out, nil
}
