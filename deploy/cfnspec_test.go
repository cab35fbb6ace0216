package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Validation of generated CloudFormation against the CloudFormation
// resource specification shipped by the npm package @aws-cdk/cfnspec
// (installed by `make tools` under .tools/; CAIRN_CFNSPEC overrides the
// path). Without the file the test is skipped, except when CI=true.

const defaultSpecPath = "../.tools/node_modules/@aws-cdk/cfnspec/spec/specification.json"

type cfnSpec struct {
	PropertyTypes map[string]specType
	ResourceTypes map[string]specType
}

type specType struct {
	Properties map[string]specProp
	Attributes map[string]json.RawMessage
}

type specProp struct {
	Required          bool
	PrimitiveType     string
	Type              string
	ItemType          string
	PrimitiveItemType string
}

func loadSpec(t *testing.T) *cfnSpec {
	t.Helper()
	path := os.Getenv("CAIRN_CFNSPEC")
	if path == "" {
		path = defaultSpecPath
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CloudFormation spec: %v (run make tools, or set CAIRN_CFNSPEC)", err)
		}
		t.Skipf("CloudFormation spec not installed (%v); run make tools", err)
	}
	var s cfnSpec
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(s.ResourceTypes) == 0 {
		t.Fatalf("%s: no ResourceTypes", path)
	}
	return &s
}

// cfnChecker validates one template and collects problems.
type cfnChecker struct {
	spec      *cfnSpec
	names     map[string]string // parameter or resource name → resource type ("" for parameters)
	problems  []string
	resources map[string]*yaml.Node
}

func (c *cfnChecker) errorf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

var pseudo = map[string]bool{
	"AWS::AccountId": true, "AWS::Partition": true, "AWS::Region": true, "AWS::StackName": true,
	"AWS::StackId": true, "AWS::URLSuffix": true, "AWS::NoValue": true, "AWS::NotificationARNs": true,
}

// mapPairs returns a mapping's keys and values in order.
func mapPairs(n *yaml.Node) ([]string, []*yaml.Node) {
	var keys []string
	var vals []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
		vals = append(vals, n.Content[i+1])
	}
	return keys, vals
}

func mapGet(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	k, v := mapPairs(n)
	for i := range k {
		if k[i] == key {
			return v[i]
		}
	}
	return nil
}

// checkCFN validates a template's text.
func checkCFN(spec *cfnSpec, text []byte) []string {
	var doc yaml.Node
	c := &cfnChecker{spec: spec, names: map[string]string{}, resources: map[string]*yaml.Node{}}
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return []string{"YAML: " + err.Error()}
	}
	root := doc.Content[0]
	allowed := map[string]bool{"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true,
		"Parameters": true, "Rules": true, "Mappings": true, "Conditions": true, "Transform": true,
		"Resources": true, "Outputs": true}
	keys, _ := mapPairs(root)
	for _, k := range keys {
		if !allowed[k] {
			c.errorf("unknown top-level section %s", k)
		}
	}
	if params := mapGet(root, "Parameters"); params != nil {
		names, vals := mapPairs(params)
		for i, name := range names {
			c.names[name] = ""
			if mapGet(vals[i], "Type") == nil {
				c.errorf("parameter %s: no Type", name)
			}
		}
	}
	resources := mapGet(root, "Resources")
	if resources == nil {
		return append(c.problems, "no Resources")
	}
	names, vals := mapPairs(resources)
	for i, name := range names {
		typ := mapGet(vals[i], "Type")
		if typ == nil {
			c.errorf("%s: no Type", name)
			continue
		}
		c.names[name] = typ.Value
		c.resources[name] = vals[i]
	}
	for _, name := range names {
		c.resource(name, c.resources[name])
	}
	for _, sec := range []string{"Rules", "Outputs"} {
		if n := mapGet(root, sec); n != nil {
			c.refs(sec, n)
		}
	}
	return c.problems
}

