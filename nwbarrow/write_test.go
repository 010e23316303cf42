package nwbarrow_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/neurodata/neurodata/nwbarrow"
)

func TestFromColumnsCSVJSONL(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := nwbarrow.FromColumns(mem, map[string]string{"analysis": "tuning"},
		nwbarrow.Col{Name: "unit_id", Values: []int64{951, 952}},
		nwbarrow.Col{Name: "osi", Values: []float64{0.25, math.NaN()}, Unit: "1"},
		nwbarrow.Col{Name: "area", Values: []string{"VISp", "a,\"b\""}},
		nwbarrow.Col{Name: "good", Values: []bool{true, false}},
		nwbarrow.Col{Name: "rates", Values: [][]float64{{1, 2.5}, {}}, Unit: "Hz"},
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if v, _ := rec.Schema().Metadata().GetValue("analysis"); v != "tuning" || rec.NumRows() != 2 {
		t.Fatalf("schema %s", rec.Schema())
	}
	render := func(f nwbarrow.Format) string {
		rr, _ := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
		defer rr.Release()
		var b bytes.Buffer
		if err := nwbarrow.Write(&b, f, mem, rr); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	wantCSV := "unit_id,osi,area,good,rates\n951,0.25,VISp,true,\"[1,2.5]\"\n952,NaN,\"a,\"\"b\"\"\",false,[]\n"
	if got := render(nwbarrow.CSV); got != wantCSV {
		t.Errorf("CSV:\n%s\nwant\n%s", got, wantCSV)
	}
	wantJSONL := `{"unit_id":951,"osi":0.25,"area":"VISp","good":true,"rates":[1,2.5]}` + "\n" +
		`{"unit_id":952,"osi":null,"area":"a,\"b\"","good":false,"rates":[]}` + "\n"
	if got := render(nwbarrow.JSONL); got != wantJSONL {
		t.Errorf("JSONL:\n%s\nwant\n%s", got, wantJSONL)
	}
	if _, err := nwbarrow.FromColumns(mem, nil, nwbarrow.Col{Name: "a", Values: []int{1}}, nwbarrow.Col{Name: "b", Values: []int{1, 2}}); err == nil {
		t.Error("unequal column lengths accepted")
	}
	if _, err := nwbarrow.FromColumns(mem, nil, nwbarrow.Col{Name: "a", Values: []complex128{1}}); err == nil {
		t.Error("unsupported type accepted")
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]nwbarrow.Format{"parquet": nwbarrow.Parquet, "Feather": nwbarrow.IPC, "ipc": nwbarrow.IPC, "csv": nwbarrow.CSV, "ndjson": nwbarrow.JSONL} {
		if got, err := nwbarrow.ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := nwbarrow.ParseFormat("xlsx"); err == nil {
		t.Error("xlsx accepted")
	}
	if f, ok := nwbarrow.FormatFromPath("a/b.arrow"); !ok || f != nwbarrow.IPC {
		t.Error("FormatFromPath(.arrow)")
	}
}

// TestWriteFileAtomic: a writer failing half-way leaves neither the target
// nor a temporary file.
func TestWriteFileAtomic(t *testing.T) {
	nwbarrow.Register("failing", func(w io.Writer, mem memory.Allocator, rr array.RecordReader, _ nwbarrow.WriteSettings) error {
		w.Write([]byte("partial"))
		return errors.New("disk on fire")
	})
	mem := memory.NewGoAllocator()
	rec, err := nwbarrow.FromColumns(mem, nil, nwbarrow.Col{Name: "x", Values: []float64{1}})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	dir := t.TempDir()
	target := filepath.Join(dir, "out.bin")
	if err := nwbarrow.WriteRecordFile(target, "failing", mem, rec); err == nil {
		t.Fatal("no error")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
	if err := nwbarrow.WriteRecordFile(target, nwbarrow.IPC, mem, rec); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(target); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("written file: %v %v", fi, err)
	}
}
