package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/neurodata/neurodata/allen"
	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/internal/fetch"
)

// This file adds allen: references to `neurodata fetch` (issue 4);
// fetch.go calls addAllenFetchFlags and runAllenFetch.

// addAllenFetch documents allen: references and registers their flags on fetch.
func addAllenFetch(cmd *cobra.Command) {
	cmd.Long += "\n" + allenFetchHelp + `
Downloads have the guarantees above (resume, verification, atomic rename,
--existing, --dry-run, --json, progress); the S3 origin comes from --s3-url,
then ALLEN_S3_URL, then AWS.`
	cmd.Example += `
  neurodata fetch allen:visual-behavior-neuropixels@0.5.0/ecephys_session/1043752325 -o allen
  neurodata fetch --metadata-only allen:vbo -o allen
  neurodata fetch allen:visual-coding-neuropixels/session/715093703 -o data`
	addAllenFetchFlags(cmd.Flags())
}

// addAllenFetchFlags registers the flags that only apply to allen: arguments.
func addAllenFetchFlags(f *pflag.FlagSet) {
	f.Bool("metadata-only", false, "allen: fetch the release's manifest and metadata tables, no NWB files")
	f.Bool("lfp", false, "allen: Visual Coding Neuropixels: also fetch the session's probe LFP files")
	f.String("s3-url", "", "allen: S3 base URL replacing AWS (path-style <url>/<bucket>/<key>; default $ALLEN_S3_URL)")
}

// allenFetchSummary is fetchSummary plus the files re-used from another
// release (hard-linked or copied after a BLAKE2b check, no download).
type allenFetchSummary struct {
	fetchSummary
	Linked int `json:"linked"`
}

const allenFetchHelp = `
Allen Brain Observatory (allen:…):
  allen:<project>[@release]/<kind>/<id>   the NWB files of a session
  allen:<project>[@release] --metadata-only   manifest and metadata tables
Projects: visual-behavior-neuropixels (vbn; kinds ecephys_session,
behavior_session, probe), visual-behavior-ophys (vbo; ophys_experiment,
ophys_session, behavior_session) from the S3 cloud caches, laid out as
DIR/<project>-<release>/… and verified by the manifest's BLAKE2b-512; a
file identical to one of another release already fetched is hard-linked,
not downloaded. visual-coding-neuropixels (vcn) and visual-coding-2p
(vc2p) sessions (kind session) are fetched from their DANDI mirrors
(000021/000022, 000728) into DIR/<dandiset>/<path>.`

