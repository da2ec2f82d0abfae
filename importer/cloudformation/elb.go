package cloudformation

import (
	"slices"
	"strings"

	"github.com/sgchain/sgchain/importer"
)

func (r *reader) loadBalancer(res *resource) {
	lb := &importer.LoadBalancer{Key: res.id, Type: r.text(res.props.get("Type")), Scheme: r.text(res.props.get("Scheme")), IPAddressType: r.text(res.props.get("IpAddressType")),
		Loc: res.loc, GroupsKnown: true}
	if lb.Type == "" {
		lb.Type = "application"
	}
	if lb.Scheme == "" {
		lb.Scheme = "internet-facing"
	}
	lb.Subnets = r.keys(res.props.get("Subnets"))
	for _, m := range res.props.get("SubnetMappings").elements() {
		if s := r.key(m.get("SubnetId")); s != "" && !slices.Contains(lb.Subnets, s) {
			lb.Subnets = append(lb.Subnets, s)
		}
	}
	lb.Groups = r.keys(res.props.get("SecurityGroups"))
	lb.Names = append(r.tagHints(res), importer.NameHint{Rank: importer.RankOwnName, Value: r.text(res.props.get("Name"))}, logicalID(res))
	r.inv.LoadBalancers = append(r.inv.LoadBalancers, lb)
	r.lbs[res.id] = lb
}

func (r *reader) targetGroup(res *resource) {
	tg := &importer.TargetGroup{Key: res.id, Protocol: r.text(res.props.get("Protocol")), TargetType: r.text(res.props.get("TargetType")), Loc: res.loc}
	if tg.TargetType == "" {
		tg.TargetType = "instance"
	}
	tg.Port, _ = r.integer(res.props.get("Port"))
	tg.HealthCheckPort, _ = r.integer(res.props.get("HealthCheckPort"))
	for _, a := range res.props.get("TargetGroupAttributes").elements() {
		if r.text(a.get("Key")) == "preserve_client_ip.enabled" {
			if v, ok := r.boolean(a.get("Value")); ok {
				tg.PreserveClientIP = &v
			}
		}
	}
	for _, t := range res.props.get("Targets").elements() {
		m := importer.Member{}
		m.Port, _ = r.integer(t.get("Port"))
		id := r.key(t.get("Id"))
		switch typ := r.typeOf(id); {
		case typ == "AWS::ElasticLoadBalancingV2::LoadBalancer":
			m.LB = id
		case typ == "AWS::Lambda::Function":
			m.Identity = "lambda:" + id
		case typ != "":
			m.Workload = id
		case strings.HasPrefix(id, "i-"):
			m.InstanceID = id
		default:
			m.IP = id
		}
		tg.Members = append(tg.Members, m)
		tg.MembersKnown = true
	}
	tg.Names = []importer.NameHint{{Rank: importer.RankOwnName, Value: r.text(res.props.get("Name"))}, logicalID(res)}
	r.inv.TargetGroups = append(r.inv.TargetGroups, tg)
	r.tgs[res.id] = tg
}

func (r *reader) listener(res *resource) {
	lb := r.lbs[r.key(res.props.get("LoadBalancerArn"))]
	if lb == nil {
		r.inv.Warnings.Add(res.loc, importer.Unresolved, "listener %s belongs to a load balancer the template does not define; it is not read", res.id)
		return
	}
	l := &importer.Listener{Key: res.id, Protocol: strings.ToUpper(r.text(res.props.get("Protocol"))), Loc: res.loc}
	l.Port, _ = r.integer(res.props.get("Port"))
	l.Default = r.actions(res, res.props.get("DefaultActions"))
	lb.Listeners = append(lb.Listeners, l)
	r.listeners[res.id] = l
}

