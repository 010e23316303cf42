package cli

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/neurodata/neurodata/analysis"
	"github.com/neurodata/neurodata/internal/plots"
	"github.com/neurodata/neurodata/nwbarrow"
	"github.com/neurodata/neurodata/pipeline"
)

func init() { addAnalyzer(newAnalyzePlaceCmd) }

type placeFlags struct {
	anCommon
	position, rng, epochs string
	bin, smooth, minOcc   float64
	minShift              float64
	shuffles, maxPlots    int
	seed                  uint64
	pynapple              bool
}

func newAnalyzePlaceCmd(io *IOStreams) *cobra.Command {
	var fl placeFlags
	cmd := &cobra.Command{
		Use:   "place FILE --position PATH",
		Short: "Place fields: rate maps, Skaggs information, sparsity, field centre and shuffle significance",
		Long: `Builds occupancy-normalised rate maps of every unit against the position
series PATH (1-D or 2-D SpatialSeries; exact dwell-time occupancy, nearest
position sample per spike) and reports per unit:
  skaggs_bits_per_spike / skaggs_bits_per_second   Skaggs et al. 1993, with the
      occupancy-weighted mean rate (--pynapple: spikes / epoch duration instead)
  skaggs_bits_per_spike_corrected   minus the first-order sampling bias
      (B-1)/(2 N ln 2) for B visited bins and N spikes (unsmoothed maps only)
  sparsity (Skaggs 1996), peak rate, field_center (peak bin), field_com and
      field_width (bins >= 20% of the peak around it)
  z, p   against --shuffles circular time shifts of the spikes (>= --min-shift s).`,
		Example: `  neurodata analyze place --example behavior_place --position processing/behavior/Position/position --bin 0.02
  neurodata analyze place session.nwb --position behavior/Position/pos --bin 0.03 --smooth 0.05 --shuffles 1000 --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runAnalyzePlace(cmd, io, args, &fl) },
	}
	f := cmd.Flags()
	f.StringVar(&fl.position, "position", "", "path of the position TimeSeries (1 or 2 columns, e.g. processing/behavior/Position/position)")
	f.Float64Var(&fl.bin, "bin", 0.02, "spatial bin size in position units (e.g. m)")
	f.StringVar(&fl.rng, "range", "", "binning range MIN:MAX for every axis (default: min and max of the position)")
	f.Float64Var(&fl.smooth, "smooth", 0, "Gaussian smoothing sigma in position units (0 = none; mask-aware)")
	f.Float64Var(&fl.minOcc, "min-occupancy", 0, "mask bins visited for less than this many seconds")
	f.IntVar(&fl.shuffles, "shuffles", 0, "circular time shifts for z and p (0 = none; 1000 is usual)")
	f.Float64Var(&fl.minShift, "min-shift", 20, "minimum circular shift in seconds")
	f.Uint64Var(&fl.seed, "seed", 1, "random seed for the shuffles")
	f.StringVar(&fl.epochs, "epochs", "", "restrict to the rows of this intervals table (e.g. trials)")
	f.BoolVar(&fl.pynapple, "pynapple", false, "Skaggs mean rate = spikes / epoch duration (pynapple compute_mutual_information parity)")
	f.IntVar(&fl.maxPlots, "max-plots", 24, "most units drawn per figure")
	fl.anCommon.add(cmd, "place_maps")
	_ = cmd.MarkFlagRequired("position")
	return cmd
}

type placeUnitOut struct {
	UnitID        int64  `json:"unit_id"`
	BitsPerSpike  jnum   `json:"skaggs_bits_per_spike"`
	BitsPerSecond jnum   `json:"skaggs_bits_per_second"`
	BitsCorrected jnum   `json:"skaggs_bits_per_spike_corrected"`
	Sparsity      jnum   `json:"sparsity"`
	PeakRate      jnum   `json:"peak_rate_hz"`
	MeanRate      jnum   `json:"mean_rate_hz"`
	FieldCenter   []jnum `json:"field_center"`
	FieldCOM      []jnum `json:"field_com"`
	FieldWidth    []jnum `json:"field_width"`
	Z             jnum   `json:"z"`
	P             jnum   `json:"p"`
}

type placeOut struct {
	Provenance anProvenance   `json:"provenance"`
	Edges      [][]float64    `json:"edges"`
	Occupancy  []jnum         `json:"occupancy_s"`
	Units      []placeUnitOut `json:"units"`
}

func runAnalyzePlace(cmd *cobra.Command, io *IOStreams, args []string, fl *placeFlags) error {
	if err := fl.check(); err != nil {
		return err
	}
	if !(fl.bin > 0) || math.IsInf(fl.bin, 0) {
		return usagef("--bin %g: want a positive bin size", fl.bin)
	}
	if fl.smooth < 0 || fl.minOcc < 0 || fl.shuffles < 0 || fl.shuffles > 100000 || !(fl.minShift >= 0) {
		return usagef("--smooth, --min-occupancy and --min-shift must be >= 0, --shuffles 0..100000")
	}
	p := &pipeline.PlaceParams{Position: fl.position, Bin: fl.bin, Range: fl.rng, Smooth: fl.smooth, MinOccupancy: fl.minOcc,
		Epochs: fl.epochs, Units: fl.units, Shuffles: fl.shuffles, MinShift: &fl.minShift, Seed: fl.seed, Pynapple: fl.pynapple, Workers: fl.workers}
	if fl.seed == 0 {
		return usagef("--seed 0: want a non-zero seed")
	}
	res, name, err := anStep(cmd, args, &fl.anCommon, p, pipeline.Place)
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(io.ErrOut, "place:", w)
	}
	fmt.Fprintf(io.ErrOut, "place: %d units, %d position samples, bins %v, %d shuffles\n", len(res.Units), res.Samples, res.Shape, fl.shuffles)
	out := placeOut{Provenance: newAnProvenance("place", name, "information in bits; rates in Hz; positions in "+res.Unit, res.Provenance),
		Occupancy: jnums(res.Occupancy)}
	out.Provenance.Params["position"] = fl.position
	out.Provenance.Params["bin"] = fmt.Sprint(fl.bin)
	out.Provenance.Params["seed"] = fmt.Sprint(fl.seed)
	out.Provenance.Params["units"] = fl.units
	for _, e := range res.Edges {
		out.Edges = append(out.Edges, e)
	}
	for _, pu := range res.Units {
		out.Units = append(out.Units, placeUnitOut{UnitID: pu.UnitID, BitsPerSpike: jnum(pu.BitsPerSpike), BitsPerSecond: jnum(pu.BitsPerSecond),
			BitsCorrected: jnum(pu.BitsCorrected), Sparsity: jnum(pu.Sparsity), PeakRate: jnum(pu.PeakRate),
			MeanRate: jnum(pu.MeanRate), FieldCenter: jnums(pu.FieldCenter), FieldCOM: jnums(pu.FieldCOM),
			FieldWidth: jnums(pu.FieldWidth), Z: jnum(pu.Z), P: jnum(pu.P)})
	}
	if fl.out != "" {
		if err := writePlaceTable(fl.out, &out); err != nil {
			return err
		}
		fmt.Fprintf(io.ErrOut, "place: wrote %s\n", fl.out)
	}
	if err := writeFigures(io, "place", fl.plotDir, func(dir string) error {
		return plotPlace(dir, &out, res, fl.maxPlots, res.Unit)
	}); err != nil {
		return err
	}
	if fl.asJSON {
		return anWriteJSON(io.Out, out)
	}
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "unit_id\tbits/spike\tbits/spike_corr\tbits/s\tsparsity\tpeak_hz\tfield_center\tz\tp\t")
	for _, r := range out.Units {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.UnitID, fmtNum(r.BitsPerSpike), fmtNum(r.BitsCorrected),
			fmtNum(r.BitsPerSecond), fmtNum(r.Sparsity), fmtNum(r.PeakRate), fmtNums(r.FieldCenter), fmtNum(r.Z), fmtNum(r.P))
	}
	return tw.Flush()
}

func fmtNums(x []jnum) string {
	s := ""
	for i, v := range x {
		if i > 0 {
			s += ","
		}
		s += fmtNum(v)
	}
	return s
}

func writePlaceTable(path string, o *placeOut) error {
	n := len(o.Units)
	id := make([]int64, n)
	cols := make([][]float64, 8)
	for c := range cols {
		cols[c] = make([]float64, n)
	}
	ctr, com, wid := make([][]float64, n), make([][]float64, n), make([][]float64, n)
	for i, u := range o.Units {
		id[i] = u.UnitID
		for c, v := range []jnum{u.BitsPerSpike, u.BitsPerSecond, u.BitsCorrected, u.Sparsity, u.PeakRate, u.MeanRate, u.Z, u.P} {
			cols[c][i] = float64(v)
		}
		ctr[i], com[i], wid[i] = unjnum(u.FieldCenter), unjnum(u.FieldCOM), unjnum(u.FieldWidth)
	}
	return anWriteTable(path, o.Provenance,
		nwbarrow.Col{Name: "unit_id", Values: id},
		nwbarrow.Col{Name: "skaggs_bits_per_spike", Values: cols[0], Unit: "bits/spike", Description: "Skaggs 1993 plug-in"},
		nwbarrow.Col{Name: "skaggs_bits_per_second", Values: cols[1], Unit: "bits/s"},
		nwbarrow.Col{Name: "skaggs_bits_per_spike_corrected", Values: cols[2], Unit: "bits/spike", Description: "plug-in minus (B-1)/(2 N ln 2)"},
		nwbarrow.Col{Name: "sparsity", Values: cols[3], Description: "Skaggs 1996 (sum p r)^2 / sum p r^2"},
		nwbarrow.Col{Name: "peak_rate_hz", Values: cols[4], Unit: "Hz"},
		nwbarrow.Col{Name: "mean_rate_hz", Values: cols[5], Unit: "Hz", Description: "occupancy-weighted"},
		nwbarrow.Col{Name: "z", Values: cols[6], Description: "(I - mean null) / sd null over circular shifts"},
		nwbarrow.Col{Name: "p", Values: cols[7], Description: "(1 + #null >= I) / (1 + shuffles)"},
		nwbarrow.Col{Name: "field_center", Values: ctr, Description: "peak bin centre per axis"},
		nwbarrow.Col{Name: "field_com", Values: com, Description: "rate-weighted centre of the field per axis"},
		nwbarrow.Col{Name: "field_width", Values: wid, Description: "field extent per axis (bins >= 20% of peak)"})
}

func plotPlace(dir string, o *placeOut, res *pipeline.PlaceResult, max int, unit string) error {
	if err := anMkdir(dir); err != nil {
		return err
	}
	centers := func(e []float64) []float64 { return analysis.Axis{Edges: e}.Centers() }
	n := min(len(o.Units), max)
	maps := make([]plots.UnitPlaceMap, n)
	for i := 0; i < n; i++ {
		pu := res.Units[i]
		label := "unit " + strconv.FormatInt(o.Units[i].UnitID, 10) + fmt.Sprintf(", %.2f bits/spike", float64(pu.BitsPerSpike))
		if !math.IsNaN(float64(pu.P)) {
			label += fmt.Sprintf(", p = %.3g", float64(pu.P))
		}
		maps[i] = plots.UnitPlaceMap{Label: label, Rate: pu.RateMap, Center: pu.FieldCOM}
	}
	note := ""
	if len(o.Units) > n {
		note = fmt.Sprintf(" (first %d of %d units)", n, len(o.Units))
	}
	if unit == "" {
		unit = "position units"
	}
	if len(res.Edges) == 1 {
		return plots.PlaceMaps1D(filepath.Join(dir, "place_maps"), "Rate maps; dashed: field centre"+note, "position ("+unit+")", centers(res.Edges[0]), maps, 4)
	}
	return plots.PlaceMaps2D(filepath.Join(dir, "place_maps"), "Rate maps ("+unit+"); blue 0 → red peak, white unvisited; dot: field centre"+note, centers(res.Edges[0]), centers(res.Edges[1]), maps, 4)
}
