package allen

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// ColType is the type a metadata column is read as.
type ColType int

const (
	String      ColType = iota
	Int64               // ids, counts
	Float64             // metrics
	Bool                // True/False
	Time                // date_of_acquisition: UTC instants
	StringList          // "['APN', 'CA1']"
	Int64List           // "[1, 2]"
	Float64List         // "[0.5, nan]"
)

var colTypeNames = [...]string{"string", "int64", "float64", "bool", "timestamp", "list<string>", "list<int64>", "list<float64>"}

func (t ColType) String() string {
	if int(t) < len(colTypeNames) {
		return colTypeNames[t]
	}
	return "ColType(" + strconv.Itoa(int(t)) + ")"
}

// Column is one typed column. Exactly the slice of its Type is set; Valid
// marks non-null cells (empty, NaN, None and null cells are null, except
// that NaN stays a valid NaN in float columns).
type Column struct {
	Name        string
	Type        ColType
	Valid       []bool
	Strings     []string
	Ints        []int64
	Floats      []float64
	Bools       []bool
	Times       []time.Time
	StringLists [][]string
	IntLists    [][]int64
	FloatLists  [][]float64
}

// Table is a metadata table read from CSV.
type Table struct {
	Name    string
	Columns []*Column
	Rows    int
}

// Column returns the named column or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Limits on CSV input.
const (
	MaxTableColumns = 4096
	MaxListElems    = 1 << 20
)

// ErrCSV is wrapped by every table parse error.
var ErrCSV = errors.New("bad metadata CSV")

// ReadTable parses a metadata CSV (header row, then records) and types
// every column: columns named id, *_id or file_id as int64, names holding
// "date" as times, bracketed Python list literals as lists; other columns
// are int64, float64, bool or times when every non-null cell parses, else
// string. A column whose cells do not all fit the rule keeps its text
// (never an error). pandas' "123.0" spelling of integer ids with nulls is
// accepted for id columns.
func ReadTable(name string, r io.Reader) (*Table, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("allen: %s: %w: empty file", name, ErrCSV)
	}
	if err != nil {
		return nil, fmt.Errorf("allen: %s: %w: %w", name, ErrCSV, err)
	}
	if len(header) > MaxTableColumns {
		return nil, fmt.Errorf("allen: %s: %w: %d columns (limit %d)", name, ErrCSV, len(header), MaxTableColumns)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	seen := map[string]bool{}
	for i, h := range header {
		if h == "" && i == 0 {
			header[i] = "index" // pandas' unnamed index column
			h = "index"
		}
		if seen[h] {
			return nil, fmt.Errorf("allen: %s: %w: duplicate column %q", name, ErrCSV, h)
		}
		seen[h] = true
	}
	cells := make([][]string, len(header))
	rows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("allen: %s: %w: %w", name, ErrCSV, err)
		}
		for i, v := range rec {
			cells[i] = append(cells[i], v)
		}
		rows++
	}
	t := &Table{Name: name, Rows: rows}
	for i, h := range header {
		t.Columns = append(t.Columns, typeColumn(h, cells[i]))
	}
	return t, nil
}

// ReadTableBytes is ReadTable over a byte slice.
func ReadTableBytes(name string, b []byte) (*Table, error) {
	return ReadTable(name, bytes.NewReader(b))
}

func isNull(s string) bool {
	switch strings.TrimSpace(s) {
	case "", "NaN", "nan", "None", "null", "NULL", "<NA>", "NaT":
		return true
	}
	return false
}

func isIDName(n string) bool {
	return n == "id" || n == "index" || strings.HasSuffix(n, "_id")
}

func typeColumn(name string, v []string) *Column {
	c := &Column{Name: name, Valid: make([]bool, len(v))}
	for i, s := range v {
		c.Valid[i] = !isNull(s)
	}
	try := func(t ColType) bool {
		if fill(c, t, v) {
			c.Type = t
			return true
		}
		return false
	}
	switch {
	case isIDName(name) && try(Int64):
		return c
	case strings.Contains(name, "date") && try(Time):
		return c
	case looksList(v, c.Valid):
		if try(Int64List) || try(Float64List) || try(StringList) {
			return c
		}
	}
	if allNull(c.Valid) {
		try(String)
		return c
	}
	if try(Int64) || try(Float64) || try(Bool) || try(Time) {
		return c
	}
	try(String)
	return c
}

