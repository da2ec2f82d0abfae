package cloudformation

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/importer"
)

func newTemplate(t *testing.T, text string) *template {
	t.Helper()
	root, err := parseTemplate("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return &template{file: "t.yaml", root: root, parameters: root.get("Parameters"), mappings: root.get("Mappings"),
		conditions: root.get("Conditions"), resources: root.get("Resources"), inv: &importer.Inventory{},
		conditionValues: map[string]*bool{}, warned: map[string]bool{}}
}

const evalTemplate = `
Parameters:
  Cidr: {Type: String, Default: 10.20.0.0/16}
  Env: {Type: String, Default: prod}
  Secret: {Type: String, NoEcho: true}
  Zones: {Type: CommaDelimitedList, Default: "a, b"}
Mappings:
  Ports: {prod: {Http: "8080"}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Unknown: !Equals [!Ref Secret, x]
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Ref Cidr}}
  Group: {Type: AWS::EC2::SecurityGroup}
Values:
  cidr3: !Select [3, !Cidr [!GetAtt Vpc.CidrBlock, 8, 8]]
  cidrSmall: !Select [1, !Cidr ["10.0.0.0/24", 4, 4]]
  sub: !Sub "${Env}-alb-${!Literal}"
  subVars: !Sub ["${Name}.example.com", {Name: !Ref Env}]
  subUnknown: !Sub "${Secret}-x"
  join: !Join ["-", [a, !Ref Env, c]]
  split: !Select [1, !Split [",", "x,y,z"]]
  ifProd: !If [IsProd, yes-prod, no-prod]
  ifNot: !If [NotProd, yes, no]
  map: !FindInMap [Ports, !Ref Env, Http]
  getatt: !GetAtt Group.GroupId
  ref: !Ref Group
  long: {"Fn::Join": ["", ["x", {"Ref": "Env"}]]}
  resolve: "{{resolve:secretsmanager:shop/origin:SecretString:value}}"
  zones: !Ref Zones
`

func TestEvalIntrinsics(t *testing.T) {
	tp := newTemplate(t, evalTemplate)
	values := tp.root.get("Values")
	tests := map[string]string{
		"cidr3":     "10.20.3.0/24",
		"cidrSmall": "10.0.0.16/28",
		"sub":       "prod-alb-${Literal}",
		"subVars":   "prod.example.com",
		"join":      "a-prod-c",
		"split":     "y",
		"ifProd":    "yes-prod",
		"ifNot":     "no",
		"map":       "8080",
		"long":      "xprod",
	}
	for key, want := range tests {
		v := tp.eval(values.get(key))
		if !v.known || v.str != want {
			t.Errorf("%s = %+v, want %q", key, v, want)
		}
	}

	if v := tp.eval(values.get("getatt")); v.res != "Group" || v.attr != "GroupId" {
		t.Errorf("getatt = %+v, want a reference to Group.GroupId", v)
	}
	if v := tp.eval(values.get("ref")); v.res != "Group" || v.attr != "" {
		t.Errorf("ref = %+v, want a reference to Group", v)
	}
	for _, key := range []string{"subUnknown", "resolve"} {
		if v := tp.eval(values.get(key)); v.known || v.symbol == "" {
			t.Errorf("%s = %+v, want an unknown value with a symbol", key, v)
		}
	}
	if got := tp.eval(values.get("zones")).strings(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("zones = %v, want [a b]", got)
	}
	if _, ok := tp.condition("Unknown"); ok {
		t.Errorf("a condition on a parameter without default was decided")
	}
}

// TestLocations checks that YAML nodes carry line and column and JSON nodes
// a JSON pointer.
func TestLocations(t *testing.T) {
	y, err := parseTemplate("t.yaml", []byte("Resources:\n  A:\n    Type: !Ref X\n"))
	if err != nil {
		t.Fatal(err)
	}
	if loc := y.path("Resources", "A", "Type").loc; loc.Line != 3 || loc.Column != 11 {
		t.Errorf("YAML location = %d:%d, want 3:11", loc.Line, loc.Column)
	}
	j, err := parseTemplate("t.json", []byte(`{"Resources": {"A/B": {"Type": {"Ref": "X"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if loc := j.path("Resources", "A/B", "Type").loc; loc.Pointer != "/Resources/A~1B/Type" {
		t.Errorf("JSON pointer = %q, want /Resources/A~1B/Type", loc.Pointer)
	}
	if n := j.path("Resources", "A/B", "Type"); n.kind != fnNode || n.fn != "Ref" {
		t.Errorf("{\"Ref\": ...} did not become a function node: %+v", n)
	}
}

// TestReadWarnsAboutUnknownTypes reads a small template with a resource the
// importer does not know, a resource whose condition is false, and a group
// whose default egress rule stays beside a standalone one.
func TestReadWarnsAboutUnknownTypes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.yaml")
	text := `
Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Queue: {Type: AWS::SQS::Queue}
  Custom: {Type: Custom::Thing}
  ProdOnly: {Type: AWS::EC2::SecurityGroup, Condition: IsProd, Properties: {GroupDescription: x}}
  Group: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: y}}
  Extra:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !Ref Group, IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, w := range inv.Warnings.List {
		all.WriteString(w.String() + "\n")
	}
	for _, want := range []string{
		":8:3 (Resources.Custom): warning (not understood): resource type Custom::Thing",
		"ProdOnly is created only when condition IsProd holds, which it does not",
		"AWS::SQS::Queue (1)",
	} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("no warning contains %q:\n%s", want, all.String())
		}
	}
	if len(inv.SecurityGroups) != 1 {
		t.Fatalf("read %d groups, want 1", len(inv.SecurityGroups))
	}
	g := inv.SecurityGroups[0]
	if g.EgressMode != importer.EgressAWSDefault || len(g.Egress) != 1 {
		t.Errorf("group egress = mode %d with %d rules, want AWS's default plus the standalone rule", g.EgressMode, len(g.Egress))
	}
}
