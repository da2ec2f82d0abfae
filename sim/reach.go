package sim

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// ReachRow says that a source reaches a tier with one protocol, on the
// listed ports, directly or through intermediate nodes.
type ReachRow struct {
	// From names an attacker, or a compute or data-store tier whose
	// interface sends as if compromised.
	From string
	// FromTier reports whether From is a tier.
	FromTier bool
	To       string
	Protocol model.Protocol
	// Ports are the destination ports (or ICMP type*256+code values) at the
	// target, merged into ranges in ascending order. For protocols without
	// ports it is the full range.
	Ports []model.PortRange
	// Direct reports whether some packet arrives without passing another
	// node.
	Direct bool
	// Via lists the distinct sequences of intermediate nodes of the other
	// paths, shortest first.
	Via [][]string
}

// ReachReport is the reachability overview of a scenario.
type ReachReport struct {
	Scenario string
	File     string
	Rows     []ReachRow
	Stats    Stats
}

// Reach returns, for every attacker and every compute or data-store tier,
// the tiers it reaches and with which protocols and ports. A tier as a
// source means code running on its interface, with its address and security
// groups, as a compromised attacker would.
func Reach(s *model.Scenario) (*ReachReport, error) {
	n := Compile(s)
	r := &ReachReport{Scenario: s.Name, File: s.Pos.File}
	var sources []*model.Attacker
	sources = append(sources, s.Attackers...)
	for _, t := range n.ordered {
		if t.Kind.IsEndpoint() {
			sources = append(sources, &model.Attacker{Name: t.Name, Kind: model.AttackerCompromised, Tier: t.Tier})
		}
	}
	for i, a := range sources {
		x := n.explore(a)
		if x.err != nil {
			return nil, x.err
		}
		r.Stats.PacketClasses += x.classes
		r.Stats.States += len(x.states)
		rows := reachRows(x)
		for j := range rows {
			rows[j].FromTier = i >= len(s.Attackers)
		}
		r.Stats.Paths += countPaths(rows)
		r.Rows = append(r.Rows, rows...)
	}
	return r, nil
}

// reachRows groups the states of one exploration by target tier and
// protocol.
func reachRows(x *exploration) []ReachRow {
	type key struct {
		to    string
		proto model.Protocol
	}
	rows := map[key]*ReachRow{}
	var order []key
	for _, id := range x.order {
		st := x.states[id]
		if st.tier == nil || !st.class.set {
			continue
		}
		k := key{st.tier.Name, st.pkt.Protocol}
		row, ok := rows[k]
		if !ok {
			row = &ReachRow{From: x.attacker.Name, To: st.tier.Name, Protocol: st.pkt.Protocol}
			rows[k] = row
			order = append(order, k)
		}
		row.Ports = append(row.Ports, st.class.ports)
		names := nodeNames(x.path(st))
		via := names[1 : len(names)-1]
		if len(via) == 0 {
			row.Direct = true
		} else if !slices.ContainsFunc(row.Via, func(v []string) bool { return slices.Equal(v, via) }) {
			row.Via = append(row.Via, slices.Clone(via))
		}
	}

	out := make([]ReachRow, 0, len(order))
	for _, k := range order {
		row := rows[k]
		row.Ports = mergePorts(row.Ports)
		slices.SortStableFunc(row.Via, func(a, b []string) int {
			return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(strings.Join(a, ">"), strings.Join(b, ">")))
		})
		out = append(out, *row)
	}
	slices.SortStableFunc(out, func(a, b ReachRow) int {
		return cmp.Or(strings.Compare(a.To, b.To), cmp.Compare(a.Protocol, b.Protocol))
	})
	return out
}

// mergePorts sorts ranges and merges overlapping and adjacent ones.
func mergePorts(rs []model.PortRange) []model.PortRange {
	slices.SortFunc(rs, func(a, b model.PortRange) int { return cmp.Compare(a.From, b.From) })
	var out []model.PortRange
	for _, r := range rs {
		if n := len(out); n > 0 && r.From <= out[n-1].To+1 {
			out[n-1].To = max(out[n-1].To, r.To)
			continue
		}
		out = append(out, r)
	}
	return out
}

func countPaths(rows []ReachRow) int {
	total := 0
	for _, r := range rows {
		total += len(r.Via)
		if r.Direct {
			total++
		}
	}
	return total
}
