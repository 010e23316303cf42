package recipes_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The Go block of every recipe page is the Example function (with its doc
// comment) from recipes_test.go, character for character, so the page
// shows exactly the code whose // Output: go test checks.
func TestRecipesQuoteExamples(t *testing.T) {
	src, err := os.ReadFile("recipes_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "recipes_test.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string]string{}
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || !strings.HasPrefix(fd.Name.Name, "Example") {
			continue
		}
		start := fd.Pos()
		if fd.Doc != nil {
			start = fd.Doc.Pos()
		}
		funcs[fd.Name.Name] = string(src[fset.Position(start).Offset:fset.Position(fd.End()).Offset]) + "\n"
	}

	pages, _ := filepath.Glob("*.md")
	pages = slices.DeleteFunc(pages, func(p string) bool { return p == "README.md" })
	if len(pages) < 6 {
		t.Fatalf("%d recipe pages, want one per course theme (6)", len(pages))
	}
	marker := regexp.MustCompile("(?s)<!-- go:(\\w+) -->\n```go\n(.*?)```")
	quoted := map[string]bool{}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		ms := marker.FindAllSubmatch(b, -1)
		if len(ms) != 1 {
			t.Errorf("%s: %d quoted Go examples, want 1", p, len(ms))
			continue
		}
		name, body := string(ms[0][1]), string(ms[0][2])
		want, ok := funcs[name]
		if !ok {
			t.Errorf("%s quotes %s, which recipes_test.go does not define", p, name)
			continue
		}
		if body != want {
			t.Errorf("%s: the Go block differs from %s in recipes_test.go; paste the function again", p, name)
		}
		quoted[name] = true
	}
	for name := range funcs {
		if !quoted[name] {
			t.Errorf("%s is quoted by no recipe page", name)
		}
	}
}
