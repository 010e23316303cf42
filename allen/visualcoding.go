package allen

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/neurodata/neurodata/dandi"
)

// VCSession is a Visual Coding session file on a DANDI mirror.
type VCSession struct {
	SessionID int64  `json:"session_id"`
	Dandiset  string `json:"dandiset"`
	Version   string `json:"version"`
	Path      string `json:"path"`
	Size      int64  `json:"size"`
	AssetID   string `json:"asset_id"`
	// LFP marks a per-probe LFP file (…_probe-<id>_ecephys.nwb).
	LFP bool `json:"lfp,omitempty"`
}

// sesRE finds the session id in DANDI paths such as
// sub-699733573/sub-699733573_ses-715093703.nwb and
// sub-1/sub-1_ses-501940850-StimB_ophys.nwb (dandi-allen.md §3.3).
var sesRE = regexp.MustCompile(`_ses-([0-9]{1,18})(?:[-_.]|$)`)

// SessionIDFromPath extracts the session id of a mirrored Allen file.
func SessionIDFromPath(p string) (int64, bool) {
	m := sesRE.FindStringSubmatch(path.Base(p))
	if m == nil {
		return 0, false
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	return id, err == nil
}

// VCSessions lists the session files of a DANDI-mirrored project at
// version ("" = most recent published, else draft), across its dandisets.
func VCSessions(ctx context.Context, dc *dandi.Client, p *Project, version string) ([]VCSession, error) {
	if p.Source != DANDIMirror {
		return nil, fmt.Errorf("allen: %s is a cloud-cache project, not a DANDI mirror", p.Name)
	}
	var out []VCSession
	missing := 0
	for _, ds := range p.Dandisets {
		sel, err := dc.Resolve(ctx, &dandi.Resource{Kind: dandi.KindGlob, DandisetID: ds, Version: version, Glob: "*_ses-*.nwb"})
		if err != nil {
			if errors.Is(err, dandi.ErrNotFound) {
				missing++ // a mirror may hold only some of the dandisets, or the version names another one
				continue
			}
			return nil, fmt.Errorf("allen: %s on DANDI %s: %w", p.Name, ds, err)
		}
		for _, a := range sel.Assets {
			id, ok := SessionIDFromPath(a.Path)
			if !ok {
				continue
			}
			out = append(out, VCSession{SessionID: id, Dandiset: ds, Version: sel.Version, Path: a.Path, Size: a.Size, AssetID: a.AssetID, LFP: strings.Contains(path.Base(a.Path), "_probe-")})
		}
	}
	if missing == len(p.Dandisets) {
		return nil, fmt.Errorf("allen: %s: none of DANDI %s found (version %q): %w", p.Name, strings.Join(p.Dandisets, ", "), version, dandi.ErrNotFound)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].SessionID != out[j].SessionID {
			return out[i].SessionID < out[j].SessionID
		}
		return out[i].Path < out[j].Path
	})
	return out, nil
}

// ResolveVCSession finds the DANDI assets of one Visual Coding session:
// the session NWB, plus the probe LFP files when lfp is set. It searches
// the project's dandisets in order; a session on none of them is an
// ErrUnknownSession error naming the closest session ids.
func ResolveVCSession(ctx context.Context, dc *dandi.Client, p *Project, version string, id int64, lfp bool) (*dandi.Selection, error) {
	if p.Source != DANDIMirror {
		return nil, fmt.Errorf("allen: %s is a cloud-cache project, not a DANDI mirror", p.Name)
	}
	ids := strconv.FormatInt(id, 10)
	for _, ds := range p.Dandisets {
		sel, err := dc.Resolve(ctx, &dandi.Resource{Kind: dandi.KindGlob, DandisetID: ds, Version: version, Glob: "*_ses-" + ids + "*.nwb"})
		if err != nil {
			if errors.Is(err, dandi.ErrNotFound) {
				continue
			}
			return nil, fmt.Errorf("allen: %s on DANDI %s: %w", p.Name, ds, err)
		}
		var keep []dandi.Asset
		for _, a := range sel.Assets {
			got, ok := SessionIDFromPath(a.Path)
			if !ok || got != id {
				continue
			}
			if !lfp && strings.Contains(path.Base(a.Path), "_probe-") {
				continue
			}
			keep = append(keep, a)
		}
		if len(keep) > 0 {
			sel.Assets = keep
			return sel, nil
		}
	}
	all, err := VCSessions(ctx, dc, p, version)
	if err != nil {
		return nil, err
	}
	var cands []string
	for _, s := range all {
		cands = append(cands, strconv.FormatInt(s.SessionID, 10))
	}
	return nil, fmt.Errorf("allen: %w: session %d is not on DANDI %s%s", ErrUnknownSession, id, strings.Join(p.Dandisets, ", "), suggest(ids, cands))
}
