package sim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// globMatch reports whether s matches pattern, where * matches any run of
// characters (including none) and ? matches exactly one. Both arguments are
// compared byte by byte, so callers fold case first.
func globMatch(pattern, s string) bool {
	// Iterative matching with backtracking to the most recent star: on a
	// mismatch, the star absorbs one more character of s.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// maxHeaderStates bounds the product automaton that headerWitnesses builds.
const maxHeaderStates = 20000

// globToken is one element of a pattern: a literal byte, ? or *.
type globToken struct {
	kind byte // 'c' literal, '?' one byte, '*' any run
	c    byte
}

func globTokens(pattern string, literal bool) []globToken {
	out := make([]globToken, len(pattern))
	for i := range len(pattern) {
		switch c := pattern[i]; {
		case !literal && (c == '*' || c == '?'):
			out[i] = globToken{kind: c}
		default:
			out[i] = globToken{kind: 'c', c: c}
		}
	}
	return out
}

// closure adds to set every position reachable through stars matching
// nothing.
func closure(toks []globToken, set []bool) {
	for i := 0; i < len(toks); i++ {
		if set[i] && toks[i].kind == '*' {
			set[i+1] = true
		}
	}
}

func step(toks []globToken, set []bool, c byte) []bool {
	next := make([]bool, len(toks)+1)
	for i, in := range set[:len(toks)] {
		if !in {
			continue
		}
		switch t := toks[i]; t.kind {
		case '*':
			next[i] = true
		case '?':
			next[i+1] = true
		default:
			if t.c == c {
				next[i+1] = true
			}
		}
	}
	closure(toks, next)
	return next
}

// headerWitnesses returns one header value for each combination of the
// patterns a value can match, leaving out combinations that only a value
// containing a forbidden string can produce. Patterns and forbidden values
// are lower case; forbidden values are literal strings.
//
// It explores the product of the patterns' automata breadth first over an
// alphabet of the bytes the patterns use plus one byte they do not, so every
// combination that some string reaches is found, with a shortest witness.
// It returns an error when the product grows past maxHeaderStates.
func headerWitnesses(patterns, forbidden []string) ([]string, error) {
	var autos [][]globToken
	for _, p := range patterns {
		autos = append(autos, globTokens(p, false))
	}
	for _, f := range forbidden {
		// A value that contains a secret is as hard to send as the secret:
		// the sender would have to know it.
		toks := append([]globToken{{kind: '*'}}, globTokens(f, true)...)
		autos = append(autos, append(toks, globToken{kind: '*'}))
	}

	used := map[byte]bool{}
	for _, a := range autos {
		for _, t := range a {
			if t.kind == 'c' {
				used[t.c] = true
			}
		}
	}
	var alphabet []byte
	for c := range used {
		alphabet = append(alphabet, c)
	}
	for _, c := range []byte("x0z9q-_") {
		if !used[c] {
			alphabet = append(alphabet, c)
			break
		}
	}
	slices.Sort(alphabet)

	type state struct {
		sets    [][]bool
		witness string
	}
	keyOf := func(sets [][]bool) string {
		var b strings.Builder
		for _, s := range sets {
			for _, in := range s {
				if in {
					b.WriteByte('1')
				} else {
					b.WriteByte('0')
				}
			}
			b.WriteByte('|')
		}
		return b.String()
	}

	start := make([][]bool, len(autos))
	for i, a := range autos {
		start[i] = make([]bool, len(a)+1)
		start[i][0] = true
		closure(a, start[i])
	}
	seen := map[string]bool{keyOf(start): true}
	queue := []state{{sets: start}}
	byVector := map[string]string{}
	var emptyVector string
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]

		vector, allowed := "", true
		for i, a := range autos {
			accept := st.sets[i][len(a)]
			if i >= len(patterns) && accept {
				allowed = false
			}
			if i < len(patterns) {
				vector += map[bool]string{true: "1", false: "0"}[accept]
			}
		}
		if allowed {
			if st.witness == "" {
				emptyVector = vector
			} else if _, ok := byVector[vector]; !ok {
				byVector[vector] = st.witness
			}
		}

		// A value that contains a forbidden string keeps containing it
		// however it goes on, so nothing reached from here is allowed.
		if !allowed {
			continue
		}
		for _, c := range alphabet {
			next := make([][]bool, len(autos))
			for i, a := range autos {
				next[i] = step(a, st.sets[i], c)
			}
			k := keyOf(next)
			if seen[k] {
				continue
			}
			if len(seen) >= maxHeaderStates {
				return nil, fmt.Errorf("header patterns %q are too complex to enumerate exactly (more than %d automaton states)", patterns, maxHeaderStates)
			}
			seen[k] = true
			queue = append(queue, state{sets: next, witness: st.witness + string(c)})
		}
	}
	if _, ok := byVector[emptyVector]; !ok && len(seen) > 0 {
		// Only the empty value reaches this combination.
		byVector[emptyVector] = ""
	}

	out := make([]string, 0, len(byVector))
	for _, w := range byVector {
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b)) })
	return out, nil
}