func (c *cfnChecker) resource(name string, r *yaml.Node) {
	if r == nil {
		return
	}
	typ := c.names[name]
	keys, vals := mapPairs(r)
	attrs := map[string]bool{"Type": true, "Properties": true, "DependsOn": true, "Condition": true,
		"DeletionPolicy": true, "UpdateReplacePolicy": true, "Metadata": true, "CreationPolicy": true, "UpdatePolicy": true}
	for i, k := range keys {
		if !attrs[k] {
			c.errorf("%s: unknown resource attribute %s", name, k)
		}
		if k == "DependsOn" {
			deps := []*yaml.Node{vals[i]}
			if vals[i].Kind == yaml.SequenceNode {
				deps = vals[i].Content
			}
			for _, d := range deps {
				if _, ok := c.resources[d.Value]; !ok {
					c.errorf("%s: DependsOn unknown resource %s", name, d.Value)
				}
			}
		}
	}
	props := mapGet(r, "Properties")
	if props != nil {
		c.refs(name, props)
	}
	if strings.HasPrefix(typ, "Custom::") {
		if mapGet(props, "ServiceToken") == nil {
			c.errorf("%s: custom resource without ServiceToken", name)
		}
		return
	}
	rt, ok := c.spec.ResourceTypes[typ]
	if !ok {
		c.errorf("%s: resource type %s is not in the specification", name, typ)
		return
	}
	if props == nil {
		props = &yaml.Node{Kind: yaml.MappingNode}
	}
	c.object(name, typ, rt, props)
}

// isIntrinsic reports a short-form tag or a long-form Ref/Fn:: mapping.
func isIntrinsic(n *yaml.Node) bool {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		k := n.Content[0].Value
		return k == "Ref" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// object checks a property object against its type.
func (c *cfnChecker) object(path, resType string, t specType, n *yaml.Node) {
	if isIntrinsic(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		c.errorf("%s: want an object", path)
		return
	}
	keys, vals := mapPairs(n)
	seen := map[string]bool{}
	for i, k := range keys {
		seen[k] = true
		p, ok := t.Properties[k]
		if !ok {
			c.errorf("%s.%s: no such property", path, k)
			continue
		}
		c.value(path+"."+k, resType, p, vals[i])
	}
	var req []string
	for k, p := range t.Properties {
		if p.Required && !seen[k] {
			req = append(req, k)
		}
	}
	sort.Strings(req)
	for _, k := range req {
		c.errorf("%s: required property %s missing", path, k)
	}
}

func (c *cfnChecker) propertyType(resType, name string) (specType, bool) {
	if t, ok := c.spec.PropertyTypes[resType+"."+name]; ok {
		return t, true
	}
	t, ok := c.spec.PropertyTypes[name] // Tag
	return t, ok
}

func (c *cfnChecker) value(path, resType string, p specProp, n *yaml.Node) {
	if isIntrinsic(n) {
		return
	}
	switch {
	case p.PrimitiveType != "":
		c.primitive(path, p.PrimitiveType, n)
	case p.Type == "List" || p.Type == "Map":
		want := yaml.SequenceNode
		if p.Type == "Map" {
			want = yaml.MappingNode
		}
		if n.Kind != want {
			c.errorf("%s: want a %s", path, p.Type)
			return
		}
		items := n.Content
		if p.Type == "Map" {
			_, items = mapPairs(n)
		}
		for i, item := range items {
			ip := fmt.Sprintf("%s[%d]", path, i)
			if p.PrimitiveItemType != "" {
				if !isIntrinsic(item) {
					c.primitive(ip, p.PrimitiveItemType, item)
				}
				continue
			}
			t, ok := c.propertyType(resType, p.ItemType)
			if !ok {
				c.errorf("%s: unknown item type %s", ip, p.ItemType)
				continue
			}
			c.object(ip, resType, t, item)
		}
	default:
		t, ok := c.propertyType(resType, p.Type)
		if !ok {
			c.errorf("%s: unknown property type %s", path, p.Type)
			return
		}
		c.object(path, resType, t, n)
	}
}

func (c *cfnChecker) primitive(path, typ string, n *yaml.Node) {
	if typ == "Json" {
		if n.Kind == yaml.MappingNode || (n.Kind == yaml.ScalarNode && n.Tag == "!!str") {
			return
		}
		c.errorf("%s: want JSON (an object or a string)", path)
		return
	}
	if n.Kind != yaml.ScalarNode {
		c.errorf("%s: want a %s, got a collection", path, typ)
		return
	}
	var err error
	switch typ {
	case "Integer", "Long":
		_, err = strconv.ParseInt(n.Value, 10, 64)
	case "Double":
		_, err = strconv.ParseFloat(n.Value, 64)
	case "Boolean":
		if n.Value != "true" && n.Value != "false" {
			err = fmt.Errorf("not true or false")
		}
	}
	if err != nil {
		c.errorf("%s: %q is not a %s", path, n.Value, typ)
	}
}

var subRef = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

// refs checks every Ref, GetAtt and Sub placeholder under n.
func (c *cfnChecker) refs(path string, n *yaml.Node) {
	switch n.Tag {
	case "!Ref":
		c.ref(path, n.Value)
	case "!GetAtt":
		c.getAtt(path, n.Value)
	case "!Sub":
		if n.Kind == yaml.ScalarNode {
			for _, m := range subRef.FindAllStringSubmatch(n.Value, -1) {
				if strings.Contains(m[1], ".") && !strings.HasPrefix(m[1], "AWS::") {
					c.getAtt(path, m[1])
				} else {
					c.ref(path, m[1])
				}
			}
		}
	}
	for _, child := range n.Content {
		c.refs(path, child)
	}
}

func (c *cfnChecker) ref(path, name string) {
	if _, ok := c.names[name]; !ok && !pseudo[name] {
		c.errorf("%s: Ref to unknown %s", path, name)
	}
}

func (c *cfnChecker) getAtt(path, target string) {
	res, attr, _ := strings.Cut(target, ".")
	typ, ok := c.names[res]
	if !ok || typ == "" {
		c.errorf("%s: GetAtt on unknown resource %s", path, res)
		return
	}
	if rt, ok := c.spec.ResourceTypes[typ]; ok {
		if _, ok := rt.Attributes[attr]; !ok {
			c.errorf("%s: %s has no attribute %s", path, typ, attr)
		}
	}
}

func TestDeployCloudFormationSpec(t *testing.T) {
	spec := loadSpec(t)
	files := renderAll(t)
	n := 0
	for name, b := range files {
		if !strings.HasSuffix(name, ".cfn.yaml") {
			continue
		}
		n++
		for _, p := range checkCFN(spec, b) {
			t.Errorf("%s: %s", name, p)
		}
	}
	if n == 0 {
		t.Fatal("no CloudFormation templates checked")
	}
	// The golden files on disk are what users copy; check them too.
	paths, _ := filepath.Glob("testdata/*.cfn.yaml")
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range checkCFN(spec, b) {
			t.Errorf("%s: %s", path, p)
		}
	}
}

