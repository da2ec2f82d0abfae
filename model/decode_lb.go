package model

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	albListenerKeys  = []string{"port", "protocol", "rules", "default_action"}
	nlbListenerKeys  = []string{"port", "protocol", "forward"}
	listenerRuleKeys = []string{"priority", "conditions", "action"}
	conditionKeys    = []string{"http_header", "source_ip"}
	headerMatchKeys  = []string{"name", "values"}
	actionKeys       = []string{"forward", "fixed_response"}
	albTargetKeys    = []string{"tier", "port", "target_type", "health_check_port"}
	nlbTargetKeys    = []string{"tier", "port", "target_type", "preserve_client_ip", "health_check_port"}

	albProtocols = []string{"http", "https"}
	nlbProtocols = []string{"tcp", "udp", "tls", "tcp_udp"}
)

// Limits of ALB listener rules, from the Elastic Load Balancing
// documentation.
const (
	maxRulePriority  = 50000
	maxHeaderValues  = 3
	maxSourceIPs     = 5
	maxTargetGroups  = 5
	minFixedResponse = 200
	maxFixedResponse = 599
)

// Target types.
const (
	targetIP       = "ip"
	targetInstance = "instance"
	targetALB      = "alb"
)

// decodeListener decodes a listener of the load balancer t. It also returns
// the listener's port value, for the check that ports are unique.
func (d *decoder) decodeListener(t *Tier, v value) (*Listener, value) {
	l := &Listener{Path: v.path, Pos: d.pos(v.at)}
	var o *object
	if t.Kind == KindALB {
		o = d.object(v, "an ALB listener", albListenerKeys, func(key string) string {
			if key == "forward" {
				return "An ALB listener forwards through default_action: {forward: ...} or through the action of a rule."
			}
			return ""
		})
	} else {
		o = d.object(v, "an NLB listener", nlbListenerKeys, func(key string) string {
			if key == "rules" || key == "default_action" {
				return "An NLB listener has no rules. It sends every connection to the target group in forward."
			}
			return ""
		})
	}
	if !o.ok {
		return nil, value{}
	}

	pv, hasPort := d.require(o, "port", "port: 443")
	if hasPort {
		l.Port, _ = d.intRange(pv, "Invalid port", "a port from 1 to 65535", 1, maxPort)
	}

	protocols := albProtocols
	if t.Kind == KindNLB {
		protocols = nlbProtocols
	}
	if v, ok := d.require(o, "protocol", "protocol: "+protocols[0]); ok {
		if p, ok := d.enum(v, "Invalid protocol", "listener protocol", protocols, true); ok {
			l.Protocol = strings.ToUpper(p)
		}
	}

	if t.Kind == KindALB {
		d.decodeALBListener(t, l, o)
	} else if v, ok := d.require(o, "forward", "forward: {tier: app, port: 8080}"); ok {
		a := &Action{Path: v.path, Pos: d.pos(v.at)}
		if v.node.Kind == yaml.SequenceNode {
			d.errorf(v.at, v.path, "Wrong type", "An NLB listener forwards to a single target group, so forward is a mapping such as {tier: app, port: 8080}, not a list.")
		} else if tg := d.decodeTarget(t, l, v); tg != nil {
			a.Forward = []*Target{tg}
		}
		l.Default = a
	}
	return l, pv
}

func (d *decoder) decodeALBListener(t *Tier, l *Listener, o *object) {
	if v, ok := o.get("rules"); ok {
		if items, ok := d.list(v, "a list of listener rules"); ok {
			priorities := map[int]value{}
			for _, item := range items {
				r, pv := d.decodeListenerRule(t, l, item)
				if r == nil {
					continue
				}
				if r.Priority != 0 {
					if first, dup := priorities[r.Priority]; dup {
						d.errorf(pv.at, pv.path, "Duplicate value", "Priority %d is already used by the rule on line %d. Each rule of a listener needs its own priority.", r.Priority, first.at.Line)
					} else {
						priorities[r.Priority] = pv
					}
				}
				l.Rules = append(l.Rules, r)
			}
			slices.SortStableFunc(l.Rules, func(a, b *ListenerRule) int { return a.Priority - b.Priority })
		}
	}
	if v, ok := d.require(o, "default_action", "default_action: {fixed_response: 404}"); ok {
		l.Default = d.decodeAction(t, l, v)
	}
}

// decodeListenerRule decodes an ALB listener rule and returns it with its
// priority value.
func (d *decoder) decodeListenerRule(t *Tier, l *Listener, v value) (*ListenerRule, value) {
	r := &ListenerRule{Path: v.path, Pos: d.pos(v.at)}
	o := d.object(v, "a listener rule", listenerRuleKeys, nil)
	if !o.ok {
		return nil, value{}
	}

	pv, ok := d.require(o, "priority", "priority: 10")
	if ok {
		r.Priority, _ = d.intRange(pv, "Invalid value", "a priority from 1 to 50000", 1, maxRulePriority)
	}

	if cv, ok := d.require(o, "conditions", "conditions: [{source_ip: [192.0.2.0/24]}]"); ok {
		if items, ok := d.list(cv, "a list of conditions"); ok {
			if len(items) == 0 {
				d.errorf(cv.at, cv.path, "Invalid value", "The list of conditions is empty. A listener rule needs at least one condition, and the default action covers requests that match no rule.")
			}
			var sourceIP *value
			for _, item := range items {
				c, kind := d.decodeCondition(item)
				if c == nil {
					continue
				}
				if kind == "source_ip" {
					if sourceIP != nil {
						d.errorf(item.at, item.path, "Duplicate condition", "The rule already has a source_ip condition on line %d, and a rule takes at most one. Put all the CIDR blocks, up to %d, in one source_ip list.",
							sourceIP.at.Line, maxSourceIPs)
					} else {
						sourceIP = &item
					}
				}
				r.Conditions = append(r.Conditions, c)
			}
		}
	}

	if av, ok := d.require(o, "action", "action: {forward: {tier: app, port: 8080}}"); ok {
		r.Action = d.decodeAction(t, l, av)
	}
	return r, pv
}

