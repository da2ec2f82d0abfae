package sim_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/sim"
)

// TestReachReferenceByHand compares sgchain reach on the dual-token reference
// architecture with a reachability table worked out by hand from the
// scenario file:
//
//   - edge (CloudFront) accepts viewers on TCP 80 and 443 from anyone.
//   - alb admits only the CloudFront prefix list on 443. Through edge, the
//     request carries the secret header, so the listener forwards: alb is
//     reached on 443 via edge. An attacker's own distribution passes the
//     security group but gets the 403 default action, so that path does not
//     count as reaching alb. A direct connection fails the security group.
//   - nlb admits the CloudFront prefix list on TCP 7350 and cannot read
//     headers: it is reached on 7350 via edge and via the attacker's own
//     distribution.
//   - ecs admits 7350 from the alb and nlb groups. The ALB forwards to 7350;
//     the NLB forwards 7350 to 7350. So ecs is reached on 7350 via
//     edge > alb, edge > nlb and the own distribution > nlb.
//   - ecs as a source (a compromised task): alb and nlb admit only the
//     CloudFront pool, and ecs's own group admits only alb and nlb, so it
//     reaches nothing.
func TestReachReferenceByHand(t *testing.T) {
	s := loadScenario(t, "../scenarios/nakama-dual-token.yaml")
	r, err := sim.Reach(s)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"internet -> alb tcp 443 via edge",
		"internet -> ecs tcp 7350 via edge>alb; via edge>nlb; via internet/own-distribution>nlb",
		"internet -> edge tcp 80,443 direct",
		"internet -> nlb tcp 7350 via edge; via internet/own-distribution",
	}
	var got []string
	for _, row := range r.Rows {
		got = append(got, reachLine(row))
	}
	if !slices.Equal(got, want) {
		t.Errorf("reach rows:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(want, "\n       "))
	}
}

func reachLine(row sim.ReachRow) string {
	var ports []string
	for _, p := range row.Ports {
		ports = append(ports, p.String())
	}
	var how []string
	if row.Direct {
		how = append(how, "direct")
	}
	for _, v := range row.Via {
		how = append(how, "via "+strings.Join(v, ">"))
	}
	return fmt.Sprintf("%s -> %s %s %s %s", row.From, row.To, row.Protocol, strings.Join(ports, ","), strings.Join(how, "; "))
}

// A compromised tier reaches what its egress and the receivers' ingress
// admit, over every port class: the three-tier app reaches the database on
// 5432 only, and nothing else.
func TestReachFromCompromisedTier(t *testing.T) {
	s := loadScenario(t, "../scenarios/three-tier.yaml")
	r, err := sim.Reach(s)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range r.Rows {
		if row.From == "app" {
			got = append(got, reachLine(row))
		}
	}
	if want := []string{"app -> db tcp 5432 direct"}; !slices.Equal(got, want) {
		t.Errorf("app reaches %v, want %v", got, want)
	}
	for _, row := range r.Rows {
		if row.From == "app" && !row.FromTier {
			t.Errorf("row %v: FromTier = false for a tier source", reachLine(row))
		}
	}
}
