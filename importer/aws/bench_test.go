package aws

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/sgchain/sgchain/importer"
	"github.com/sgchain/sgchain/model"
)

// exportSize sizes a generated AWS CLI export: services of an ALB, an ECS
// service and an RDS instance each, behind CloudFront.
type exportSize struct {
	services int
	// tasks is the number of ECS task interfaces per service.
	tasks int
	// extraRules is the number of CIDR rules added to every group, the kind
	// that accumulates in real accounts.
	extraRules int
}

// largeExport is 600 services: 1,800 security groups, 3,600 network
// interfaces (two ALB nodes, three tasks and one database per service) and
// 600 target groups.
var largeExport = exportSize{services: 600, tasks: 3, extraRules: 10}

// writeExport writes the export to dir as the AWS CLI would print it, one
// file per command, with one describe-target-health file per target group.
func writeExport(tb testing.TB, dir string, size exportSize) (interfaces, groups int) {
	tb.Helper()
	const account, vpc = "111122223333", "vpc-0123456789abcdef0"
	write := func(name string, v any) {
		data, err := json.MarshalIndent(v, "", "    ")
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	type obj = map[string]any
	subnetIDs := map[string]string{}
	var subnets []obj
	for i, s := range []struct{ name, cidr string }{
		{"public-a", "10.0.0.0/20"}, {"public-b", "10.0.16.0/20"}, {"app-a", "10.0.32.0/19"},
		{"app-b", "10.0.64.0/19"}, {"db-a", "10.0.96.0/20"}, {"db-b", "10.0.112.0/20"},
	} {
		id := fmt.Sprintf("subnet-%017x", i+1)
		subnetIDs[s.name] = id
		subnets = append(subnets, obj{"SubnetId": id, "VpcId": vpc, "CidrBlock": s.cidr, "Tags": []obj{{"Key": "Name", "Value": s.name}}})
	}
	write("vpcs.json", obj{"Vpcs": []obj{{"VpcId": vpc, "CidrBlock": "10.0.0.0/16"}}})
	write("subnets.json", obj{"Subnets": subnets})
	write("route-tables.json", obj{"RouteTables": []obj{
		{"RouteTableId": "rtb-public", "VpcId": vpc, "Associations": []obj{{"SubnetId": subnetIDs["public-a"]}, {"SubnetId": subnetIDs["public-b"]}},
			"Routes": []obj{{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0123456789abcdef0", "State": "active"}}},
		{"RouteTableId": "rtb-main", "VpcId": vpc, "Associations": []obj{{"Main": true}}, "Routes": []obj{}},
	}})
	write("prefix-lists.json", obj{"PrefixLists": []obj{{"PrefixListId": "pl-3b927c52", "PrefixListName": "com.amazonaws.global.cloudfront.origin-facing", "AddressFamily": "IPv4", "OwnerId": "AWS"}}})

	perm := func(proto string, port int, peer obj) obj {
		p := obj{"IpProtocol": proto, "FromPort": port, "ToPort": port, "IpRanges": []obj{}, "Ipv6Ranges": []obj{}, "PrefixListIds": []obj{}, "UserIdGroupPairs": []obj{}}
		for k, v := range peer {
			p[k] = []obj{v.(obj)}
		}
		return p
	}
	extra := func(i int) []obj {
		var out []obj
		for j := range size.extraRules {
			out = append(out, perm("tcp", 9000+j, obj{"IpRanges": obj{"CidrIp": fmt.Sprintf("172.%d.%d.0/24", 16+j%16, i%256)}}))
		}
		return out
	}
	var sgs, enis, lbs, listeners, rules, tgs, origins []obj
	var dists []obj
	eni := 0
	addENI := func(subnet, ip, group, desc string, tags []obj) {
		eni++
		enis = append(enis, obj{"NetworkInterfaceId": fmt.Sprintf("eni-%017x", eni), "SubnetId": subnetIDs[subnet], "VpcId": vpc,
			"PrivateIpAddress": ip, "Groups": []obj{{"GroupId": group}}, "Description": desc, "InterfaceType": "interface",
			"Status": "in-use", "TagSet": tags, "RequesterId": "amazon", "RequesterManaged": true})
	}
	ip := func(base, n int) string { return fmt.Sprintf("10.0.%d.%d", base+n/250, 4+n%250) }
	for i := range size.services {
		alb, app, db := fmt.Sprintf("sg-a%016x", i), fmt.Sprintf("sg-b%016x", i), fmt.Sprintf("sg-c%016x", i)
		sgs = append(sgs,
			obj{"GroupId": alb, "GroupName": fmt.Sprintf("alb-%d", i), "VpcId": vpc, "OwnerId": account,
				"IpPermissions":       append([]obj{perm("tcp", 443, obj{"PrefixListIds": obj{"PrefixListId": "pl-3b927c52"}})}, extra(i)...),
				"IpPermissionsEgress": []obj{perm("tcp", 8080, obj{"UserIdGroupPairs": obj{"GroupId": app}})}},
			obj{"GroupId": app, "GroupName": fmt.Sprintf("app-%d", i), "VpcId": vpc, "OwnerId": account,
				"IpPermissions":       append([]obj{perm("tcp", 8080, obj{"UserIdGroupPairs": obj{"GroupId": alb}})}, extra(i)...),
				"IpPermissionsEgress": []obj{perm("tcp", 5432, obj{"UserIdGroupPairs": obj{"GroupId": db}})}},
			obj{"GroupId": db, "GroupName": fmt.Sprintf("db-%d", i), "VpcId": vpc, "OwnerId": account,
				"IpPermissions":       append([]obj{perm("tcp", 5432, obj{"UserIdGroupPairs": obj{"GroupId": app}})}, extra(i)...),
				"IpPermissionsEgress": []obj{}})

		lbName, lbID := fmt.Sprintf("alb-%d", i), fmt.Sprintf("%016x", i)
		lbARN := "arn:aws:elasticloadbalancing:us-east-1:" + account + ":loadbalancer/app/" + lbName + "/" + lbID
		tgARN := "arn:aws:elasticloadbalancing:us-east-1:" + account + ":targetgroup/tg-" + lbName + "/" + lbID
		listenerARN := "arn:aws:elasticloadbalancing:us-east-1:" + account + ":listener/app/" + lbName + "/" + lbID + "/0000000000000001"
		dns := fmt.Sprintf("%s-%d.us-east-1.elb.amazonaws.com", lbName, 1000000+i)
		lbs = append(lbs, obj{"LoadBalancerArn": lbARN, "LoadBalancerName": lbName, "DNSName": dns, "Scheme": "internet-facing", "Type": "application",
			"VpcId": vpc, "SecurityGroups": []string{alb}, "AvailabilityZones": []obj{{"SubnetId": subnetIDs["public-a"]}, {"SubnetId": subnetIDs["public-b"]}}})
		addENI("public-a", ip(0, i), alb, "ELB app/"+lbName+"/"+lbID, nil)
		addENI("public-b", ip(16, i), alb, "ELB app/"+lbName+"/"+lbID, nil)
		var targets []obj
		for k := range size.tasks {
			subnet, base := "app-a", 32
			if k%2 == 1 {
				subnet, base = "app-b", 64
			}
			addr := ip(base, i*size.tasks+k)
			addENI(subnet, addr, app, "arn:aws:ecs:us-east-1:"+account+":attachment/x", []obj{{"Key": "aws:ecs:serviceName", "Value": fmt.Sprintf("svc-%d", i)}})
			targets = append(targets, obj{"Target": obj{"Id": addr, "Port": 8080}, "TargetHealth": obj{"State": "healthy"}})
		}
		addENI("db-a", ip(96, i), db, "RDSNetworkInterface", nil)
		enis[len(enis)-1]["RequesterId"] = "amazon-rds"

		secret := fmt.Sprintf("secret-%d", i/20)
		tgs = append(tgs, obj{"TargetGroupArn": tgARN, "TargetGroupName": "tg-" + lbName, "Port": 8080, "Protocol": "HTTP", "TargetType": "ip", "HealthCheckPort": "traffic-port"})
		write(fmt.Sprintf("target-health.%d.json", i), obj{"TargetGroupArn": tgARN, "TargetHealthDescriptions": targets})
		listeners = append(listeners, obj{"ListenerArn": listenerARN, "LoadBalancerArn": lbARN, "Port": 443, "Protocol": "HTTPS",
			"DefaultActions": []obj{{"Type": "fixed-response", "FixedResponseConfig": obj{"StatusCode": "403"}}}})
		rules = append(rules, obj{"RuleArn": "arn:aws:elasticloadbalancing:us-east-1:" + account + ":listener-rule/app/" + lbName + "/" + lbID + "/0000000000000001/0000000000000002",
			"Priority": "10", "Conditions": []obj{{"Field": "http-header", "HttpHeaderConfig": obj{"HttpHeaderName": "X-Origin-Verify", "Values": []string{secret}}}},
			"Actions": []obj{{"Type": "forward", "TargetGroupArn": tgARN}}})
		origins = append(origins, obj{"Id": lbName, "DomainName": dns, "CustomOriginConfig": obj{"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
			"CustomHeaders": obj{"Quantity": 1, "Items": []obj{{"HeaderName": "X-Origin-Verify", "HeaderValue": secret}}}})
		if len(origins) == 20 || i == size.services-1 {
			dists = append(dists, obj{"Id": fmt.Sprintf("E%013d", len(dists)), "Comment": fmt.Sprintf("edge-%d", len(dists)), "Enabled": true,
				"Origins": obj{"Quantity": len(origins), "Items": origins}})
			origins = nil
		}
	}
	write("security-groups.json", obj{"SecurityGroups": sgs})
	write("network-interfaces.json", obj{"NetworkInterfaces": enis})
	write("load-balancers.json", obj{"LoadBalancers": lbs})
	write("listeners.json", obj{"Listeners": listeners})
	write("rules.json", obj{"Rules": rules})
	write("target-groups.json", obj{"TargetGroups": tgs})
	write("distributions.json", obj{"DistributionList": obj{"Items": dists, "IsTruncated": false}})
	return len(enis), len(sgs)
}

// importExport runs the whole import of dir: read, build, write YAML, and
// load the result as sgchain check would.
func importExport(tb testing.TB, dir string) (*importer.Scenario, []byte) {
	inv, err := Read([]string{dir})
	if err != nil {
		tb.Fatal(err)
	}
	s, err := importer.Build(inv, importer.Options{Name: "large"})
	if err != nil {
		tb.Fatal(err)
	}
	data := s.YAML()
	if _, diags := model.Parse("large.yaml", data); diags.HasErrors() {
		tb.Fatalf("the imported scenario does not load:\n%v", diags.Err())
	}
	return s, data
}

// TestImportLargeExport checks the generated export imports into the
// scenario its size implies: one tier per service part, and no warning.
func TestImportLargeExport(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and imports an export of 60 services")
	}
	dir := t.TempDir()
	size := exportSize{services: 60, tasks: 3, extraRules: 2}
	writeExport(t, dir, size)
	s, _ := importExport(t, dir)
	if got, want := len(s.Tiers), size.services*3+size.services/20; got != want {
		t.Errorf("%d tiers, want %d", got, want)
	}
	if len(s.Warnings) != 0 {
		t.Errorf("the generated export gives warnings: %v", s.Warnings)
	}
}

// BenchmarkImportLargeExport imports the large generated export, from
// reading its files to loading the written scenario.
func BenchmarkImportLargeExport(b *testing.B) {
	dir := b.TempDir()
	interfaces, groups := writeExport(b, dir, largeExport)
	b.ReportAllocs()
	for b.Loop() {
		importExport(b, dir)
	}
	b.ReportMetric(float64(interfaces), "interfaces")
	b.ReportMetric(float64(groups), "groups")
}
