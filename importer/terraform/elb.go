package terraform

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/importer"
)

func (p *plan) loadBalancer(r *resource) {
	lb := &importer.LoadBalancer{Key: r.addr, Type: p.str(r, "load_balancer_type"), DNSName: p.str(r, "dns_name"), IPAddressType: p.str(r, "ip_address_type"), Loc: r.loc()}
	if lb.Type == "" {
		lb.Type = "application"
	}
	lb.Scheme = "internet-facing"
	if internal, _ := p.boolean(r, "internal"); internal {
		lb.Scheme = "internal"
	}
	lb.Subnets = p.keys(r, "subnets")
	n := max(len(r.values.Get("subnet_mapping").List()), len(r.expr("subnet_mapping").List()))
	for i := range n {
		if s := p.key(r, "subnet_mapping", i, "subnet_id"); s != "" && !slices.Contains(lb.Subnets, s) {
			lb.Subnets = append(lb.Subnets, s)
		}
	}
	lb.Groups = p.keys(r, "security_groups")
	// Without security_groups in the configuration, AWS gives an ALB the
	// VPC's default group and an NLB no group.
	lb.GroupsKnown = true
	lb.Names = append(p.tagHints(r), importer.NameHint{Rank: importer.RankOwnName, Value: p.str(r, "name")}, logicalName(r))
	p.inv.LoadBalancers = append(p.inv.LoadBalancers, lb)
	p.st().lbs[r.addr] = lb
}

func (p *plan) targetGroup(r *resource) {
	tg := &importer.TargetGroup{Key: r.addr, Protocol: p.str(r, "protocol"), TargetType: p.str(r, "target_type"), Loc: r.loc()}
	if tg.TargetType == "" {
		tg.TargetType = "instance"
	}
	tg.Port, _ = p.integer(r, "port")
	tg.HealthCheckPort, _ = p.integer(r, "health_check", 0, "port")
	if preserve, ok := p.boolean(r, "preserve_client_ip"); ok {
		tg.PreserveClientIP = &preserve
	}
	tg.Names = []importer.NameHint{{Rank: importer.RankOwnName, Value: p.str(r, "name")}, logicalName(r)}
	p.inv.TargetGroups = append(p.inv.TargetGroups, tg)
	p.st().tgs[r.addr] = tg
}

// targetGroupAttachment registers a target: an instance, a Lambda function
// or an ALB the plan defines, or an IP address or id given as is.
func (p *plan) targetGroupAttachment(r *resource) {
	tg := p.st().tgs[p.key(r, "target_group_arn")]
	if tg == nil {
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s registers a target with a target group the plan does not define; it is not read", r.addr)
		return
	}
	m := importer.Member{}
	m.Port, _ = p.integer(r, "port")
	target := p.key(r, "target_id")
	res := p.byAddr[target]
	switch {
	case res != nil && (res.typ == "aws_lb" || res.typ == "aws_alb"):
		m.LB = target
	case res != nil && res.typ == "aws_lambda_function":
		m.Identity = "lambda:" + p.str(res, "function_name")
	case res != nil:
		m.Workload = target
	case strings.HasPrefix(target, "i-"):
		m.InstanceID = target
	default:
		m.IP = target
	}
	tg.Members = append(tg.Members, m)
	tg.MembersKnown = true
}

func (p *plan) listener(r *resource) {
	lb := p.st().lbs[p.key(r, "load_balancer_arn")]
	if lb == nil {
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s belongs to a load balancer the plan does not define; it is not read", r.addr)
		return
	}
	l := &importer.Listener{Key: r.addr, Protocol: strings.ToUpper(p.str(r, "protocol")), Loc: r.loc()}
	l.Port, _ = p.integer(r, "port")
	if l.Protocol == "" && lb.Type == "application" {
		l.Protocol = "HTTP"
	}
	l.Default = p.actions(r, "default_action")
	lb.Listeners = append(lb.Listeners, l)
	p.st().listeners[r.addr] = l
}

// actions reads the action blocks of a listener or listener rule.
func (p *plan) actions(r *resource, block string) []*importer.Action {
	n := max(len(r.values.Get(block).List()), len(r.expr(block).List()))
	type ordered struct {
		order int
		a     *importer.Action
	}
	var list []ordered
	for i := range n {
		a := &importer.Action{Type: p.str(r, block, i, "type"), Loc: r.locAt(fmt.Sprintf("%s[%d]", block, i))}
		order, ok := p.integer(r, block, i, "order")
		if !ok {
			order = 1 << 20
		}
		switch a.Type {
		case "forward":
			groups := max(len(at(r.values, block, i, "forward", 0, "target_group").List()), len(at(r.config, block, i, "forward", 0, "target_group").List()))
			for j := range groups {
				if w, ok := p.integer(r, block, i, "forward", 0, "target_group", j, "weight"); ok && w == 0 {
					continue
				}
				a.TargetGroups = append(a.TargetGroups, p.keys(r, block, i, "forward", 0, "target_group", j, "arn")...)
			}
			if groups == 0 {
				a.TargetGroups = p.keys(r, block, i, "target_group_arn")
			}
		case "fixed-response":
			a.Status, _ = p.integer(r, block, i, "fixed_response", 0, "status_code")
		case "redirect":
			var parts []string
			for _, field := range []string{"protocol", "host", "port", "path"} {
				if v := p.str(r, block, i, "redirect", 0, field); v != "" && !strings.Contains(v, "#{") {
					parts = append(parts, field+" "+v)
				}
			}
			a.Redirect = "keeping the request's host and path"
			if len(parts) > 0 {
				a.Redirect = "to " + strings.Join(parts, ", ")
			}
			if code := p.str(r, block, i, "redirect", 0, "status_code"); code != "" {
				a.Redirect += " (" + code + ")"
			}
		}
		list = append(list, ordered{order, a})
	}
	slices.SortStableFunc(list, func(x, y ordered) int { return x.order - y.order })
	out := make([]*importer.Action, len(list))
	for i, o := range list {
		out[i] = o.a
	}
	return out
}

