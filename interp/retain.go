package interp

import (
	"errors"
	"go/scanner"
	"go/token"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"unsafe"
	"weak"

	yaegi "github.com/traefik/yaegi/interp"
)

// What yaegi keeps of a finished cell that nothing reads again. Measured
// with heap profiles (GOSSL_PROFILE_DIR, bench/soak.py --profile) over a
// soak of mixed cells that redefine the same names, yaegi v0.16.1 kept,
// besides its list of compiled programs (releaseRoots):
//
//   - every scope it ever pushed: scope.push appends each new scope (one
//     per function, literal, block, if, for, case of every cell) to its
//     parent's child list, which nothing in yaegi reads. Through their
//     symbols and definition nodes those scopes keep every compiled
//     function body and block alive, old versions of redefined functions
//     included: the largest share of the growth (~5 KiB a cell).
//   - the values of top-level temporaries: each expression of a top-level
//     statement gets a slot of its own in the global frame, which keeps
//     the last value computed there.
//   - the old value of every redefined global: `s := ...` run again gives s
//     a new slot and leaves the old one, value included, to the functions
//     compiled before (which thus read a stale s).
//   - the position table of every compiled chunk (go/token.File, ~300
//     bytes a chunk, a few chunks a cell).
//
// releaseCompiled drops these after each cell. The slots themselves (40
// bytes each, a few a cell) stay while code compiled by the cell can still
// read them; the others are numbered again (slotreuse.go).

// releaseCompiled drops what yaegi keeps of the cells run so far that is
// never read again. cellErr is how the cell ended: unless it was stopped
// from outside (an interrupt, the memory watcher, a goroutine's panic), its
// top-level statements are known to be finished.
func (s *Session) releaseCompiled(cellErr error) {
	ok := finished(cellErr)
	ip := s.ip
	if ip == nil {
		return
	}
	roots := compiledRoots(ip)
	releaseRoots(ip)
	var code string
	if c := s.code.Load(); c != nil {
		code = *c
	}
	st := retainState(ip)
	defer func() {
		// a yaegi whose fields differ from v0.16.1's: keep everything
		_ = recover()
	}()
	// A compile that failed leaves nodes that later compiles meet (and
	// name in their errors): keep its positions.
	var ce *CellError
	compiled := cellErr == nil || errors.As(cellErr, &ce) && ce.Name == "panic"
	noCode := ok && compiled && leavesNoCode(code)
	st.releaseFiles(ip.FileSet(), roots, noCode)
	// A cell that left wrappers reading its slots later keeps their
	// values; one that left no code at all gives the slots back
	// (slotreuse.go).
	clean := ok && !leavesReaders(roots)
	st.releaseSlots(ip, clean, clean && noCode)
}

// finished reports whether a cell that ended with err ran to its end
// (completed, or stopped by its own error or panic), rather than being left
// running when the context stopped it.
func finished(err error) bool {
	if err == nil {
		return true
	}
	var ce *CellError
	if !errors.As(err, &ce) {
		return false
	}
	switch ce.Name {
	case "CompileError", "SyntaxError", "UsageError", "ImportError", "Exit":
		return true
	case "panic":
		return !strings.HasPrefix(ce.Msg, "in goroutine")
	}
	return false
}

// leavesNoCode reports whether a cell's code can leave nothing compiled
// behind that runs after the cell: no functions (declared or literal),
// types, imports (a source package's files), goroutines or defers. Code
// that does not scan as Go counts as leaving some.
func leavesNoCode(code string) bool {
	fs := token.NewFileSet()
	var sc scanner.Scanner
	clean := true
	sc.Init(fs.AddFile("", fs.Base(), len(code)), []byte(code), func(token.Position, string) { clean = false }, 0)
	for {
		_, tok, _ := sc.Scan()
		switch tok {
		case token.EOF:
			return clean
		case token.FUNC, token.GO, token.DEFER, token.TYPE, token.IMPORT, token.ILLEGAL:
			return false
		}
	}
}

// retained is what releaseCompiled knows of one interpreter.
type retained struct {
	started  bool           // after the first cell (the prelude is left alone)
	slotsTo  int            // global frame slots before this were handled
	filesTo  int            // position-table bases before this were handled
	globals  map[string]int // slot of each global variable after the last cell
	replaced map[string][]int
	code     []codeFile                     // position tables kept while their code may run
	zeros    map[reflect.Type]reflect.Value // one zero value a type, shared by finished temporaries
}

// zero is a settable zero value of t shared by the slots of finished
// temporaries: no code reads those slots again (slotreuse.go keeps the
// slots of cells that leave readers), so none needs a value of its own.
func (st *retained) zero(t reflect.Type) reflect.Value {
	z, ok := st.zeros[t]
	if !ok {
		if st.zeros == nil {
			st.zeros = map[reflect.Type]reflect.Value{}
		}
		z = reflect.New(t).Elem()
		st.zeros[t] = z
	}
	return z
}

