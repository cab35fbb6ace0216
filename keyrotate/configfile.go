package keyrotate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"gopkg.in/yaml.v3"
)

// ConfigFile is a cairn.yaml whose aws.access_key_id and
// aws.secret_access_key the collector reads. Write rewrites only those two
// values in place — comments, order and every other byte stay — into a
// temporary file (mode 0600) renamed over the original.
type ConfigFile struct{ Path string }

// Describe names the file.
func (f ConfigFile) Describe() string { return "config file " + f.Path }

// Read returns the key in the file.
func (f ConfigFile) Read(context.Context) (Credentials, error) {
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return Credentials{}, err
	}
	id, secret, err := keyFields(b)
	if err != nil {
		return Credentials{}, fmt.Errorf("%s: %w", f.Path, err)
	}
	return Credentials{AccessKeyID: id.Value, SecretAccessKey: secret.Value}, nil
}

// Write replaces the key in the file and returns how to restore it.
func (f ConfigFile) Write(_ context.Context, c Credentials) (func(context.Context) error, error) {
	old, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, err
	}
	b, err := ReplaceKey(old, c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	if err := writeAtomic(f.Path, b); err != nil {
		return nil, err
	}
	return func(context.Context) error { return writeAtomic(f.Path, old) }, nil
}

// ReplaceKey returns the YAML document b with aws.access_key_id and
// aws.secret_access_key set to c, every other byte unchanged.
func ReplaceKey(b []byte, c Credentials) ([]byte, error) {
	id, secret, err := keyFields(b)
	if err != nil {
		return nil, err
	}
	flow := id.Style&yaml.FlowStyle != 0 // set by keyFields from the aws mapping
	// Replace the later value first so the earlier one's offsets hold.
	edits := []struct {
		n *yaml.Node
		v string
	}{{id, c.AccessKeyID}, {secret, c.SecretAccessKey}}
	if secret.Line < id.Line || (secret.Line == id.Line && secret.Column < id.Column) {
		edits[0], edits[1] = edits[1], edits[0]
	}
	out := b
	for i := len(edits) - 1; i >= 0; i-- {
		start, end, err := scalarSpan(out, edits[i].n, flow)
		if err != nil {
			return nil, err
		}
		out = append(append(append([]byte(nil), out[:start]...), strconv.Quote(edits[i].v)...), out[end:]...)
	}
	// Check the result says what we meant.
	gotID, gotSecret, err := keyFields(out)
	if err != nil || gotID.Value != c.AccessKeyID || gotSecret.Value != c.SecretAccessKey {
		return nil, errors.New("could not rewrite the access key in place (unusual YAML layout); edit the file by hand")
	}
	return out, nil
}

// keyFields finds the scalar nodes of aws.access_key_id and
// aws.secret_access_key.
func keyFields(b []byte) (id, secret *yaml.Node, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, errors.New("not a YAML mapping")
	}
	aws := mapValue(doc.Content[0], "aws")
	if aws == nil || aws.Kind != yaml.MappingNode {
		return nil, nil, errors.New("no aws: section with access_key_id and secret_access_key (the collector does not read its key from this file)")
	}
	id, secret = mapValue(aws, "access_key_id"), mapValue(aws, "secret_access_key")
	if id == nil || secret == nil || id.Kind != yaml.ScalarNode || secret.Kind != yaml.ScalarNode || id.Value == "" {
		return nil, nil, errors.New("aws.access_key_id and aws.secret_access_key are not both set (the collector does not read its key from this file)")
	}
	// Copies, marked FlowStyle when they sit in a flow mapping (where a
	// plain scalar ends at , or }).
	idc, sc := *id, *secret
	if aws.Style&yaml.FlowStyle != 0 {
		idc.Style |= yaml.FlowStyle
		sc.Style |= yaml.FlowStyle
	}
	return &idc, &sc, nil
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// scalarSpan returns the byte range of a one-line scalar in b.
func scalarSpan(b []byte, n *yaml.Node, flow bool) (int, int, error) {
	lines := bytes.SplitAfter(b, []byte("\n"))
	if n.Line < 1 || n.Line > len(lines) {
		return 0, 0, errors.New("value position out of range")
	}
	off := 0
	for _, l := range lines[:n.Line-1] {
		off += len(l)
	}
	line := lines[n.Line-1]
	col := n.Column - 1 // bytes: keys are ASCII in practice; checked by the re-read
	if col < 0 || col > len(line) {
		return 0, 0, errors.New("value position out of range")
	}
	rest := line[col:]
	var end int
	switch n.Style &^ yaml.FlowStyle {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		q := rest[0]
		end = 1
		for end < len(rest) {
			if rest[end] == '\\' && q == '"' {
				end += 2
				continue
			}
			if rest[end] == q {
				if q == '\'' && end+1 < len(rest) && rest[end+1] == '\'' {
					end += 2
					continue
				}
				end++
				break
			}
			end++
		}
	case 0: // plain: up to a comment, the end of the line, or in a flow mapping a , or }
		end = len(bytes.TrimRight(rest, "\r\n"))
		if flow {
			if i := bytes.IndexAny(rest[:end], ",}"); i >= 0 {
				end = i
			}
		}
		if i := bytes.Index(rest, []byte(" #")); i >= 0 && i < end {
			end = i
		}
		end = len(bytes.TrimRight(rest[:end], " \t"))
	default:
		return 0, 0, errors.New("block or flow style value")
	}
	return off + col, off + col + end, nil
}

// writeAtomic writes b to a temporary file (mode 0600) next to path, syncs
// it and renames it over path.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
