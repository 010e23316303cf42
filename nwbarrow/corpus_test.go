package nwbarrow_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/nwbarrow"
	_ "github.com/neurodata/neurodata/nwbarrow/parquet"
)

const corpusDir = "../../shared/corpus/nwb"

// expected is the h5py ground truth written by
// ../shared/corpus/expected_format.py (sha256 of every dataset's elements).
type expected struct {
	Objects []struct {
		Path   string `json:"path"`
		Type   string `json:"type"`
		Dtype  string `json:"dtype"`
		Sha256 string `json:"sha256"`
		First  []any  `json:"first"`
	} `json:"objects"`
}

type dsTruth struct {
	dtype, sha string
	first      []any
}

func loadExpected(t *testing.T, nwbPath string) map[string]dsTruth {
	rel, err := filepath.Rel(corpusDir, nwbPath)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(corpusDir, "expected", rel+".json"))
	if err != nil {
		t.Fatalf("ground truth for %s: %v", rel, err)
	}
	var e expected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	m := map[string]dsTruth{}
	for _, o := range e.Objects {
		if o.Type == "dataset" {
			m[o.Path] = dsTruth{o.Dtype, o.Sha256, o.First}
		}
	}
	return m
}

func corpusFiles(t *testing.T) []string {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus not available (%v); it lives in ../shared/corpus", err)
	}
	var files []string
	filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "expected" {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".nwb") || strings.HasSuffix(p, ".h5")) {
			files = append(files, p)
		}
		return nil
	})
	return files
}

// notNWB are corpus files that are HDF5 but not NWB (MANIFEST.tsv says so).
var notNWB = map[string]bool{
	"pynwb/empty.nwb": true, // "empty HDF5 file used by pynwb unit tests (no NWB content)"
}

