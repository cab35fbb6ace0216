package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// checkTF parses a Terraform file with hashicorp/hcl and checks that every
// reference (var.*, data.*.*, <type>.<name>) names something declared.
func checkTF(name string, text []byte) []string {
	f, diags := hclparse.NewParser().ParseHCL(text, name)
	if diags.HasErrors() {
		return []string{diags.Error()}
	}
	body := f.Body.(*hclsyntax.Body)
	declared := map[string]bool{}
	kinds := map[string]bool{"terraform": true, "variable": true, "data": true, "resource": true, "output": true}
	var problems []string
	for _, b := range body.Blocks {
		if !kinds[b.Type] {
			problems = append(problems, "unexpected top-level block "+b.Type)
		}
		switch b.Type {
		case "variable":
			declared["var."+b.Labels[0]] = true
		case "data":
			declared["data."+b.Labels[0]+"."+b.Labels[1]] = true
		case "resource":
			declared[b.Labels[0]+"."+b.Labels[1]] = true
		}
	}
	var walk func(*hclsyntax.Body)
	check := func(e hclsyntax.Expression) {
		for _, tr := range e.Variables() {
			parts := []string{tr.RootName()}
			for _, step := range tr.SimpleSplit().Rel {
				if a, ok := step.(hcl.TraverseAttr); ok {
					parts = append(parts, a.Name)
				}
			}
			key := strings.Join(parts[:min(2, len(parts))], ".")
			if parts[0] == "data" {
				key = strings.Join(parts[:min(3, len(parts))], ".")
			}
			if !declared[key] {
				problems = append(problems, "reference to undeclared "+key)
			}
		}
	}
	walk = func(b *hclsyntax.Body) {
		for _, a := range b.Attributes {
			if a.Name == "depends_on" || a.Name == "ignore_changes" {
				continue // plain references, checked by terraform itself
			}
			check(a.Expr)
		}
		for _, blk := range b.Blocks {
			walk(blk.Body)
		}
	}
	for _, b := range body.Blocks {
		if b.Type == "variable" {
			continue // validation blocks refer to their own variable
		}
		walk(b.Body)
	}
	return problems
}

func TestDeployTerraformParses(t *testing.T) {
	n := 0
	for name, b := range renderAll(t) {
		if !strings.HasSuffix(name, ".tf") {
			continue
		}
		n++
		for _, p := range checkTF(name, b) {
			t.Errorf("%s: %s", name, p)
		}
	}
	if n == 0 {
		t.Fatal("no Terraform files checked")
	}
	paths, _ := filepath.Glob("testdata/*.tf")
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range checkTF(path, b) {
			t.Errorf("%s: %s", path, p)
		}
	}
}

func TestDeployTerraformCheckCatches(t *testing.T) {
	if p := checkTF("bad.tf", []byte(`resource "a" "b" { x = = }`)); len(p) == 0 {
		t.Error("syntax error not reported")
	}
	p := checkTF("ref.tf", []byte("resource \"aws_sqs_queue\" \"q\" {\n  name = var.nope\n  policy = aws_sns_topic.t.arn\n}\n"))
	got := strings.Join(p, "\n")
	for _, w := range []string{"undeclared var.nope", "undeclared aws_sns_topic.t"} {
		if !strings.Contains(got, w) {
			t.Errorf("missed %q in %q", w, got)
		}
	}
}
