package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// Packet is a synthetic request on one hop: the first packet of a connection
// together with the facts a filter can test.
type Packet struct {
	Src netip.Addr
	Dst netip.Addr
	// DstName names the destination when it has no address of its own in
	// the model, such as a CloudFront distribution's domain name.
	DstName  string
	Protocol model.Protocol
	// Port is the destination port for tcp and udp, and type*256+code for
	// icmp and icmpv6. It is 0 for other protocols.
	Port int
	// Identity is the set of security groups of the interface that sent the
	// packet, which security-group references match. It is empty when the
	// sender is outside the VPC or a component on the way replaced it.
	Identity []*model.SecurityGroup
	// Headers are the HTTP headers that some filter in the scenario tests,
	// sorted by lower-case name. Absent headers are not listed.
	Headers []Header

	// dstGroups are the security groups of the destination interface when
	// the packet is addressed to its private address. Egress rules that
	// reference a security group match on them; they are nil for a public
	// destination address.
	dstGroups []*model.SecurityGroup

	// srcPorts is the range the sender picks its source port from, which
	// the replies are addressed to; the zero value means any port, as for
	// an attacker on its own machine.
	srcPorts model.PortRange
	// intended marks a packet of the intended flow, whose sender's
	// operating system may pick any port of srcPorts.
	intended bool
}

// Header is one HTTP request header.
type Header struct {
	Name  string // as written in the scenario
	Value string
	// Secret reports whether Value is the value of a secret origin custom
	// header. Renderers print a placeholder instead of a secret value.
	Secret bool
}

// Display returns the value to show to a user: the value itself, or a
// placeholder naming the secret without revealing it.
func (h Header) Display() string {
	if h.Secret {
		return "<secret value of " + h.Name + ">"
	}
	return h.Value
}

// header returns the value of the named header and whether it is present.
func (p *Packet) header(name string) (Header, bool) {
	for _, h := range p.Headers {
		if strings.EqualFold(h.Name, name) {
			return h, true
		}
	}
	return Header{}, false
}

// withHeader returns a copy of p with the named header set to h.
func (p Packet) withHeader(h Header) Packet {
	hs := slices.DeleteFunc(slices.Clone(p.Headers), func(o Header) bool { return strings.EqualFold(o.Name, h.Name) })
	hs = append(hs, h)
	slices.SortFunc(hs, func(a, b Header) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	p.Headers = hs
	return p
}

// PortString renders the port field for the packet's protocol.
func (p *Packet) PortString() string {
	switch p.Protocol {
	case model.TCP, model.UDP:
		return fmt.Sprint(p.Port)
	case model.ICMP, model.ICMPv6:
		return fmt.Sprintf("type %d code %d", p.Port/256, p.Port%256)
	}
	return ""
}

// IdentityNames returns the names of the security groups in the packet's
// identity.
func (p *Packet) IdentityNames() []string {
	names := make([]string, len(p.Identity))
	for i, g := range p.Identity {
		names[i] = g.Name
	}
	return names
}

// String renders p on one line, such as
// "tcp 203.0.113.7 -> 10.0.1.10:443 [X-Api-Key: abc]". Secret header values
// are replaced by a placeholder.
func (p *Packet) String() string {
	var b strings.Builder
	dst := p.Dst.String()
	if !p.Dst.IsValid() {
		dst = p.DstName
	}
	fmt.Fprintf(&b, "%s %s -> %s", p.Protocol, p.Src, dst)
	switch p.Protocol {
	case model.TCP, model.UDP:
		fmt.Fprintf(&b, ":%d", p.Port)
	case model.ICMP, model.ICMPv6:
		fmt.Fprintf(&b, " %s", p.PortString())
	}
	if len(p.Identity) > 0 {
		fmt.Fprintf(&b, " as %s", strings.Join(p.IdentityNames(), "+"))
	}
	if len(p.Headers) > 0 {
		parts := make([]string, len(p.Headers))
		for i, h := range p.Headers {
			parts[i] = h.Name + ": " + h.Display()
		}
		fmt.Fprintf(&b, " [%s]", strings.Join(parts, ", "))
	}
	return b.String()
}

// key returns a string that identifies p's fate downstream, for merging
// states that several initial packets share.
func (p *Packet) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%d|%d|", p.Src, p.Dst, p.Protocol, p.Port)
	for _, g := range p.Identity {
		b.WriteString(g.Name)
		b.WriteByte(',')
	}
	b.WriteByte('|')
	for _, h := range p.Headers {
		fmt.Fprintf(&b, "%s=%q,", strings.ToLower(h.Name), h.Value)
	}
	return b.String()
}
