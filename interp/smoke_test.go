package interp

import (
	"context"
	"testing"
	"time"
)

func TestSmoke(t *testing.T) {
	s, err := New(Options{NoCapture: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []string{
		`import "fmt"
x := 3
fmt.Println("hello", x)
x * 2`,
		`import "fmt"
fmt.Println("again")`,
		`func f() int { return 1 }
func g() int { return f() * 10 }
g()`,
		`func f() int { return 2 }
g()`,
		`type P struct{ X int }
P{1}`,
		`type P struct{ X, Y int }
P{1, 2}`,
		`y := 1
y := 2
y`,
		`min(3, 1, 2)`,
		`m := map[string]int{"a": 1}; clear(m); len(m)`,
		`for i := range 3 { fmt.Print(i) }`,
		`var fs []func() int
for i := 0; i < 3; i++ { j := i; fs = append(fs, func() int { return j }) }
fs[0]() + fs[1]() + fs[2]()`,
		`fs = nil
for i := 0; i < 3; i++ { _t := i; i := _t; fs = append(fs, func() int { return i }) }
fs[0]() + fs[1]() + fs[2]()`,
		`var fs []func() int
for i := 0; i < 3; i++ { fs = append(fs, func() int { return i }) }
fs[0]() + fs[1]() + fs[2]()`,
		`import "slices"
s := []int{3,1,2}
slices.Sort(s)
s`,
		`for i, v := range slices.All(s) { fmt.Println(i, v) }`,
		`import "maps"
slices.Sorted(maps.Keys(map[string]int{"b":1,"a":2}))`,
		`import "strings"
for l := range strings.Lines("a\nb\n") { fmt.Printf("%q\n", l) }`,
		`var a []int
a[5]`,
		`undefinedThing + 1`,
		`import "os"
os.Exit(3)`,
		`go func() { panic("boom") }()
select {}`,
		`x`,
		`strconv.Atoi("12")`,
		`import "strconv"
strconv.Atoi("12")`,
	} {
		out := &fakeOutput{}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		b, err := s.Execute(ctx, c, out)
		cancel()
		t.Logf("---\n%s\n=> out=%q", c, out.String())
		if b != nil {
			t.Logf("result %v", b.Data["text/plain"])
		}
		if err != nil {
			t.Logf("error %v", err)
		}
	}
}
