// Package aws reads the JSON that the AWS CLI prints (--output json) for the
// describe and get calls docs/import.md lists, and turns it into an
// importer.Inventory.
//
// Each file is recognized by its top-level key, such as SecurityGroups or
// NetworkInterfaces, whatever its name. Several files with the same key
// add up, so per-resource calls (describe-listeners for each load balancer)
// can each write their own file.
package aws

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/importer"
)

// document is one decoded input file.
type document struct {
	root importer.JSON
	base string // file name without directories
}

// reader collects the sections of every input file before building the
// inventory, because references run between files: an interface names a
// load balancer, a listener names target groups.
type reader struct {
	inv *importer.Inventory

	securityGroups []importer.JSON
	interfaces     []importer.JSON
	subnets        []importer.JSON
	vpcs           []importer.JSON
	routeTables    []importer.JSON
	natGateways    []importer.JSON
	vpcEndpoints   []importer.JSON
	peerings       []importer.JSON
	tgws           []importer.JSON
	tgwAttachments []importer.JSON
	networkACLs    []importer.JSON
	prefixLists    []importer.JSON
	listEntries    []*document
	loadBalancers  []importer.JSON
	listeners      []importer.JSON
	rules          []importer.JSON
	targetGroups   []importer.JSON
	targetHealth   []*document
	distributions  []distributionDoc
	webACLs        []importer.JSON
	instances      []importer.JSON

	// Indexes filled while building.
	groupVPC      map[string]string
	lbByARN       map[string]*importer.LoadBalancer
	lbBySufx      map[string]*importer.LoadBalancer
	listenerByARN map[string]*importer.Listener
	tgByARN       map[string]*importer.TargetGroup
	instance      map[string]importer.JSON
	// interfaceEndpoints maps the id of each interface VPC endpoint in
	// describe-vpc-endpoints output to the endpoint.
	interfaceEndpoints map[string]importer.JSON
	// natInterfaces maps a NAT gateway id to its network interface, and
	// natOrder lists the ids in input order.
	natInterfaces map[string]importer.JSON
	natOrder      []string
}

// distributionDoc is a CloudFront distribution from any of the three
// output shapes, with the id when the shape has one.
type distributionDoc struct {
	id     string
	config importer.JSON // the DistributionConfig or DistributionSummary
	base   string
}

// Read reads the files in paths, descending into directories for *.json
// files, and returns the inventory they describe.
func Read(paths []string) (*importer.Inventory, error) {
	files, err := expand(paths)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no JSON files in %s; give the files the AWS CLI wrote with --output json, or their directory", strings.Join(paths, ", "))
	}
	r := &reader{inv: &importer.Inventory{Source: "aws"}}
	for _, f := range files {
		doc, err := importer.ReadJSON(f)
		if err != nil {
			return nil, err
		}
		r.inv.Inputs = append(r.inv.Inputs, f)
		r.classify(&document{root: doc, base: filepath.Base(f)})
	}
	r.build()
	return r.inv, nil
}

// expand lists the files named by paths: each file as given, and the *.json
// files under each directory in lexical order.
func expand(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".json") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(found)
		out = append(out, found...)
	}
	return out, nil
}

