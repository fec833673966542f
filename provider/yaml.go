package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/orderhooks/orderhooks/schemas"
)

// WriteYAML writes the definition as a definition file that Parse reads
// back to the same definition (same Digest, unless inline): sections and
// members in their order, without the comments of the file it was read
// from (BuiltinFile has a built-in's with them). With inline, built-in
// schemas are written out in full, for a definition that stands alone.
func (d *Definition) WriteYAML(w io.Writer, inline bool) error {
	raw := d.raw
	if inline {
		var err error
		if raw, err = d.inlined(); err != nil {
			return err
		}
	}
	n, err := jsonToYAML(raw)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// inlined is the definition's JSON form with every {builtin: NAME}
// schema replaced by the schema itself.
func (d *Definition) inlined() ([]byte, error) {
	f := clone(d.f)
	if f.Events != nil {
		for i := range f.Events.List {
			s := &f.Events.List[i].Schema
			if s.Builtin == "" {
				continue
			}
			sc, err := schemas.Get(s.Builtin)
			if err != nil {
				return nil, err
			}
			*s = SchemaSource{Inline: sc.Source()}
		}
	}
	return json.Marshal(f)
}

// jsonToYAML converts a JSON document into a YAML node tree, keeping the
// members' order and the numbers' text.
func jsonToYAML(doc []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	n, err := yamlValue(dec)
	if err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	return n, nil
}

func yamlValue(dec *json.Decoder) (*yaml.Node, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		if t == '{' {
			n := &yaml.Node{Kind: yaml.MappingNode}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := yamlValue(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.(string)}, v)
			}
			_, err := dec.Token()
			return n, err
		}
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for dec.More() {
			v, err := yamlValue(dec)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, v)
		}
		_, err := dec.Token()
		if len(n.Content) > 0 && allScalars(n.Content) {
			n.Style = yaml.FlowStyle
		}
		return n, err
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(t), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t)}, nil
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(t)}, nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
}

func allScalars(ns []*yaml.Node) bool {
	for _, n := range ns {
		if n.Kind != yaml.ScalarNode {
			return false
		}
	}
	return true
}
