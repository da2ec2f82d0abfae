package model

import (
	"fmt"
	"net/netip"
	"strings"
)

// Expected verdicts, with the words the simulator's reports use.
const (
	VerdictHolds     = "holds"
	VerdictSkippable = "skippable"
	VerdictBroken    = "broken"
)

// Warning codes that an expectation can name. They are the codes of the
// simulator's warning findings.
const (
	WarningShadowedRule = "shadowed-rule"
	WarningRuleQuota    = "rule-quota"
)

// WarningCodes lists the warning codes in the order the documentation gives
// them.
var WarningCodes = []string{WarningShadowedRule, WarningRuleQuota}

// Expectations are the verdicts a scenario asserts about itself, written
// under the top-level key expect. sgchain test and the chaintest package
// check them, so that a scenario doubles as a regression test.
type Expectations struct {
	Stages   []*StageExpectation
	Flows    []*FlowExpectation
	Hops     []*HopExpectation
	Warnings []*WarningExpectation
	Pos      Pos
}

// Len returns the number of expectations.
func (e *Expectations) Len() int {
	if e == nil {
		return 0
	}
	return len(e.Stages) + len(e.Flows) + len(e.Hops) + len(e.Warnings)
}

// StageExpectation asserts the verdict of chain stages for attackers.
type StageExpectation struct {
	// Attacker is the attacker the verdict is for, or nil for every
	// attacker of the scenario.
	Attacker *Attacker
	// Stage is the chain stage, or nil for every stage after the first.
	Stage *Stage
	// Verdict is VerdictHolds or VerdictSkippable.
	Verdict string
	Path    string // key path, such as expect.stages[0]
	Pos     Pos
}

// FlowExpectation asserts whether a sender can get a packet to a tier. The
// protocol, ports, source and headers describe the packet the sender puts on
// the wire. The flow is possible when such a packet, or what proxies and
// load balancers forward for it, arrives at the tier.
type FlowExpectation struct {
	// From is the attacker that sends, or nil when FromTier is set.
	From *Attacker
	// FromTier is the tier whose compromised interface sends, with the
	// tier's address and security groups and knowing no secret header
	// value. It is nil when From is set.
	FromTier *Tier
	To       *Tier
	// Protocol is the IP protocol, or AllProtocols for any protocol.
	Protocol Protocol
	// Ports is the destination port range for tcp and udp, and the ICMP
	// type*256+code range for icmp and icmpv6, as in a security-group rule.
	Ports PortRange
	// Source is the packet's source address, or the zero Addr for any
	// address the sender can use.
	Source netip.Addr
	// Headers are HTTP headers the request carries, in file order.
	Headers []FlowHeader
	// Possible is the expected result.
	Possible bool
	Path     string
	Pos      Pos
}

// FlowHeader is an HTTP header of a flow expectation.
type FlowHeader struct {
	Name  string
	Value string
	// Secret reports whether Value equals the value of a secret origin
	// custom header, so that reports show a placeholder instead.
	Secret bool
}

// Display returns the header's value to show to a user, or a placeholder
// when the value is secret.
func (h FlowHeader) Display() string {
	if h.Secret {
		return "<secret value>"
	}
	return h.Value
}

// Sender returns the name of the flow's sender: the attacker's name, or the
// tier's name for a compromised interface.
func (f *FlowExpectation) Sender() string {
	if f.From != nil {
		return f.From.Name
	}
	if f.FromTier != nil {
		return f.FromTier.Name
	}
	return ""
}

// String describes the flow without its expected result, such as
// "internet -> app tcp 8080 from 203.0.113.7 [X-Debug: on]". Secret header
// values are replaced by a placeholder.
func (f *FlowExpectation) String() string {
	var b strings.Builder
	sender := f.Sender()
	if f.FromTier != nil {
		sender = "compromised " + sender
	}
	to := ""
	if f.To != nil {
		to = f.To.Name
	}
	fmt.Fprintf(&b, "%s -> %s %s", sender, to, f.Protocol)
	switch f.Protocol {
	case TCP, UDP:
		fmt.Fprintf(&b, " %s", f.Ports)
	case ICMP, ICMPv6:
		if !f.Ports.IsAll() {
			fmt.Fprintf(&b, " type %d", f.Ports.From/icmpFieldValues)
			if f.Ports.To-f.Ports.From < maxICMPField {
				fmt.Fprintf(&b, " code %d", f.Ports.From%icmpFieldValues)
			}
		}
	}
	if f.Source.IsValid() {
		fmt.Fprintf(&b, " from %s", f.Source)
	}
	if len(f.Headers) > 0 {
		parts := make([]string, len(f.Headers))
		for i, h := range f.Headers {
			parts[i] = h.Name + ": " + h.Display()
		}
		fmt.Fprintf(&b, " [%s]", strings.Join(parts, ", "))
	}
	return b.String()
}

// HopExpectation asserts the verdict of an intended hop: a CloudFront
// origin, a load balancer's forward target, or a connects_to entry.
type HopExpectation struct {
	From, To *Tier
	// Verdict is VerdictHolds or VerdictBroken.
	Verdict string
	Path    string
	Pos     Pos
}

// WarningExpectation asserts that a warning finding is present or absent.
type WarningExpectation struct {
	// Code is one of WarningCodes.
	Code string
	// Tier restricts the expectation to warnings about that tier, or about
	// a security group attached to it. It is nil for warnings anywhere in
	// the scenario.
	Tier    *Tier
	Present bool
	Path    string
	Pos     Pos
}
