package capture

import (
	"bufio"
	"errors"
	"io"
	"testing"
)

// lines is a Frontend that answers with its next line ("" when it has
// none) and keeps the prompts it was asked with.
type lines struct {
	answers []string
	prompts []string
	err     error
}

func (l *lines) Input(prompt string, password bool) (string, error) {
	l.prompts = append(l.prompts, prompt)
	if l.err != nil {
		return "", l.err
	}
	if len(l.answers) == 0 {
		return "", nil
	}
	a := l.answers[0]
	l.answers = l.answers[1:]
	return a, nil
}

func stdinOf(f Frontend) *Stdin {
	return NewStdin(func() Frontend { return f })
}

// Each line the frontend gives is read with its newline; an empty answer
// ends the input for the rest of the cell, and the next cell asks again.
func TestStdinReadsLinesUntilAnEmptyOne(t *testing.T) {
	f := &lines{answers: []string{"gopher", "42", "", "next cell"}}
	in := stdinOf(f)
	in.StartCell()
	r := bufio.NewReader(in)
	for _, want := range []string{"gopher\n", "42\n"} {
		if got, err := r.ReadString('\n'); got != want || err != nil {
			t.Fatalf("ReadString = %q, %v; want %q", got, err, want)
		}
	}
	if _, err := r.ReadString('\n'); err != io.EOF {
		t.Fatalf("after an empty answer: err = %v, want io.EOF", err)
	}
	if n, err := in.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Fatalf("a later read in the same cell = %d, %v; want io.EOF without asking", n, err)
	}
	if len(f.prompts) != 3 {
		t.Errorf("asked %d times, want 3", len(f.prompts))
	}
	for _, p := range f.prompts {
		if p != Prompt {
			t.Errorf("asked with %q, want %q", p, Prompt)
		}
	}
	in.StartCell()
	if got, err := bufio.NewReader(in).ReadString('\n'); got != "next cell\n" || err != nil {
		t.Errorf("the next cell reads %q, %v", got, err)
	}
}

// A frontend that cannot answer fails the read, and every later read of
// the cell, with an error that names stdin and wraps the frontend's.
func TestStdinReportsAFrontendThatCannotAnswer(t *testing.T) {
	why := errors.New("stdin is not allowed")
	f := &lines{err: why}
	in := stdinOf(f)
	in.StartCell()
	for i := 0; i < 2; i++ {
		_, err := in.Read(make([]byte, 8))
		if !errors.Is(err, why) || err.Error() != "reading stdin: stdin is not allowed" {
			t.Fatalf("read %d: err = %v, want the frontend's reason, named as stdin's", i, err)
		}
	}
	if len(f.prompts) != 1 {
		t.Errorf("asked %d times, want once", len(f.prompts))
	}
}

// Between cells there is no frontend and stdin is at its end.
func TestStdinBetweenCells(t *testing.T) {
	in := NewStdin(func() Frontend { return nil })
	if n, err := in.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Errorf("Read = %d, %v; want io.EOF", n, err)
	}
}
