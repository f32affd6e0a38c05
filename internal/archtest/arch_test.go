package archtest

import (
	"bufio"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/libreqos-go/lqos/"

// programsLayer is the map's "programs" layer (lqosd, lqos_scheduler, the
// demo): only cmd/ imports them.
const programsLayer = 7

var root = filepath.Join("..", "..")

// A row of the package map: | 3 plan | `internal/plan` | what it is |
// (the second column may name several packages).
var (
	rowRE  = regexp.MustCompile("^\\| *([0-9]+) [^|]*\\|([^|]*)\\|")
	pathRE = regexp.MustCompile("`([^`]+)`")
)

// layers reads the package map: package path (or "dir/*" for every package
// below dir) -> layer.
func layers(t *testing.T) map[string]int {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := rowRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		for _, p := range pathRE.FindAllStringSubmatch(m[2], -1) {
			out[p[1]] = n
		}
	}
	if len(out) == 0 {
		t.Fatal("docs/architecture.md has no package map rows")
	}
	return out
}

func layerOf(m map[string]int, pkg string) (int, bool) {
	if n, ok := m[pkg]; ok {
		return n, true
	}
	for p, n := range m {
		if dir, ok := strings.CutSuffix(p, "/*"); ok && strings.HasPrefix(pkg, dir+"/") {
			return n, true
		}
	}
	return 0, false
}

// packages lists the directories under internal/ and cmd/ holding Go code
// that is not only tests, with their imports of this module.
func packages(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, top := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return err
			}
			if d.Name() == "testdata" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			bp, err := build.ImportDir(path, 0)
			if err != nil {
				return nil // no buildable non-test Go files here
			}
			rel, _ := filepath.Rel(root, path)
			var imps []string
			for _, imp := range bp.Imports {
				if p, ok := strings.CutPrefix(imp, module); ok {
					imps = append(imps, p)
				}
			}
			out[filepath.ToSlash(rel)] = imps
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestPackageMap: every package is on the map, and imports go downwards.
func TestPackageMap(t *testing.T) {
	m := layers(t)
	pkgs := packages(t)
	names := make([]string, 0, len(pkgs))
	for p := range pkgs {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		lp, ok := layerOf(m, p)
		if !ok {
			t.Errorf("%s is not in the package map of docs/architecture.md", p)
			continue
		}
		for _, imp := range pkgs[p] {
			li, ok := layerOf(m, imp)
			if ok && li > lp {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports go to the same layer or a lower one", p, lp, imp, li)
			}
			if ok && li == programsLayer && lp == programsLayer {
				t.Errorf("%s imports %s: a program body is imported by its cmd/ only", p, imp)
			}
		}
	}
	for p := range m {
		if strings.HasSuffix(p, "/*") {
			continue
		}
		if _, ok := pkgs[p]; !ok {
			t.Errorf("docs/architecture.md lists %s, which is not a package", p)
		}
	}
}

// A function or method the text names: `shaper.Engine.Refresh`, `plan.Build`.
var nameRE = regexp.MustCompile("`([a-z][a-z0-9]*)\\.([A-Za-z_][A-Za-z0-9_]*)(?:\\.([A-Za-z_][A-Za-z0-9_]*))?(?:\\(\\))?`")

// fileExt are name parts that make `a.b` a file name, not a declaration.
var fileExt = map[string]bool{"conf": true, "csv": true, "json": true, "md": true, "sh": true, "txt": true, "log": true, "go": true}

// declared lists a package's top-level functions, types, methods
// ("Type.Method"), constants and variables.
func declared(t *testing.T, dir string) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if d.Recv == nil || len(d.Recv.List) == 0 {
						out[d.Name.Name] = true
						continue
					}
					typ := d.Recv.List[0].Type
					if s, ok := typ.(*ast.StarExpr); ok {
						typ = s.X
					}
					if id, ok := typ.(*ast.Ident); ok {
						out[id.Name+"."+d.Name.Name] = true
					}
				case *ast.GenDecl:
					for _, s := range d.Specs {
						switch s := s.(type) {
						case *ast.TypeSpec:
							out[s.Name.Name] = true
						case *ast.ValueSpec:
							for _, n := range s.Names {
								out[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	return out
}

// TestNamedFunctionsExist: every `pkg.Name` and `pkg.Type.Method` in the
// document exists, so the path of a change stays the real one.
func TestNamedFunctionsExist(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{} // last path element -> directory
	for p := range packages(t) {
		dirs[filepath.Base(p)] = filepath.Join(root, p)
	}
	decls := map[string]map[string]bool{}
	checked := 0
	for _, m := range nameRE.FindAllStringSubmatch(string(data), -1) {
		pkg, name := m[1], m[2]
		if m[3] != "" {
			name += "." + m[3]
		}
		dir, ok := dirs[pkg]
		if !ok || fileExt[m[2]] {
			continue // a file name such as `lqos.conf`, not a package
		}
		if decls[pkg] == nil {
			decls[pkg] = declared(t, dir)
		}
		checked++
		if !decls[pkg][name] {
			t.Errorf("docs/architecture.md names %s.%s, which %s does not declare", pkg, name, dir)
		}
	}
	if checked == 0 {
		t.Error("docs/architecture.md names no functions")
	}
}
