package dandi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/neurodata/neurodata/internal/fetch"
)

// DandisetYAML is the file, in DIR/<dandiset id>/, that holds the version
// metadata of a downloaded dandiset, as dandi-cli writes it.
const DandisetYAML = "dandiset.yaml"

// VersionMetadata returns the metadata document of a dandiset version
// (GET /dandisets/{id}/versions/{version}/) as the server sent it.
func (c *Client) VersionMetadata(ctx context.Context, id, version string) (json.RawMessage, error) {
	var doc json.RawMessage
	u := c.base + "/dandisets/" + url.PathEscape(id) + "/versions/" + url.PathEscape(version) + "/"
	if err := c.getJSON(ctx, u, &doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// WriteDandisetYAML writes the version metadata of sel's dandiset to
// DIR/<dandiset id>/dandiset.yaml (a temp file renamed into place, so a
// reader never sees half a file) and returns its path. A selection
// without a dandiset (a bare asset URL) writes nothing and returns "".
func (c *Client) WriteDandisetYAML(ctx context.Context, sel *Selection, dir string) (string, error) {
	if sel.DandisetID == "" {
		return "", nil
	}
	dest, err := fetch.SafeJoin(dir, path.Join(sel.DandisetID, DandisetYAML))
	if err != nil {
		return "", fmt.Errorf("dandi: %s: %w", DandisetYAML, err)
	}
	doc, err := c.VersionMetadata(ctx, sel.DandisetID, sel.Version)
	if err != nil {
		return "", err
	}
	y, err := MetadataYAML(doc)
	if err != nil {
		return "", fmt.Errorf("dandi: metadata of %s/%s: %w", sel.DandisetID, sel.Version, err)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return "", fmt.Errorf("dandi: %w", err)
	}
	if err := fetch.CheckNoSymlinks(dir, dest); err != nil {
		return "", fmt.Errorf("dandi: %s: %w", DandisetYAML, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+DandisetYAML+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("dandi: %w", err)
	}
	_, err = tmp.Write(y)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dest)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("dandi: writing %s: %w", dest, err)
	}
	return dest, nil
}

// maxYAMLDepth bounds the nesting of a metadata document.
const maxYAMLDepth = 200

// MetadataYAML renders a JSON metadata document as block-style YAML with
// the document's own key order (a Go map would sort the keys). Numbers
// keep their JSON spelling.
func MetadataYAML(doc []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	n, err := jsonNode(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON document")
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// jsonNode reads one JSON value from dec as a YAML node.
func jsonNode(dec *json.Decoder, depth int) (*yaml.Node, error) {
	if depth > maxYAMLDepth {
		return nil, fmt.Errorf("JSON nested deeper than %d", maxYAMLDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("bad JSON at byte %d: %w", dec.InputOffset(), err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			at := map[string]int{} // key -> index of its value in n.Content
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("bad JSON at byte %d: %w", dec.InputOffset(), err)
				}
				ks, ok := k.(string)
				if !ok {
					return nil, fmt.Errorf("bad JSON object key at byte %d", dec.InputOffset())
				}
				v, err := jsonNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				if i, dup := at[ks]; dup { // the last value wins, as in encoding/json
					n.Content[i] = v
					continue
				}
				at[ks] = len(n.Content) + 1
				n.Content = append(n.Content, strNode(ks), v)
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, fmt.Errorf("bad JSON at byte %d: %w", dec.InputOffset(), err)
			}
			return n, nil
		case '[':
			n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			for dec.More() {
				v, err := jsonNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, v)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, fmt.Errorf("bad JSON at byte %d: %w", dec.InputOffset(), err)
			}
			return n, nil
		}
		return nil, fmt.Errorf("bad JSON delimiter %q at byte %d", t, dec.InputOffset())
	case string:
		return strNode(t), nil
	case json.Number:
		v := t.String()
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("number %.40s out of range at byte %d", v, dec.InputOffset())
		}
		if !strings.ContainsAny(v, ".eE") {
			if _, err := strconv.ParseInt(v, 10, 64); err == nil {
				return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: v}, nil
			}
			if _, err := strconv.ParseUint(v, 10, 64); err == nil {
				return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: v}, nil
			}
			v = strconv.FormatFloat(f, 'g', -1, 64) // beyond 64-bit integers
			if !strings.ContainsAny(v, ".e") {
				v += ".0"
			}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: v}, nil
	case bool:
		v := "false"
		if t {
			v = "true"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// yaml11Words are plain scalars a YAML 1.1 reader (PyYAML) takes for
// booleans or null; yaml.v3 (YAML 1.2) would leave them unquoted.
var yaml11Words = map[string]bool{"y": true, "yes": true, "n": true, "no": true, "on": true, "off": true,
	"true": true, "false": true, "null": true, "~": true}

// strNode is a string scalar. Words of yaml11Words and strings with
// control characters (newlines, tabs, …) are double-quoted, with escapes:
// yaml.v3's block style can emit a tab where indentation must be.
func strNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if yaml11Words[strings.ToLower(s)] || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0 {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}
