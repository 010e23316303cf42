package activations

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const npyDir = "../../../testdata/npy"

// expected.json is written by testdata/gen/make_npy.py with Debian's
// python3-numpy: every array's values as numpy's own astype(float64), C order.
type expectedArray struct {
	Descr   string            `json:"descr"`
	Fortran bool              `json:"fortran_order"`
	Shape   []int             `json:"shape"`
	Values  []json.RawMessage `json:"values_c_order"`
}

func loadExpected(t *testing.T) map[string]expectedArray {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(npyDir, "expected.json"))
	if err != nil {
		t.Fatalf("fixtures missing (run /usr/bin/python3 testdata/gen/make_npy.py): %v", err)
	}
	var e struct {
		Arrays map[string]expectedArray `json:"arrays"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e.Arrays
}

func (e expectedArray) floats(t *testing.T) []float64 {
	out := make([]float64, len(e.Values))
	for i, r := range e.Values {
		var s string
		if json.Unmarshal(r, &s) == nil {
			switch s {
			case "inf":
				out[i] = math.Inf(1)
			case "-inf":
				out[i] = math.Inf(-1)
			default:
				out[i] = math.NaN()
			}
			continue
		}
		if err := json.Unmarshal(r, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
		if math.Signbit(a[i]) != math.Signbit(b[i]) {
			return false
		}
	}
	return true
}

func TestNPYAgainstNumpy(t *testing.T) {
	exp := loadExpected(t)
	var seenBE, seenF bool
	for name, e := range exp {
		if strings.HasPrefix(name, "npz/") {
			continue
		}
		seenBE = seenBE || strings.HasPrefix(e.Descr, ">")
		seenF = seenF || e.Fortran
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(npyDir, name+".npy")
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := e.floats(t)
			a, err := DecodeNPY(raw)
			if err != nil {
				t.Fatalf("DecodeNPY: %v", err)
			}
			if a.DType != e.Descr || !equalInts(a.Shape, e.Shape) || !sameFloats(a.Data, want) {
				t.Fatalf("DecodeNPY = %s %v %v, numpy says %s %v %v", a.DType, a.Shape, a.Data, e.Descr, e.Shape, want)
			}
			s, err := ReadNPY(bytes.NewReader(raw))
			if err != nil || !sameFloats(s.Data, want) {
				t.Fatalf("ReadNPY = %v, %v", s, err)
			}
			m, err := OpenMapped(path)
			if err != nil {
				t.Fatalf("OpenMapped: %v", err)
			}
			defer m.Close()
			r, c := m.Dims()
			if r*c != len(want) && len(want) != 0 {
				t.Fatalf("Dims %d×%d for %d values", r, c, len(want))
			}
			// Read in column blocks of 2 and reassemble.
			got := make([]float64, r*c)
			for lo := 0; lo < c; lo += 2 {
				hi := min(lo+2, c)
				blk := make([]float64, r*(hi-lo))
				if err := m.ReadColumns(blk, lo, hi); err != nil {
					t.Fatal(err)
				}
				for i := 0; i < r; i++ {
					copy(got[i*c+lo:i*c+hi], blk[i*(hi-lo):(i+1)*(hi-lo)])
				}
			}
			if len(want) > 0 && !sameFloats(got, want) {
				t.Fatalf("Mapped columns = %v, want %v", got, want)
			}
		})
	}
	if !seenBE || !seenF {
		t.Fatalf("fixtures lack big-endian (%v) or Fortran-order (%v) arrays", seenBE, seenF)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The ReadAt fallback (used where mmap is unavailable) must agree with the
// mapping.
func TestMappedReadAtFallback(t *testing.T) {
	path := filepath.Join(npyDir, "i2_be_fortran_3d.npy")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := OpenMapped(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	fb := &Mapped{Name: "x", Header: m.Header, rows: m.rows, cols: m.cols, ra: f, off: m.Header.DataOffset}
	a, _ := m.Load()
	b, err := fb.Load()
	if err != nil || !sameFloats(a.Data, b.Data) {
		t.Fatalf("fallback %v (%v) != mapped %v", b, err, a.Data)
	}
	if err := m.ReadColumns(make([]float64, 100), 3, 13); err == nil {
		t.Fatal("out-of-range column block accepted")
	}
}

func TestNPZAgainstNumpy(t *testing.T) {
	exp := loadExpected(t)
	for _, file := range []string{"layers_stored.npz", "layers_deflated.npz"} {
		arrs, err := Open(filepath.Join(npyDir, file))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(arrs) != 2 {
			t.Fatalf("%s: %d arrays", file, len(arrs))
		}
		for _, a := range arrs {
			e := exp["npz/"+a.Name]
			if !equalInts(a.Shape, e.Shape) || !sameFloats(a.Data, e.floats(t)) {
				t.Errorf("%s/%s = %v %v, numpy %v %v", file, a.Name, a.Shape, a.Data, e.Shape, e.floats(t))
			}
		}
	}
}

// buildSafetensors writes a file by the format spec: u64 LE header size,
// JSON header, then the byte buffer.
func buildSafetensors(t testing.TB, header map[string]any, buf []byte) []byte {
	hb, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	binary.Write(&out, binary.LittleEndian, uint64(len(hb)))
	out.Write(hb)
	out.Write(buf)
	return out.Bytes()
}

func TestSafetensorsFromSpec(t *testing.T) {
	var buf bytes.Buffer
	// "a": F32 2×3 = 0.5*i; "b": I16 [4] = -2,-1,0,1; "c": BF16 [2] = 1.5, -2; "d": F16 [2] = 1, 6e-8.
	for i := 0; i < 6; i++ {
		binary.Write(&buf, binary.LittleEndian, float32(0.5*float64(i)))
	}
	for _, v := range []int16{-2, -1, 0, 1} {
		binary.Write(&buf, binary.LittleEndian, v)
	}
	for _, v := range []float32{1.5, -2} {
		binary.Write(&buf, binary.LittleEndian, uint16(math.Float32bits(v)>>16))
	}
	binary.Write(&buf, binary.LittleEndian, []uint16{0x3c00, 0x0001}) // binary16 1.0 and the smallest subnormal 2^-24
	hdr := map[string]any{
		"__metadata__": map[string]string{"format": "pt"},
		"b":            map[string]any{"dtype": "I16", "shape": []int{4}, "data_offsets": []int{24, 32}},
		"a":            map[string]any{"dtype": "F32", "shape": []int{2, 3}, "data_offsets": []int{0, 24}},
		"c":            map[string]any{"dtype": "BF16", "shape": []int{2}, "data_offsets": []int{32, 36}},
		"d":            map[string]any{"dtype": "F16", "shape": []int{2}, "data_offsets": []int{36, 40}},
	}
	file := buildSafetensors(t, hdr, buf.Bytes())
	arrs, err := ReadSafetensors(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float64{"a": {0, 0.5, 1, 1.5, 2, 2.5}, "b": {-2, -1, 0, 1}, "c": {1.5, -2}, "d": {1, math.Ldexp(1, -24)}}
	if len(arrs) != 4 {
		t.Fatalf("%d tensors", len(arrs))
	}
	for _, a := range arrs {
		if !sameFloats(a.Data, want[a.Name]) {
			t.Errorf("%s = %v, want %v", a.Name, a.Data, want[a.Name])
		}
	}
	if arrs[0].Name != "a" || !equalInts(arrs[0].Shape, []int{2, 3}) {
		t.Errorf("first tensor %s %v", arrs[0].Name, arrs[0].Shape)
	}
	h, _ := ReadSafetensorsHeader(bytes.NewReader(file), int64(len(file)))
	if h.Metadata["format"] != "pt" {
		t.Errorf("metadata %v", h.Metadata)
	}

	// Invalid variants from the spec's rules.
	bad := map[string]map[string]any{
		"overlap":    {"a": map[string]any{"dtype": "F32", "shape": []int{2, 3}, "data_offsets": []int{0, 24}}, "b": map[string]any{"dtype": "F32", "shape": []int{4}, "data_offsets": []int{16, 32}}},
		"size":       {"a": map[string]any{"dtype": "F32", "shape": []int{2, 2}, "data_offsets": []int{0, 40}}},
		"outside":    {"a": map[string]any{"dtype": "F32", "shape": []int{20}, "data_offsets": []int{0, 80}}},
		"dtype":      {"a": map[string]any{"dtype": "C64", "shape": []int{5}, "data_offsets": []int{0, 40}}},
		"hole":       {"a": map[string]any{"dtype": "F32", "shape": []int{2}, "data_offsets": []int{0, 8}}},
		"negshape":   {"a": map[string]any{"dtype": "F32", "shape": []int{-10}, "data_offsets": []int{0, 40}}},
		"noffsets":   {"a": map[string]any{"dtype": "F32", "shape": []int{10}}},
		"badmetadat": {"__metadata__": map[string]any{"x": 1}, "a": map[string]any{"dtype": "F64", "shape": []int{5}, "data_offsets": []int{0, 40}}},
	}
	for name, h := range bad {
		f := buildSafetensors(t, h, buf.Bytes())
		if _, err := ReadSafetensors(bytes.NewReader(f), int64(len(f))); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
	}
	huge := append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, file[8:]...)
	if _, err := ReadSafetensors(bytes.NewReader(huge), int64(len(huge))); !errors.Is(err, ErrFormat) {
		t.Errorf("huge header size accepted: %v", err)
	}
}

func TestNPYErrors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(npyDir, "f8_le.npy"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"truncated data":   raw[:len(raw)-3],
		"truncated header": raw[:20],
		"bad magic":        append([]byte("XNUMPY"), raw[6:]...),
		"version 9":        append(append([]byte{}, raw[:6]...), append([]byte{9, 0}, raw[8:]...)...),
	}
	hdr := func(dict string) []byte {
		b := []byte(npyMagic + "\x01\x00")
		b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)))
		return append(b, dict...)
	}
	cases["complex"] = hdr("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }")
	cases["structured"] = hdr("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }")
	cases["huge shape"] = hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 8), }")
	cases["claims more"] = hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }")
	cases["no shape"] = hdr("{'descr': '<f8', 'fortran_order': False}")
	for name, b := range cases {
		if _, err := DecodeNPY(b); !errors.Is(err, ErrFormat) {
			t.Errorf("DecodeNPY %s: %v, want ErrFormat", name, err)
		}
		if _, err := ReadNPY(bytes.NewReader(b)); !errors.Is(err, ErrFormat) {
			t.Errorf("ReadNPY %s: %v, want ErrFormat", name, err)
		}
	}
}

func TestOpenDirAndShapeCheck(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"f8_le.npy", "f4_be.npy", "f8_fortran.npy", "layers_stored.npz"} {
		b, err := os.ReadFile(filepath.Join(npyDir, n))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, n), b, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "README.txt"), []byte("ignored"), 0o644)
	layers, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range layers {
		names = append(names, l.Name)
	}
	want := []string{"f4_be", "f8_fortran", "f8_le", "layers_stored/conv1", "layers_stored/fc"}
	if !sort.StringsAreSorted(names) || strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("layers %v, want %v", names, want)
	}
	// f8_fortran has 3 rows, the others 3 and 4: a 3-stimulus list must
	// name the two npz layers.
	err = CheckLayers(layers, 3)
	if !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), "layers_stored/conv1") || !strings.Contains(err.Error(), "[4 3]") {
		t.Fatalf("CheckLayers: %v", err)
	}
	if _, err := Open(filepath.Join(dir, "README.txt")); err == nil {
		t.Fatal("unknown extension accepted")
	}
}

func TestRegisterFormat(t *testing.T) {
	RegisterFormat(".testtable", func(p string) ([]*Array, error) {
		return []*Array{{Name: "t", Shape: []int{2, 1}, Data: []float64{1, 2}}}, nil
	})
	a, err := Open("x.testtable")
	if err != nil || a[0].Data[1] != 2 {
		t.Fatalf("%v %v", a, err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("duplicate registration did not panic")
		}
	}()
	RegisterFormat(".TESTTABLE", nil)
}

func seedDir(f *testing.F, ext string) {
	ents, _ := os.ReadDir(npyDir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ext) {
			b, err := os.ReadFile(filepath.Join(npyDir, e.Name()))
			if err == nil {
				f.Add(b)
			}
		}
	}
}

func FuzzNPY(f *testing.F) {
	seedDir(f, ".npy")
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := DecodeNPY(b)
		if err == nil {
			n, _ := elemCount(a.Shape, 1)
			if n != len(a.Data) {
				t.Fatalf("shape %v with %d values", a.Shape, len(a.Data))
			}
		}
		ReadNPY(bytes.NewReader(b))
	})
}

func FuzzNPZ(f *testing.F) {
	seedDir(f, ".npz")
	f.Fuzz(func(t *testing.T, b []byte) {
		ReadNPZ(bytes.NewReader(b), int64(len(b)))
	})
}

func FuzzSafetensors(f *testing.F) {
	f.Add(buildSafetensors(f, map[string]any{"a": map[string]any{"dtype": "F32", "shape": []int{2}, "data_offsets": []int{0, 8}}}, make([]byte, 8)))
	f.Add(buildSafetensors(f, map[string]any{"x": map[string]any{"dtype": "BF16", "shape": []int{1, 2}, "data_offsets": []int{0, 4}}, "__metadata__": map[string]string{"k": "v"}}, make([]byte, 4)))
	f.Fuzz(func(t *testing.T, b []byte) {
		arrs, err := ReadSafetensors(bytes.NewReader(b), int64(len(b)))
		if err == nil {
			for _, a := range arrs {
				n, _ := elemCount(a.Shape, 1)
				if n != len(a.Data) {
					t.Fatalf("shape %v with %d values", a.Shape, len(a.Data))
				}
			}
		}
	})
}
