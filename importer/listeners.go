package importer

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// Limits of the scenario format's ALB rules, which follow Elastic Load
// Balancing's.
const (
	maxHeaderValues = 3
	maxSourceIPs    = 5
	maxForwards     = 5
)

// redirectStatus is the fixed response a redirect action is written as. The
// scenario format has no redirect action. A redirect forwards nothing to the
// targets, and the model treats a response status of 400 or above the same
// way: the request goes no further. 404 keeps it apart from the 403 that
// secret-header designs respond with.
const redirectStatus = 404

// noTargetStatus is the status an ALB responds with when a forward action's
// target group has no registered target: 503 Service Unavailable.
const noTargetStatus = 503

// listeners translates the listeners of every load balancer, ALBs first so
// that an NLB forwarding to an ALB can check the ALB's listener ports. A load
// balancer left without listeners is dropped.
func (b *builder) listeners() {
	for _, kind := range []model.Kind{model.KindALB, model.KindNLB} {
		for _, t := range b.tiers {
			if t.kind == kind && t.lb != nil {
				b.lbListeners(t)
			}
		}
	}
}

func (b *builder) lbListeners(t *tierState) {
	ls := slices.Clone(t.lb.Listeners)
	slices.SortStableFunc(ls, func(a, c *Listener) int { return a.Port - c.Port })
	ports := map[int]bool{}
	var out []*ListenerOut
	for _, l := range ls {
		var lo *ListenerOut
		if t.kind == model.KindALB {
			lo = b.albListener(t, l)
		} else {
			lo = b.nlbListener(t, l)
		}
		if lo == nil {
			continue
		}
		if ports[l.Port] {
			b.warn.Add(l.Loc, NotModeled, "load balancer %s has a second listener on port %d; the scenario format takes one listener per port, so this one is left out", t.name, l.Port)
			continue
		}
		ports[l.Port] = true
		out = append(out, lo)
	}
	if len(out) == 0 {
		t.dropped = true
		b.warn.Add(t.lb.Loc, LeftOut, "load balancer %s has no listener the scenario format can express (see the other warnings about it, or export aws elbv2 describe-listeners), so it is left out", t.name)
		return
	}
	t.listeners = out
}

func (b *builder) albListener(t *tierState, l *Listener) *ListenerOut {
	proto := strings.ToUpper(l.Protocol)
	if proto != "HTTP" && proto != "HTTPS" {
		b.warn.Add(l.Loc, NotUnderstood, "listener %s has the protocol %q; an ALB listener in the scenario format is HTTP or HTTPS, so it is left out", listenerName(t, l), l.Protocol)
		return nil
	}
	out := &ListenerOut{Port: l.Port, Protocol: proto, Comment: []string{l.Key}}
	if l.Port < 1 || l.Port > 65535 {
		b.warn.Add(l.Loc, NotUnderstood, "listener %s has a port outside 1-65535; it is left out", listenerName(t, l))
		return nil
	}
	out.Default = b.albAction(t, l.Default, l.Loc, "the default action of listener "+listenerName(t, l))
	var success *RuleALBOut
	out.Rules, success = b.albRules(t, l)

	// A left-out rule that responds with a success status lets any client
	// of the listener reach the ALB, by sending a request that matches it.
	// Writing that status as the default action gives the model the same
	// reachability when the default is an error response.
	if success != nil && len(out.Default.Forward) == 0 && out.Default.FixedStatus >= 400 {
		status := success.Action.FixedStatus
		b.warn.Add(l.Loc, Mapped, "listener %s: rule priority %d responds with status %d to requests the scenario format cannot select, so the default action is written as fixed response %d in place of %d; every client of the listener can get that response from AWS", listenerName(t, l), success.Priority, status, status, out.Default.FixedStatus)
		out.Default = &ActionOut{FixedStatus: status, Comment: []string{fmt.Sprintf("AWS: fixed response %d by default, and %d from rule priority %d for requests the format cannot select", out.Default.FixedStatus, status, success.Priority)}}
	}
	return out
}

// listenerName names a listener in messages by its load balancer and port,
// which the location of the message ties to the input.
func listenerName(t *tierState, l *Listener) string {
	return fmt.Sprintf("%s:%d", t.name, l.Port)
}

