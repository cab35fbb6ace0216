package deploy

// Render generates the template described by o in o.Format.
func Render(o Options) ([]byte, error) {
	p, err := newPlan(o)
	if err != nil {
		return nil, err
	}
	if p.o.Format == Terraform {
		return renderTF(p)
	}
	return renderCFN(p)
}

// FileName is the name under which -o DIR writes the template.
func FileName(f Format) string {
	if f == Terraform {
		return "cairn.tf"
	}
	return "cairn.cfn.yaml"
}
