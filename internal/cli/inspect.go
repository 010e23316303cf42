package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/hdf5"
	"github.com/neurodata/neurodata/hdf5/h5sum"
	"github.com/neurodata/neurodata/nwb"
	"github.com/spf13/cobra"
)

func init() { addCommand(newInspectCmd) }

type inspectOptions struct {
	json      bool
	checksums bool
	nwb       bool
	example   string
	maxSum    int64
}

func newInspectCmd(ios *IOStreams) *cobra.Command {
	var o inspectOptions
	cmd := &cobra.Command{
		Use:   "inspect [FILE|URL]",
		Short: "List every group, dataset and attribute of an HDF5/NWB file",
		Long: `inspect lists every object of an HDF5 file (NWB files are HDF5) depth-first
with children sorted by name, like h5ls -r -v: groups with their NWB
neurodata_type, datasets with dtype, shape, layout, chunks and filters, and
all attributes.

--json prints the listing with the field names of the corpus ground truth
(path, type, dtype, shape, maxshape, layout, chunks, filters, attrs,
n_elements, read_error; target/file for links, same_as for extra hard
links). --checksums reads every dataset and adds its sha256 in the
ground-truth encoding. Without --checksums each dataset is probed by
reading its first element. --nwb prints the NWB summary (metadata, tables,
time series) instead.

Exit status: 0 all read, 3 some datasets could not be read (each has a
read_error), 1 the file could not be opened.`,
		Example: `  neurodata inspect testdata/hdf5/types_v0.h5
  neurodata inspect --json --checksums session.nwb
  neurodata inspect --example
  neurodata inspect --nwb --example`,
		RunE: func(cmd *cobra.Command, args []string) error {
			arg, ex, err := sessionArg(args, o.example)
			if err != nil {
				return err
			}
			if o.nwb {
				if o.checksums {
					return usagef("--checksums applies to the HDF5 listing, not --nwb")
				}
				return inspectNWB(cmd.Context(), ios.Out, arg, ex, o.json)
			}
			return runInspect(cmd.Context(), ios, arg, ex, o)
		},
	}
	addExampleFlag(cmd, &o.example)
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON with the corpus ground-truth field names")
	cmd.Flags().BoolVar(&o.checksums, "checksums", false, "read every dataset and add its sha256 (ground-truth encoding)")
	cmd.Flags().BoolVar(&o.nwb, "nwb", false, "print the NWB summary instead of the HDF5 listing")
	cmd.Flags().Int64Var(&o.maxSum, "checksum-limit", 64<<20, "skip checksums of datasets larger than this many bytes (0: no limit; the corpus ground truth uses 64 MiB)")
	return cmd
}

// openHDF5 opens a local path, an http(s)/DANDI URL or an embedded
// example (the same sources as the other verbs) as an HDF5 file.
func openHDF5(ctx context.Context, arg, example string) (f *hdf5.File, name string, size int64, err error) {
	switch {
	case example != "":
		r, n, err := examples.Open(example)
		if err != nil {
			return nil, "", 0, &UsageError{Err: err}
		}
		f, err := hdf5.NewReader(r, n)
		if err != nil {
			return nil, "", 0, fmt.Errorf("example %s: %w", example, err)
		}
		return f, example, n, nil
	case arg == "":
		return nil, "", 0, usagef("no file given (a path, an https:// or DANDI URL, or --example)")
	case isRemote(arg):
		r, n, err := dandi.OpenAsset(ctx, arg)
		if err != nil {
			return nil, "", 0, err
		}
		f, err := hdf5.NewReader(r, n)
		if err != nil {
			if c, ok := r.(io.Closer); ok {
				c.Close()
			}
			return nil, "", 0, err
		}
		return f, arg, n, nil
	}
	st, err := os.Stat(arg)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, "", 0, usagef("no such file: %s", arg)
		}
		return nil, "", 0, err
	}
	if nwb.IsZarrStore(arg) {
		return nil, "", 0, nwb.ZarrStoreError(arg)
	}
	f, err = hdf5.Open(arg)
	if err != nil {
		return nil, "", 0, err
	}
	return f, filepath.Base(arg), st.Size(), nil
}

// inspectReport is the --json document: the ground truth's file-level
// fields and its object list.
type inspectReport struct {
	File    string         `json:"file"`
	Size    int64          `json:"size"`
	Objects []h5sum.Object `json:"objects"`
}

func runInspect(ctx context.Context, ios *IOStreams, arg, example string, o inspectOptions) error {
	f, name, size, err := openHDF5(ctx, arg, example)
	if err != nil {
		return err
	}
	defer f.Close()
	limit := uint64(o.maxSum)
	if o.maxSum <= 0 {
		limit = math.MaxUint64
	}
	objs := h5sum.Summarize(f, &h5sum.Options{Checksums: o.checksums, AttrValues: true, MaxReadBytes: limit})
	if o.json {
		if err := writeJSONLines(ios.Out, inspectReport{File: name, Size: size, Objects: objs}); err != nil {
			return err
		}
	} else {
		if err := writeTree(ios.Out, objs, f.SuperblockVersion()); err != nil {
			return err
		}
		if len(objs) > 0 && objs[0].NeurodataType == "NWBFile" {
			fmt.Fprintln(ios.ErrOut, "note: this is an NWB file; `neurodata inspect --nwb` shows its tables and time series")
		}
	}
	var bad []string
	for _, e := range objs {
		switch {
		case e.ReadError != "" && !strings.HasPrefix(e.ReadError, "skipped:"):
			bad = append(bad, e.Path)
		case e.Type == "unresolved" || e.Type == "members_error":
			bad = append(bad, e.Path)
		}
	}
	if len(bad) > 0 {
		return &PartialError{Err: fmt.Errorf("%d object(s) could not be read (see read_error/error): %s", len(bad), strings.Join(firstN(bad, 5), ", "))}
	}
	return nil
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(append([]string{}, s[:n]...), "…")
	}
	return s
}