// TestCorpusExport opens every NWB file of the corpus, exports every table
// to Arrow, and checks each exported column against the h5py ground truth:
// the sha256 of the column's values re-encoded as the stored dataset
// (expected_format.py's encoding), and of each VectorIndex rebuilt from the
// list offsets, and of the id column. Object references are checked through
// the addresses of the exported paths. Each table also round-trips through
// Arrow IPC and Parquet files unchanged.
func TestCorpusExport(t *testing.T) {
	files := corpusFiles(t)
	if len(files) < 50 {
		t.Fatalf("found %d corpus files, want the 53 of MANIFEST.tsv", len(files))
	}
	var nTables, nCols int
	var skipped []string
	for _, p := range files {
		rel, _ := filepath.Rel(corpusDir, p)
		t.Run(rel, func(t *testing.T) {
			f, err := nwb.Open(p)
			if notNWB[rel] {
				if !errors.Is(err, nwb.ErrNotNWB) {
					t.Fatalf("want ErrNotNWB, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer f.Close()
			truth := loadExpected(t, p)
			tabs, err := f.Tables()
			if err != nil {
				t.Fatalf("tables: %v", err)
			}
			for _, ti := range tabs {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				tab, err := f.TableAt(ti.Path)
				if err != nil {
					t.Errorf("%s: %v", ti.Path, err)
					continue
				}
				rr, err := nwbarrow.Table(mem, tab, nwbarrow.WithBatchRows(7))
				if err != nil {
					t.Errorf("%s: %v", ti.Path, err)
					continue
				}
				rec, err := nwbarrow.ReadAll(mem, rr)
				if err != nil {
					t.Errorf("%s: %v", ti.Path, err)
					continue
				}
				nTables++
				for _, why := range nwbarrow.Skipped(rec.Schema()) {
					skipped = append(skipped, rel+": "+why)
				}
				nCols += checkRecord(t, f, ti.Path, rec, truth)
				roundTrip(t, mem, ti.Path, rec)
				rec.Release()
				mem.AssertSize(t, 0)
			}
		})
	}
	t.Logf("checked %d tables, %d columns against h5py sha256", nTables, nCols)
	// The only columns left out, each for a stated reason (see Skipped):
	// matnwb's NWB 2.0b region-reference VectorIndex, a scalar
	// "description" dataset listed as a column and a pixel_masks column
	// without its index (pynwb 2.0.1 test file), and the nwb-linkml
	// cut-down Allen file whose indexes point past the truncated data.
	allowed := []string{
		`matnwb/ecephys_tutorial.nwb: nwb: column "spike_times" of /units: index /units/spike_times_index of type regionref`,
		`nwb-explorer/nwb_test_file.nwb: nwb: column "description"`,
		`nwb-explorer/nwb_test_file.nwb: nwbarrow: /processing/img_seg_example/ImageSegmentation/test_plane_seg_name: column "pixel_masks" has 5 rows, table has 2`,
		`nwb-linkml/aibs.nwb: nwb: malformed content: column "spike_times" of /units`,
		`nwb-linkml/aibs.nwb: nwb: malformed content: column "spike_amplitudes" of /units`,
		`nwb-linkml/aibs.nwb: nwb: malformed content: column "waveform_mean" of /units`,
	}
	for _, s := range skipped {
		ok := false
		for _, a := range allowed {
			ok = ok || strings.HasPrefix(s, a)
		}
		if !ok {
			t.Errorf("unexpected skipped column: %s", s)
		} else {
			t.Logf("skipped (expected): %s", s)
		}
	}
	if len(skipped) != len(allowed) {
		t.Errorf("%d columns skipped, want %d", len(skipped), len(allowed))
	}
}

// checkRecord compares every column that maps to an HDF5 dataset against
// the ground-truth sha256; returns the number of columns checked.
func checkRecord(t *testing.T, f *nwb.File, tablePath string, rec arrow.RecordBatch, truth map[string]dsTruth) int {
	t.Helper()
	n := 0
	if v1 := f.Major() == 1; v1 {
		// NWB 1.x stimulus tables are assembled from series; check the
		// start times against the series timestamps.
		idx := rec.Schema().FieldIndices("start_time")
		if len(idx) == 1 {
			want := truth[tablePath+"/timestamps"]
			got := shaOf(t, f, rec.Column(idx[0]), "<f8")
			if got != want.sha {
				t.Errorf("%s start_time sha %s, want timestamps sha %s", tablePath, got, want.sha)
			}
			n++
		}
		return n
	}
	if want, ok := truth[tablePath+"/id"]; ok {
		// ids are exported as int64 whatever the stored width
		if got := shaInts(rec.Column(0).(*array.Int64).Int64Values(), dtypeWidth(want.dtype)); got != want.sha {
			t.Errorf("%s/id: sha %s, want %s", tablePath, got, want.sha)
		}
	}
	for i, fld := range rec.Schema().Fields() {
		if i == 0 {
			continue
		}
		path, ok := fld.Metadata.GetValue("nwb.hdf5_path")
		if !ok {
			t.Errorf("%s: column %s has no nwb.hdf5_path", tablePath, fld.Name)
			continue
		}
		want, ok := truth[path]
		if !ok || want.sha == "" {
			t.Logf("%s: no h5py checksum for %s (h5py could not read it)", tablePath, path)
			continue
		}
		col := rec.Column(i)
		// Peel list levels (outermost first) and check each index dataset.
		idxPath := path
		var levels []*array.List
		for {
			l, ok := col.(*array.List)
			if !ok {
				break
			}
			levels = append(levels, l)
			col = l.ListValues()
		}
		for k := range levels {
			// outermost level ↔ the most suffixed index name
			ip := idxPath + strings.Repeat("_index", len(levels)-k)
			w, ok := truth[ip]
			if !ok {
				t.Errorf("%s: no ground truth for index %s", tablePath, ip)
				continue
			}
			offs := levels[k].Offsets()
			ends := make([]int64, len(offs)-1)
			for j := range ends {
				ends[j] = int64(offs[j+1])
			}
			if got := shaInts(ends, dtypeWidth(w.dtype)); got != w.sha {
				t.Errorf("%s: index %s sha %s, want %s (ends %v)", tablePath, ip, got, w.sha, head(ends))
			}
		}
		if got := shaOf(t, f, col, want.dtype); got != want.sha {
			t.Errorf("%s: column %s (%s, %s) sha %s, want %s; first h5py values %v", tablePath, fld.Name, want.dtype, col.DataType(), got, want.sha, want.first)
		}
		n++
	}
	return n
}

func head(v []int64) []int64 {
	if len(v) > 5 {
		return v[:5]
	}
	return v
}

func dtypeWidth(d string) int {
	w, err := strconv.Atoi(d[len(d)-1:])
	if err != nil {
		return 8
	}
	return w
}

func shaInts(v []int64, width int) string {
	h := sha256.New()
	var b [8]byte
	for _, x := range v {
		binary.LittleEndian.PutUint64(b[:], uint64(x))
		h.Write(b[:width])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// shaOf hashes an Arrow array (leaf, fixed_size_list or struct) the way
// expected_format.py hashes the stored dataset of dtype.
func shaOf(t *testing.T, f *nwb.File, a arrow.Array, dtype string) string {
	h := sha256.New()
	var members []string
	if strings.HasPrefix(dtype, "compound{") {
		members = splitCompound(dtype[len("compound{") : len(dtype)-1])
	}
	for i := 0; i < a.Len(); i++ {
		encodeElem(t, f, h, a, i, dtype, members)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func splitCompound(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '{', '(', '[':
			depth++
		case '}', ')', ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	out = append(out, s[start:])
	for i, m := range out {
		out[i] = m[strings.IndexByte(m, ':')+1:]
	}
	return out
}

type hasher interface{ Write([]byte) (int, error) }

func encodeElem(t *testing.T, f *nwb.File, h hasher, a arrow.Array, i int, dtype string, members []string) {
	var b [8]byte
	switch x := a.(type) {
	case *array.FixedSizeList:
		n := int(x.DataType().(*arrow.FixedSizeListType).Len())
		for j := 0; j < n; j++ {
			encodeElem(t, f, h, x.ListValues(), i*n+j, dtype, members)
		}
	case *array.Struct:
		for k := 0; k < x.NumField(); k++ {
			md := ""
			if k < len(members) {
				md = members[k]
			}
			encodeElem(t, f, h, x.Field(k), i, md, nil)
		}
	case *array.Float64:
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(x.Value(i)))
		h.Write(b[:8])
	case *array.Float32:
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(x.Value(i)))
		h.Write(b[:4])
	case *array.Int8:
		h.Write([]byte{byte(x.Value(i))})
	case *array.Uint8:
		h.Write([]byte{x.Value(i)})
	case *array.Int16:
		binary.LittleEndian.PutUint16(b[:], uint16(x.Value(i)))
		h.Write(b[:2])
	case *array.Uint16:
		binary.LittleEndian.PutUint16(b[:], x.Value(i))
		h.Write(b[:2])
	case *array.Int32:
		binary.LittleEndian.PutUint32(b[:], uint32(x.Value(i)))
		h.Write(b[:4])
	case *array.Uint32:
		binary.LittleEndian.PutUint32(b[:], x.Value(i))
		h.Write(b[:4])
	case *array.Int64:
		binary.LittleEndian.PutUint64(b[:], uint64(x.Value(i)))
		h.Write(b[:8])
	case *array.Uint64:
		binary.LittleEndian.PutUint64(b[:], x.Value(i))
		h.Write(b[:8])
	case *array.Boolean:
		if x.Value(i) {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
	case *array.String:
		s := x.Value(i)
		if strings.Contains(dtype, "ref") {
			var addr uint64
			if s != "" {
				o, err := f.HDF5().Object(s)
				if err != nil {
					t.Errorf("exported reference path %q does not resolve: %v", s, err)
				} else {
					addr = o.Addr()
				}
			}
			binary.LittleEndian.PutUint64(b[:], addr)
			h.Write(b[:8])
			return
		}
		h.Write([]byte(s))
		h.Write([]byte{0})
	default:
		t.Errorf("unexpected Arrow type %s", a.DataType())
	}
}

// roundTrip writes rec as Arrow IPC and Parquet and reads both back with
// arrow-go's readers: the IPC copy must be equal, the Parquet copy must
// render identical JSON lines.
func roundTrip(t *testing.T, mem memory.Allocator, name string, rec arrow.RecordBatch) {
	t.Helper()
	var ipcBuf bytes.Buffer
	rr, _ := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	if err := nwbarrow.Write(&ipcBuf, nwbarrow.IPC, mem, rr); err != nil {
		t.Errorf("%s: ipc: %v", name, err)
		return
	}
	rr.Release()
	fr, err := ipc.NewFileReader(bytes.NewReader(ipcBuf.Bytes()), ipc.WithAllocator(mem))
	if err != nil {
		t.Errorf("%s: ipc read: %v", name, err)
		return
	}
	if fr.NumRecords() != 1 {
		t.Errorf("%s: ipc holds %d batches", name, fr.NumRecords())
	} else {
		back, err := fr.RecordBatch(0)
		if err != nil {
			t.Errorf("%s: ipc read: %v", name, err)
		} else if !array.RecordApproxEqual(back, rec, array.WithNaNsEqual(true), array.WithAbsTolerance(0)) {
			t.Errorf("%s: IPC round trip differs", name)
		}
	}
	fr.Close()

	var pq bytes.Buffer
	rr, _ = array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	if err := nwbarrow.Write(&pq, nwbarrow.Parquet, mem, rr); err != nil {
		t.Errorf("%s: parquet: %v", name, err)
		return
	}
	rr.Release()
	pf, err := file.NewParquetReader(bytes.NewReader(pq.Bytes()))
	if err != nil {
		t.Errorf("%s: parquet read: %v", name, err)
		return
	}
	defer pf.Close()
	ar, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		t.Errorf("%s: parquet read: %v", name, err)
		return
	}
	tbl, err := ar.ReadTable(t.Context())
	if err != nil {
		t.Errorf("%s: parquet read: %v", name, err)
		return
	}
	defer tbl.Release()
	if tbl.NumRows() != rec.NumRows() {
		t.Errorf("%s: parquet has %d rows, want %d", name, tbl.NumRows(), rec.NumRows())
		return
	}
	got := jsonLinesTable(t, mem, tbl)
	want := jsonLines(t, mem, rec)
	if got != want {
		t.Errorf("%s: Parquet round trip differs:\n got %.300s\nwant %.300s", name, got, want)
	}
}

func jsonLines(t *testing.T, mem memory.Allocator, rec arrow.RecordBatch) string {
	var b bytes.Buffer
	rr, _ := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	defer rr.Release()
	if err := nwbarrow.Write(&b, nwbarrow.JSONL, mem, rr); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func jsonLinesTable(t *testing.T, mem memory.Allocator, tbl arrow.Table) string {
	var b bytes.Buffer
	tr := array.NewTableReader(tbl, -1)
	defer tr.Release()
	if err := nwbarrow.Write(&b, nwbarrow.JSONL, mem, tr); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
