//go:build neurodata_deps

// Package warm imports the modules the project is adopting so that
// `go mod tidy` keeps them while their packages are written. It is never
// built (the tag is never set) and is removed once every module is in use.
package warm

import (
	_ "github.com/apache/arrow-go/v18/arrow/array"
	_ "github.com/apache/arrow-go/v18/arrow/csv"
	_ "github.com/apache/arrow-go/v18/arrow/ipc"
	_ "github.com/apache/arrow-go/v18/parquet/pqarrow"
	_ "github.com/hashicorp/go-retryablehttp"
	_ "github.com/klauspost/compress/zlib"
	_ "github.com/klauspost/compress/zstd"
	_ "github.com/pierrec/lz4/v4"
	_ "github.com/vbauerster/mpb/v8"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/crypto/blake2b"
	_ "golang.org/x/sync/errgroup"
	_ "gonum.org/v1/gonum/mat"
	_ "gonum.org/v1/gonum/optimize"
	_ "gonum.org/v1/plot/plotter"
	_ "gonum.org/v1/plot/vg/vgsvg"
)
