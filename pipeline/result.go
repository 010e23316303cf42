package pipeline

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/neurodata/neurodata/nwbarrow"
	_ "github.com/neurodata/neurodata/nwbarrow/parquet" // registers nwbarrow.Parquet
)

// SessionResult is what RunSession returns for one session: one
// AnalysisResult per analysis of the spec that applies to the session.
type SessionResult struct {
	Session  SessionRef       `json:"session"`
	Analyses []AnalysisResult `json:"analyses"`
}

// AnalysisResult is one analysis of one session. Exactly one of the result
// fields is set unless Error is.
type AnalysisResult struct {
	Analysis string          `json:"analysis"` // the partition name (Analysis.ID)
	Kind     string          `json:"kind"`
	Session  string          `json:"session"`
	Params   json.RawMessage `json:"params"`
	Key      string          `json:"key"`
	Seconds  float64         `json:"seconds"`
	Error    string          `json:"error,omitempty"`

	Tuning *TuningResult `json:"tuning,omitempty"`
	Info   *InfoResult   `json:"info,omitempty"`
	Decode *DecodeResult `json:"decode,omitempty"`
	RSA    *RSAResult    `json:"rsa,omitempty"`
	Place  *PlaceResult  `json:"place,omitempty"`
	PSTH   *PSTHResult   `json:"psth,omitempty"`
	Stats  *StatsResult  `json:"stats,omitempty"`
}

