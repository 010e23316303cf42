package filter_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/neurodata/neurodata/hdf5"
)

// The ZFP fixtures are read through the public hdf5 API and compared with
// the values h5py decoded (libhdf5 + the H5Z-ZFP 1.1.0 / zfp 1.0.0 plugin
// of hdf5plugin 4.0.1), recorded as sha256 by testdata/gen_zfp.py.

type zfpRef struct {
	Generator string `json:"generator"`
	Datasets  map[string]struct {
		Dtype  string   `json:"dtype"`
		Shape  []uint64 `json:"shape"`
		Chunks []uint64 `json:"chunks"`
		SHA256 string   `json:"sha256"`
	} `json:"datasets"`
}

func loadZfpRef(t testing.TB) zfpRef {
	b, err := os.ReadFile(filepath.Join("testdata", "zfp_ref.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref zfpRef
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Datasets) == 0 {
		t.Fatal("zfp_ref.json lists no dataset")
	}
	return ref
}

func TestZfpFixturesBitExact(t *testing.T) {
	ref := loadZfpRef(t)
	f, err := hdf5.Open(filepath.Join("testdata", "zfp.h5"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := make([]string, 0, len(ref.Datasets))
	for n := range ref.Datasets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		want := ref.Datasets[name]
		t.Run(name, func(t *testing.T) {
			ds, err := f.Dataset("/" + name)
			if err != nil {
				t.Fatal(err)
			}
			fl := ds.Filters()
			if len(fl) != 1 || fl[0].ID != 32013 {
				t.Fatalf("filters %+v, want the zfp filter alone", fl)
			}
			if got := ds.Type().NumpyDtype(); got != want.Dtype {
				t.Fatalf("dtype %s, want %s", got, want.Dtype)
			}
			raw, err := ds.ReadRaw(nil)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(raw)
			if got := hex.EncodeToString(sum[:]); got != want.SHA256 {
				t.Fatalf("sha256 %s, h5py %s (%d bytes)", got, want.SHA256, len(raw))
			}
		})
	}
}

// The one zfp dataset of the shared corpus (HDF Group example, written by
// H5Z-ZFP 1.0.1 / zfp 0.5.5): h5py's sha256 from the corpus ground truth.
func TestZfpCorpusExample(t *testing.T) {
	const rel = "hdf5/hdfgroup-filter-plugins/h5ex_d_zfp.h5"
	root := filepath.Join("..", "..", "..", "..", "shared", "corpus")
	path := filepath.Join(root, rel)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared corpus absent (%v)", err)
	}
	b, err := os.ReadFile(filepath.Join(root, "hdf5", "expected", "hdfgroup-filter-plugins", "h5ex_d_zfp.h5.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Objects []struct {
			Path   string `json:"path"`
			SHA256 string `json:"sha256"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	want := ""
	for _, o := range exp.Objects {
		if o.Path == "/DS1" {
			want = o.SHA256
		}
	}
	if want == "" {
		t.Fatal("expected JSON has no /DS1 checksum")
	}
	f, err := hdf5.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, err := f.Dataset("/DS1")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := ds.ReadRaw(nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("/DS1 sha256 %s, h5py %s", got, want)
	}
}

// BenchmarkZfpRead reads a large zfp dataset written by
// `gen_zfp.py --big FILE` (default /tmp/zfp_big.h5, or $ZFP_BENCH_FILE);
// the script prints h5py's time for the same read, for the ratio.
func BenchmarkZfpRead(b *testing.B) {
	path := os.Getenv("ZFP_BENCH_FILE")
	if path == "" {
		path = "/tmp/zfp_big.h5"
	}
	if _, err := os.Stat(path); err != nil {
		b.Skipf("%s absent: run testdata/gen_zfp.py --big %s", path, path)
	}
	// No chunk cache, so every read decodes every chunk; one worker is
	// comparable to h5py (libhdf5 decodes chunks serially), the default
	// decodes chunks in parallel.
	for _, workers := range []int{1, 0} {
		opts := []hdf5.Option{hdf5.WithChunkCache(0)}
		label := "workers=default"
		if workers > 0 {
			opts = append(opts, hdf5.WithWorkers(workers))
			label = "workers=1"
		}
		f, err := hdf5.Open(path, opts...)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		for _, name := range []string{"rate_f8", "prec_f4", "rev_f8"} {
			b.Run(name+"/"+label, func(b *testing.B) {
				ds, err := f.Dataset("/" + name)
				if err != nil {
					b.Skip(err)
				}
				b.SetBytes(int64(ds.NumElements()) * int64(ds.Type().Size))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := ds.ReadRaw(nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
