package allen

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Cond is one row filter: Column Op Value, with Op one of = != < <= > >=.
// For list columns = and != test membership; for times a date-only value
// (2006-01-02) compares by UTC day; for strings = is exact.
type Cond struct {
	Column, Op, Value string
}

// ParseCond parses "column=value" (or !=, <, <=, >, >=).
func ParseCond(s string) (Cond, error) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '=', '!', '<', '>':
			op := string(s[i])
			if i+1 < len(s) && s[i+1] == '=' {
				op += "="
			}
			if op == "!" {
				continue
			}
			col := strings.TrimSpace(s[:i])
			if col == "" {
				return Cond{}, fmt.Errorf("allen: --where %q: no column name", s)
			}
			return Cond{Column: col, Op: op, Value: strings.TrimSpace(s[i+len(op):])}, nil
		}
	}
	return Cond{}, fmt.Errorf("allen: --where %q: want column=value (or !=, <, <=, >, >=)", s)
}

// Filter returns the rows matching every condition. Unknown columns and
// values that do not parse as the column's type are errors naming the
// closest column.
func (t *Table) Filter(conds ...Cond) (*Table, error) {
	type test func(row int) bool
	var tests []test
	for _, cd := range conds {
		c := t.Column(cd.Column)
		if c == nil {
			names := make([]string, len(t.Columns))
			for i, x := range t.Columns {
				names[i] = x.Name
			}
			return nil, fmt.Errorf("allen: %s has no column %q%s", t.Name, cd.Column, suggest(cd.Column, names))
		}
		f, err := condTest(c, cd)
		if err != nil {
			return nil, err
		}
		tests = append(tests, f)
	}
	var rows []int
	for r := 0; r < t.Rows; r++ {
		ok := true
		for _, f := range tests {
			if !f(r) {
				ok = false
				break
			}
		}
		if ok {
			rows = append(rows, r)
		}
	}
	return t.Select(rows), nil
}

func cmpOK(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

func condTest(c *Column, cd Cond) (func(int) bool, error) {
	bad := func(want string) error {
		return fmt.Errorf("allen: --where %s%s%s: %q is not %s (column %s is %s)", cd.Column, cd.Op, cd.Value, cd.Value, want, c.Name, c.Type)
	}
	isNullValue := isNull(cd.Value)
	if isNullValue && (cd.Op == "=" || cd.Op == "!=") {
		want := cd.Op == "="
		return func(r int) bool { return !c.Valid[r] == want }, nil
	}
	list := c.Type == StringList || c.Type == Int64List || c.Type == Float64List
	if list && cd.Op != "=" && cd.Op != "!=" {
		return nil, fmt.Errorf("allen: --where on list column %s supports = (contains) and != only", c.Name)
	}
	switch c.Type {
	case Int64, Int64List:
		x, ok := parseInt(cd.Value, true)
		if !ok {
			return nil, bad("an integer")
		}
		if list {
			return memberTest(c, cd.Op, func(r int) bool { return contains(c.IntLists[r], x) }), nil
		}
		return func(r int) bool { return c.Valid[r] && cmpOK(cd.Op, cmp3(c.Ints[r], x)) }, nil
	case Float64, Float64List:
		x, err := strconv.ParseFloat(cd.Value, 64)
		if err != nil {
			return nil, bad("a number")
		}
		if list {
			return memberTest(c, cd.Op, func(r int) bool { return contains(c.FloatLists[r], x) }), nil
		}
		return func(r int) bool {
			v := c.Floats[r]
			if !c.Valid[r] || math.IsNaN(v) {
				return cd.Op == "!=" && !math.IsNaN(x)
			}
			return cmpOK(cd.Op, cmp3(v, x))
		}, nil
	case Bool:
		x, err := strconv.ParseBool(cd.Value)
		if err != nil || (cd.Op != "=" && cd.Op != "!=") {
			return nil, bad("true or false (with = or !=)")
		}
		return func(r int) bool { return c.Valid[r] && cmpOK(cd.Op, b2i(c.Bools[r])-b2i(x)) }, nil
	case Time:
		x, ok := ParseTime(cd.Value)
		if !ok {
			return nil, bad("a date (2006-01-02) or time (RFC 3339)")
		}
		day := len(strings.TrimSpace(cd.Value)) == len("2006-01-02")
		return func(r int) bool {
			if !c.Valid[r] {
				return cd.Op == "!="
			}
			v := c.Times[r]
			if day {
				v = v.Truncate(24 * time.Hour)
			}
			return cmpOK(cd.Op, v.Compare(x))
		}, nil
	case StringList:
		return memberTest(c, cd.Op, func(r int) bool { return contains(c.StringLists[r], cd.Value) }), nil
	}
	return func(r int) bool {
		if !c.Valid[r] {
			return cd.Op == "!="
		}
		return cmpOK(cd.Op, strings.Compare(c.Strings[r], cd.Value))
	}, nil
}

func memberTest(c *Column, op string, has func(int) bool) func(int) bool {
	return func(r int) bool {
		in := c.Valid[r] && has(r)
		if op == "=" {
			return in
		}
		return !in
	}
}

func contains[T comparable](v []T, x T) bool {
	for _, y := range v {
		if y == x {
			return true
		}
	}
	return false
}

func cmp3[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
