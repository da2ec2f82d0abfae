package model

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// suggest returns the candidate closest to got within edit distance 2,
// ignoring case, or "" when none is that close. A candidate must share at
// least one character position with got, so "x" suggests nothing. A
// candidate that starts with got, such as internet-facing for internet, wins
// over the edit distance limit when got has at least 3 characters, and the
// closest such candidate is returned. Only the first maxSuggestCandidates
// candidates are compared.
func suggest(got string, candidates []string) string {
	if len(got) > maxSuggestLen {
		return ""
	}
	candidates = candidates[:min(len(candidates), maxSuggestCandidates)]
	lower := strings.ToLower(got)
	best, bestDist := "", -1
	if len(lower) >= 3 {
		for _, c := range candidates {
			lc := strings.ToLower(c)
			if lc == lower || !strings.HasPrefix(lc, lower) {
				continue
			}
			if dist := editDistance(lower, lc, len(lc)); bestDist < 0 || dist < bestDist {
				best, bestDist = c, dist
			}
		}
	}
	if best != "" {
		return best
	}

	const limit = 2
	bestDist = limit + 1
	for _, c := range candidates {
		if diff := len(c) - len(got); diff > limit*utf8.UTFMax || diff < -limit*utf8.UTFMax {
			// The distance in runes exceeds the limit when the byte lengths
			// differ by this much.
			continue
		}
		dist := editDistance(lower, strings.ToLower(c), limit)
		if dist < bestDist && dist < utf8.RuneCountInString(got) {
			best, bestDist = c, dist
		}
	}
	return best
}

// Bounds on the work suggest does, because the edit distance takes time
// proportional to the product of the lengths, for every candidate.
const (
	maxSuggestLen        = 256
	maxSuggestCandidates = 1000
)

// editDistance returns the Levenshtein distance between a and b, counted in
// runes, or limit+1 as soon as the distance is known to exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit+1)
}

// parseInt parses a YAML integer: decimal, or hexadecimal, octal or binary
// with a 0x, 0o or 0b prefix, with optional underscores. A decimal with a
// leading zero is rejected, because YAML 1.1 reads it as octal and YAML 1.2
// as decimal. On failure it returns a sentence that describes the problem.
func parseInt(s string) (int, string) {
	digits := strings.TrimLeft(s, "+-")
	if len(digits) > 1 && digits[0] == '0' && isDigits(digits[1:]) {
		return 0, fmt.Sprintf("%s has a leading zero, which YAML readers disagree on.", s)
	}
	i, err := strconv.ParseInt(s, 0, 64)
	if err != nil || int64(int(i)) != i {
		if err == nil || errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Sprintf("%s is out of range.", s)
		}
		return 0, fmt.Sprintf("%s is not an integer.", s)
	}
	return int(i), ""
}

// isDigits reports whether s is a non-empty run of ASCII digits and
// underscores.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}