// albAction translates a rule's or a listener's action list. Authentication
// actions come before the action that responds to the request, so the last
// other action decides.
func (b *builder) albAction(t *tierState, actions []*Action, loc Location, subject string) *ActionOut {
	var terminal *Action
	authenticates := false
	for _, a := range actions {
		if strings.HasPrefix(a.Type, "authenticate-") {
			authenticates = true
			continue
		}
		terminal = a
	}
	if authenticates {
		b.warn.Add(loc, Mapped, "%s authenticates users first; the scenario format has no authentication step, so it is written as if every request authenticated", subject)
	}
	if terminal == nil {
		b.warn.Add(loc, Unresolved, "%s has no forward, fixed-response or redirect action in the input; it is written as a fixed response %d", subject, noTargetStatus)
		return &ActionOut{FixedStatus: noTargetStatus, Comment: []string{"action not in the input"}}
	}

	switch terminal.Type {
	case "forward":
		targets := b.forwardTargets(t, terminal, subject)
		if len(targets) > 0 {
			return &ActionOut{Forward: targets}
		}
		b.warn.Add(terminal.Loc, Unresolved, "%s forwards to target groups with no target the import could place; an ALB answers %d when a target group has no target, so that is subject is written", subject, noTargetStatus)
		return &ActionOut{FixedStatus: noTargetStatus, Comment: []string{"forward to " + strings.Join(terminal.TargetGroups, ", ") + ": no target found in the input"}}
	case "fixed-response":
		status := terminal.Status
		if status < 200 || status > 599 || status/100 == 3 {
			b.warn.Add(terminal.Loc, NotUnderstood, "%s answers with status %d, which a fixed response cannot have; it is written as %d", subject, status, noTargetStatus)
			status = noTargetStatus
		}
		return &ActionOut{FixedStatus: status}
	case "redirect":
		b.warn.Add(terminal.Loc, Mapped, "%s redirects (%s); the scenario format has no redirect action, so it is written as fixed response %d, which also forwards nothing to the targets", subject, terminal.Redirect, redirectStatus)
		return &ActionOut{FixedStatus: redirectStatus, Comment: []string{"AWS: redirect " + terminal.Redirect + ", written as a fixed response that forwards nothing"}}
	}
	b.warn.Add(terminal.Loc, NotUnderstood, "%s has the action type %q; it is written as fixed response %d", subject, terminal.Type, noTargetStatus)
	return &ActionOut{FixedStatus: noTargetStatus, Comment: []string{"action " + terminal.Type + " not understood"}}
}

// albRules translates a listener's rules. Conditions the scenario format
// cannot express (host, path, method, query string) are dropped from rules
// that forward, which makes the rule forward a superset of what AWS
// forwards. Rules that respond without forwarding and test such conditions
// are left out, so the requests they respond to fall through to later rules.
// Both choices can only add paths, never hide one, with one exception that
// albRules returns: a left-out rule that responds with a status below 400,
// which the model counts as reaching the ALB. albListener makes it the
// default action when the default is an error response.
func (b *builder) albRules(t *tierState, l *Listener) ([]*RuleALBOut, *RuleALBOut) {
	rules := slices.Clone(l.Rules)
	slices.SortStableFunc(rules, func(a, c *ListenerRule) int { return a.Priority - c.Priority })

	var out []*RuleALBOut
	var success *RuleALBOut
	byConditions := map[string]*RuleALBOut{}
	for _, r := range rules {
		if r.Priority < 1 || r.Priority > 50000 {
			continue
		}
		subject := fmt.Sprintf("rule priority %d of listener %s", r.Priority, listenerName(t, l))
		conds, dropped := b.conditions(t, l, r, subject)
		action := b.albAction(t, r.Actions, r.Loc, subject)
		forwards := len(action.Forward) > 0
		ro := &RuleALBOut{Priority: r.Priority, Conditions: conds, Action: action}

		if len(dropped) > 0 && !forwards {
			b.warn.Add(r.Loc, LeftOut, "%s responds without forwarding and tests %s, which the scenario format cannot express; the rule is left out, so the requests it responds to reach the rules after it", subject, strings.Join(dropped, ", "))
			if action.FixedStatus < 400 && success == nil {
				success = ro
			}
			continue
		}
		if len(dropped) > 0 {
			ro.Comment = append(ro.Comment, "AWS also tests "+strings.Join(dropped, ", ")+": not expressible, so this rule forwards more than AWS does")
			b.warn.Add(r.Loc, Mapped, "%s also tests %s, which the scenario format cannot express; it is written without those conditions, so it forwards more than AWS does", subject, strings.Join(dropped, ", "))
		}
		if len(ro.Conditions) == 0 {
			ro.Conditions = []*ConditionOut{{SourceIPs: []string{"0.0.0.0/0", "::/0"}}}
			ro.Comment = append(ro.Comment, "matches every request: source_ip 0.0.0.0/0 and ::/0 stand for the dropped conditions")
		}

		key := conditionKey(ro.Conditions)
		if prev := byConditions[key]; prev != nil {
			if forwards && len(prev.Action.Forward) > 0 {
				prev.Action.Forward = mergeTargets(prev.Action.Forward, action.Forward)
				prev.Comment = append(prev.Comment, fmt.Sprintf("also forwards as rule priority %d did, whose expressible conditions are the same", r.Priority))
				b.warn.Add(r.Loc, Mapped, "%s has the same expressible conditions as rule priority %d, so its targets are added to that rule", subject, prev.Priority)
			} else {
				b.warn.Add(r.Loc, LeftOut, "%s has the same expressible conditions as rule priority %d, which decides first, so it is left out", subject, prev.Priority)
			}
			continue
		}
		byConditions[key] = ro
		out = append(out, ro)
	}
	return out, success
}