// actions reads an action list in the order AWS applies it.
func (r *reader) actions(res *resource, list *node) []*importer.Action {
	items := list.elements()
	type ordered struct {
		order int
		a     *importer.Action
	}
	var out []ordered
	for _, n := range items {
		a := &importer.Action{Type: strings.ToLower(r.text(n.get("Type"))), Loc: res.locOf(n)}
		order, ok := r.integer(n.get("Order"))
		if !ok {
			order = 1 << 20
		}
		switch a.Type {
		case "forward":
			for _, g := range n.path("ForwardConfig", "TargetGroups").elements() {
				if w, ok := r.integer(g.get("Weight")); ok && w == 0 {
					continue
				}
				a.TargetGroups = append(a.TargetGroups, r.key(g.get("TargetGroupArn")))
			}
			if len(a.TargetGroups) == 0 {
				if k := r.key(n.get("TargetGroupArn")); k != "" {
					a.TargetGroups = []string{k}
				}
			}
		case "fixed-response":
			a.Status, _ = r.integer(n.path("FixedResponseConfig", "StatusCode"))
		case "redirect":
			cfg := n.get("RedirectConfig")
			var parts []string
			for _, key := range []string{"Protocol", "Host", "Port", "Path"} {
				if v := r.text(cfg.get(key)); v != "" && !strings.Contains(v, "#{") {
					parts = append(parts, strings.ToLower(key)+" "+v)
				}
			}
			a.Redirect = "keeping the request's host and path"
			if len(parts) > 0 {
				a.Redirect = "to " + strings.Join(parts, ", ")
			}
			if code := r.text(cfg.get("StatusCode")); code != "" {
				a.Redirect += " (" + code + ")"
			}
		}
		out = append(out, ordered{order, a})
	}
	slices.SortStableFunc(out, func(x, y ordered) int { return x.order - y.order })
	actions := make([]*importer.Action, len(out))
	for i, o := range out {
		actions[i] = o.a
	}
	return actions
}

// listenerRule reads a rule with its conditions in either form Elastic
// Load Balancing accepts: the typed configuration (HttpHeaderConfig,
// SourceIpConfig, ...) or Values beside Field.
func (r *reader) listenerRule(res *resource) {
	l := r.listeners[r.key(res.props.get("ListenerArn"))]
	if l == nil {
		r.inv.Warnings.Add(res.loc, importer.Unresolved, "listener rule %s belongs to a listener the template does not define; it is not read", res.id)
		return
	}
	rule := &importer.ListenerRule{Loc: res.loc, Actions: r.actions(res, res.props.get("Actions"))}
	var ok bool
	if rule.Priority, ok = r.integer(res.props.get("Priority")); !ok {
		r.inv.Warnings.Add(res.loc, importer.Unresolved, "listener rule %s has no priority the template resolves; it is not read", res.id)
		return
	}
	for _, c := range res.props.get("Conditions").elements() {
		cond := &importer.Condition{Field: r.text(c.get("Field")), Loc: res.locOf(c)}
		legacy := c.get("Values")
		switch cond.Field {
		case "http-header":
			cfg := c.get("HttpHeaderConfig")
			cond.HeaderName = r.text(cfg.get("HttpHeaderName"))
			values := cfg.get("Values")
			if values == nil {
				values = legacy
			}
			for _, v := range r.valueList(values) {
				cond.Values = append(cond.Values, v)
			}
		case "source-ip":
			values := c.path("SourceIpConfig", "Values")
			if values == nil {
				values = legacy
			}
			cond.SourceIPs = r.eval(values).strings()
		}
		rule.Conditions = append(rule.Conditions, cond)
	}
	l.Rules = append(l.Rules, rule)
}

// valueList evaluates a list of values that may be unknown, such as header
// values taken from a parameter without a default.
func (r *reader) valueList(n *node) []importer.Value {
	if n != nil && n.kind == listNode {
		var out []importer.Value
		for _, e := range n.list {
			out = append(out, r.secretValue(e))
		}
		return out
	}
	v := r.eval(n)
	var out []importer.Value
	for _, e := range v.items() {
		if e.known {
			out = append(out, importer.Value{Text: e.str})
		} else {
			out = append(out, importer.Value{Symbol: e.text()})
		}
	}
	return out
}