// codeFile is the position table of a compiled chunk and a weak pointer to
// the root of the chunk's syntax tree.
type codeFile struct {
	file *token.File
	root weak.Pointer[byte]
}

// releaseFiles drops the position tables that nothing can read again.
//
// yaegi reads its file set only through the positions of its syntax nodes
// (cfgErrorf for compile errors and for a panic's trace, the file name that
// keys a file's imports while its nodes are compiled), and FileSet.Position
// of a removed file's position is the zero Position, so a table dropped too
// early costs a trace its line numbers, never a crash. Every node of a chunk
// reaches the chunk's root through its anc links, and yaegi appends each
// root to Interpreter.roots (which releaseRoots then empties), so:
//
//   - a table that no root of the cell points into was made by yaegi's
//     first-token scan, its build-constraint parse or a parse that failed:
//     no node has a position in it, and it goes at once;
//   - after a cell that left no code (drop), its tables all go;
//   - otherwise a table stays while its root is reachable: a function the
//     chunk declared that is still defined or still called by code compiled
//     before its redefinition, a literal held by a variable, a running
//     goroutine or a frame, a type or method. A weak pointer tells when the
//     garbage collector found none of these, after which no code of the
//     chunk can run or be compiled again.
func (st *retained) releaseFiles(fset *token.FileSet, roots []unsafe.Pointer, drop bool) {
	from := st.filesTo
	st.filesTo = fset.Base()
	if !st.started {
		return
	}
	// tables of earlier cells whose code is gone
	kept := st.code[:0]
	for _, c := range st.code {
		if c.root.Value() == nil {
			fset.RemoveFile(c.file)
		} else {
			kept = append(kept, c)
		}
	}
	clear(st.code[len(kept):])
	st.code = kept

	var added []*token.File
	fset.Iterate(func(f *token.File) bool {
		if f.Base() >= from {
			added = append(added, f)
		}
		return true
	})
	for _, f := range added {
		var root unsafe.Pointer
		for _, r := range roots {
			if pos := rootPos(r); pos.IsValid() && f.Base() <= int(pos) && int(pos) <= f.Base()+f.Size() {
				root = r
				break
			}
		}
		switch {
		case drop || root == nil && len(roots) > 0:
			fset.RemoveFile(f)
		case root != nil:
			st.code = append(st.code, codeFile{file: f, root: weak.Make((*byte)(root))})
		}
		// no roots known (a yaegi whose fields differ): keep the table
	}
}

// compiledRoots is yaegi's list of the syntax trees compiled since it was
// last emptied (Interpreter.roots), as pointers to the root nodes.
func compiledRoots(ip *yaegi.Interpreter) []unsafe.Pointer {
	f := field(reflect.ValueOf(ip).Elem(), "roots")
	if !f.IsValid() || f.Kind() != reflect.Slice {
		return nil
	}
	var roots []unsafe.Pointer
	for i := 0; i < f.Len(); i++ {
		if r := f.Index(i); r.Kind() == reflect.Pointer && !r.IsNil() {
			roots = append(roots, r.UnsafePointer())
		}
	}
	return roots
}

// nodePosOffset is the offset of yaegi's node.pos, found once.
var nodePosOffset = sync.OnceValue(func() uintptr {
	var ip yaegi.Interpreter
	f := reflect.ValueOf(&ip).Elem().FieldByName("roots")
	if !f.IsValid() || f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.Pointer {
		return ^uintptr(0)
	}
	pf, ok := f.Type().Elem().Elem().FieldByName("pos")
	if !ok || pf.Type != reflect.TypeFor[token.Pos]() {
		return ^uintptr(0)
	}
	return pf.Offset
})

// rootPos is the position of a root node (NoPos when unknown).
func rootPos(root unsafe.Pointer) token.Pos {
	off := nodePosOffset()
	if root == nil || off == ^uintptr(0) {
		return token.NoPos
	}
	return *(*token.Pos)(unsafe.Add(root, off))
}

