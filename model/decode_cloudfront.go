package model

import (
	"slices"
	"strings"
)

var (
	wafKeys          = []string{"name", "default_action", "managed_rule_groups", "rules"}
	wafRuleKeys      = []string{"name", "priority", "action", "source_cidrs", "header"}
	wafMatchKeys     = []string{"source_cidrs", "header"}
	originKeys       = []string{"name", "tier", "protocol_policy", "http_port", "https_port", "custom_headers"}
	customHeaderKeys = []string{"name", "value", "secret"}

	protocolPolicies = []string{"http-only", "https-only", "match-viewer"}
)

// Default origin ports of a CloudFront distribution.
const (
	defaultHTTPPort  = 80
	defaultHTTPSPort = 443
	// minHighOriginPort is the lowest origin port CloudFront accepts other
	// than 80 and 443.
	minHighOriginPort = 1024
	// maxWebACLName is the longest web ACL name AWS WAF accepts.
	maxWebACLName = 128
)

func (d *decoder) decodeCloudFront(t *Tier, o *object) {
	cf := &CloudFront{}
	t.CloudFront = cf
	if v, ok := o.get("waf"); ok {
		cf.WAF = d.decodeWAF(v)
	}

	v, ok := d.require(o, "origins", "origins: [{name: api, tier: alb, protocol_policy: https-only}]")
	if !ok {
		return
	}
	items, ok := d.list(v, "a list of origins")
	if !ok {
		return
	}
	if len(items) == 0 {
		d.errorf(v.at, v.path, "Invalid value", "The list of origins is empty. A distribution needs at least one origin to send requests to.")
		return
	}
	names := map[string]value{}
	for _, item := range items {
		origin, nv := d.decodeOrigin(item)
		if origin == nil {
			continue
		}
		if origin.Name != "" {
			if first, dup := names[origin.Name]; dup {
				d.errorf(nv.at, nv.path, "Duplicate name", "Origin %q is already defined on line %d. Origin names must be unique within a distribution.", origin.Name, first.at.Line)
			} else {
				names[origin.Name] = nv
			}
		}
		cf.Origins = append(cf.Origins, origin)
	}
}

// decodeWAF decodes the web ACL of a distribution.
func (d *decoder) decodeWAF(v value) *WAF {
	w := &WAF{Pos: d.pos(v.at)}
	o := d.object(v, "a web ACL", wafKeys, nil)
	if !o.ok {
		return w
	}

	if nv, ok := d.require(o, "name", "name: edge-acl"); ok {
		if name, ok := d.str(nv, "the web ACL name as a string"); ok {
			if !validWebACLName(name) {
				d.errorf(nv.at, nv.path, "Invalid value", "%q is not a valid web ACL name. AWS WAF names are 1 to %d letters, digits, \"_\" and \"-\".", name, maxWebACLName)
			}
			w.Name = name
		}
	}
	if av, ok := d.require(o, "default_action", "default_action: allow"); ok {
		w.DefaultAction, _ = d.enum(av, "Invalid value", "default action", []string{"allow", "block"}, false)
	}
	if gv, ok := o.get("managed_rule_groups"); ok {
		if items, ok := d.list(gv, "a list of managed rule group names"); ok {
			for _, item := range items {
				if s, ok := d.str(item, "a rule group name such as AWSManagedRulesCommonRuleSet"); ok {
					w.ManagedRuleGroups = append(w.ManagedRuleGroups, s)
				}
			}
		}
	}

	rv, ok := o.get("rules")
	if !ok {
		return w
	}
	items, ok := d.list(rv, "a list of web ACL rules")
	if !ok {
		return w
	}
	names, priorities := map[string]value{}, map[int]value{}
	for _, item := range items {
		r, nv, pv := d.decodeWAFRule(item)
		if r == nil {
			continue
		}
		if r.Name != "" {
			if first, dup := names[r.Name]; dup {
				d.errorf(nv.at, nv.path, "Duplicate name", "Rule %q is already defined on line %d. Rule names must be unique within a web ACL.", r.Name, first.at.Line)
			} else {
				names[r.Name] = nv
			}
		}
		if pv.node != nil && r.Priority >= 0 {
			if first, dup := priorities[r.Priority]; dup {
				d.errorf(pv.at, pv.path, "Duplicate value", "Priority %d is already used by the rule on line %d. Each rule of a web ACL needs its own priority.", r.Priority, first.at.Line)
			} else {
				priorities[r.Priority] = pv
			}
		}
		w.Rules = append(w.Rules, r)
	}
	slices.SortStableFunc(w.Rules, func(a, b *WAFRule) int { return a.Priority - b.Priority })
	return w
}

func validWebACLName(s string) bool {
	if s == "" || len(s) > maxWebACLName {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) < 0
}

