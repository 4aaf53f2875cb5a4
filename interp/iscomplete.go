package interp

import (
	"go/scanner"
	"go/token"
	"strings"
)

// IsComplete says whether code can run as it is ("complete"), needs more
// lines ("incomplete": open braces, parentheses, brackets, a raw string or
// comment, a trailing operator) or cannot be fixed by more lines
// ("invalid"). For incomplete code indent is one tab per open bracket.
func (s *Session) IsComplete(code string) (status, indent string) {
	if strings.TrimSpace(code) == "" {
		return "complete", ""
	}
	if t := strings.TrimSpace(code); strings.HasPrefix(t, "%") || strings.HasPrefix(t, "!") {
		// magics run as they are; a %time cell continues below its line
		if !strings.HasPrefix(t, "%time") {
			return "complete", ""
		}
		_, rest, _ := strings.Cut(code, "\n")
		return s.IsComplete(rest)
	}
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(code))
	var errs []string
	var sc scanner.Scanner
	sc.Init(file, []byte(code), func(_ token.Position, msg string) { errs = append(errs, msg) }, 0)
	var stack []token.Token
	last := token.ILLEGAL
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LBRACE, token.LPAREN, token.LBRACK:
			stack = append(stack, tok)
		case token.RBRACE, token.RPAREN, token.RBRACK:
			if len(stack) == 0 || !matches(stack[len(stack)-1], tok) {
				return "invalid", ""
			}
			stack = stack[:len(stack)-1]
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue // automatic: keep the token before the newline
		}
		last = tok
	}
	for _, e := range errs {
		switch {
		case strings.Contains(e, "raw string literal not terminated"), strings.Contains(e, "comment not terminated"):
			return "incomplete", strings.Repeat("\t", len(stack))
		case strings.Contains(e, "not terminated"):
			return "invalid", ""
		}
	}
	if len(stack) > 0 {
		return "incomplete", strings.Repeat("\t", len(stack))
	}
	if continues(last) {
		return "incomplete", ""
	}
	for _, ch := range splitCell(code) {
		if err := parseChunk(ch); err != nil {
			return "invalid", ""
		}
	}
	return "complete", ""
}

func matches(open, close token.Token) bool {
	return open == token.LBRACE && close == token.RBRACE ||
		open == token.LPAREN && close == token.RPAREN ||
		open == token.LBRACK && close == token.RBRACK
}

// continues reports whether a line ending in tok must go on.
func continues(tok token.Token) bool {
	switch tok {
	case token.COMMA, token.PERIOD, token.ASSIGN, token.DEFINE, token.ARROW, token.COLON,
		token.LAND, token.LOR, token.FUNC, token.IMPORT, token.VAR, token.CONST, token.TYPE,
		token.GO, token.DEFER, token.RETURN, token.ELSE:
		return tok != token.RETURN // a bare return is complete
	}
	return tok.IsOperator() && tok != token.INC && tok != token.DEC &&
		tok != token.RPAREN && tok != token.RBRACK && tok != token.RBRACE && tok != token.SEMICOLON
}
