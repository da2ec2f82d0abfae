package model

import (
	"net/netip"
	"regexp"
	"strings"
)

// managedList describes an AWS-managed prefix list. AWS publishes its name,
// family and weight, but the entries change over time, so the model uses a
// stand-in block from the documentation ranges (RFC 5737, RFC 3849) unless
// the scenario pastes the real entries.
type managedList struct {
	// name is the list's AWS name, with REGION where a Region name goes.
	name   string
	family Family
	// weight is the number of rules that one rule referencing the list
	// counts as against the rules-per-security-group quota.
	weight  int
	standIn netip.Prefix
	// sharedPool reports whether every customer of the AWS service sends
	// from the list's addresses.
	sharedPool bool
	pattern    *regexp.Regexp
}

// regionPattern matches an AWS Region name such as us-east-1 or
// us-gov-west-1.
const regionPattern = `[a-z]{2}(-[a-z]+)+-[0-9]`

var managedLists = []*managedList{
	managed("com.amazonaws.global.cloudfront.origin-facing", IPv4, 55, "192.0.2.0/26", true),
	managed("com.amazonaws.global.ipv6.cloudfront.origin-facing", IPv6, 55, "2001:db8:c0::/48", true),
	managed("com.amazonaws.REGION.s3", IPv4, 1, "192.0.2.64/28", false),
	managed("com.amazonaws.REGION.dynamodb", IPv4, 1, "192.0.2.80/28", false),
	managed("com.amazonaws.global.route53-healthchecks", IPv4, 25, "192.0.2.96/28", true),
	managed("com.amazonaws.REGION.vpc-lattice", IPv4, 10, "192.0.2.112/28", false),
	managed("com.amazonaws.REGION.ipv6.vpc-lattice", IPv6, 10, "2001:db8:1a77::/48", false),
	managed("com.amazonaws.global.groundstation", IPv4, 5, "192.0.2.128/28", false),
}

func managed(name string, family Family, weight int, standIn string, sharedPool bool) *managedList {
	quoted := strings.ReplaceAll(regexp.QuoteMeta(name), "REGION", regionPattern)
	return &managedList{
		name:       name,
		family:     family,
		weight:     weight,
		standIn:    netip.MustParsePrefix(standIn),
		sharedPool: sharedPool,
		pattern:    regexp.MustCompile("^" + quoted + "$"),
	}
}

// lookupManaged returns the AWS-managed list named name, with any Region
// name in place of REGION.
func lookupManaged(name string) (*managedList, bool) {
	for _, m := range managedLists {
		if m.pattern.MatchString(name) {
			return m, true
		}
	}
	return nil, false
}

// managedNames returns the names of the known AWS-managed lists.
func managedNames() []string {
	names := make([]string, len(managedLists))
	for i, m := range managedLists {
		names[i] = m.name
	}
	return names
}
