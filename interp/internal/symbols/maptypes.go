package symbols

import (
	"encoding"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log"
	"reflect"

	"github.com/gossl/gossl/display"
)

// MapTypes tells yaegi which interfaces a compiled function taking `any`
// looks for, so that it wraps interpreted values whose methods implement
// them: without it fmt.Println would not see an interpreted String method,
// nor display.Show a Render method.
var MapTypes = map[reflect.Value][]reflect.Type{}

func ifaces(ptrs ...any) []reflect.Type {
	ts := make([]reflect.Type, len(ptrs))
	for i, p := range ptrs {
		ts[i] = reflect.TypeOf(p).Elem()
	}
	return ts
}

func init() {
	printing := ifaces((*fmt.Formatter)(nil), (*fmt.Stringer)(nil), (*error)(nil))
	for _, f := range []any{fmt.Errorf, fmt.Fprint, fmt.Fprintf, fmt.Fprintln, fmt.Print, fmt.Printf,
		fmt.Println, fmt.Sprint, fmt.Sprintf, fmt.Sprintln, fmt.Append, fmt.Appendf, fmt.Appendln,
		log.Fatal, log.Fatalf, log.Fatalln, log.Panic, log.Panicf, log.Panicln, log.Print, log.Printf, log.Println,
		logFatal, logFatalf, logFatalln} {
		MapTypes[reflect.ValueOf(f)] = printing
	}
	scanning := ifaces((*fmt.Scanner)(nil))
	for _, f := range []any{fmt.Scan, fmt.Scanf, fmt.Scanln, fmt.Fscan, fmt.Fscanf, fmt.Fscanln, fmt.Sscan, fmt.Sscanf, fmt.Sscanln} {
		MapTypes[reflect.ValueOf(f)] = scanning
	}
	MapTypes[reflect.ValueOf(json.Marshal)] = ifaces((*json.Marshaler)(nil), (*encoding.TextMarshaler)(nil))
	MapTypes[reflect.ValueOf(json.MarshalIndent)] = ifaces((*json.Marshaler)(nil), (*encoding.TextMarshaler)(nil))
	MapTypes[reflect.ValueOf(json.Unmarshal)] = ifaces((*json.Unmarshaler)(nil), (*encoding.TextUnmarshaler)(nil))
	MapTypes[reflect.ValueOf(xml.Marshal)] = ifaces((*xml.Marshaler)(nil), (*encoding.TextMarshaler)(nil))
	MapTypes[reflect.ValueOf(xml.Unmarshal)] = ifaces((*xml.Unmarshaler)(nil), (*encoding.TextUnmarshaler)(nil))

	rendering := ifaces((*display.Renderer)(nil), (*fmt.Stringer)(nil), (*error)(nil))
	for _, f := range []any{display.Render, display.Show, display.Format, display.Update} {
		MapTypes[reflect.ValueOf(f)] = rendering
	}
	Symbols["."] = map[string]reflect.Value{"MapTypes": reflect.ValueOf(MapTypes)}
}
