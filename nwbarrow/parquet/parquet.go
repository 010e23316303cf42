// Package parquet adds Parquet output (Snappy-compressed, Arrow schema
// stored) to package nwbarrow. Importing it registers nwbarrow.Parquet;
// it is separate because the Parquet code roughly quintuples binary size
// and build time of programs that only need Arrow IPC.
package parquet

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/neurodata/neurodata/nwbarrow"
)

func init() { nwbarrow.Register(nwbarrow.Parquet, Write) }

// DataPageSize is the target size of a Parquet data page in bytes
// (arrow-go's default). 64 KiB, 256 KiB and 4 MiB pages were measured on
// the bench/p3.sh units table and none was distinguishably faster.
const DataPageSize = 1 << 20

// Write writes every batch of rr as Parquet (one row group per batch, no
// dictionaries, Arrow schema and metadata stored so Arrow readers get the
// same types back). It does not release rr.
//
// Codecs and statistics are chosen per leaf column:
//   - Snappy for every column except floating-point ones, which are
//     stored uncompressed: Snappy finds nothing to remove in float64
//     measurement data (spike times of bench/p3_make_nwb.py: 80.37 MB
//     uncompressed vs 80.35 MB Snappy) and cost ~40% of the encode time;
//   - no min/max statistics for leaves inside lists (spike times,
//     electrodes of a unit): readers cannot use them to skip rows of the
//     enclosing table and computing them over millions of values per page
//     was another ~15%. Scalar columns keep their statistics.
func Write(w io.Writer, mem memory.Allocator, rr array.RecordReader) error {
	props, err := writerProps(rr.Schema(), mem)
	if err != nil {
		return fmt.Errorf("nwbarrow/parquet: %w", err)
	}
	fw, err := pqarrow.NewFileWriter(rr.Schema(), w, props, arrowProps(mem))
	if err != nil {
		return fmt.Errorf("nwbarrow/parquet: %w", err)
	}
	for rr.Next() {
		if err := fw.Write(rr.RecordBatch()); err != nil {
			fw.Close()
			return fmt.Errorf("nwbarrow/parquet: %w", err)
		}
	}
	if err := rr.Err(); err != nil {
		fw.Close()
		return err
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("nwbarrow/parquet: %w", err)
	}
	return nil
}

func arrowProps(mem memory.Allocator) pqarrow.ArrowWriterProperties {
	return pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem))
}

// writerProps derives the per-column codec and statistics settings
// described at Write from the Parquet schema sc maps to.
func writerProps(sc *arrow.Schema, mem memory.Allocator) (*parquet.WriterProperties, error) {
	opts := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithAllocator(mem),
		parquet.WithDictionaryDefault(false),
		parquet.WithDataPageSize(DataPageSize),
	}
	ps, err := pqarrow.ToParquet(sc, parquet.NewWriterProperties(opts...), arrowProps(mem))
	if err != nil {
		return nil, err
	}
	for i := 0; i < ps.NumColumns(); i++ {
		c := ps.Column(i)
		switch c.PhysicalType() {
		case parquet.Types.Double, parquet.Types.Float:
			opts = append(opts, parquet.WithCompressionPath(c.ColumnPath(), compress.Codecs.Uncompressed))
		}
		if c.MaxRepetitionLevel() > 0 {
			opts = append(opts, parquet.WithStatsPath(c.ColumnPath(), false))
		}
	}
	return parquet.NewWriterProperties(opts...), nil
}
