package model

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// suggest returns the candidate closest to got within edit distance 2,
// ignoring case, or "" when none is that close. A candidate must share at
// least one character position with got, so "x" suggests nothing. A
// candidate that starts with got, such as internet-facing for internet, wins
// over the edit distance limit when got has at least 3 characters, and the
// closest such candidate is returned.
func suggest(got string, candidates []string) string {
	lower := strings.ToLower(got)
	best, bestDist := "", -1
	if len(lower) >= 3 {
		for _, c := range candidates {
			lc := strings.ToLower(c)
			if lc == lower || !strings.HasPrefix(lc, lower) {
				continue
			}
			if dist := editDistance(lower, lc); bestDist < 0 || dist < bestDist {
				best, bestDist = c, dist
			}
		}
	}
	if best != "" {
		return best
	}
	bestDist = 3
	for _, c := range candidates {
		dist := editDistance(lower, strings.ToLower(c))
		if dist < bestDist && dist < len([]rune(got)) {
			best, bestDist = c, dist
		}
	}
	return best
}

// editDistance returns the Levenshtein distance between a and b, counted in
// runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// parseInt parses a YAML integer: decimal, or hexadecimal, octal or binary
// with a 0x, 0o or 0b prefix, with optional underscores. A decimal with a
// leading zero is rejected, because YAML 1.1 reads it as octal and YAML 1.2
// as decimal. On failure it returns a sentence that says why.
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
