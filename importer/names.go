package importer

import (
	"slices"
	"strconv"
	"strings"
)

// maxNameLength is the longest name the scenario format accepts.
const maxNameLength = 64

// namespace hands out unique scenario names within one section.
type namespace struct {
	used map[string]bool
}

func newNamespace() *namespace { return &namespace{used: map[string]bool{}} }

// unique returns a valid name derived from base that the namespace has not
// handed out, appending -2, -3, ... when it has. fallback replaces a base
// that has no usable characters.
func (ns *namespace) unique(base, fallback string) string {
	name := sanitizeName(base)
	if name == "" {
		name = sanitizeName(fallback)
	}
	if name == "" {
		name = "unnamed"
	}
	if !ns.used[name] {
		ns.used[name] = true
		return name
	}
	for i := 2; ; i++ {
		suffix := "-" + strconv.Itoa(i)
		candidate := truncateName(name, maxNameLength-len(suffix)) + suffix
		if !ns.used[candidate] {
			ns.used[candidate] = true
			return candidate
		}
	}
}

// sanitizeName turns s into a scenario name: 1 to 64 letters, digits, ".",
// "_" and "-", starting with a letter or digit. Other characters become "-".
func sanitizeName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			if !dash {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		b.WriteRune(r)
		dash = r == '-'
	}
	name := strings.TrimLeft(b.String(), "._-")
	name = strings.TrimRight(truncateName(name, maxNameLength), "-")
	return name
}

func truncateName(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// bestName returns the value of the best-ranked hint, preferring among
// equally ranked hints the one given most often and then the first in sort
// order, so that the choice does not depend on input order.
func bestName(hints []NameHint) string {
	best := ""
	bestRank := NameRank(1 << 30)
	counts := map[string]int{}
	for _, h := range hints {
		if sanitizeName(h.Value) == "" {
			continue
		}
		counts[h.Value]++
		if h.Rank < bestRank {
			bestRank = h.Rank
		}
	}
	var candidates []string
	for _, h := range hints {
		if h.Rank == bestRank && sanitizeName(h.Value) != "" && !slices.Contains(candidates, h.Value) {
			candidates = append(candidates, h.Value)
		}
	}
	slices.SortFunc(candidates, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	if len(candidates) > 0 {
		best = candidates[0]
	}
	return best
}

// otherNames returns the distinct best-ranked names other than chosen, for
// a comment on a tier that merges several services.
func otherNames(hints []NameHint, chosen string) []string {
	rank := NameRank(1 << 30)
	for _, h := range hints {
		if h.Value == chosen && h.Rank < rank {
			rank = h.Rank
		}
	}
	var out []string
	for _, h := range hints {
		if h.Rank == rank && h.Value != chosen && !slices.Contains(out, h.Value) {
			out = append(out, h.Value)
		}
	}
	slices.Sort(out)
	return out
}
