package cloudformation

import (
	"fmt"
	"strings"

	"github.com/sgchain/sgchain/importer"
)

// distribution reads an AWS::CloudFront::Distribution. An origin whose
// DomainName is !GetAtt LB.DNSName names that load balancer.
func (r *reader) distribution(res *resource) {
	cfg := res.props.get("DistributionConfig")
	if enabled, ok := r.boolean(cfg.get("Enabled")); ok && !enabled {
		r.inv.Warnings.Add(res.loc, importer.LeftOut, "%s is disabled, so it serves no request; it is left out", res.id)
		return
	}
	d := &importer.Distribution{Key: res.id, WebACL: r.key(cfg.get("WebACLId")), Loc: res.loc}
	d.Names = r.tagHints(res)
	if c := r.text(cfg.get("Comment")); c != "" {
		d.Names = append(d.Names, importer.NameHint{Rank: importer.RankService, Value: c})
	}
	d.Names = append(d.Names, logicalID(res))
	for _, o := range cfg.get("Origins").elements() {
		d.Origins = append(d.Origins, r.origin(res, o))
	}
	r.inv.Distributions = append(r.inv.Distributions, d)
}

func (r *reader) origin(res *resource, o *node) *importer.Origin {
	out := &importer.Origin{ID: r.text(o.get("Id")), Loc: res.locOf(o)}
	domain := r.eval(o.get("DomainName"))
	switch typ := r.typeOf(domain.res); {
	case typ == "AWS::ElasticLoadBalancingV2::LoadBalancer":
		out.LB = domain.res
	case typ == "AWS::EC2::Instance":
		out.Workload = domain.res
	case domain.known:
		out.DomainName = domain.str
	default:
		out.DomainName = domain.text()
	}
	custom := o.get("CustomOriginConfig")
	switch {
	case o.get("VpcOriginConfig") != nil:
		out.VPCOrigin = true
	case custom != nil:
		out.Custom = true
		out.ProtocolPolicy = r.text(custom.get("OriginProtocolPolicy"))
		out.HTTPPort, _ = r.integer(custom.get("HTTPPort"))
		out.HTTPSPort, _ = r.integer(custom.get("HTTPSPort"))
	}
	for _, h := range o.get("OriginCustomHeaders").elements() {
		out.Headers = append(out.Headers, &importer.Header{Name: r.text(h.get("HeaderName")), Value: r.secretValue(h.get("HeaderValue")), Loc: res.locOf(h)})
	}
	return out
}

// webACL reads an AWS::WAFv2::WebACL: its default action, its managed rule
// groups, and rules that match one header exactly.
func (r *reader) webACL(res *resource) {
	acl := &importer.WebACL{Key: res.id, Name: r.text(res.props.get("Name")), Loc: res.loc, DefaultAction: "allow"}
	if res.props.path("DefaultAction", "Block") != nil {
		acl.DefaultAction = "block"
	}
	for _, rule := range res.props.get("Rules").elements() {
		name := r.text(rule.get("Name"))
		priority, _ := r.integer(rule.get("Priority"))
		stmt := rule.get("Statement")
		if m := stmt.get("ManagedRuleGroupStatement"); m != nil {
			acl.ManagedGroups = append(acl.ManagedGroups, r.text(m.get("Name")))
			continue
		}
		action := ""
		for _, a := range []string{"Allow", "Block", "Count"} {
			if rule.path("Action", a) != nil {
				action = strings.ToLower(a)
			}
		}
		bm := stmt.get("ByteMatchStatement")
		header := r.text(bm.path("FieldToMatch", "SingleHeader", "Name"))
		if bm != nil && header != "" && action != "" && r.text(bm.get("PositionalConstraint")) == "EXACTLY" {
			acl.Rules = append(acl.Rules, &importer.WAFRule{Name: name, Priority: priority, Action: action, HeaderName: header,
				HeaderValues: []string{r.text(bm.get("SearchString"))}})
			continue
		}
		var kinds []string
		if stmt != nil {
			kinds = stmt.keys
		}
		acl.Unsupported = append(acl.Unsupported, fmt.Sprintf("%s (priority %d, %s)", name, priority, strings.Join(kinds, ", ")))
	}
	r.inv.WebACLs = append(r.inv.WebACLs, acl)
}
