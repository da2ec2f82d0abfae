package model

// decodeTarget decodes a target group of a forward action of the load
// balancer lb on listener l.
func (d *decoder) decodeTarget(lb *Tier, l *Listener, v value) *Target {
	tg := &Target{Path: v.path, Pos: d.pos(v.at)}
	isNLB := lb.Kind == KindNLB
	keys, label := albTargetKeys, "an ALB target group"
	if isNLB {
		keys, label = nlbTargetKeys, "an NLB target group"
	}
	o := d.object(v, label, keys, func(key string) string {
		if key == "preserve_client_ip" {
			return "Client IP preservation is a setting of NLB target groups. An ALB always connects to targets from its own address."
		}
		return ""
	})
	if !o.ok {
		return nil
	}

	if tv, ok := d.require(o, "tier", "tier: app"); ok {
		if isNLB {
			tg.Tier, _ = d.lookupTierOf(tv, "an NLB target", KindECS, KindEC2, KindEKS, KindALB)
		} else {
			tg.Tier, _ = d.lookupTierOf(tv, "an ALB target", KindECS, KindEC2, KindEKS, KindLambda)
		}
	}
	pv, hasPort := d.require(o, "port", "port: 8080")
	if hasPort {
		tg.Port, _ = d.intRange(pv, "Invalid port", "a port from 1 to 65535", 1, maxPort)
	}

	d.decodeTargetType(tg, lb, l, o)

	tg.HealthCheckPort = tg.Port
	if hv, ok := o.get("health_check_port"); ok {
		tg.HealthCheckPort, _ = d.intRange(hv, "Invalid port", "a port from 1 to 65535", 1, maxPort)
	}

	if isNLB {
		d.decodePreserveClientIP(tg, l, o)
	}
	if isNLB && tg.TargetType == targetALB && tg.Tier != nil && tg.Tier.Kind == KindALB && hasPort && tg.Port != 0 {
		d.deferred = append(d.deferred, func() { d.checkALBTargetPort(tg, pv) })
	}
	if tg.TargetType == targetInstance && tg.Tier != nil {
		d.deferred = append(d.deferred, func() { d.checkInstanceVPC(lb, tg, v) })
	}
	return tg
}

// defaultTargetType returns the target type that AWS practice implies for a
// tier of kind k: instance for EC2, alb for an ALB behind an NLB, and ip for
// containers and functions.
func defaultTargetType(k Kind) string {
	switch k {
	case KindEC2:
		return targetInstance
	case KindALB:
		return targetALB
	}
	return targetIP
}

func (d *decoder) decodeTargetType(tg *Target, lb *Tier, l *Listener, o *object) {
	var kind Kind
	if tg.Tier != nil {
		kind = tg.Tier.Kind
	}
	tv, set := o.get("target_type")
	if !set {
		if kind != "" {
			tg.TargetType = defaultTargetType(kind)
		}
		d.checkALBTargetProtocol(tg, l, o.v)
		return
	}

	types := []string{targetIP, targetInstance}
	if lb.Kind == KindNLB {
		types = append(types, targetALB)
	}
	typ, ok := d.enum(tv, "Invalid value", "target type", types, false)
	if !ok {
		return
	}
	tg.TargetType = typ
	switch {
	case kind == "":
	case typ == targetInstance && kind == KindLambda:
		d.errorf(tv.at, tv.path, "Invalid value", "Tier %s is a Lambda function, which has no instances to register. Use target_type ip or remove target_type.", tg.Tier.Name)
	case typ == targetALB && kind != KindALB:
		d.errorf(tv.at, tv.path, "Invalid value", "target_type alb registers an Application Load Balancer, but tier %s is of kind %s. Use target_type %s.", tg.Tier.Name, kind, defaultTargetType(kind))
	case typ != targetALB && kind == KindALB:
		d.errorf(tv.at, tv.path, "Invalid value", "Tier %s is an ALB, which an NLB registers with target_type alb. Set target_type: alb or remove target_type.", tg.Tier.Name)
	default:
		d.checkALBTargetProtocol(tg, l, tv)
	}
}

// checkALBTargetProtocol reports an ALB target on a listener that is not
// TCP, because AWS accepts alb target groups only with the TCP protocol.
func (d *decoder) checkALBTargetProtocol(tg *Target, l *Listener, at value) {
	if tg.TargetType == targetALB && l.Protocol != "" && l.Protocol != "TCP" {
		d.errorf(at.at, at.path, "Invalid value", "An NLB forwards to an ALB only from TCP listeners, and this listener's protocol is %s. Use protocol tcp or another target.", l.Protocol)
	}
}

// decodePreserveClientIP applies AWS's client IP preservation default for
// an NLB target group, or the scenario's explicit setting. From the Elastic
// Load Balancing documentation ("Edit target group attributes for your
// Network Load Balancer"):
//
//   - instance targets preserve the client IP by default;
//   - ip targets with TCP or TLS do not by default;
//   - UDP and TCP_UDP target groups, instance or ip, always do, and the
//     setting cannot be turned off.
//
// An ALB registered behind an NLB receives the client address as well.
func (d *decoder) decodePreserveClientIP(tg *Target, l *Listener, o *object) {
	udp := l.Protocol == "UDP" || l.Protocol == "TCP_UDP"
	switch tg.TargetType {
	case targetIP:
		tg.PreserveClientIP = udp
	case targetInstance, targetALB:
		tg.PreserveClientIP = true
	}

	v, ok := o.get("preserve_client_ip")
	if !ok {
		return
	}
	preserve, ok := d.boolean(v)
	if !ok {
		return
	}
	if udp && !preserve {
		d.errorf(v.at, v.path, "Invalid value", "AWS always preserves the client IP for %s target groups and does not allow turning it off. Remove preserve_client_ip or set it to true.", l.Protocol)
		return
	}
	tg.PreserveClientIP = preserve
	tg.PreserveClientIPSet = true
}

// checkALBTargetPort reports an ALB target whose port is not a listener
// port of the ALB, because AWS requires the target group's port to match
// one.
func (d *decoder) checkALBTargetPort(tg *Target, pv value) {
	var ports []string
	for _, l := range tg.Tier.Listeners {
		if l.Port == tg.Port {
			return
		}
		ports = append(ports, itoa(l.Port))
	}
	if len(ports) == 0 {
		return
	}
	d.errorf(pv.at, pv.path, "Invalid port", "ALB %s has no listener on port %d. Its listeners use port %s, so forward to one of them.", tg.Tier.Name, tg.Port, orList(ports, "or"))
}

// checkInstanceVPC reports an instance target outside the load balancer's
// VPC, because AWS registers instances only in a target group of their own
// VPC.
func (d *decoder) checkInstanceVPC(lb *Tier, tg *Target, v value) {
	lbVPC, targetVPC := tierVPC(lb), tierVPC(tg.Tier)
	if lbVPC == nil || targetVPC == nil || lbVPC == targetVPC {
		return
	}
	d.errorf(v.at, v.path, "VPC mismatch", "Tier %s is in VPC %s, but load balancer %s is in VPC %s. Instance targets must be in the load balancer's VPC.",
		tg.Tier.Name, targetVPC.Name, lb.Name, lbVPC.Name)
}