func runAllenFetch(cmd *cobra.Command, ios *IOStreams, args []string) error {
	ctx := cmd.Context()
	o := struct {
		out, existing string
		jobs          int
		dry, json     bool
		metaOnly, lfp bool
	}{out: flagString(cmd, "output"), existing: flagString(cmd, "existing"), dry: flagBool(cmd, "dry-run"), json: flagBool(cmd, "json"),
		metaOnly: flagBool(cmd, "metadata-only"), lfp: flagBool(cmd, "lfp")}
	o.jobs, _ = cmd.Flags().GetInt("jobs")
	policy, err := fetch.ParseExisting(o.existing)
	if err != nil {
		return &UsageError{Err: err}
	}
	if o.jobs < 1 || o.jobs > 256 {
		return usagef("--jobs must be between 1 and 256")
	}
	out, err := filepath.Abs(o.out)
	if err != nil {
		return err
	}
	refs := make([]*allen.Ref, len(args))
	for i, a := range args {
		if !isAllenRef(a) {
			return usagef("%q: allen: and DANDI identifiers cannot be mixed in one fetch", a)
		}
		if refs[i], err = allen.ParseRef(a); err != nil {
			return allenErr(err)
		}
		switch {
		case refs[i].Project == "":
			return usagef("%q names no project (see neurodata ls allen:)", a)
		case refs[i].Kind == "" && !o.metaOnly:
			return usagef("%q: name a session (%s/<kind>/<id>) or use --metadata-only%s", a, a, allenFetchHelp)
		}
	}
	include, _ := cmd.Flags().GetStringArray("include")
	exclude, _ := cmd.Flags().GetStringArray("exclude")
	start := time.Now()
	client := allen.NewClient(flagString(cmd, "s3-url"), nil)
	f := &fetch.Fetcher{Jobs: o.jobs, Existing: policy, Root: out, Client: client.HTTP}
	cache := &allen.Cache{Dir: out, Client: client, Fetcher: f}
	var sum allenFetchSummary
	sum.DryRun = o.dry

	type batch struct {
		files []allen.File  // cloud cache
		jobs  []fetch.Job   // DANDI mirror
		dc    *dandi.Client // for jobs
	}
	var batches []batch
	for i, ref := range refs {
		p, _ := allen.LookupProject(ref.Project)
		if p.Source == allen.DANDIMirror {
			if o.metaOnly {
				return usagef("%s: --metadata-only applies to the cloud-cache projects; %s is served from DANDI %s", args[i], p.Name, strings.Join(p.Dandisets, ", "))
			}
			dc := dandiClient(flagString(cmd, "api-url"), nil)
			sel, err := allen.ResolveVCSession(ctx, dc, p, ref.Release, ref.SessionID, o.lfp)
			if err != nil {
				return allenErr(err)
			}
			jobs, _, err := dc.Plan(sel, out, dandi.PlanOptions{Include: include, Exclude: exclude})
			if err != nil {
				return err
			}
			fmt.Fprintf(ios.ErrOut, "%s: DANDI %s version %s, %d files\n", args[i], sel.DandisetID, sel.Version, len(jobs))
			sum.Targets = append(sum.Targets, fetchTarget{Input: args[i], APIURL: dc.APIURL(), Dandiset: sel.DandisetID, Version: sel.Version, Resolved: sel.VersionResolved, Assets: len(jobs)})
			batches = append(batches, batch{jobs: jobs, dc: dc})
			continue
		}
		if len(include)+len(exclude) > 0 {
			return usagef("%s: --include/--exclude select DANDI assets; a cloud-cache fetch names its session instead", args[i])
		}
		rel, err := cache.Release(ctx, p, ref.Release)
		if err != nil {
			return allenErr(err)
		}
		var files []allen.File
		if o.metaOnly {
			if files, err = rel.MetadataFiles(); err != nil {
				return err
			}
		} else if files, err = cache.SessionFiles(ctx, rel, ref.Kind, ref.SessionID); err != nil {
			return allenErr(err)
		}
		how := "as given"
		if ref.Release == "" {
			how = "latest"
		}
		fmt.Fprintf(ios.ErrOut, "%s: %s release %s (%s), %d files\n", args[i], p.Name, rel.Name, how, len(files))
		base := client.BaseURL
		if base == "" {
			base = "https://" + p.Bucket + ".s3." + p.Region + ".amazonaws.com"
		}
		sum.Targets = append(sum.Targets, fetchTarget{Input: args[i], APIURL: base, Version: rel.Name, Resolved: ref.Release == "", Assets: len(files)})
		batches = append(batches, batch{files: files})
	}

	if o.dry {
		for _, b := range batches {
			jobs := b.jobs
			if b.files != nil {
				if jobs, err = cache.Jobs(b.files); err != nil {
					return err
				}
				if err := cache.Sizes(ctx, jobs); err != nil {
					return err
				}
			}
			for _, j := range jobs {
				sum.Files++
				sum.Bytes += max(j.Size, 0)
				sum.Items = append(sum.Items, fetchItem{Path: j.Name, Dest: j.Dest, Size: j.Size, Status: "planned"})
				if !o.json {
					fmt.Fprintf(ios.Out, "%s\t%d\n", j.Dest, j.Size)
				}
			}
		}
		sum.Seconds = time.Since(start).Seconds()
		if o.json {
			return writeJSONOut(ios, sum)
		}
		fmt.Fprintf(ios.Out, "total: %d files, %d bytes (%s)\n", sum.Files, sum.Bytes, humanBytes(sum.Bytes))
		return nil
	}

	var bars *barProgress
	if ios.IsTerminal {
		var total int64
		for _, b := range batches {
			jobs := b.jobs
			if b.files != nil {
				if jobs, err = cache.Jobs(b.files); err == nil {
					err = cache.Sizes(ctx, jobs)
				}
				if err != nil {
					return err
				}
			}
			for _, j := range jobs {
				total += max(j.Size, 0)
			}
		}
		bars = newBarProgress(ios, total)
		f.Progress = bars
	}
	var ferr error
	authFailed := 0
	for _, b := range batches {
		var res []fetch.Result
		if b.files != nil {
			res, ferr = cache.Fetch(ctx, b.files)
		} else {
			df := *f
			df.Client = b.dc.HTTPClient()
			res, ferr = df.Fetch(ctx, b.jobs)
		}
		for _, r := range res {
			sum.Files++
			if sum.record(ios, r, &sum.Linked, ferr != nil) {
				authFailed++
			}
		}
		if ferr != nil {
			break
		}
	}
	if bars != nil {
		bars.done()
	}
	sum.Seconds = time.Since(start).Seconds()
	if o.json {
		if err := writeJSONOut(ios, sum); err != nil {
			return err
		}
	}
	fmt.Fprintf(ios.ErrOut, "%d downloaded, %d re-used from another release, %d skipped, %d failed; %s in %.1f s\n",
		sum.Downloaded, sum.Linked, sum.Skipped, sum.Failed, humanBytes(sum.Bytes), sum.Seconds)
	return fetchExit(ferr, sum.Failed, sum.Files, authFailed, sum.Downloaded+sum.Skipped+sum.Linked)
}
