// Package parquet adds Parquet output (Snappy-compressed, Arrow schema
// stored) to package nwbarrow. Importing it registers nwbarrow.Parquet;
// it is separate because the Parquet code roughly quintuples binary size
// and build time of programs that only need Arrow IPC.
package parquet

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/neurodata/neurodata/nwbarrow"
)

func init() { nwbarrow.Register(nwbarrow.Parquet, Write) }

// Write writes every batch of rr as Parquet (Snappy, one row group per
// batch, Arrow schema and metadata stored so Arrow readers get the same
// types back). It does not release rr.
func Write(w io.Writer, mem memory.Allocator, rr array.RecordReader) error {
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithAllocator(mem),
		parquet.WithDictionaryDefault(false),
	)
	fw, err := pqarrow.NewFileWriter(rr.Schema(), w, props,
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem)))
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