func allNull(valid []bool) bool {
	for _, ok := range valid {
		if ok {
			return false
		}
	}
	return true
}

func looksList(v []string, valid []bool) bool {
	any := false
	for i, s := range v {
		if !valid[i] {
			continue
		}
		s = strings.TrimSpace(s)
		if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
			return false
		}
		any = true
	}
	return any
}

// fill converts v into c as type t, reporting false (and leaving c's
// typed slices unset) when some valid cell does not parse.
func fill(c *Column, t ColType, v []string) bool {
	n := len(v)
	switch t {
	case String:
		c.Strings = make([]string, n)
		for i, s := range v {
			if c.Valid[i] {
				c.Strings[i] = s
			}
		}
		return true
	case Int64:
		out := make([]int64, n)
		for i, s := range v {
			if !c.Valid[i] {
				continue
			}
			x, ok := parseInt(s, isIDName(c.Name))
			if !ok {
				return false
			}
			out[i] = x
		}
		c.Ints = out
		return true
	case Float64:
		out := make([]float64, n)
		for i, s := range v {
			if !c.Valid[i] {
				if strings.EqualFold(strings.TrimSpace(s), "nan") {
					out[i] = math.NaN()
				}
				continue
			}
			x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return false
			}
			out[i] = x
		}
		// NaN in a float column is a value, not a null.
		for i, s := range v {
			if strings.EqualFold(strings.TrimSpace(s), "nan") {
				c.Valid[i] = true
			}
		}
		c.Floats = out
		return true
	case Bool:
		out := make([]bool, n)
		for i, s := range v {
			if !c.Valid[i] {
				continue
			}
			switch strings.TrimSpace(s) {
			case "True", "true", "TRUE":
				out[i] = true
			case "False", "false", "FALSE":
			default:
				return false
			}
		}
		c.Bools = out
		return true
	case Time:
		out := make([]time.Time, n)
		for i, s := range v {
			if !c.Valid[i] {
				continue
			}
			x, ok := ParseTime(s)
			if !ok {
				return false
			}
			out[i] = x
		}
		c.Times = out
		return true
	case StringList, Int64List, Float64List:
		var ss [][]string
		var is [][]int64
		var fs [][]float64
		for i, s := range v {
			var elems []string
			var quoted []bool
			if c.Valid[i] {
				var err error
				if elems, quoted, err = parsePyList(s); err != nil {
					return false
				}
			}
			switch t {
			case StringList:
				ss = append(ss, elems)
			case Int64List:
				row := make([]int64, len(elems))
				for j, e := range elems {
					x, err := strconv.ParseInt(e, 10, 64)
					if err != nil || quoted[j] {
						return false
					}
					row[j] = x
				}
				is = append(is, row)
			case Float64List:
				row := make([]float64, len(elems))
				for j, e := range elems {
					x, err := strconv.ParseFloat(e, 64)
					if err != nil || quoted[j] {
						return false
					}
					row[j] = x
				}
				fs = append(fs, row)
			}
		}
		c.StringLists, c.IntLists, c.FloatLists = ss, is, fs
		return true
	}
	return false
}

func parseInt(s string, allowPointZero bool) (int64, bool) {
	s = strings.TrimSpace(s)
	if x, err := strconv.ParseInt(s, 10, 64); err == nil {
		return x, true
	}
	if !allowPointZero {
		return 0, false
	}
	if whole, frac, ok := strings.Cut(s, "."); ok && strings.Trim(frac, "0") == "" && frac != "" {
		x, err := strconv.ParseInt(whole, 10, 64)
		return x, err == nil
	}
	return 0, false
}