// classify files a document's sections by their top-level keys.
func (r *reader) classify(doc *document) {
	root := doc.root
	if !root.IsObject() {
		r.inv.Warnings.Add(root.Loc(), importer.NotUnderstood, "the file is not a JSON object as the AWS CLI prints; it is not read")
		return
	}
	recognized := false
	for _, key := range root.Keys() {
		v := root.Get(key)
		known := true
		switch key {
		case "SecurityGroups":
			r.securityGroups = append(r.securityGroups, v.List()...)
		case "NetworkInterfaces":
			r.interfaces = append(r.interfaces, v.List()...)
		case "Subnets":
			r.subnets = append(r.subnets, v.List()...)
		case "Vpcs":
			r.vpcs = append(r.vpcs, v.List()...)
		case "RouteTables":
			r.routeTables = append(r.routeTables, v.List()...)
		case "NatGateways":
			r.natGateways = append(r.natGateways, v.List()...)
		case "VpcEndpoints":
			r.vpcEndpoints = append(r.vpcEndpoints, v.List()...)
		case "VpcPeeringConnections":
			r.peerings = append(r.peerings, v.List()...)
		case "TransitGateways":
			r.tgws = append(r.tgws, v.List()...)
		case "TransitGatewayVpcAttachments":
			r.tgwAttachments = append(r.tgwAttachments, v.List()...)
		case "NetworkAcls":
			r.networkACLs = append(r.networkACLs, v.List()...)
		case "PrefixLists":
			r.prefixLists = append(r.prefixLists, v.List()...)
		case "Entries":
			r.listEntries = append(r.listEntries, doc)
		case "LoadBalancers":
			r.loadBalancers = append(r.loadBalancers, v.List()...)
		case "LoadBalancerDescriptions":
			for _, lb := range v.List() {
				r.inv.Warnings.Add(lb.Loc(), importer.NotModeled, "Classic Load Balancer %s is not modeled by the scenario format; it is left out", lb.Get("LoadBalancerName").Str())
			}
		case "Listeners":
			r.listeners = append(r.listeners, v.List()...)
		case "Rules":
			r.rules = append(r.rules, v.List()...)
		case "TargetGroups":
			r.targetGroups = append(r.targetGroups, v.List()...)
		case "TargetHealthDescriptions":
			r.targetHealth = append(r.targetHealth, doc)
		case "DistributionList":
			if truncated, _ := v.Get("IsTruncated").Bool(); truncated {
				r.inv.Warnings.Add(v.Loc(), importer.NotUnderstood, "the distribution list is truncated (IsTruncated is true); run aws cloudfront list-distributions without --max-items to read every distribution")
			}
			for _, d := range v.Get("Items").List() {
				r.distributions = append(r.distributions, distributionDoc{id: d.Get("Id").Str(), config: d, base: doc.base})
			}
		case "Distribution":
			r.distributions = append(r.distributions, distributionDoc{id: v.Get("Id").Str(), config: v.Get("DistributionConfig"), base: doc.base})
		case "DistributionConfig":
			r.distributions = append(r.distributions, distributionDoc{id: distributionIDFromName(doc.base), config: v, base: doc.base})
		case "WebACL":
			r.webACLs = append(r.webACLs, v)
		case "Reservations":
			for _, res := range v.List() {
				r.instances = append(r.instances, res.Get("Instances").List()...)
			}
		case "ETag", "LockToken", "ResponseMetadata", "PrefixListId", "TargetGroupArn":
			// Metadata beside the data, or the key a documented jq
			// recipe adds to name what a file is about.
		case "NextToken", "NextMarker":
			r.inv.Warnings.Add(v.Loc(), importer.NotUnderstood, "the output is one page of several (%s is set); run the command without --max-items so that the AWS CLI reads every page", key)
		default:
			known = false
			r.inv.Warnings.Add(v.Loc(), importer.NotUnderstood, "the top-level key %s is not output of a command the importer reads; it is not read", key)
		}
		recognized = recognized || known
	}
	if !recognized && len(root.Keys()) == 0 {
		r.inv.Warnings.Add(root.Loc(), importer.NotUnderstood, "the file holds an empty object")
	}
}

// distributionIDPattern matches a CloudFront distribution id.
var distributionIDPattern = regexp.MustCompile(`E[A-Z0-9]{12,13}`)

// distributionIDFromName finds a distribution id in a file name, because
// get-distribution-config prints the configuration without the id.
func distributionIDFromName(base string) string {
	return distributionIDPattern.FindString(base)
}

// tags returns the Key/Value tag list of an AWS object as a map.
func tags(v importer.JSON) map[string]string {
	out := map[string]string{}
	for _, key := range []string{"Tags", "TagSet"} {
		for _, t := range v.Get(key).List() {
			out[t.Get("Key").Str()] = t.Get("Value").Str()
		}
	}
	return out
}

// nameHints returns the name hints tags give.
func nameHints(t map[string]string) []importer.NameHint {
	var out []importer.NameHint
	if n := t["Name"]; n != "" {
		out = append(out, importer.NameHint{Rank: importer.RankNameTag, Value: n})
	}
	if n := t["aws:cloudformation:logical-id"]; n != "" {
		out = append(out, importer.NameHint{Rank: importer.RankLogicalID, Value: n})
	}
	return out
}

func (r *reader) build() {
	r.groupVPC = map[string]string{}
	r.lbByARN = map[string]*importer.LoadBalancer{}
	r.lbBySufx = map[string]*importer.LoadBalancer{}
	r.listenerByARN = map[string]*importer.Listener{}
	r.tgByARN = map[string]*importer.TargetGroup{}
	r.instance = map[string]importer.JSON{}
	r.interfaceEndpoints = map[string]importer.JSON{}
	r.natInterfaces = map[string]importer.JSON{}

	r.readVPCs()
	r.readSubnets()
	r.readRouteTables()
	r.readVPCEndpoints()
	r.readPeerings()
	r.readTransitGateways()
	r.readNetworkACLs()
	r.readPrefixLists()
	r.readSecurityGroups()
	r.readLoadBalancers()
	r.readTargetGroups()
	r.readListeners()
	r.readInstances()
	r.readInterfaces()
	r.readNATGateways()
	r.readWebACLs()
	r.readDistributions()
}
