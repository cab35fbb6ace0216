package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Optional checks with the real tools, when asked for:
//
//	CAIRN_TERRAFORM_VALIDATE=1  terraform init + validate of every golden .tf
//	                            (provider from the filesystem mirror in
//	                            CAIRN_TF_MIRROR, default /opt/tf-plugins)
//	CAIRN_CFN_LINT=1            cfn-lint of every golden .cfn.yaml
//
// They are off by default: slow, and they need tools the Go build does not.

func TestDeployTerraformValidate(t *testing.T) {
	if os.Getenv("CAIRN_TERRAFORM_VALIDATE") != "1" {
		t.Skip("set CAIRN_TERRAFORM_VALIDATE=1 to run terraform validate")
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("terraform not on PATH")
	}
	mirror := os.Getenv("CAIRN_TF_MIRROR")
	if mirror == "" {
		mirror = "/opt/tf-plugins"
	}
	tmp := t.TempDir()
	rc := filepath.Join(tmp, "terraformrc")
	cfg := `provider_installation {
  filesystem_mirror {
    path    = "` + mirror + `"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
`
	if err := os.WriteFile(rc, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "work")
	os.MkdirAll(dir, 0o755)
	run := func(args ...string) (string, error) {
		cmd := exec.Command(tf, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	paths, _ := filepath.Glob("testdata/*.tf")
	for i, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if out, err := run("init", "-backend=false", "-input=false", "-no-color"); err != nil {
				t.Fatalf("terraform init: %v\n%s", err, out)
			}
		}
		if out, err := run("validate", "-no-color"); err != nil || !strings.Contains(out, "Success") {
			t.Errorf("%s: terraform validate: %v\n%s", path, err, out)
		}
		if out, err := run("fmt", "-check", "-no-color", "main.tf"); err != nil {
			t.Errorf("%s: not terraform fmt clean: %v\n%s", path, err, out)
		}
	}
}

func TestDeployCFNLint(t *testing.T) {
	if os.Getenv("CAIRN_CFN_LINT") != "1" {
		t.Skip("set CAIRN_CFN_LINT=1 to run cfn-lint")
	}
	paths, _ := filepath.Glob("testdata/*.cfn.yaml")
	out, err := exec.Command("cfn-lint", paths...).CombinedOutput()
	if err != nil {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
}
