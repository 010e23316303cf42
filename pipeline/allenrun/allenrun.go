// Package allenrun lets `neurodata run` (and any runner of package
// pipeline) take Allen Brain Observatory sessions as inputs: Resolver
// implements pipeline.AllenResolver on top of package allen (the cloud
// cache of Visual Behavior, and the DANDI mirrors of Visual Coding).
//
// It is a separate package so that package pipeline does not import allen:
// the pipeline knows only the AllenResolver interface, and a runner that
// wants Allen inputs links this adapter in.
package allenrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/neurodata/neurodata/allen"
	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/internal/fetch"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/pipeline"
)

// Resolver fetches a cloud-cache session's NWB files into Cache (verified
// by BLAKE2b-512; a verified file already there is kept) and opens them
// locally. Sessions of the DANDI-mirrored projects (Visual Coding) are
// found on DANDI through the DANDI client and become streamed dandi
// sessions (pipeline opens those with RunOptions.DANDI).
type Resolver struct {
	Cache *allen.Cache
	DANDI *dandi.Client // for the Visual Coding projects; nil = the public archive
}

// New returns a Resolver caching under dir and reading the buckets from
// s3URL ("" = $ALLEN_S3_URL, else AWS); dandiOpts configure the DANDI
// client of the Visual Coding projects.
func New(dir, s3URL string, dandiOpts ...dandi.Option) *Resolver {
	c := allen.NewClient(s3URL, nil)
	return &Resolver{Cache: &allen.Cache{Dir: dir, Client: c}, DANDI: dandi.NewClient(dandiOpts...)}
}

var _ pipeline.AllenResolver = (*Resolver)(nil)

// ResolveAllen resolves PROJECT[@RELEASE]/KIND/ID (the "allen:" prefix is
// optional) to one session per NWB file of the session, fetching them.
// The digest of each is the manifest's BLAKE2b-512, so a rerun skips an
// unchanged session; the name is PROJECT-RELEASE.KIND_ID[.FILE].
func (r *Resolver) ResolveAllen(ctx context.Context, s string) ([]pipeline.SessionRef, error) {
	if !strings.HasPrefix(s, "allen:") {
		s = "allen:" + s
	}
	ref, err := allen.ParseRef(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", pipeline.ErrSpec, err)
	}
	if ref.Project == "" || ref.Kind == "" {
		return nil, fmt.Errorf("%w: %s: name a session, e.g. allen:visual-behavior-neuropixels@0.5.0/ecephys_session/1043752325", pipeline.ErrSpec, s)
	}
	p, err := allen.LookupProject(ref.Project)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", pipeline.ErrSpec, err)
	}
	if _, err := p.SessionKind(ref.Kind); err != nil {
		return nil, fmt.Errorf("%w: %v", pipeline.ErrSpec, err)
	}
	if p.Source == allen.DANDIMirror {
		return r.resolveVC(ctx, s, p, ref)
	}
	rel, err := r.Cache.Release(ctx, p, ref.Release)
	if err != nil {
		return nil, err
	}
	files, err := r.Cache.SessionFiles(ctx, rel, ref.Kind, ref.SessionID)
	if err != nil {
		return nil, err
	}
	var nwbs []allen.File
	for _, f := range files {
		if strings.HasSuffix(f.Rel, ".nwb") {
			nwbs = append(nwbs, f)
		}
	}
	if len(nwbs) == 0 {
		return nil, fmt.Errorf("allenrun: %s: the session has no NWB file", s)
	}
	res, err := r.Cache.Fetch(ctx, nwbs)
	var failed []string
	for _, x := range res {
		switch x.Status {
		case fetch.StatusDownloaded, fetch.StatusSkipped, allen.StatusLinked:
		default:
			msg := "not attempted"
			if x.Err != nil {
				msg = x.Err.Error()
			}
			failed = append(failed, x.Job.Name+": "+msg)
		}
	}
	if err != nil || len(failed) > 0 {
		if err == nil {
			err = errors.New(strings.Join(failed, "; "))
		}
		return nil, fmt.Errorf("allenrun: %s: fetching into %s: %w", s, r.Cache.Dir, err)
	}
	base := fmt.Sprintf("%s-%s.%s_%d", p.Name, rel.Name, ref.Kind, ref.SessionID)
	var out []pipeline.SessionRef
	for _, f := range nwbs {
		local := filepath.Join(r.Cache.Dir, filepath.FromSlash(f.Rel))
		name := base
		if len(nwbs) > 1 {
			name += "." + strings.TrimSuffix(path.Base(f.Rel), ".nwb")
		}
		fi, err := os.Stat(local)
		if err != nil {
			return nil, fmt.Errorf("allenrun: %s: %w", s, err)
		}
		out = append(out, pipeline.SessionRef{Name: name, Kind: "allen", Location: local, Size: fi.Size(), Digest: "blake2b-512:" + f.Hash})
	}
	return out, nil
}

// resolveVC finds a Visual Coding session's NWB on DANDI (no LFP files):
// one streamed dandi session per file, with the archive's sha256 as digest.
func (r *Resolver) resolveVC(ctx context.Context, s string, p *allen.Project, ref *allen.Ref) ([]pipeline.SessionRef, error) {
	dc := r.DANDI
	if dc == nil {
		dc = dandi.NewClient()
	}
	sel, err := allen.ResolveVCSession(ctx, dc, p, ref.Release, ref.SessionID, false)
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("%s.%s_%d", p.Name, ref.Kind, ref.SessionID)
	var out []pipeline.SessionRef
	for _, a := range sel.Assets {
		if a.Blob == nil {
			continue
		}
		name := base
		if len(sel.Assets) > 1 {
			name += "." + strings.TrimSuffix(path.Base(a.Path), ".nwb")
		}
		d := fmt.Sprintf("dandi-asset:%s@%s", a.AssetID, a.Modified.UTC().Format("2006-01-02T15:04:05Z"))
		if a.Metadata != nil && a.Metadata.Digest["dandi:sha2-256"] != "" {
			d = "sha256:" + a.Metadata.Digest["dandi:sha2-256"]
		}
		out = append(out, pipeline.SessionRef{Name: name, Kind: "dandi", Location: dc.DownloadURL(a.AssetID), Size: a.Size, Digest: d})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("allenrun: %s: no NWB file on DANDI %s", s, sel.DandisetID)
	}
	return out, nil
}

// OpenAllen opens a resolved (fetched) session.
func (r *Resolver) OpenAllen(ctx context.Context, ref pipeline.SessionRef) (*nwb.File, error) {
	return nwb.Open(ref.Location)
}