// Columns returns the result as the columns of its Parquet table (every
// table starts with session_name, so files can be queried across sessions
// by readers that ignore hive partitions) and the schema metadata.
func (a *AnalysisResult) Columns() ([]nwbarrow.Col, map[string]string, error) {
	meta := map[string]string{"neurodata.analysis": a.Analysis, "neurodata.kind": a.Kind,
		"neurodata.session": a.Session, "neurodata.params": string(a.Params), "neurodata.key": a.Key}
	sess := func(n int) nwbarrow.Col {
		s := make([]string, n)
		for i := range s {
			s[i] = a.Session
		}
		return nwbarrow.Col{Name: "session_name", Values: s}
	}
	fl := func(n int, get func(i int) F) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = float64(get(i))
		}
		return out
	}
	switch {
	case a.Tuning != nil:
		r := a.Tuning
		n := len(r.Units)
		meta["neurodata.conditions"] = mustJSON(r.Conditions)
		ids, pref := make([]int64, n), make([]string, n)
		rates, sem := make([][]float64, n), make([][]float64, n)
		for i, u := range r.Units {
			ids[i], pref[i], rates[i], sem[i] = u.UnitID, u.Preferred, u.Rates, u.SEM
		}
		u := r.Units
		return []nwbarrow.Col{sess(n), {Name: "unit_id", Values: ids},
			{Name: "preferred", Values: pref, Description: "condition of " + r.By + " with the largest mean rate"},
			{Name: "pref_direction_deg", Values: fl(n, func(i int) F { return u[i].PrefDirection }), Unit: "deg"},
			{Name: "vector_pref_direction_deg", Values: fl(n, func(i int) F { return u[i].VectorPrefDir }), Unit: "deg"},
			{Name: "g_osi", Values: fl(n, func(i int) F { return u[i].GOSI }), Description: "vector-sum orientation selectivity (Allen Neuropixels osi)"},
			{Name: "g_dsi", Values: fl(n, func(i int) F { return u[i].GDSI }), Description: "vector-sum direction selectivity (Allen Neuropixels dsi)"},
			{Name: "osi", Values: fl(n, func(i int) F { return u[i].OSI }), Description: "peak OSI (Allen two-photon osi_dg)"},
			{Name: "dsi", Values: fl(n, func(i int) F { return u[i].DSI }), Description: "peak DSI (Allen two-photon dsi_dg)"},
			{Name: "lifetime_sparseness", Values: fl(n, func(i int) F { return u[i].LifetimeSparseness })},
			{Name: "reliability", Values: fl(n, func(i int) F { return u[i].Reliability })},
			{Name: "blank_rate_hz", Values: fl(n, func(i int) F { return u[i].BlankRate }), Unit: "Hz"},
			{Name: "rates_hz", Values: rates, Unit: "Hz", Description: "mean rate per condition (schema metadata neurodata.conditions)"},
			{Name: "sem_hz", Values: sem, Unit: "Hz"}}, meta, nil
	case a.Info != nil:
		r := a.Info
		n := len(r.Units)
		meta["neurodata.conditions"] = mustJSON(r.Conditions)
		ids, ssi := make([]int64, n), make([][]float64, n)
		for i, u := range r.Units {
			ids[i], ssi[i] = u.UnitID, u.SSI
		}
		u := r.Units
		return []nwbarrow.Col{sess(n), {Name: "unit_id", Values: ids},
			{Name: "mi_bits", Values: fl(n, func(i int) F { return u[i].MIBits }), Unit: "bits", Description: "estimator " + r.Estimator},
			{Name: "mi_plugin_bits", Values: fl(n, func(i int) F { return u[i].MIPlugInBits }), Unit: "bits"},
			{Name: "bias_bits", Values: fl(n, func(i int) F { return u[i].BiasBits }), Unit: "bits"},
			{Name: "p", Values: fl(n, func(i int) F { return u[i].P }), Description: "label permutation p"},
			{Name: "null_mean_bits", Values: fl(n, func(i int) F { return u[i].NullMeanBits }), Unit: "bits"},
			{Name: "ssi_bits", Values: ssi, Unit: "bits", Description: "stimulus-specific information per condition"}}, meta, nil
	case a.Decode != nil:
		r := a.Decode
		var metric, label, pred []string
		var x, y, val, sd []float64
		nan := math.NaN()
		add := func(m string, xv, yv float64, l, p string, v, s float64) {
			metric, x, y, label, pred, val, sd = append(metric, m), append(x, xv), append(y, yv), append(label, l), append(pred, p), append(val, v), append(sd, s)
		}
		add("accuracy", nan, nan, "", "", r.Accuracy, nan)
		add("balanced_accuracy", nan, nan, "", "", r.BalancedAccuracy, nan)
		add("chance", nan, nan, "", "", r.Chance, nan)
		add("chance_threshold", nan, nan, "", "", r.ChanceThreshold, nan)
		if r.P != nil {
			add("p", nan, nan, "", "", *r.P, nan)
			add("null_mean", nan, nan, "", "", *r.NullMean, nan)
		}
		for k, v := range r.FoldAccuracy {
			add("fold_accuracy", float64(k), nan, "", "", v, nan)
		}
		for i, row := range r.Confusion {
			for j, c := range row {
				add("confusion", float64(i), float64(j), r.Conditions[i], r.Conditions[j], float64(c), nan)
			}
		}
		if t := r.Time; t != nil {
			for i, tm := range t.Times {
				add("accuracy_time", tm, nan, "", "", t.Accuracy[i], nan)
			}
			for i, tm := range t.Times {
				for j, tt := range t.Times {
					add("generalization", tm, tt, "", "", t.Generalization[i][j], nan)
				}
			}
		}
		for _, c := range r.Curve {
			add("accuracy_units", float64(c.Units), nan, "", "", c.Mean, c.SD)
		}
		n := len(metric)
		return []nwbarrow.Col{sess(n), {Name: "metric", Values: metric,
			Description: "accuracy, balanced_accuracy, chance, chance_threshold, p, null_mean, fold_accuracy (x = fold), confusion (x,y = true, predicted index), accuracy_time (x = time s), generalization (x = train time, y = test time), accuracy_units (x = units)"},
			{Name: "x", Values: x}, {Name: "y", Values: y}, {Name: "label", Values: label}, {Name: "predicted", Values: pred},
			{Name: "value", Values: val}, {Name: "sd", Values: sd}}, meta, nil
	case a.RSA != nil:
		r := a.RSA
		n := len(r.Models) + 1
		role, model := make([]string, n), make([]string, n)
		feat := make([]int64, n)
		rdm := make([][]float64, n)
		sim, p, lo, hi, cl, cu, cka, ckad := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		ceil := func(x *F) float64 {
			if x == nil {
				return math.NaN()
			}
			return float64(*x)
		}
		for i := range n {
			cl[i], cu[i] = ceil(r.CeilingLower), ceil(r.CeilingUpper)
		}
		role[0], model[0], feat[0], rdm[0] = "data", "neural", int64(r.Channels), r.NeuralRDM
		sim[0], p[0], lo[0], hi[0], cka[0], ckad[0] = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
		for k, m := range r.Models {
			i := k + 1
			role[i], model[i], feat[i], rdm[i] = "model", m.Model, int64(m.Features), m.RDM
			sim[i], p[i], lo[i], hi[i], cka[i], ckad[i] = float64(m.Similarity), float64(m.P), float64(m.CI[0]), float64(m.CI[1]), float64(m.CKA), float64(m.CKADebiased)
		}
		meta["neurodata.conditions"] = mustJSON(r.ConditionKeys)
		return []nwbarrow.Col{sess(n), {Name: "role", Values: role}, {Name: "model", Values: model},
			{Name: "n_features", Values: feat}, {Name: "similarity", Values: sim, Description: r.Compare + " between the model RDM and the neural RDM"},
			{Name: "p", Values: p}, {Name: "ci_low", Values: lo}, {Name: "ci_high", Values: hi},
			{Name: "ceiling_lower", Values: cl}, {Name: "ceiling_upper", Values: cu},
			{Name: "cka", Values: cka}, {Name: "cka_debiased", Values: ckad},
			{Name: "rdm", Values: rdm, Description: "upper triangle (i<j, row-major) of the RDM (" + r.RDM + " for data, " + r.ModelRDM + " for models)"}}, meta, nil
	case a.Place != nil:
		r := a.Place
		n := len(r.Units)
		meta["neurodata.edges"] = mustJSON(r.Edges)
		ids, fc, rm := make([]int64, n), make([][]float64, n), make([][]float64, n)
		for i, u := range r.Units {
			ids[i], fc[i], rm[i] = u.UnitID, u.FieldCenter, u.RateMap
		}
		u := r.Units
		return []nwbarrow.Col{sess(n), {Name: "unit_id", Values: ids},
			{Name: "bits_per_spike", Values: fl(n, func(i int) F { return u[i].BitsPerSpike }), Unit: "bits/spike"},
			{Name: "bits_per_second", Values: fl(n, func(i int) F { return u[i].BitsPerSecond }), Unit: "bits/s"},
			{Name: "sparsity", Values: fl(n, func(i int) F { return u[i].Sparsity })},
			{Name: "peak_rate_hz", Values: fl(n, func(i int) F { return u[i].PeakRate }), Unit: "Hz"},
			{Name: "mean_rate_hz", Values: fl(n, func(i int) F { return u[i].MeanRate }), Unit: "Hz"},
			{Name: "bits_per_spike_corrected", Values: fl(n, func(i int) F { return u[i].BitsCorrected }), Unit: "bits/spike", Description: "minus (B-1)/(2 N ln 2)"},
			{Name: "z", Values: fl(n, func(i int) F { return u[i].Z }), Description: "against circular time shifts (NaN without shuffles)"},
			{Name: "p", Values: fl(n, func(i int) F { return u[i].P })},
			{Name: "field_center", Values: fc}, {Name: "rate_map_hz", Values: rm, Unit: "Hz"}}, meta, nil
	case a.PSTH != nil:
		r := a.PSTH
		n := len(r.Units)
		meta["neurodata.bin_centers_s"] = mustJSON(r.Centers)
		ids, rates, sem := make([]int64, n), make([][]float64, n), make([][]float64, n)
		for i, u := range r.Units {
			ids[i], rates[i], sem[i] = u.UnitID, u.Rates, u.SEM
		}
		return []nwbarrow.Col{sess(n), {Name: "unit_id", Values: ids},
			{Name: "rates_hz", Values: rates, Unit: "Hz", Description: "mean rate per bin around the events (bin centres: schema metadata neurodata.bin_centers_s)"},
			{Name: "sem_hz", Values: sem, Unit: "Hz"}}, meta, nil
	case a.Stats != nil:
		u := a.Stats.Units
		n := len(u)
		ids, ns := make([]int64, n), make([]int64, n)
		for i := range u {
			ids[i], ns[i] = u[i].UnitID, int64(u[i].NSpikes)
		}
		return []nwbarrow.Col{sess(n), {Name: "unit_id", Values: ids}, {Name: "n_spikes", Values: ns},
			{Name: "rate_hz", Values: fl(n, func(i int) F { return u[i].Rate }), Unit: "Hz"},
			{Name: "mean_isi_s", Values: fl(n, func(i int) F { return u[i].MeanISI }), Unit: "s"},
			{Name: "cv", Values: fl(n, func(i int) F { return u[i].CV }), Description: "ISI sd (ddof 0) / mean"},
			{Name: "cv2", Values: fl(n, func(i int) F { return u[i].CV2 })},
			{Name: "lv", Values: fl(n, func(i int) F { return u[i].LV })},
			{Name: "lvr", Values: fl(n, func(i int) F { return u[i].LvR })},
			{Name: "fano", Values: fl(n, func(i int) F { return u[i].Fano }), Description: "var (ddof 0) / mean of counts"}}, meta, nil
	}
	return nil, nil, fmt.Errorf("pipeline: %s/%s: no result", a.Analysis, a.Session)
}

// WriteParquet writes the result table to path (atomically: temporary file
// and rename).
func (a *AnalysisResult) WriteParquet(path string) error {
	cols, meta, err := a.Columns()
	if err != nil {
		return err
	}
	return nwbarrow.WriteColumnsFile(path, nwbarrow.Parquet, meta, cols...)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return strconv.Quote(err.Error())
	}
	return string(b)
}
