package importer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// SecretRefPrefix starts every value the importer writes in place of a
// custom header value. The scenario loader reads it as a plain string, and
// the same reference on the CloudFront origin and on the ALB rule keeps the
// check's result, because the model compares values only with each other.
const SecretRefPrefix = "imported-secret-ref:"

// secretTable maps header values to the references written in their place.
type secretTable struct {
	refs map[string]string
	// literals are the known values with their references, for matching
	// wildcard patterns and case-insensitive equality.
	literals []secretLiteral
}

type secretLiteral struct {
	text, ref string
}

// collectSecrets gives every CloudFront custom header value a reference
// named after the first distribution, origin and header that send it. All
// custom header values are treated as secret: the origin header is how a
// distribution proves itself to an ALB, and the importer cannot tell a
// secret value from a public one.
func (b *builder) collectSecrets() *secretTable {
	st := &secretTable{refs: map[string]string{}}
	var dists []*tierState
	for _, t := range b.tiers {
		if t.dist != nil {
			dists = append(dists, t)
		}
	}
	slices.SortFunc(dists, func(a, c *tierState) int { return strings.Compare(a.name, c.name) })
	for _, t := range dists {
		for _, o := range t.dist.Origins {
			for _, h := range o.Headers {
				id := h.Value.identity()
				if _, ok := st.refs[id]; ok {
					continue
				}
				ref := SecretRefPrefix + t.name + "/" + o.ID + "/" + h.Name
				st.refs[id] = ref
				if h.Value.Known() {
					st.literals = append(st.literals, secretLiteral{h.Value.Text, ref})
				}
			}
		}
	}
	return st
}

// headerValue returns the reference for a CloudFront custom header value.
func (st *secretTable) headerValue(v Value) string { return st.refs[v.identity()] }

// conditionValue returns what to write for one value of an ALB http-header
// condition: the reference of a CloudFront header value it equals or
// matches, a new reference for a value that looks secret, or the value.
func (st *secretTable) conditionValue(b *builder, t *tierState, l *Listener, r *ListenerRule, c *Condition, v Value) string {
	if ref, ok := st.refs[v.identity()]; ok {
		return ref
	}
	where := fmt.Sprintf("the http-header condition on %s of rule priority %d of listener %s", c.HeaderName, r.Priority, listenerName(t, l))
	if !v.Known() {
		ref := SecretRefPrefix + v.Symbol
		b.warn.Add(c.Loc, Unresolved, "%s compares with a value that is unknown in the input (%s) and that no CloudFront origin sends; it is written as %q", where, v.Symbol, ref)
		return ref
	}
	for _, lit := range st.literals {
		if strings.EqualFold(lit.text, v.Text) {
			return lit.ref
		}
	}
	if strings.ContainsAny(v.Text, "*?") && strings.Trim(v.Text, "*?") != "" {
		for _, lit := range st.literals {
			if globMatch(strings.ToLower(v.Text), strings.ToLower(lit.text)) {
				b.warn.Add(c.Loc, Mapped, "%s is a wildcard pattern that matches a CloudFront custom header value; it is written as that value's reference so that no part of the value appears", where)
				return lit.ref
			}
		}
	}
	if looksSecret(c.HeaderName) {
		ref := fmt.Sprintf("%s%s/%d/rule-%d/%s", SecretRefPrefix, t.name, l.Port, r.Priority, c.HeaderName)
		b.warn.Add(c.Loc, Mapped, "%s compares with a value that no imported CloudFront origin sends; the header's name suggests a secret, so the value is written as %q", where, ref)
		return ref
	}
	return v.Text
}

// looksSecret reports whether a header name suggests that its value is a
// shared secret.
func looksSecret(name string) bool {
	lower := strings.ToLower(name)
	for _, word := range []string{"secret", "verify", "token", "auth", "key", "signature", "password", "origin"} {
		if strings.Contains(lower, word) {
			return true
		}
	}
	return false
}

