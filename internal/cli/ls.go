package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/neurodata/neurodata/dandi"
)

func init() { addCommand(newLsCmd) }

type lsOptions struct {
	json     bool
	versions bool
	search   string
	apiURL   string
}

func newLsCmd(ios *IOStreams) *cobra.Command {
	var o lsOptions
	cmd := &cobra.Command{
		Use:   "ls [URL|ID]",
		Short: "List DANDI dandisets, versions or assets",
		Long: `ls lists what a DANDI identifier names: with no argument (or the API's
/dandisets/ URL) the dandisets; with a dandiset its assets at the given
version, else the most recent published version, else draft (the choice is
printed on stderr); with --versions its versions; with a folder, glob or
asset URL the matching assets. Columns: path, size in bytes, modified
(RFC 3339), and a marker on Zarr assets (directory trees: fetch downloads
them, but neurodata reads HDF5 NWB only; zarr_id in JSON). --json prints the
records instead.`,
		Example: `  neurodata ls DANDI:000021
  neurodata ls --versions 000021
  neurodata ls --json 'https://dandiarchive.org/dandiset/000021/draft/files?location=sub-1'
  neurodata ls --api-url http://127.0.0.1:8080/api`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("ls takes at most one URL or id")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && isAllenRef(args[0]) { // allen: hook (issue 4), see allen_ls.go
				return runAllenLs(cmd, ios, args[0])
			}
			return runLs(cmd.Context(), ios, &o, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.BoolVar(&o.versions, "versions", false, "list the dandiset's versions")
	f.StringVar(&o.search, "search", "", "free-text search when listing dandisets")
	f.StringVar(&o.apiURL, "api-url", "", "DANDI API base URL (default $DANDI_API_URL or the URL's instance)")
	addAllenLs(cmd) // allen: hook (issue 4), see allen_ls.go
	return cmd
}

type lsAsset struct {
	Path     string            `json:"path"`
	Size     int64             `json:"size"`
	Modified time.Time         `json:"modified"`
	AssetID  string            `json:"asset_id"`
	Digests  map[string]string `json:"digests,omitempty"`
	// ZarrID is set for a Zarr asset (a directory tree, fetched as one; not
	// an HDF5 file, so neurodata's readers cannot open it).
	ZarrID string `json:"zarr_id,omitempty"`
}

func runLs(ctx context.Context, ios *IOStreams, o *lsOptions, args []string) error {
	r := &dandi.Resource{Kind: dandi.KindDandisetList}
	if len(args) == 1 {
		var err error
		if r, err = dandi.ParseURL(args[0]); err != nil {
			return &UsageError{Err: err}
		}
	}
	c := dandiClient(o.apiURL, r)
	tw := tabwriter.NewWriter(ios.Out, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	switch {
	case r.Kind == dandi.KindURL:
		return usagef("%q is not a DANDI identifier", args[0])
	case r.Kind == dandi.KindDandisetList:
		ds, err := c.Dandisets(ctx, o.search)
		if err != nil {
			return apiErr(err)
		}
		if o.json {
			return writeJSONOut(ios, ds)
		}
		for _, d := range ds {
			v := d.DraftVersion
			if d.MostRecentPublishedVersion != nil {
				v = d.MostRecentPublishedVersion
			}
			if v == nil {
				v = &dandi.VersionInfo{}
			}
			fmt.Fprintf(tw, "%s\t%s\t%d files\t%d\t%s\t%s\n", d.Identifier, v.Version, v.AssetCount, v.Size, d.Modified.UTC().Format(time.RFC3339), v.Name)
		}
		return nil
	case o.versions:
		if r.DandisetID == "" {
			return usagef("--versions needs a dandiset")
		}
		vs, err := c.Versions(ctx, r.DandisetID)
		if err != nil {
			return apiErr(err)
		}
		if o.json {
			return writeJSONOut(ios, vs)
		}
		for _, v := range vs {
			fmt.Fprintf(tw, "%s\t%s\t%d files\t%d\t%s\n", v.Version, v.Status, v.AssetCount, v.Size, v.Modified.UTC().Format(time.RFC3339))
		}
		return nil
	}
	sel, err := c.Resolve(ctx, r)
	if err != nil {
		return apiErr(err)
	}
	if sel.VersionResolved {
		fmt.Fprintf(ios.ErrOut, "dandiset %s: version %s (most recent published, else draft)\n", sel.DandisetID, sel.Version)
	}
	out := make([]lsAsset, 0, len(sel.Assets))
	for _, a := range sel.Assets {
		la := lsAsset{Path: a.Path, Size: a.Size, Modified: a.Modified, AssetID: a.AssetID}
		if a.IsZarr() {
			la.ZarrID = *a.Zarr
		}
		if a.Metadata != nil {
			la.Digests = a.Metadata.Digest
		}
		out = append(out, la)
	}
	if o.json {
		return writeJSONOut(ios, out)
	}
	for _, a := range out {
		kind := ""
		if a.ZarrID != "" {
			kind = "\tzarr directory (fetch works; open with hdmf-zarr)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s%s\n", a.Path, a.Size, a.Modified.UTC().Format(time.RFC3339), kind)
	}
	return nil
}
