package interp

import (
	"fmt"
	"go/ast"
	"go/types"
	"strconv"
	"strings"
)

// Methods that can be redefined. yaegi v0.16.1 keeps the first version of
// a method for good: a second `func (t T) Show()` is appended to T's method
// set behind the first, so existing values, new values and every caller go
// on running the old body. A cell's method is therefore declared through a
// slot, a package variable that holds its body as a plain function:
//
//	func (t T) Show(a int) string { BODY }
//
// becomes, on the lines the user wrote,
//
//	func _gosslM1_T_Show_1(t T, a int) string { BODY }; var _gosslM1_T_Show = _gosslM1_T_Show_1;
//	func (_gosslR T) Show(_gosslP0 int) string { return _gosslM1_T_Show(_gosslR, _gosslP0) }
//
// and a later definition of T.Show declares only a new body function and,
// once the chunk has compiled, points the slot at it (afterDecls runs the
// swaps that the rewrite leaves in the registry): every value of T, old
// or new, then runs the new body, as after GoNB's recompilation. The slot
// holds a declared function, not a literal, because yaegi calls a function
// value that is a literal through reflect (about four times slower).
//
// A new version with another signature, or a method of a generic type
// (a slot cannot hold a generic function), cannot be swapped in: the
// session is rebuilt instead, as for a redefined type (rebuild.go).
//
// The method and its body are two interpreted calls, two frames on Go's
// stack: where the body counts its call depth (guardrw.go), the method
// counts too, so a recursive method reaches the depth limit at half the
// depth of a recursive function.

// methodSlot is the name of the variable that holds T.M's body; the
// length of T's name keeps T_x.M and T.x_M apart.
func methodSlot(typ, method string) string {
	return "_gosslM" + strconv.Itoa(len(typ)) + "_" + typ + "_" + method
}

// methodOfImpl is "T.M" for the name of a body function, which a panic's
// frames show, or "".
func methodOfImpl(fn string) string {
	rest, ok := strings.CutPrefix(fn, "_gosslM")
	if !ok {
		return ""
	}
	digits, rest, ok := strings.Cut(rest, "_")
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || n <= 0 || len(rest) < n+1 || rest[n] != '_' {
		return ""
	}
	typ, rest := rest[:n], rest[n+1:]
	i := strings.LastIndexByte(rest, '_')
	if i <= 0 {
		return ""
	}
	return typ + "." + rest[:i]
}

// methodDecl rewrites a method declaration of a declaration chunk to go
// through its slot (see above).
func (rw *rewriter) methodDecl(fd *ast.FuncDecl) {
	if fd.Recv == nil || len(fd.Recv.List) != 1 || fd.Body == nil || rw.ed.prefix != len(declPrefix) {
		return
	}
	recv := fd.Recv.List[0]
	typ := recvTypeName(recv.Type)
	if typ == "" || genericRecv(recv.Type) || fd.Name.Name == "_" {
		return
	}
	slot := methodSlot(typ, fd.Name.Name)
	impl := rw.s.freshImpl(slot)

	// The body function: the receiver becomes the first parameter.
	recvName := "_"
	if len(recv.Names) == 1 {
		recvName = recv.Names[0].Name
	}
	params := fd.Type.Params
	unnamed := len(params.List) > 0 && len(params.List[0].Names) == 0
	head := "func " + impl + "(" + recvName + " " + rw.exprText(recv.Type)
	if len(params.List) > 0 {
		head += ", "
	}
	rw.ed.replace(fd.Pos(), params.Opening+1, head)
	if unnamed { // func (t T) M(int, string): the receiver has a name
		for _, p := range params.List {
			rw.ed.insert(p.Type.Pos(), "_ ")
		}
	}

	if rw.s.globalType(slot) != nil { // an earlier version declared the slot
		rw.swaps = append(rw.swaps, slot+" = "+impl)
		return
	}

	// The method itself, which calls whatever the slot holds.
	var ps, args []string
	for _, p := range params.List {
		t := rw.exprText(p.Type)
		for range max(1, len(p.Names)) {
			name := fmt.Sprintf("_gosslP%d", len(args))
			ps = append(ps, name+" "+t)
			if _, variadic := p.Type.(*ast.Ellipsis); variadic {
				name += "..."
			}
			args = append(args, name)
		}
	}
	call := slot + "(" + strings.Join(append([]string{"_gosslR"}, args...), ", ") + ")"
	results := ""
	if r := fd.Type.Results; r != nil && len(r.List) > 0 {
		results = " " + rw.exprText(r)
		call = "return " + call
	}
	guard := ""
	if rw.mayRecurse(fd.Body) {
		// the body counts its depth (guardFunc); the method is a second
		// frame on Go's stack, so it counts too
		line, col := rw.at(rw.ed.offset(fd.Type.Pos()))
		guard = fmt.Sprintf(depthGuard, typ+"."+fd.Name.Name, line, col) + " "
	}
	rw.ed.insert(fd.End(), fmt.Sprintf("; var %s = %s; func (_gosslR %s) %s(%s)%s { %s%s }",
		slot, impl, rw.exprText(recv.Type), fd.Name.Name, strings.Join(ps, ", "), results, guard, call))
}

// genericRecv reports whether a receiver type has type parameters.
func genericRecv(t ast.Expr) bool {
	switch t := t.(type) {
	case *ast.StarExpr:
		return genericRecv(t.X)
	case *ast.ParenExpr:
		return genericRecv(t.X)
	case *ast.IndexExpr, *ast.IndexListExpr:
		return true
	}
	return false
}

// methodSig is a method's receiver, parameter and result types, which a
// slot's variable fixes: "T.M(int, ...string) (string, error)".
func methodSig(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	list := func(fl *ast.FieldList) string {
		if fl == nil {
			return ""
		}
		var ts []string
		for _, f := range fl.List {
			for range max(1, len(f.Names)) {
				ts = append(ts, types.ExprString(f.Type))
			}
		}
		return strings.Join(ts, ", ")
	}
	return types.ExprString(fd.Recv.List[0].Type) + "." + fd.Name.Name + "(" + list(fd.Type.Params) + ") (" + list(fd.Type.Results) + ")"
}

// needsRebuild reports whether d, a method, redefines an earlier version
// that cannot be swapped in place (another signature, or a generic
// type): the session must be rebuilt.
func (r *declRegistry) needsRebuild(d *declSource) bool {
	if d.sig == "" {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old, ok := r.decls[d.name]
	return ok && old.src != d.src && (old.sig != d.sig || d.genericRecv)
}

// freshImpl names a new body function for slot.
func (r *declRegistry) freshImpl(slot string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	return fmt.Sprintf("%s_%d", slot, r.seq)
}

// setSwaps keeps the slot assignments a rewrite of a declaration chunk
// left, for afterDecls; takeSwaps hands them over once.
func (r *declRegistry) setSwaps(swaps []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.swaps = swaps
}

func (r *declRegistry) takeSwaps() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	sw := r.swaps
	r.swaps = nil
	return sw
}
