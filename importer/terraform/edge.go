package terraform

import (
	"fmt"
	"strings"

	"github.com/sgchain/sgchain/importer"
)

// distribution reads a CloudFront distribution. An origin's domain_name that
// is unknown until apply, such as aws_lb.public.dns_name, names the origin's
// load balancer through its reference.
func (p *plan) distribution(r *resource) {
	if enabled, ok := p.boolean(r, "enabled"); ok && !enabled {
		p.inv.Warnings.Add(r.loc(), importer.LeftOut, "%s is disabled, so it serves no request; it is left out", r.addr)
		return
	}
	d := &importer.Distribution{Key: r.addr, WebACL: p.key(r, "web_acl_id"), Loc: r.loc()}
	d.Names = p.tagHints(r)
	if c := p.str(r, "comment"); c != "" {
		d.Names = append(d.Names, importer.NameHint{Rank: importer.RankService, Value: c})
	}
	d.Names = append(d.Names, logicalName(r))

	values := r.values.Get("origin").List()
	configs := r.expr("origin").List()
	n := max(len(values), len(configs))
	for i := range n {
		d.Origins = append(d.Origins, p.origin(r, i, len(values) > 0))
	}
	p.inv.Distributions = append(p.inv.Distributions, d)
}

// origin reads origin block i. The planned origin set may list blocks in
// another order than the configuration, so the configuration block is found
// by origin_id.
func (p *plan) origin(r *resource, i int, planned bool) *importer.Origin {
	id := p.str(r, "origin", i, "origin_id")
	cfg := i
	if planned {
		for j, c := range r.expr("origin").List() {
			if c.Path("origin_id", "constant_value").Str() == id {
				cfg = j
			}
		}
	}
	o := &importer.Origin{ID: id, Loc: r.locAt(fmt.Sprintf("origin[%d]", i))}

	if domain, ok := r.known("origin", i, "domain_name"); ok {
		o.DomainName = domain.Str()
	} else {
		targets, unresolved := p.resolveAttr(r, "origin", cfg, "domain_name")
		for _, t := range targets {
			switch {
			case t.res != nil && (t.res.typ == "aws_lb" || t.res.typ == "aws_alb"):
				o.LB = t.res.addr
			case t.res != nil && t.res.typ == "aws_instance":
				o.Workload = t.res.addr
			case t.res == nil:
				o.DomainName = t.constant.Str()
			}
		}
		if o.LB == "" && o.Workload == "" && o.DomainName == "" {
			p.warnUnresolved(r, []any{"origin", i, "domain_name"}, unresolved)
		}
	}

	switch {
	case len(at(r.values, "origin", i, "vpc_origin_config").List()) > 0 || len(at(r.config, "origin", cfg, "vpc_origin_config").List()) > 0:
		o.VPCOrigin = true
	case len(at(r.values, "origin", i, "custom_origin_config").List()) > 0 || !planned && len(at(r.config, "origin", cfg, "custom_origin_config").List()) > 0:
		o.Custom = true
		src := i
		if !planned {
			src = cfg
		}
		o.ProtocolPolicy = p.str(r, "origin", src, "custom_origin_config", 0, "origin_protocol_policy")
		o.HTTPPort, _ = p.integer(r, "origin", src, "custom_origin_config", 0, "http_port")
		o.HTTPSPort, _ = p.integer(r, "origin", src, "custom_origin_config", 0, "https_port")
	}

	headers := at(r.values, "origin", i, "custom_header").List()
	for j, h := range headers {
		header := &importer.Header{Name: h.Get("name").Str(), Loc: r.locAt(fmt.Sprintf("origin[%d].custom_header[%d]", i, j))}
		if v := h.Get("value"); v.Exists() {
			header.Value = importer.Value{Text: v.Str()}
		} else {
			header.Value = p.configHeaderValue(r, cfg, header.Name)
		}
		o.Headers = append(o.Headers, header)
	}
	if len(headers) == 0 && !planned {
		for j, h := range at(r.config, "origin", cfg, "custom_header").List() {
			name := h.Path("name", "constant_value").Str()
			o.Headers = append(o.Headers, &importer.Header{Name: name, Value: p.configHeaderValue(r, cfg, name),
				Loc: r.locAt(fmt.Sprintf("origin[%d].custom_header[%d]", cfg, j))})
		}
	}
	return o
}

// configHeaderValue returns the value of the custom header named name in
// configuration origin block cfg: a constant, or the reference it comes
// from when it is unknown until apply.
func (p *plan) configHeaderValue(r *resource, cfg int, name string) importer.Value {
	for j, h := range at(r.config, "origin", cfg, "custom_header").List() {
		if h.Path("name", "constant_value").Str() == name {
			return p.value(r, "origin", cfg, "custom_header", j, "value")
		}
	}
	return importer.Value{Symbol: r.addr + ".origin." + name}
}

// webACL reads an AWS WAF web ACL: its default action, its managed rule
// groups, and rules that match one header exactly.
func (p *plan) webACL(r *resource) {
	acl := &importer.WebACL{Key: r.addr, Name: p.str(r, "name"), Loc: r.loc(), DefaultAction: "allow"}
	if arn := r.values.Get("arn").Str(); arn != "" {
		acl.IDs = append(acl.IDs, arn)
	}
	if len(at(r.values, "default_action", 0, "block").List()) > 0 || len(at(r.config, "default_action", 0, "block").List()) > 0 {
		acl.DefaultAction = "block"
	}
	n := max(len(r.values.Get("rule").List()), len(r.expr("rule").List()))
	for i := range n {
		name := p.str(r, "rule", i, "name")
		priority, _ := p.integer(r, "rule", i, "priority")
		if g := p.str(r, "rule", i, "statement", 0, "managed_rule_group_statement", 0, "name"); g != "" {
			acl.ManagedGroups = append(acl.ManagedGroups, g)
			continue
		}
		action := ""
		for _, a := range []string{"allow", "block", "count"} {
			if len(at(r.values, "rule", i, "action", 0, a).List()) > 0 {
				action = a
			}
		}
		header := p.str(r, "rule", i, "statement", 0, "byte_match_statement", 0, "field_to_match", 0, "single_header", 0, "name")
		exact := p.str(r, "rule", i, "statement", 0, "byte_match_statement", 0, "positional_constraint") == "EXACTLY"
		if header != "" && exact && action != "" {
			value := p.str(r, "rule", i, "statement", 0, "byte_match_statement", 0, "search_string")
			acl.Rules = append(acl.Rules, &importer.WAFRule{Name: name, Priority: priority, Action: action, HeaderName: header, HeaderValues: []string{value}})
			continue
		}
		var kinds []string
		for _, k := range at(r.values, "rule", i, "statement", 0).Keys() {
			if len(at(r.values, "rule", i, "statement", 0, k).List()) > 0 {
				kinds = append(kinds, k)
			}
		}
		acl.Unsupported = append(acl.Unsupported, fmt.Sprintf("%s (priority %d, %s)", name, priority, strings.Join(kinds, ", ")))
	}
	p.inv.WebACLs = append(p.inv.WebACLs, acl)
}