// decodeCondition decodes an ALB rule condition and returns it with its key,
// http_header or source_ip.
func (d *decoder) decodeCondition(v value) (*Condition, string) {
	c := &Condition{Path: v.path, Pos: d.pos(v.at)}
	o := d.object(v, "a condition", conditionKeys, nil)
	f, ok := d.oneOf(o, conditionKeys, "{source_ip: [192.0.2.0/24]}")
	if !ok {
		return nil, ""
	}
	switch f.name {
	case "http_header":
		c.Header = d.decodeHeaderMatch(f.value, "an http_header condition", maxHeaderValues)
	case "source_ip":
		cidrs, _, ok := d.prefixes(f.value, 0, "a list of CIDR blocks")
		n := len(f.value.node.Content)
		switch {
		case !ok:
		case n == 0:
			d.errorf(f.value.at, f.value.path, "Invalid value", "The source_ip list is empty. List from 1 to %d CIDR blocks.", maxSourceIPs)
		case n > maxSourceIPs:
			d.errorf(f.value.at, f.value.path, "Invalid value", "The source_ip list has %d CIDR blocks, but a condition takes at most %d. Split the rule in two.", n, maxSourceIPs)
		}
		c.SourceIPs = cidrs
	}
	return c, f.name
}

// decodeHeaderMatch decodes {name, values}. maxValues is the most values
// the match takes, or 0 for no limit.
func (d *decoder) decodeHeaderMatch(v value, label string, maxValues int) *HeaderMatch {
	h := &HeaderMatch{}
	o := d.object(v, label, headerMatchKeys, nil)
	if nv, ok := d.require(o, "name", "name: X-Origin-Verify"); ok {
		h.Name, _ = d.headerName(nv)
	}
	vv, ok := d.require(o, "values", `values: ["s3cret"]`)
	if !ok {
		return h
	}
	items, ok := d.list(vv, "a list of header values")
	if !ok {
		return h
	}
	switch {
	case len(items) == 0:
		d.errorf(vv.at, vv.path, "Invalid value", "The list of values is empty. List at least one value to match.")
	case maxValues > 0 && len(items) > maxValues:
		d.errorf(vv.at, vv.path, "Invalid value", "The list has %d values, but %s takes at most %d. Split it into several rules.", len(items), label, maxValues)
	}
	for _, item := range items {
		if s, ok := d.str(item, "a header value as a string"); ok {
			h.Values = append(h.Values, s)
		}
	}
	return h
}

// headerName decodes an HTTP header name, which must be a token as defined
// in RFC 9110.
func (d *decoder) headerName(v value) (string, bool) {
	s, ok := d.str(v, "a header name such as X-Origin-Verify")
	if !ok {
		return "", false
	}
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return !isTokenChar(r) }) >= 0 {
		d.errorf(v.at, v.path, "Invalid value", "%q is not a valid header name. Header names are letters, digits and !#$%%&'*+-.^_`|~, without spaces or colons.", s)
		return "", false
	}
	return s, true
}

func isTokenChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// decodeAction decodes an ALB action: a fixed response or a forward to one
// or more target groups.
func (d *decoder) decodeAction(t *Tier, l *Listener, v value) *Action {
	a := &Action{Path: v.path, Pos: d.pos(v.at)}
	o := d.object(v, "an action", actionKeys, nil)
	f, ok := d.oneOf(o, actionKeys, "{fixed_response: 404}")
	if !ok {
		return a
	}
	fv := f.value
	if f.name == "fixed_response" {
		code, ok := d.intRange(fv, "Invalid value", "an HTTP status code from 200 to 599", minFixedResponse, maxFixedResponse)
		if ok && code/100 == 3 {
			d.errorf(fv.at, fv.path, "Invalid value", "An ALB fixed response has a 2XX, 4XX or 5XX status code, and %d is a redirect. Use another code, because the model has no redirect action.", code)
			return a
		}
		a.FixedStatus = code
		return a
	}

	switch fv.node.Kind {
	case yaml.MappingNode:
		if tg := d.decodeTarget(t, l, fv); tg != nil {
			a.Forward = []*Target{tg}
		}
	case yaml.SequenceNode:
		items, _ := d.list(fv, "a list of target groups")
		switch {
		case len(items) == 0:
			d.errorf(fv.at, fv.path, "Invalid value", "The list of target groups is empty. List from 1 to %d target groups.", maxTargetGroups)
		case len(items) > maxTargetGroups:
			d.errorf(fv.at, fv.path, "Invalid value", "The action forwards to %d target groups, but AWS allows at most %d.", len(items), maxTargetGroups)
		}
		for _, item := range items {
			if tg := d.decodeTarget(t, l, item); tg != nil {
				a.Forward = append(a.Forward, tg)
			}
		}
	default:
		d.wrongType(fv, "a target group as a mapping such as {tier: app, port: 8080}, or a list of them")
	}
	return a
}
