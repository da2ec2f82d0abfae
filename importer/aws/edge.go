package aws

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/sgchain/sgchain/importer"
)

// readDistributions reads CloudFront distributions from list-distributions,
// get-distribution and get-distribution-config output. A distribution in
// several files is read once.
func (r *reader) readDistributions() {
	seen := map[string]bool{}
	for _, d := range r.distributions {
		cfg := d.config
		key := d.id
		if key == "" {
			key = cmpOr(cfg.Get("CallerReference").Str(), d.base)
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		if enabled, ok := cfg.Get("Enabled").Bool(); ok && !enabled {
			r.inv.Warnings.Add(cfg.Loc(), importer.LeftOut, "distribution %s is disabled, so it serves no request; it is left out", key)
			continue
		}
		dist := &importer.Distribution{Key: key, WebACL: cfg.Get("WebACLId").Str(), Loc: cfg.Loc()}
		if c := cfg.Get("Comment").Str(); c != "" {
			dist.Names = append(dist.Names, importer.NameHint{Rank: importer.RankService, Value: c})
		}
		for _, a := range cfg.Path("Aliases", "Items").Strs() {
			dist.Names = append(dist.Names, importer.NameHint{Rank: importer.RankOwnName, Value: a})
		}
		if d.id != "" {
			dist.Names = append(dist.Names, importer.NameHint{Rank: importer.RankID, Value: d.id})
		}
		for _, o := range cfg.Path("Origins", "Items").List() {
			dist.Origins = append(dist.Origins, origin(o))
		}
		r.inv.Distributions = append(r.inv.Distributions, dist)
	}
}

func origin(o importer.JSON) *importer.Origin {
	out := &importer.Origin{ID: o.Get("Id").Str(), DomainName: o.Get("DomainName").Str(), Loc: o.Loc()}
	custom := o.Get("CustomOriginConfig")
	switch {
	case o.Get("VpcOriginConfig").Exists():
		out.VPCOrigin = true
	case custom.Exists():
		out.Custom = true
		out.ProtocolPolicy = custom.Get("OriginProtocolPolicy").Str()
		out.HTTPPort, _ = custom.Get("HTTPPort").Int()
		out.HTTPSPort, _ = custom.Get("HTTPSPort").Int()
	}
	for _, h := range o.Path("CustomHeaders", "Items").List() {
		out.Headers = append(out.Headers, &importer.Header{
			Name:  h.Get("HeaderName").Str(),
			Value: importer.Value{Text: h.Get("HeaderValue").Str()},
			Loc:   h.Loc(),
		})
	}
	return out
}

// readWebACLs reads aws wafv2 get-web-acl output.
func (r *reader) readWebACLs() {
	for _, v := range r.webACLs {
		acl := &importer.WebACL{Key: v.Get("ARN").Str(), Name: v.Get("Name").Str(), Loc: v.Loc()}
		acl.IDs = []string{v.Get("Id").Str()}
		if acl.Key == "" {
			acl.Key = v.Get("Id").Str()
		}
		acl.DefaultAction = "allow"
		if v.Path("DefaultAction", "Block").Exists() {
			acl.DefaultAction = "block"
		}
		for _, rule := range v.Get("Rules").List() {
			readWAFRule(acl, rule)
		}
		r.inv.WebACLs = append(r.inv.WebACLs, acl)
	}
}

// readWAFRule adds a rule to acl: a managed rule group by name, an exact
// match on one header as a header rule, and anything else to Unsupported.
func readWAFRule(acl *importer.WebACL, rule importer.JSON) {
	name := rule.Get("Name").Str()
	priority, _ := rule.Get("Priority").Int()
	stmt := rule.Get("Statement")
	if m := stmt.Get("ManagedRuleGroupStatement"); m.Exists() {
		acl.ManagedGroups = append(acl.ManagedGroups, m.Get("Name").Str())
		return
	}
	action := ""
	for _, a := range []string{"Allow", "Block", "Count"} {
		if rule.Path("Action", a).Exists() {
			action = strings.ToLower(a)
		}
	}
	if bm := stmt.Get("ByteMatchStatement"); bm.Exists() && action != "" && bm.Get("PositionalConstraint").Str() == "EXACTLY" && onlyNoneTransformations(bm) {
		header := bm.Path("FieldToMatch", "SingleHeader", "Name").Str()
		value, err := base64.StdEncoding.DecodeString(bm.Get("SearchString").Str())
		if header != "" && err == nil {
			acl.Rules = append(acl.Rules, &importer.WAFRule{Name: name, Priority: priority, Action: action, HeaderName: header, HeaderValues: []string{string(value)}})
			return
		}
	}
	kinds := stmt.Keys()
	acl.Unsupported = append(acl.Unsupported, fmt.Sprintf("%s (priority %d, %s)", name, priority, strings.Join(kinds, ", ")))
}

// onlyNoneTransformations reports whether a byte match compares the raw
// value, so that a literal header match expresses it.
func onlyNoneTransformations(bm importer.JSON) bool {
	for _, t := range bm.Get("TextTransformations").List() {
		if t.Get("Type").Str() != "NONE" {
			return false
		}
	}
	return true
}

func cmpOr(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