func conditionKey(conds []*ConditionOut) string {
	parts := make([]string, len(conds))
	for i, c := range conds {
		if c.HeaderName != "" {
			values := slices.Clone(c.HeaderValues)
			slices.Sort(values)
			parts[i] = "h:" + strings.ToLower(c.HeaderName) + "=" + strings.Join(values, "\x00")
		} else {
			parts[i] = "s:" + strings.Join(c.SourceIPs, ",")
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, "\x01")
}

func mergeTargets(a, c []*TargetOut) []*TargetOut {
	out := slices.Clone(a)
	for _, tg := range c {
		if len(out) == maxForwards {
			break
		}
		if !slices.ContainsFunc(out, func(x *TargetOut) bool { return x.Tier == tg.Tier && x.Port == tg.Port }) {
			out = append(out, tg)
		}
	}
	return out
}

// conditions translates the conditions of rule r and returns the names of
// the condition types it had to drop.
func (b *builder) conditions(t *tierState, l *Listener, r *ListenerRule, subject string) ([]*ConditionOut, []string) {
	var out []*ConditionOut
	var dropped []string
	var sourceIP *ConditionOut
	for _, c := range r.Conditions {
		switch c.Field {
		case "http-header":
			if !validHeaderName(c.HeaderName) || len(c.Values) == 0 {
				b.warn.Add(c.Loc, NotUnderstood, "%s has an http-header condition without a valid header name and values; it is dropped", subject)
				dropped = append(dropped, "an unreadable http-header condition")
				continue
			}
			values := c.Values
			if len(values) > maxHeaderValues {
				b.warn.Add(c.Loc, NotModeled, "%s matches header %s against %d values; the scenario format takes %d, so the others are left out", subject, c.HeaderName, len(values), maxHeaderValues)
				values = values[:maxHeaderValues]
			}
			co := &ConditionOut{HeaderName: c.HeaderName}
			for _, v := range values {
				co.HeaderValues = append(co.HeaderValues, b.secrets.conditionValue(b, t, l, r, c, v))
			}
			out = append(out, co)
		case "source-ip":
			var cidrs []string
			for _, s := range c.SourceIPs {
				p, err := netip.ParsePrefix(strings.TrimSpace(s))
				if err != nil {
					b.warn.Add(c.Loc, NotUnderstood, "%s has the source-ip value %q, which is not a CIDR; it is left out", subject, s)
					continue
				}
				cidrs = append(cidrs, p.Masked().String())
			}
			if len(cidrs) == 0 {
				dropped = append(dropped, "an unreadable source-ip condition")
				continue
			}
			if sourceIP == nil {
				sourceIP = &ConditionOut{}
				out = append(out, sourceIP)
			}
			sourceIP.SourceIPs = append(sourceIP.SourceIPs, cidrs...)
			if len(sourceIP.SourceIPs) > maxSourceIPs {
				b.warn.Add(c.Loc, NotModeled, "%s matches %d source CIDRs; the scenario format takes %d, so the others are left out", subject, len(sourceIP.SourceIPs), maxSourceIPs)
				sourceIP.SourceIPs = sourceIP.SourceIPs[:maxSourceIPs]
			}
		default:
			dropped = append(dropped, c.Field)
		}
	}
	slices.Sort(dropped)
	return out, slices.Compact(dropped)
}

// validHeaderName reports whether s is an HTTP header name (an RFC 9110
// token).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)
		if !ok {
			return false
		}
	}
	return true
}