// timeLayouts are the spellings of date_of_acquisition seen in the
// AllenSDK CSVs (pandas str() of a datetime, with or without zone) and
// RFC 3339. A time without a zone is taken as UTC.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// ParseTime parses a metadata date as a UTC instant.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// parsePyList parses a Python list literal of scalars as written by pandas
// (str(list)): [], ['a', "b"], [1, 2.5, nan, None]. Elements come back as
// text with quotes removed; quoted marks which were strings. Nested lists
// are rejected.
func parsePyList(s string) (elems []string, quoted []bool, err error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, nil, errors.New("not a list")
	}
	body := s[1 : len(s)-1]
	elems, quoted = []string{}, []bool{}
	i := 0
	for {
		for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n') {
			i++
		}
		if i >= len(body) {
			if len(elems) > 0 {
				return nil, nil, errors.New("trailing comma")
			}
			return elems, quoted, nil
		}
		if len(elems) >= MaxListElems {
			return nil, nil, errors.New("list too long")
		}
		var e string
		q := false
		switch c := body[i]; c {
		case '\'', '"':
			var sb strings.Builder
			j := i + 1
			for ; j < len(body) && body[j] != c; j++ {
				if body[j] == '\\' && j+1 < len(body) {
					j++
				}
				sb.WriteByte(body[j])
			}
			if j >= len(body) {
				return nil, nil, errors.New("unterminated string")
			}
			e, q, i = sb.String(), true, j+1
		case '[', '{', '(':
			return nil, nil, errors.New("nested list")
		default:
			j := i
			for j < len(body) && body[j] != ',' {
				j++
			}
			e, i = strings.TrimSpace(body[i:j]), j
			if e == "" {
				return nil, nil, errors.New("empty element")
			}
		}
		elems, quoted = append(elems, e), append(quoted, q)
		for i < len(body) && body[i] == ' ' {
			i++
		}
		if i >= len(body) {
			return elems, quoted, nil
		}
		if body[i] != ',' {
			return nil, nil, errors.New("missing comma")
		}
		i++
		// allow a trailing comma only if followed by nothing (Python allows it)
		rest := strings.TrimSpace(body[i:])
		if rest == "" {
			return elems, quoted, nil
		}
	}
}

// Format renders cell i as text (the CSV spelling of its type; "" for null).
func (c *Column) Format(i int) string {
	if !c.Valid[i] {
		return ""
	}
	switch c.Type {
	case Int64:
		return strconv.FormatInt(c.Ints[i], 10)
	case Float64:
		return strconv.FormatFloat(c.Floats[i], 'g', -1, 64)
	case Bool:
		return strconv.FormatBool(c.Bools[i])
	case Time:
		return c.Times[i].Format(time.RFC3339Nano)
	case StringList:
		return "[" + strings.Join(c.StringLists[i], ", ") + "]"
	case Int64List:
		p := make([]string, len(c.IntLists[i]))
		for j, x := range c.IntLists[i] {
			p[j] = strconv.FormatInt(x, 10)
		}
		return "[" + strings.Join(p, ", ") + "]"
	case Float64List:
		p := make([]string, len(c.FloatLists[i]))
		for j, x := range c.FloatLists[i] {
			p[j] = strconv.FormatFloat(x, 'g', -1, 64)
		}
		return "[" + strings.Join(p, ", ") + "]"
	}
	return c.Strings[i]
}

// Value returns cell i as a Go value (nil for null): int64, float64,
// bool, time.Time, string, []string, []int64 or []float64.
func (c *Column) Value(i int) any {
	if !c.Valid[i] {
		return nil
	}
	switch c.Type {
	case Int64:
		return c.Ints[i]
	case Float64:
		return c.Floats[i]
	case Bool:
		return c.Bools[i]
	case Time:
		return c.Times[i]
	case StringList:
		return c.StringLists[i]
	case Int64List:
		return c.IntLists[i]
	case Float64List:
		return c.FloatLists[i]
	}
	return c.Strings[i]
}

// Select returns a table holding the given rows (in that order).
func (t *Table) Select(rows []int) *Table {
	out := &Table{Name: t.Name, Rows: len(rows)}
	for _, c := range t.Columns {
		n := &Column{Name: c.Name, Type: c.Type, Valid: make([]bool, len(rows))}
		for k, r := range rows {
			n.Valid[k] = c.Valid[r]
		}
		switch c.Type {
		case Int64:
			n.Ints = pick(c.Ints, rows)
		case Float64:
			n.Floats = pick(c.Floats, rows)
		case Bool:
			n.Bools = pick(c.Bools, rows)
		case Time:
			n.Times = pick(c.Times, rows)
		case StringList:
			n.StringLists = pick(c.StringLists, rows)
		case Int64List:
			n.IntLists = pick(c.IntLists, rows)
		case Float64List:
			n.FloatLists = pick(c.FloatLists, rows)
		default:
			n.Strings = pick(c.Strings, rows)
		}
		out.Columns = append(out.Columns, n)
	}
	return out
}

func pick[T any](v []T, rows []int) []T {
	out := make([]T, len(rows))
	for k, r := range rows {
		out[k] = v[r]
	}
	return out
}