// The checker must catch what it claims to.
func TestDeployCloudFormationSpecCatches(t *testing.T) {
	spec := loadSpec(t)
	bad := `
Parameters:
  P: {Type: String}
Resources:
  Q:
    Type: AWS::SQS::Queue
    DependsOn: Nope
    Properties:
      VisibilityTimeout: soon
      Colour: blue
      RedrivePolicy: [1]
      Tags: {a: b}
  T:
    Type: AWS::SNS::Subscription
    Properties:
      Endpoint: !GetAtt Q.Colour
      TopicArn: !Sub arn:${AWS::Partition}:sns:${Missing}
      RawMessageDelivery: "yes"
  U:
    Type: AWS::Nothing::Here
`
	want := []string{
		"DependsOn unknown resource Nope",
		`Q.VisibilityTimeout: "soon" is not a Integer`,
		"Q.Colour: no such property",
		"Q.RedrivePolicy: want JSON",
		"Q.Tags: want a List",
		"T: AWS::SQS::Queue has no attribute Colour",
		"T: Ref to unknown Missing",
		`T.RawMessageDelivery: "yes" is not a Boolean`,
		"T: required property Protocol missing",
		"U: resource type AWS::Nothing::Here is not in the specification",
	}
	got := strings.Join(checkCFN(spec, []byte(bad)), "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("checker missed %q; got:\n%s", w, got)
		}
	}
}