func (b *builder) nlbListener(t *tierState, l *Listener) *ListenerOut {
	proto := strings.ToUpper(l.Protocol)
	switch proto {
	case "TCP", "UDP", "TLS", "TCP_UDP":
	default:
		b.warn.Add(l.Loc, NotModeled, "listener %s has the protocol %q; an NLB listener in the scenario format is TCP, UDP, TLS or TCP_UDP, so it is left out", listenerName(t, l), l.Protocol)
		return nil
	}
	if l.Port < 1 || l.Port > 65535 {
		b.warn.Add(l.Loc, NotUnderstood, "listener %s has a port outside 1-65535; it is left out", listenerName(t, l))
		return nil
	}
	subject := "listener " + listenerName(t, l)

	var forward *Action
	for _, a := range l.Default {
		if a.Type == "forward" {
			forward = a
		}
	}
	if forward == nil {
		b.warn.Add(l.Loc, Unresolved, "%s has no forward action in the input; it is left out", subject)
		return nil
	}

	lo := &ListenerOut{Port: l.Port, Protocol: proto, Comment: []string{l.Key}}
	targets := b.forwardTargetsFor(t, forward, subject, lo)
	switch {
	case len(targets) == 0:
		b.warn.Add(l.Loc, LeftOut, "%s forwards to no target the import could place; it is left out", subject)
		return nil
	case len(targets) > 1:
		names := make([]string, len(targets))
		for i, tg := range targets {
			names[i] = tg.Tier
		}
		b.warn.Add(l.Loc, NotModeled, "%s reaches %s; an NLB listener in the scenario format names one target, so only %s is written", subject, strings.Join(names, ", "), names[0])
	}
	lo.Forward = targets[0]
	return lo
}

// forwardTargets returns the scenario targets of a forward action of an
// ALB.
func (b *builder) forwardTargets(t *tierState, a *Action, subject string) []*TargetOut {
	return b.forwardTargetsFor(t, a, subject, nil)
}

// forwardTargetsFor returns the targets of a forward action. For an NLB,
// nlb is the listener being written, whose protocol some target settings
// depend on.
func (b *builder) forwardTargetsFor(t *tierState, a *Action, subject string, nlb *ListenerOut) []*TargetOut {
	var out []*TargetOut
	for _, key := range a.TargetGroups {
		tg := b.tgs[key]
		if tg == nil {
			b.warn.Add(a.Loc, Unresolved, "%s forwards to target group %s, which is not in the input (aws elbv2 describe-target-groups)", subject, key)
			continue
		}
		for _, m := range b.members(t, tg, subject) {
			to := b.targetOut(t, tg, m, nlb, subject)
			if to == nil {
				continue
			}
			if !slices.ContainsFunc(out, func(x *TargetOut) bool { return x.Tier == to.Tier && x.Port == to.Port }) {
				out = append(out, to)
			}
		}
	}
	if len(out) > maxForwards {
		b.warn.Add(a.Loc, NotModeled, "%s reaches %d target tiers; the scenario format takes %d per action, so the others are left out", subject, len(out), maxForwards)
		out = out[:maxForwards]
	}
	return out
}

// memberRef is a target group member placed in a tier.
type memberRef struct {
	tier *tierState
	port int
	// proposed explains a member inferred from security-group rules.
	proposed string
}

// members places the registered targets of tg in tiers. When the input
// lists none that can be placed, the tiers whose groups admit the load
// balancer's groups on the target group's port are proposed instead.
func (b *builder) members(lb *tierState, tg *TargetGroup, subject string) []memberRef {
	var out []memberRef
	var unplaced []string
	for _, m := range tg.Members {
		var t *tierState
		switch {
		case m.LB != "":
			t = b.byLB[m.LB]
		case m.Workload != "":
			t = b.byWorkload[m.Workload]
		case m.Identity != "":
			t = b.byWorkload["identity:"+m.Identity]
		case m.InstanceID != "":
			t = b.byInstance[m.InstanceID]
		case m.IP != "":
			t = b.byIP[m.IP]
		}
		if t == nil || t.dropped {
			unplaced = append(unplaced, cmpOr(m.LB, m.Workload, m.Identity, m.InstanceID, m.IP))
			continue
		}
		port := m.Port
		if port == 0 {
			port = tg.Port
		}
		if !slices.ContainsFunc(out, func(x memberRef) bool { return x.tier == t && x.port == port }) {
			out = append(out, memberRef{tier: t, port: port})
		}
	}
	if len(unplaced) > 0 {
		b.warn.Add(tg.Loc, Unresolved, "target group %s has registered targets that match no imported interface or load balancer: %s", tgName(tg), shortList(unplaced, 10))
	}
	if len(out) > 0 {
		return out
	}

	for _, t := range b.tiers {
		if t.dropped || t == lb || !targetKindFits(lb.kind, tg.TargetType, t.kind) {
			continue
		}
		if rule := admittingRule(t, lb.groups, "tcp", tg.Port); rule != "" {
			out = append(out, memberRef{tier: t, port: tg.Port, proposed: rule})
		}
	}
	if len(out) > 0 {
		reason := "lists no registered targets"
		if tg.MembersKnown {
			reason = "has no registered target the import could place"
		}
		b.warn.Add(tg.Loc, Unresolved, "target group %s %s (aws elbv2 describe-target-health), so its targets are PROPOSED: the tiers whose groups admit the load balancer's groups on port %d", tgName(tg), reason, tg.Port)
	}
	return out
}