// decodeWAFRule decodes a web ACL rule and returns it with its name and
// priority values. The priority is -1 when it did not decode.
func (d *decoder) decodeWAFRule(v value) (*WAFRule, value, value) {
	r := &WAFRule{Priority: -1, Path: v.path, Pos: d.pos(v.at)}
	o := d.object(v, "a web ACL rule", wafRuleKeys, nil)
	if !o.ok {
		return nil, value{}, value{}
	}

	nv, ok := d.require(o, "name", "name: block-listed")
	if ok {
		r.Name, _ = d.str(nv, "the rule name as a string")
	}
	pv, ok := d.require(o, "priority", "priority: 1")
	if ok {
		if p, ok := d.intRange(pv, "Invalid value", "a priority of 0 or more", 0, 1<<31-1); ok {
			r.Priority = p
		}
	}
	if av, ok := d.require(o, "action", "action: block"); ok {
		r.Action, _ = d.enum(av, "Invalid value", "rule action", []string{"allow", "block", "count"}, false)
	}

	f, ok := d.oneOf(o, wafMatchKeys, "source_cidrs: [198.51.100.0/24]")
	if ok && f.name == "source_cidrs" {
		cidrs, vals, ok := d.prefixes(f.value, 0, "a list of CIDR blocks")
		if ok && len(f.value.node.Content) == 0 {
			d.errorf(f.value.at, f.value.path, "Invalid value", "The list of source CIDR blocks is empty. List at least one block to match.")
		}
		// The rule stands for an AWS WAF IP set, whose IPAddressVersion is
		// IPV4 or IPV6.
		for i, c := range cidrs {
			if first := familyOf(cidrs[0].Addr()); familyOf(c.Addr()) != first {
				d.errorf(vals[i].at, vals[i].path, "Invalid CIDR", "%s is an %s block, but the rule's first block %s is %s. An AWS WAF IP set holds addresses of one IP version, so put the %s blocks in a rule of their own.",
					c, familyName(familyOf(c.Addr())), cidrs[0], familyName(first), familyName(familyOf(c.Addr())))
			}
		}
		r.SourceCIDRs = cidrs
	}
	if ok && f.name == "header" {
		r.Header = d.decodeHeaderMatch(f.value, "a header match", 0)
	}
	return r, nv, pv
}

// decodeOrigin decodes an origin of a distribution and returns it with its
// name value.
func (d *decoder) decodeOrigin(v value) (*Origin, value) {
	origin := &Origin{HTTPPort: defaultHTTPPort, HTTPSPort: defaultHTTPSPort, Path: v.path, Pos: d.pos(v.at)}
	o := d.object(v, "an origin", originKeys, nil)
	if !o.ok {
		return nil, value{}
	}

	nv, ok := d.require(o, "name", "name: api")
	if ok {
		origin.Name, _ = d.str(nv, "the origin name as a string")
	}
	if tv, ok := d.require(o, "tier", "tier: alb"); ok {
		origin.Tier, _ = d.lookupTierOf(tv, "an origin", KindALB, KindNLB, KindEC2, KindECS, KindEKS)
	}
	if pv, ok := d.require(o, "protocol_policy", "protocol_policy: https-only"); ok {
		origin.ProtocolPolicy, _ = d.enum(pv, "Invalid value", "origin protocol policy", protocolPolicies, false)
	}
	if pv, ok := o.get("http_port"); ok {
		origin.HTTPPort, _ = d.originPort(pv)
	}
	if pv, ok := o.get("https_port"); ok {
		origin.HTTPSPort, _ = d.originPort(pv)
	}

	hv, ok := o.get("custom_headers")
	if !ok {
		return origin, nv
	}
	items, ok := d.list(hv, "a list of custom headers")
	if !ok {
		return origin, nv
	}
	names := map[string]value{}
	for _, item := range items {
		h, hn := d.decodeCustomHeader(item)
		if h == nil {
			continue
		}
		if h.Name != "" {
			key := strings.ToLower(h.Name)
			if first, dup := names[key]; dup {
				d.errorf(hn.at, hn.path, "Duplicate name", "Header %s is already set on line %d. An origin sends each custom header once.", h.Name, first.at.Line)
			} else {
				names[key] = hn
			}
		}
		origin.CustomHeaders = append(origin.CustomHeaders, h)
	}
	return origin, nv
}

// originPort decodes an origin port, which CloudFront accepts as 80, 443 or
// 1024-65535.
func (d *decoder) originPort(v value) (int, bool) {
	p, ok := d.intRange(v, "Invalid port", "a port from 1 to 65535", 1, maxPort)
	if !ok {
		return 0, false
	}
	if p != 80 && p != 443 && p < minHighOriginPort {
		d.errorf(v.at, v.path, "Invalid port", "CloudFront connects to origins only on port 80, 443 or 1024-65535, and %d is none of them.", p)
		return 0, false
	}
	return p, true
}

// decodeCustomHeader decodes an origin custom header and returns it with its
// name value.
func (d *decoder) decodeCustomHeader(v value) (*CustomHeader, value) {
	h := &CustomHeader{Pos: d.pos(v.at)}
	o := d.object(v, "a custom header", customHeaderKeys, nil)
	if !o.ok {
		return nil, value{}
	}
	nv, ok := d.require(o, "name", "name: X-Origin-Verify")
	if ok {
		h.Name, _ = d.headerName(nv)
	}
	if vv, ok := d.require(o, "value", `value: "s3cret"`); ok {
		h.Value, _ = d.str(vv, "the header value as a string")
	}
	if sv, ok := o.get("secret"); ok {
		h.Secret, _ = d.boolean(sv)
	}
	return h, nv
}
