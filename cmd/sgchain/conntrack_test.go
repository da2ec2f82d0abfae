package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// whatifResult runs whatif in JSON and decodes it with its lost flows.
func whatifResult(t *testing.T, args ...string) jsonWhatif {
	t.Helper()
	stdout, stderr, status := run(t, append(append([]string{"whatif"}, args...), "--format", "json")...)
	if status == exitInvalid {
		t.Fatalf("sgchain whatif exited 2: %s", stderr)
	}
	var w jsonWhatif
	if err := json.Unmarshal([]byte(stdout), &w); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	return w
}

// Connection tracking (EC2 User Guide): removing a rule spares tracked
// connections until they go idle, 432000 s by default for TCP, and cuts
// untracked flows at once. The web servers' SSH rule admits 0.0.0.0/0 and
// their outbound rule admits everything, so SSH is untracked; HTTP from the
// ALB's group is tracked.
func TestWhatifEstablishedConnections(t *testing.T) {
	w := whatifResult(t, "scenarios/workshop-web-tier.yaml",
		"--remove-rule", "security_groups.web.ingress[0]", "--remove-rule", "security_groups.web.ingress[1]")

	var hop, ssh *jsonLostFlow
	for i := range w.Established {
		f := &w.Established[i]
		switch {
		case f.Kind == "hop" && f.From == "alb" && f.To == "web":
			hop = f
		case f.Kind == "reach" && f.Tier == "web" && strings.Join(f.Path, ">") == "internet>web":
			ssh = f
		}
	}
	if hop == nil || ssh == nil {
		t.Fatalf("established_connections = %+v, want the intended hop alb -> web and the SSH flow internet > web", w.Established)
	}

	if hop.Survival != "survive until idle" {
		t.Errorf("hop alb -> web: survival %q, want survive until idle", hop.Survival)
	}
	if hop.IdleTimeout == nil || hop.IdleTimeout.Seconds == nil || *hop.IdleTimeout.Seconds != 432000 {
		t.Errorf("hop alb -> web: idle timeout %+v, want 432000 s", hop.IdleTimeout)
	}
	if !strings.Contains(hop.Remedy, "network ACL") {
		t.Errorf("hop alb -> web: remedy %q, want a network ACL rule", hop.Remedy)
	}
	if len(hop.Cuts) != 1 || hop.Cuts[0].Tracking == nil || hop.Cuts[0].Tracking.State != "tracked" {
		t.Errorf("hop alb -> web: cuts %+v, want one cut at a tracking interface", hop.Cuts)
	}

	if ssh.Survival != "cut at once" {
		t.Errorf("ssh: survival %q, want cut at once", ssh.Survival)
	}
	if len(ssh.Cuts) != 1 || ssh.Cuts[0].Tracking == nil || ssh.Cuts[0].Tracking.State != "untracked" {
		t.Errorf("ssh: cuts %+v, want one cut at an untracked interface", ssh.Cuts)
	}
	if ssh.IdleTimeout != nil || ssh.Remedy != "" {
		t.Errorf("ssh: idle timeout %+v, remedy %q; want neither", ssh.IdleTimeout, ssh.Remedy)
	}
}

func TestWhatifEstablishedConnectionsFormats(t *testing.T) {
	args := []string{"whatif", "scenarios/workshop-web-tier.yaml", "--remove-rule", "security_groups.web.ingress[0]"}

	text, _, status := run(t, args...)
	if status != exitFindings {
		t.Errorf("exit status = %d, want 1 for the broken hop", status)
	}
	for _, want := range []string{"Established connections", "hop alb -> web (intended) breaks",
		"established connections survive until they go idle: idle timeout 432000 s", "add an inbound network ACL rule"} {
		if !strings.Contains(text, want) {
			t.Errorf("text output lacks %q:\n%s", want, text)
		}
	}

	md, _, _ := run(t, append(args, "--format", "markdown")...)
	for _, want := range []string{"#### Established connections", "| lost flow | established connections | why |", "survive until they go idle"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown output lacks %q:\n%s", want, md)
		}
	}
}

// A change that removes no security-group rule that a lost flow passed,
// such as removing a tier, leaves whatif's output as diff prints it.
func TestWhatifNoEstablishedSection(t *testing.T) {
	text, _, _ := run(t, "whatif", "scenarios/nakama-dual-token.yaml", "--remove-tier", "nlb")
	if strings.Contains(text, "Established connections") {
		t.Errorf("removing a tier printed an established-connections section:\n%s", text)
	}
	stdout, _, _ := run(t, "whatif", "scenarios/nakama-dual-token.yaml", "--remove-tier", "nlb", "--format", "json")
	if strings.Contains(stdout, "established_connections") {
		t.Errorf("removing a tier printed established_connections in JSON")
	}
}

// Connection tracking (EC2 User Guide): an SSH rule from 0.0.0.0/0 with the
// default outbound rule leaves SSH untracked, and trace reports it per hop.
func TestTraceShowsTracking(t *testing.T) {
	stdout, stderr, status := run(t, "trace", "scenarios/workshop-web-tier.yaml", "--from", "internet", "--to", "web",
		"--protocol", "tcp", "--port", "22", "--format", "json")
	if status != exitOK {
		t.Fatalf("exit status = %d: %s", status, stderr)
	}
	var tr jsonTrace
	if err := json.Unmarshal([]byte(stdout), &tr); err != nil {
		t.Fatal(err)
	}
	last := tr.Hops[len(tr.Hops)-1]
	if last.Tracking == nil || last.Tracking.Receiver == nil {
		t.Fatalf("hop %s -> %s has no receiver tracking", last.From, last.To)
	}
	if r := last.Tracking.Receiver; r.State != "untracked" || r.IdleTimeout != nil {
		t.Errorf("receiver tracking = %+v, want untracked without an idle timeout", r)
	}
}
