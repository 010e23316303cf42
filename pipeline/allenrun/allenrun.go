// Package allenrun lets `neurodata run` (and any runner of package
// pipeline) take Allen Brain Observatory sessions as inputs: Resolver
// implements pipeline.AllenResolver on top of package allen's cloud cache.
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
	"github.com/neurodata/neurodata/internal/fetch"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/pipeline"
)

// Resolver fetches an Allen session's NWB files into Cache (verified by
// BLAKE2b-512; a verified file already there is kept) and opens them
// locally.
type Resolver struct {
	Cache *allen.Cache
}

// New returns a Resolver caching under dir and reading the buckets from
// s3URL ("" = $ALLEN_S3_URL, else AWS).
func New(dir, s3URL string) *Resolver {
	c := allen.NewClient(s3URL, nil)
	return &Resolver{Cache: &allen.Cache{Dir: dir, Client: c}}
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
	if p.Source == allen.DANDIMirror {
		return nil, fmt.Errorf("%w: %s: %s is served from DANDI (%s); give it as a dandi input (e.g. dandi: DANDI:%s, glob: \"*%d*\")",
			pipeline.ErrSpec, s, p.Name, strings.Join(p.Dandisets, ", "), p.Dandisets[0], ref.SessionID)
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

// OpenAllen opens a resolved (fetched) session.
func (r *Resolver) OpenAllen(ctx context.Context, ref pipeline.SessionRef) (*nwb.File, error) {
	return nwb.Open(ref.Location)
}