// releaseSlots clears the global frame: the old slots of redefined globals
// now share the new slot's value (when the type is the same), and, after a
// cell that ended well, the slots of its top-level temporaries get a zero
// value again. With reuse, the slots past the cell's last variable are
// given back: yaegi numbers the next cell's slots from the end of the
// global frame layout, so they are numbered again.
func (st *retained) releaseSlots(ip *yaegi.Interpreter, ok, reuse bool) {
	v := reflect.ValueOf(ip).Elem()
	universe := field(v, "universe")
	scopes := field(v, "scopes")
	frame := field(v, "frame")
	if !universe.IsValid() || !scopes.IsValid() || !frame.IsValid() || universe.IsNil() || frame.IsNil() {
		return
	}
	types := field(universe.Elem(), "types")
	data := field(frame.Elem(), "data")
	if !types.IsValid() || !data.IsValid() {
		return
	}
	n := min(types.Len(), data.Len()) // slots of the global frame in use
	from := min(st.slotsTo, n)
	st.slotsTo = n
	clearTemps := ok && st.started
	first := !st.started
	st.started = true

	// The named slots: variables of every package scope, and of the
	// blocks (at the global frame's level) pushed since the last cell.
	named := map[int]bool{}
	var walk func(sc reflect.Value)
	walk = func(sc reflect.Value) {
		if sc.IsNil() {
			return
		}
		s := sc.Elem()
		if field(s, "level").Int() == 0 {
			addNamed(field(s, "sym"), from, named)
		}
		children := field(s, "child")
		for i := 0; i < children.Len(); i++ {
			walk(children.Index(i))
		}
		children.Set(reflect.Zero(children.Type()))
	}
	walk(universe)
	for it := scopes.MapRange(); it.Next(); {
		walk(it.Value())
	}

	mu := (*sync.RWMutex)(unsafe.Pointer(field(frame.Elem(), "mutex").UnsafeAddr()))
	mu.Lock()
	defer mu.Unlock()
	slots := data.Interface().([]reflect.Value)
	ts := types.Interface().([]reflect.Type)
	n = min(n, len(slots), len(ts))

	// Redefined globals of the cells' package.
	if main := scopes.MapIndex(reflect.ValueOf(mainPkg)); main.IsValid() && !main.IsNil() {
		now := globalSlots(field(main.Elem(), "sym"))
		if first {
			st.globals, st.replaced = now, map[string][]int{}
		}
		for name, i := range now {
			was, ok := st.globals[name]
			if !ok || was == i || was >= n || i >= n {
				continue
			}
			if ts[was] == ts[i] {
				st.replaced[name] = append(st.replaced[name], was)
			} else {
				// another type: what compiled code reads there
				// cannot be the new value; keep the old one
				delete(st.replaced, name)
			}
			for _, old := range st.replaced[name] {
				// the same variable as the new slot (addressable
				// memory, assigned in place): the functions compiled
				// against the old slot see its current value
				slots[old] = slots[i]
			}
		}
		st.globals = now
	}

	if !clearTemps {
		return
	}
	end := from // past the cell's last variable
	for i := range named {
		end = max(end, i+1)
	}
	if reuse && end < n && types.Len() == n && data.Len() == n {
		clear(slots[end:n])
		data.Set(data.Slice(0, end))
		// every frame layout at the global level: the universe's and
		// the packages' (cfg copies a package's into the universe's)
		truncate := func(sc reflect.Value) {
			if sc.IsNil() || field(sc.Elem(), "level").Int() != 0 {
				return
			}
			if t := field(sc.Elem(), "types"); t.Len() > end {
				t.Set(t.Slice(0, end))
			}
		}
		truncate(universe)
		for it := scopes.MapRange(); it.Next(); {
			truncate(it.Value())
		}
		st.slotsTo, n = end, end
	}
	for i := from; i < n; i++ {
		if !named[i] && ts[i] != nil {
			// the old value may be aliased by a pointer, so it is
			// replaced, not overwritten
			slots[i] = st.zero(ts[i])
		}
	}
}

// mainPkg is the package cells are compiled in (yaegi's default).
const mainPkg = "main"

// varSym is yaegi's sKind of a variable (scope.go in v0.16.1).
const varSym = 9

// globalSlots is the frame slot of each variable in a package scope.
func globalSlots(syms reflect.Value) map[string]int {
	m := map[string]int{}
	if !syms.IsValid() || syms.IsNil() {
		return m
	}
	for it := syms.MapRange(); it.Next(); {
		sym := it.Value()
		if sym.IsNil() {
			continue
		}
		s := sym.Elem()
		if field(s, "kind").Uint() == varSym {
			if i := int(field(s, "index").Int()); i >= 0 {
				m[it.Key().String()] = i
			}
		}
	}
	return m
}

// addNamed records the frame slots at or past from that a scope's symbols
// name, whatever their kind.
func addNamed(syms reflect.Value, from int, named map[int]bool) {
	if !syms.IsValid() || syms.IsNil() {
		return
	}
	for it := syms.MapRange(); it.Next(); {
		sym := it.Value()
		if sym.IsNil() {
			continue
		}
		if i := int(field(sym.Elem(), "index").Int()); i >= from {
			named[i] = true
		}
	}
}

// field is v's field name, readable and settable though unexported.
func field(v reflect.Value, name string) reflect.Value {
	f := v.FieldByName(name)
	if !f.IsValid() || !f.CanAddr() {
		return reflect.Value{}
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

var (
	retainMu     sync.Mutex
	retainStates = map[uintptr]*retained{}
)

// retainState is ip's state, forgotten when ip is collected (keyed by
// address so that the table does not keep old interpreters alive).
func retainState(ip *yaegi.Interpreter) *retained {
	key := uintptr(unsafe.Pointer(ip))
	retainMu.Lock()
	defer retainMu.Unlock()
	st, ok := retainStates[key]
	if !ok {
		st = &retained{}
		retainStates[key] = st
		runtime.AddCleanup(ip, func(k uintptr) {
			retainMu.Lock()
			delete(retainStates, k)
			retainMu.Unlock()
		}, key)
	}
	return st
}