// conditionFields are the condition blocks of aws_lb_listener_rule, with
// the field names Elastic Load Balancing uses for them.
var conditionFields = []struct{ block, field string }{
	{"http_header", "http-header"}, {"source_ip", "source-ip"}, {"host_header", "host-header"},
	{"path_pattern", "path-pattern"}, {"http_request_method", "http-request-method"}, {"query_string", "query-string"},
}

func (p *plan) listenerRule(r *resource) {
	l := p.st().listeners[p.key(r, "listener_arn")]
	if l == nil {
		p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s belongs to a listener the plan does not define; it is not read", r.addr)
		return
	}
	rule := &importer.ListenerRule{Loc: r.loc(), Actions: p.actions(r, "action")}
	n := max(len(r.values.Get("condition").List()), len(r.expr("condition").List()))
	for i := range n {
		rule.Conditions = append(rule.Conditions, p.condition(r, i)...)
	}
	if priority, ok := p.integer(r, "priority"); ok {
		rule.Priority = priority
		l.Rules = append(l.Rules, rule)
		return
	}
	p.st().rulesWithoutPriority[l] = append(p.st().rulesWithoutPriority[l], rule)
	p.inv.Warnings.Add(r.loc(), importer.Unresolved, "%s has no priority in the plan, so AWS assigns the next free one at apply; it is numbered after the listener's other rules", r.addr)
}

// condition reads condition block i of a listener rule: the typed blocks
// (http_header, source_ip, ...) or the older field and values arguments.
// A block's values that are unknown at plan time, such as a generated
// secret, come from the configuration block for the same header.
func (p *plan) condition(r *resource, i int) []*importer.Condition {
	loc := r.locAt(fmt.Sprintf("condition[%d]", i))
	if field := p.str(r, "condition", i, "field"); field != "" {
		c := &importer.Condition{Field: field, Loc: loc}
		for _, v := range p.texts(r, "condition", i, "values") {
			if field == "source-ip" {
				c.SourceIPs = append(c.SourceIPs, v)
			}
		}
		return []*importer.Condition{c}
	}
	source := r.values
	if !source.Get("condition").Exists() {
		source = r.config
	}
	var out []*importer.Condition
	for _, cf := range conditionFields {
		if len(at(source, "condition", i, cf.block).List()) == 0 {
			continue
		}
		c := &importer.Condition{Field: cf.field, Loc: loc}
		switch cf.block {
		case "http_header":
			c.HeaderName = p.str(r, "condition", i, "http_header", 0, "http_header_name")
			c.Values = p.headerValues(r, i, c.HeaderName)
		case "source_ip":
			c.SourceIPs = p.texts(r, "condition", i, "source_ip", 0, "values")
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		p.inv.Warnings.Add(loc, importer.NotUnderstood, "the condition block is empty or of a kind the importer does not read")
	}
	return out
}

// headerValues returns the values an http_header condition matches.
func (p *plan) headerValues(r *resource, i int, name string) []importer.Value {
	if v, ok := r.known("condition", i, "http_header", 0, "values"); ok {
		var out []importer.Value
		for _, s := range v.Strs() {
			out = append(out, importer.Value{Text: s})
		}
		return out
	}
	// The planned condition set may list blocks in another order than the
	// configuration, so the block is found by its header name.
	cfg := i
	for j, c := range r.expr("condition").List() {
		if c.Path("http_header").List() != nil && at(c, "http_header", 0, "http_header_name", "constant_value").Str() == name {
			cfg = j
		}
	}
	targets, unresolved := p.resolveAttr(r, "condition", cfg, "http_header", 0, "values")
	var out []importer.Value
	for _, t := range targets {
		switch {
		case t.res == nil:
			for _, s := range strs(t.constant) {
				out = append(out, importer.Value{Text: s})
			}
		default:
			if v, ok := t.res.known(attrPath(t.attr)...); ok && t.attr != "" {
				out = append(out, importer.Value{Text: v.Str()})
			} else {
				out = append(out, importer.Value{Symbol: t.ref})
			}
		}
	}
	p.warnUnresolved(r, []any{"condition", i, "http_header", 0, "values"}, unresolved)
	return out
}

// finishListenerRules numbers the rules whose priority is unknown after the
// known ones, in address order.
func (p *plan) finishListenerRules() {
	for l, rules := range p.st().rulesWithoutPriority {
		next := 1
		for _, r := range l.Rules {
			next = max(next, r.Priority+1)
		}
		for _, r := range rules {
			r.Priority = next
			next++
			l.Rules = append(l.Rules, r)
		}
	}
}