// writeJSONLines writes the report with one object per line, as the
// ground-truth files are laid out (diffable).
func writeJSONLines(w io.Writer, r inspectReport) error {
	var sb strings.Builder
	fb, _ := json.Marshal(r.File)
	fmt.Fprintf(&sb, "{\n  \"file\": %s,\n  \"size\": %d,\n  \"objects\": [\n", fb, r.Size)
	for i, e := range r.Objects {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		sb.WriteString("    ")
		sb.Write(b)
		if i < len(r.Objects)-1 {
			sb.WriteString(",")
		}
		sb.WriteString("\n")
	}
	sb.WriteString("  ]\n}\n")
	_, err := io.WriteString(w, sb.String())
	return err
}

// writeTree prints the h5ls -r -v style listing.
func writeTree(w io.Writer, objs []h5sum.Object, sbVersion int) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "# HDF5 superblock v%d, %d objects\n", sbVersion, len(objs))
	for _, e := range objs {
		sb.WriteString(e.Path)
		sb.WriteString("  ")
		switch e.Type {
		case "group":
			sb.WriteString("Group")
		case "dataset":
			sb.WriteString("Dataset")
			if e.SameAs == "" {
				sb.WriteString(" " + shapeText(e))
			}
		case "datatype":
			sb.WriteString("Type " + e.Dtype)
		case "soft_link":
			sb.WriteString("Soft Link {" + e.Target + "}")
		case "external_link":
			sb.WriteString("External Link {" + e.File + "/" + e.Target + "}")
		case "user_link":
			sb.WriteString("User-defined Link")
		default:
			sb.WriteString("Unresolved")
		}
		if e.SameAs != "" {
			sb.WriteString(", same as " + e.SameAs)
		}
		if e.NeurodataType != "" {
			sb.WriteString("  [" + e.NeurodataType + "]")
		}
		sb.WriteString("\n")
		if e.Error != "" {
			fmt.Fprintf(&sb, "    Error:     %s\n", e.Error)
		}
		if e.Type == "dataset" && e.SameAs == "" {
			fmt.Fprintf(&sb, "    Type:      %s\n", e.Dtype)
			st := e.Layout
			if e.Chunks != nil && len(*e.Chunks) > 0 {
				st += " " + dims(*e.Chunks)
			}
			if len(e.External) > 0 {
				st += " external " + strings.Join(e.External, ", ")
			}
			fmt.Fprintf(&sb, "    Storage:   %s\n", st)
			if e.Filters != nil && len(*e.Filters) > 0 {
				var fs []string
				for _, id := range *e.Filters {
					fs = append(fs, fmt.Sprintf("%s(%d)", filterLabel(id), id))
				}
				fmt.Fprintf(&sb, "    Filters:   %s\n", strings.Join(fs, " "))
			}
			if e.SHA256 != "" {
				fmt.Fprintf(&sb, "    SHA256:    %s\n", e.SHA256)
			}
			if e.ReadError != "" {
				fmt.Fprintf(&sb, "    Error:     %s\n", e.ReadError)
			}
		}
		names := make([]string, 0, len(e.Attrs))
		for n := range e.Attrs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			a := e.Attrs[n]
			fmt.Fprintf(&sb, "    Attribute: %s %s %s = %s\n", n, a.Dtype, attrShape(a), attrText(a))
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func shapeText(e h5sum.Object) string {
	if e.Shape == nil || *e.Shape == nil {
		return "NULL"
	}
	if len(*e.Shape) == 0 {
		return "SCALAR"
	}
	parts := make([]string, len(*e.Shape))
	for i, d := range *e.Shape {
		parts[i] = fmt.Sprint(d)
		if e.MaxShape != nil && i < len(*e.MaxShape) {
			switch m := (*e.MaxShape)[i].(type) {
			case string:
				parts[i] += "/Inf"
			case int64:
				if uint64(m) != d {
					parts[i] += fmt.Sprintf("/%d", m)
				}
			}
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func dims(d []uint64) string {
	parts := make([]string, len(d))
	for i, x := range d {
		parts[i] = fmt.Sprint(x)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func attrShape(a h5sum.Attr) string {
	if a.Shape == nil {
		return "null"
	}
	if len(*a.Shape) == 0 {
		return "scalar"
	}
	return dims(*a.Shape)
}

func attrText(a h5sum.Attr) string {
	if a.ReadError != "" {
		return "<error: " + a.ReadError + ">"
	}
	if a.Shape == nil {
		return "(no value)"
	}
	b, err := json.Marshal(a.Value)
	if err != nil {
		return fmt.Sprint(a.Value)
	}
	s := string(b)
	if a.ValueCut {
		s += " (cut)"
	}
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

func filterLabel(id int) string {
	names := map[int]string{1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit", 6: "scaleoffset",
		307: "bzip2", 32000: "lzf", 32001: "blosc", 32004: "lz4", 32008: "bitshuffle", 32013: "zfp", 32015: "zstd", 32026: "blosc2"}
	if n, ok := names[id]; ok {
		return n
	}
	return "filter"
}
