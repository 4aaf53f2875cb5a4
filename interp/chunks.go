package interp

import (
	"go/scanner"
	"go/token"
	"strings"
)

// chunkKind says how yaegi must receive a chunk: one Eval cannot mix
// declarations and statements, and imports must come first.
type chunkKind int

const (
	declChunk chunkKind = iota
	stmtChunk
)

// chunk is a run of top-level declarations or statements of a cell, with
// the position of its first byte so errors point into the cell.
type chunk struct {
	kind  chunkKind
	text  string
	start int // byte offset in the cell
}

// splitCell cuts code into chunks at top-level statement boundaries,
// grouping neighbours of the same kind. It only looks at tokens, so it
// works on code that does not parse yet; the parser reports the errors.
func splitCell(code string) []chunk {
	code = blankPackageClause(code)
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(code))
	var s scanner.Scanner
	s.Init(file, []byte(code), nil, 0)

	type piece struct {
		kind       chunkKind
		start, end int
	}
	var pieces []piece
	depth := 0
	pieceStart := -1
	var first []token.Token // the first tokens of the current piece
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		off := file.Offset(pos)
		if pieceStart < 0 {
			if tok == token.SEMICOLON {
				continue
			}
			pieceStart = off
			first = first[:0]
		}
		if len(first) < 16 {
			first = append(first, tok)
		}
		switch tok {
		case token.LBRACE, token.LPAREN, token.LBRACK:
			depth++
		case token.RBRACE, token.RPAREN, token.RBRACK:
			depth--
		case token.SEMICOLON:
			if depth <= 0 {
				end := off
				if lit == ";" {
					end = off + 1
				}
				pieces = append(pieces, piece{classify(first), pieceStart, end})
				pieceStart = -1
				depth = 0
			}
		}
	}
	if pieceStart >= 0 {
		pieces = append(pieces, piece{classify(first), pieceStart, len(code)})
	}

	var chunks []chunk
	for _, p := range pieces {
		if n := len(chunks); n > 0 && chunks[n-1].kind == p.kind {
			c := &chunks[n-1]
			c.text = code[c.start:p.end]
			continue
		}
		chunks = append(chunks, chunk{kind: p.kind, text: code[p.start:p.end], start: p.start})
	}
	return chunks
}

// classify tells a declaration from a statement by its first tokens. A
// func is a declaration when a name follows it, or a receiver and a name.
func classify(toks []token.Token) chunkKind {
	if len(toks) == 0 {
		return stmtChunk
	}
	switch toks[0] {
	case token.IMPORT, token.TYPE, token.CONST, token.VAR:
		return declChunk
	case token.FUNC:
		if len(toks) > 1 && toks[1] == token.IDENT {
			return declChunk
		}
		if len(toks) > 1 && toks[1] == token.LPAREN {
			// func (r T) Name( ... is a method; func(...) {...}() a literal.
			depth := 0
			for i := 1; i < len(toks); i++ {
				switch toks[i] {
				case token.LPAREN:
					depth++
				case token.RPAREN:
					depth--
					if depth == 0 {
						return map[bool]chunkKind{true: declChunk, false: stmtChunk}[i+1 < len(toks) && toks[i+1] == token.IDENT]
					}
				}
			}
		}
	}
	return stmtChunk
}

// lineCol returns the 1-based line and column of byte offset off in code.
func lineCol(code string, off int) (line, col int) {
	before := code[:off]
	line = strings.Count(before, "\n") + 1
	col = off - strings.LastIndexByte(before, '\n')
	return line, col
}

// blankPackageClause replaces a leading "package name" with spaces: a
// pasted file's clause means nothing in a notebook.
func blankPackageClause(code string) string {
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(code))
	var s scanner.Scanner
	s.Init(file, []byte(code), nil, 0)
	pos, tok, _ := s.Scan()
	if tok != token.PACKAGE {
		return code
	}
	_, tok, _ = s.Scan()
	if tok != token.IDENT {
		return code
	}
	end, _, _ := s.Scan() // the semicolon after the name
	from, to := file.Offset(pos), file.Offset(end)
	return code[:from] + strings.Repeat(" ", to-from) + code[to:]
}