// globMatch matches s against an ALB pattern, where * matches any run of
// characters and ? one character.
func globMatch(pattern, s string) bool {
	p, i := []rune(pattern), []rune(s)
	star, mark := -1, 0
	pi, si := 0, 0
	for si < len(i) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == i[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// origins translates the origins of every distribution. A distribution left
// without origins is dropped.
func (b *builder) origins() {
	for _, t := range b.tiers {
		if t.dist == nil {
			continue
		}
		d := t.dist
		names := map[string]bool{}
		for _, o := range d.Origins {
			oo := b.originOut(d, o)
			if oo == nil {
				continue
			}
			if names[oo.Name] {
				b.warn.Add(o.Loc, NotUnderstood, "distribution %s has two origins named %q; the second is left out", d.Key, oo.Name)
				continue
			}
			names[oo.Name] = true
			t.origins = append(t.origins, oo)
		}
		if len(t.origins) == 0 {
			t.dropped = true
			b.warn.Add(d.Loc, LeftOut, "distribution %s has no origin the scenario can place in the VPC (see the warnings about its origins), so it is left out", d.Key)
			continue
		}
		t.waf = b.wafOut(d)
	}
}

func (b *builder) originOut(d *Distribution, o *Origin) *OriginOut {
	subject := fmt.Sprintf("origin %s of distribution %s", o.ID, d.Key)
	switch {
	case o.VPCOrigin:
		b.warn.Add(o.Loc, NotModeled, "%s is a CloudFront VPC origin, which the scenario format does not model; it is left out", subject)
		return nil
	case !o.Custom:
		b.warn.Add(o.Loc, NotModeled, "%s is an S3 origin, outside any VPC; it is left out", subject)
		return nil
	}

	var t *tierState
	switch {
	case o.LB != "":
		t = b.byLB[o.LB]
	case o.Workload != "":
		t = b.byWorkload[o.Workload]
	default:
		t = b.byPublic[dnsKey(o.DomainName)]
	}
	switch {
	case t == nil:
		b.warn.Add(o.Loc, Unresolved, "%s points at %s, which matches no imported load balancer or public interface (a custom domain needs its DNS record resolved by hand); it is left out", subject, cmpOr(o.DomainName, o.LB, o.Workload))
		return nil
	case t.dropped:
		b.warn.Add(o.Loc, LeftOut, "%s points at %s, which is left out of the scenario, so the origin is left out too", subject, t.name)
		return nil
	case !slices.Contains([]model.Kind{model.KindALB, model.KindNLB, model.KindEC2, model.KindECS, model.KindEKS}, t.kind):
		b.warn.Add(o.Loc, NotModeled, "%s points at tier %s of kind %s, which the scenario format does not take as an origin; it is left out", subject, t.name, t.kind)
		return nil
	}

	out := &OriginOut{Name: o.ID, Tier: t.name, ProtocolPolicy: o.ProtocolPolicy, HTTPPort: o.HTTPPort, HTTPSPort: o.HTTPSPort}
	if out.Name == "" {
		out.Name = t.name
	}
	switch out.ProtocolPolicy {
	case "http-only", "https-only", "match-viewer":
	default:
		b.warn.Add(o.Loc, Unresolved, "%s has the protocol policy %q; it is written as match-viewer, which uses both origin ports", subject, o.ProtocolPolicy)
		out.ProtocolPolicy = "match-viewer"
	}
	for _, p := range []*int{&out.HTTPPort, &out.HTTPSPort} {
		if *p != 0 && *p != 80 && *p != 443 && (*p < 1024 || *p > 65535) {
			b.warn.Add(o.Loc, NotUnderstood, "%s has the port %d, which CloudFront does not connect to; the default port is written", subject, *p)
			*p = 0
		}
	}

	seen := map[string]bool{}
	for _, h := range o.Headers {
		key := strings.ToLower(h.Name)
		switch {
		case !validHeaderName(h.Name):
			b.warn.Add(h.Loc, NotUnderstood, "%s has a custom header with the name %q, which is not an HTTP header name; it is left out", subject, h.Name)
			continue
		case seen[key]:
			continue
		}
		seen[key] = true
		out.Headers = append(out.Headers, &HeaderOut{Name: h.Name, Value: b.secrets.headerValue(h.Value), Secret: true})
	}
	if len(out.Headers) > 0 {
		out.Comment = append(out.Comment, "Header values are references, not the values: the real ones stay in AWS.")
	}
	return out
}

// wafOut writes the web ACL of a distribution.
func (b *builder) wafOut(d *Distribution) *WAFOut {
	if d.WebACL == "" {
		return nil
	}
	acl := b.acls[d.WebACL]
	if acl == nil {
		name := wafName(webACLNameFromID(d.WebACL))
		b.warn.Add(d.Loc, Unresolved, "distribution %s uses web ACL %s, whose rules are not in the input (aws wafv2 get-web-acl); it is written as allowing by default with no rules", d.Key, d.WebACL)
		return &WAFOut{Name: name, DefaultAction: "allow", Comment: []string{"web ACL " + d.WebACL + ": rules not in the input"}}
	}

	out := &WAFOut{Name: wafName(cmpOr(acl.Name, webACLNameFromID(acl.Key))), DefaultAction: acl.DefaultAction, ManagedGroups: acl.ManagedGroups, Rules: acl.Rules}
	out.Comment = []string{source(acl.Key, acl.Loc)}
	if out.DefaultAction != "block" {
		out.DefaultAction = "allow"
	}
	if len(acl.Unsupported) > 0 {
		b.warn.Add(acl.Loc, NotModeled, "web ACL %s has rules the scenario format cannot express, left out: %s", out.Name, strings.Join(acl.Unsupported, "; "))
		if out.DefaultAction == "block" {
			out.DefaultAction = "allow"
			out.Comment = append(out.Comment, "AWS default action: block. Written as allow because the rules that allow traffic could not be imported.")
			b.warn.Add(acl.Loc, Mapped, "web ACL %s blocks by default, and some of its rules could not be imported; it is written as allowing by default so that the traffic those rules allow still passes", out.Name)
		}
	}
	return out
}

// webACLNameFromID returns the name in a WAFv2 web ACL ARN
// (arn:aws:wafv2:REGION:ACCOUNT:global/webacl/NAME/ID), or id itself.
func webACLNameFromID(id string) string {
	if i := strings.Index(id, "/webacl/"); i >= 0 {
		rest := id[i+len("/webacl/"):]
		if j := strings.Index(rest, "/"); j >= 0 {
			return rest[:j]
		}
		return rest
	}
	return id
}

// wafName makes a valid web ACL name: 1 to 128 letters, digits, "_" and
// "-".
func wafName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	name := b.String()
	if len(name) > 128 {
		name = name[:128]
	}
	if name == "" {
		name = "web-acl"
	}
	return name
}
