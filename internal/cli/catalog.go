package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/neurodata/neurodata/catalog"
)

func init() { addCommand(newCatalogCmd) }

type catalogOptions struct {
	json  bool
	theme string
}

func newCatalogCmd(ios *IOStreams) *cobra.Command {
	var o catalogOptions
	cmd := &cobra.Command{
		Use:   "catalog [NAME|ID]",
		Short: "Curated open data sets for course projects, with sizes and the commands to get them",
		Long: `catalog lists open data sets that suit course projects (Allen Brain
Observatory Visual Coding and Visual Behavior, the IBL Brain Wide Map,
DANDI dandisets for place, grid and head-direction cells, decision making
and human single units) with their identifier, size, species and areas and
what each is good for. With a NAME (or a DANDI:/allen: identifier) it
prints one entry in full: the exact ls, fetch and analyze commands and the
public records its identifier and size were checked against.

Sizes are the archives' published totals at the date shown; "unverified"
means no public record of the size was found (see the entry's note).
Fetch commands marked --dry-run list files and the total without
downloading: pick a subject folder or file from the list.`,
		Example: `  neurodata catalog
  neurodata catalog --theme decoding
  neurodata catalog peyrache-head-direction
  neurodata catalog DANDI:000021 --json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("catalog takes at most one name")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCatalog(ios, &o, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print the entries as JSON")
	f.StringVar(&o.theme, "theme", "", "only entries for a course theme: "+strings.Join(catalog.Themes, ", "))
	return cmd
}

func runCatalog(ios *IOStreams, o *catalogOptions, args []string) error {
	c, err := catalog.Load()
	if err != nil {
		return err
	}
	if o.theme != "" && !catalogHas(catalog.Themes, o.theme) {
		return usagef("unknown --theme %q (themes: %s)", o.theme, strings.Join(catalog.Themes, ", "))
	}
	if len(args) == 1 {
		e, err := catalog.Lookup(args[0])
		if err != nil {
			return &UsageError{Err: err}
		}
		if o.json {
			return catalogJSON(ios.Out, e)
		}
		printCatalogEntry(ios.Out, e)
		return nil
	}
	var sel []catalog.Entry
	for _, e := range c.Entries {
		if o.theme == "" || e.HasTheme(o.theme) {
			sel = append(sel, e)
		}
	}
	if o.json {
		return catalogJSON(ios.Out, catalog.Catalog{Checked: c.Checked, Entries: sel})
	}
	tw := tabwriter.NewWriter(ios.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tIDENTIFIER\tSIZE\tSPECIES\tTHEMES")
	for _, e := range sel {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Name, e.Identifier, e.SizeString(), e.Species, strings.Join(e.Themes, ","))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(ios.ErrOut, "%d data sets (checked %s); neurodata catalog NAME shows the commands and sources\n", len(sel), c.Checked)
	return nil
}

func printCatalogEntry(w io.Writer, e *catalog.Entry) {
	fmt.Fprintf(w, "%s\n%s\n\n", e.Name, e.Title)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "identifier\t%s\n", e.Identifier)
	if len(e.Aliases) > 0 {
		fmt.Fprintf(tw, "also\t%s\n", strings.Join(e.Aliases, ", "))
	}
	size := e.SizeString()
	if e.SizeVerified && e.SizeAsOf != "" {
		size += " (" + e.SizeAsOf + ")"
	}
	fmt.Fprintf(tw, "size\t%s\n", size)
	fmt.Fprintf(tw, "species\t%s\n", e.Species)
	fmt.Fprintf(tw, "areas\t%s\n", strings.Join(e.Areas, "; "))
	fmt.Fprintf(tw, "modality\t%s\n", e.Modality)
	fmt.Fprintf(tw, "themes\t%s\n", strings.Join(e.Themes, ", "))
	tw.Flush()
	fmt.Fprintf(w, "\nGood for: %s\n", e.GoodFor)
	if e.SizeNote != "" {
		fmt.Fprintf(w, "Size: %s\n", e.SizeNote)
	}
	if e.Notes != "" {
		fmt.Fprintf(w, "Notes: %s\n", e.Notes)
	}
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range []struct{ what, cmd string }{{"browse", e.Ls}, {"fetch", e.Fetch}, {"analyze", e.Analyze}, {"run", e.Run}} {
		if c.cmd != "" {
			fmt.Fprintf(w, "  # %s\n  %s\n", c.what, c.cmd)
		}
	}
	fmt.Fprintln(w, "\nChecked against:")
	for _, s := range e.Source {
		fmt.Fprintf(w, "  - %s\n", s)
	}
}

func catalogJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func catalogHas(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