// tgName names a target group in messages.
func tgName(tg *TargetGroup) string { return cmpOr(bestName(tg.Names), tg.Key) }

func cmpOr(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// targetKindFits reports whether a tier of kind target may be a target of
// a load balancer of kind lb through a target group of targetType.
func targetKindFits(lb model.Kind, targetType string, target model.Kind) bool {
	if targetType == "alb" {
		return lb == model.KindNLB && target == model.KindALB
	}
	switch target {
	case model.KindECS, model.KindEC2, model.KindEKS:
		return true
	case model.KindLambda:
		return lb == model.KindALB
	case model.KindALB:
		return lb == model.KindNLB
	}
	return false
}

// admittingRule returns a description of an ingress rule of t's groups that
// admits any of from on protocol and port, or "".
func admittingRule(t *tierState, from []*groupState, protocol string, port int) string {
	for _, g := range t.groups {
		for _, r := range g.in.Ingress {
			if r.PeerKind != PeerGroup {
				continue
			}
			peer := g.peers[r]
			matches := false
			for _, f := range from {
				if peer == f || peer == nil && r.Peer == f.in.Key {
					matches = true
				}
			}
			if !matches {
				continue
			}
			p, _ := normalizeProtocol(r.Protocol)
			if p != "all" && p != protocol {
				continue
			}
			if p != "all" && r.PortsKnown && (port < r.FromPort || port > r.ToPort) && !(r.FromPort < 0) {
				continue
			}
			return fmt.Sprintf("security group %s admits %s on %s %d", g.in.Key, r.Peer, protocol, port)
		}
	}
	return ""
}

// targetOut writes one target of a forward action.
func (b *builder) targetOut(lb *tierState, tg *TargetGroup, m memberRef, nlb *ListenerOut, subject string) *TargetOut {
	t := m.tier
	if !targetKindFits(lb.kind, tg.TargetType, t.kind) {
		b.warn.Add(tg.Loc, NotModeled, "%s reaches tier %s of kind %s through target group %s; a %s in the scenario format cannot forward to that kind, so the target is left out", subject, t.name, t.kind, tgName(tg), lb.kind)
		return nil
	}
	if m.port < 1 || m.port > 65535 {
		b.warn.Add(tg.Loc, Unresolved, "target group %s has no port for tier %s in the input; the target is left out", tgName(tg), t.name)
		return nil
	}
	out := &TargetOut{Tier: t.name, Port: m.port, HealthCheckPort: tg.HealthCheckPort}
	if m.proposed != "" {
		out.Comment = "PROPOSED: " + m.proposed
	}
	switch {
	case t.kind == model.KindALB:
		if nlb != nil && nlb.Protocol != "TCP" {
			b.warn.Add(tg.Loc, NotModeled, "%s forwards to ALB %s from a %s listener; AWS and the scenario format accept ALB targets only behind TCP listeners, so the target is left out", subject, t.name, nlb.Protocol)
			return nil
		}
		if !slices.ContainsFunc(t.listeners, func(l *ListenerOut) bool { return l.Port == m.port }) {
			b.warn.Add(tg.Loc, Unresolved, "%s forwards to ALB %s on port %d, where the ALB has no imported listener; the target is left out", subject, t.name, m.port)
			return nil
		}
	case tg.TargetType == "ip" && t.kind == model.KindEC2:
		out.TargetType = "ip"
	case tg.TargetType == "instance" && t.kind != model.KindEC2 && t.kind != model.KindLambda:
		out.TargetType = "instance"
	}
	if nlb != nil && tg.PreserveClientIP != nil {
		udp := nlb.Protocol == "UDP" || nlb.Protocol == "TCP_UDP"
		if *tg.PreserveClientIP || !udp {
			v := *tg.PreserveClientIP
			out.PreserveClientIP = &v
		}
	}
	return out
}
