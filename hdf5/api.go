package hdf5

// This file is the public contract of package hdf5. Other packages (nwb,
// nwbarrow, internal/cli) are written against it. Implementations may add
// methods and fields but must not change these signatures.

import (
	"errors"
	"fmt"
)

// Sentinel errors; test with errors.Is.
var (
	ErrNotHDF5     = errors.New("hdf5: not an HDF5 file")
	ErrUnsupported = errors.New("hdf5: unsupported feature")
	ErrChecksum    = errors.New("hdf5: checksum mismatch")
	ErrNotFound    = errors.New("hdf5: object not found")
	ErrTooLarge    = errors.New("hdf5: allocation limit exceeded")
)

// FormatError reports malformed bytes at a file offset.
type FormatError struct {
	Offset int64  // absolute file offset of the bad structure
	What   string // the structure, e.g. "object header", "fractal heap"
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("hdf5: %s at offset %d: %s", e.What, e.Offset, e.Msg)
}

// Kind is the kind of an object in the file.
type Kind int

const (
	KindGroup Kind = iota
	KindDataset
	KindDatatype // committed (named) datatype
)

// LinkType distinguishes the link kinds stored in groups.
type LinkType int

const (
	LinkHard LinkType = iota
	LinkSoft
	LinkExternal
	LinkUserDefined
)

// Link is one named entry of a group.
type Link struct {
	Name          string
	Type          LinkType
	Target        string // soft: path; external: object path in File
	File          string // external links only
	Addr          uint64 // hard links: object header address
	CreationOrder int64  // -1 when not tracked
}

// Class is an HDF5 datatype class.
type Class int

const (
	ClassInteger Class = iota
	ClassFloat
	ClassTime
	ClassString
	ClassBitfield
	ClassOpaque
	ClassCompound
	ClassReference
	ClassEnum
	ClassVlen
	ClassArray
)

// StringPad is the padding rule of fixed-length strings.
type StringPad int

const (
	PadNullTerm StringPad = iota
	PadNull
	PadSpace
)

// Member is one field of a compound datatype.
type Member struct {
	Name   string
	Offset int
	Type   *Datatype
}

// Datatype describes how elements are stored.
type Datatype struct {
	Class     Class
	Size      int  // bytes per element as stored
	BigEndian bool // integer, float, bitfield, enum base
	Signed    bool // integer
	// Strings: fixed-length when Class==ClassString; variable-length strings
	// have Class==ClassVlen and VlenString==true.
	VlenString bool
	UTF8       bool
	Pad        StringPad
	Members    []Member  // compound
	Base       *Datatype // enum, vlen sequence, array element
	Dims       []int     // array
	EnumNames  []string  // enum
	EnumValues []int64   // enum, same order as EnumNames
	RefKind    int       // reference: 0 object, 1 region (classic); 2+ HDF5 1.12 style
	Tag        string    // opaque
	Committed  string    // path of the committed datatype this came from, if any
	// BitOffset and Precision locate the value bits inside an integer,
	// bitfield or float element as stored (n-bit data, custom HDF5 types):
	// bits [BitOffset, BitOffset+Precision) hold the value, counted from
	// the least significant bit. Plain types have 0 and 8*Size. Values
	// read from datasets and attributes are converted from this layout to
	// the plain one of the same size and byte order (shifted, masked,
	// sign-extended; custom float fields rebuilt as IEEE), as HDF5 and
	// h5py do.
	BitOffset, Precision int

	fi *floatInfo // float bit layout (unexported)
}

// NumpyDtype renders the type as the corpus ground truth spells it
// (h5py/numpy style: "<f8", ">i4", "vlen-str(utf-8)", "fixed-str[4](ascii)",
// "objref", "compound{a:<i4,b:<f8}", "enum(|i1,{...})", "array[3](<f4)" ...).
func (t *Datatype) NumpyDtype() string { return numpyDtype(t) }

// Layout is a dataset storage layout.
type Layout int

const (
	LayoutCompact Layout = iota
	LayoutContiguous
	LayoutChunked
	LayoutVirtual
)

// Filter is one stage of a dataset's filter pipeline.
type Filter struct {
	ID       uint16
	Name     string
	Optional bool
	Params   []uint32 // client data values
}

// Hyperslab selects a regular block of elements: Start, Count and (optional,
// nil means 1) Stride per dimension.
type Hyperslab struct {
	Start, Count, Stride []uint64
}

// Reference is an object reference; Addr is the referenced object header
// address (0 = null). For region references the selection is not kept.
type Reference struct {
	Addr   uint64
	Region bool
}

// Compound holds decoded compound elements column-wise: Fields[i] is the
// []any / typed slice for member Names[i] (see Dataset.ReadValues).
type Compound struct {
	Names  []string
	Fields [][]any
}
