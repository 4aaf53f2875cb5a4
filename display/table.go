package display

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Table size limits: long tables show their head and tail rows.
const (
	maxTableRows  = 30
	headTableRows = 20
	tailTableRows = 5
	maxCellRunes  = 80
)

// table is a value laid out as rows and columns.
type table struct {
	columns []string
	rows    [][]reflect.Value // nil Value for a missing cell
	total   int               // number of rows before abbreviation
}

// tableHTML renders slices/arrays of structs or maps, and maps, as an HTML
// table. ok is false for values that are not tabular.
func tableHTML(v any) (string, bool) {
	t, ok := toTable(reflect.ValueOf(v))
	if !ok {
		return "", false
	}
	return t.html(), true
}

func toTable(rv reflect.Value) (*table, bool) {
	for rv.IsValid() && (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) && !rv.IsNil() {
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil, false
	}
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		et := derefType(rv.Type().Elem())
		switch et.Kind() {
		case reflect.Struct:
			return structRows(rv, et), true
		case reflect.Map:
			return mapRows(rv), true
		}
	case reflect.Map:
		if rv.IsNil() {
			return nil, false
		}
		return mapTable(rv), true
	}
	return nil, false
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func deref(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// rowIndices is every row index, or the head and tail of a long table
// with -1 marking the gap.
func rowIndices(n int) []int {
	if n <= maxTableRows {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	var idx []int
	for i := 0; i < headTableRows; i++ {
		idx = append(idx, i)
	}
	idx = append(idx, -1)
	for i := n - tailTableRows; i < n; i++ {
		idx = append(idx, i)
	}
	return idx
}

func exportedFields(t reflect.Type) []int {
	var f []int
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			f = append(f, i)
		}
	}
	return f
}

func structRows(rv reflect.Value, et reflect.Type) *table {
	fields := exportedFields(et)
	t := &table{total: rv.Len()}
	for _, i := range fields {
		t.columns = append(t.columns, et.Field(i).Name)
	}
	for _, i := range rowIndices(rv.Len()) {
		if i < 0 {
			t.rows = append(t.rows, nil)
			continue
		}
		e := deref(rv.Index(i))
		row := make([]reflect.Value, len(fields))
		if e.IsValid() {
			for c, f := range fields {
				row[c] = e.Field(f)
			}
		}
		t.rows = append(t.rows, row)
	}
	return t
}

func mapRows(rv reflect.Value) *table {
	t := &table{total: rv.Len()}
	idx := rowIndices(rv.Len())
	keySet := map[string]bool{}
	for _, i := range idx {
		if i < 0 {
			continue
		}
		if m := deref(rv.Index(i)); m.IsValid() {
			for _, k := range m.MapKeys() {
				keySet[fmt.Sprint(k.Interface())] = true
			}
		}
	}
	for k := range keySet {
		t.columns = append(t.columns, k)
	}
	sort.Strings(t.columns)
	col := map[string]int{}
	for i, c := range t.columns {
		col[c] = i
	}
	for _, i := range idx {
		if i < 0 {
			t.rows = append(t.rows, nil)
			continue
		}
		row := make([]reflect.Value, len(t.columns))
		if m := deref(rv.Index(i)); m.IsValid() {
			for _, k := range m.MapKeys() {
				row[col[fmt.Sprint(k.Interface())]] = m.MapIndex(k)
			}
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// mapTable makes one row per key; struct values spread over columns.
func mapTable(rv reflect.Value) *table {
	keys := rv.MapKeys()
	sortValues(keys)
	t := &table{total: len(keys), columns: []string{"key"}}
	vt := derefType(rv.Type().Elem())
	var fields []int
	if vt.Kind() == reflect.Struct {
		fields = exportedFields(vt)
		for _, i := range fields {
			t.columns = append(t.columns, vt.Field(i).Name)
		}
	} else {
		t.columns = append(t.columns, "value")
	}
	for _, i := range rowIndices(len(keys)) {
		if i < 0 {
			t.rows = append(t.rows, nil)
			continue
		}
		val := rv.MapIndex(keys[i])
		row := []reflect.Value{keys[i]}
		if fields != nil {
			e := deref(val)
			for _, f := range fields {
				if e.IsValid() {
					row = append(row, e.Field(f))
				} else {
					row = append(row, reflect.Value{})
				}
			}
		} else {
			row = append(row, val)
		}
		t.rows = append(t.rows, row)
	}
	return t
}

func (t *table) html() string {
	var b strings.Builder
	b.WriteString(`<table class="gossl-table">`)
	fmt.Fprintf(&b, `<caption style="caption-side:bottom;text-align:left">%s × %s</caption>`,
		plural(t.total, "row"), plural(len(t.columns), "column"))
	b.WriteString("<thead><tr>")
	for _, c := range t.columns {
		b.WriteString("<th>" + escapeHTML(c) + "</th>")
	}
	b.WriteString("</tr></thead><tbody>")
	for _, row := range t.rows {
		if row == nil {
			fmt.Fprintf(&b, `<tr><td colspan="%d" style="text-align:center">…</td></tr>`, max(len(t.columns), 1))
			continue
		}
		b.WriteString("<tr>")
		for _, cell := range row {
			s, numeric := cellText(cell)
			if numeric {
				b.WriteString(`<td style="text-align:right">` + escapeHTML(s) + "</td>")
			} else {
				b.WriteString("<td>" + escapeHTML(s) + "</td>")
			}
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	return b.String()
}

// cellText formats one cell compactly; numeric says to right-align it.
func cellText(v reflect.Value) (s string, numeric bool) {
	if !v.IsValid() {
		return "", false
	}
	switch v.Kind() {
	case reflect.String:
		return truncateRunes(v.String(), maxCellRunes), false
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return formatValue(v, 1, ""), true
	}
	s = strings.ReplaceAll(formatValue(v, 1, ""), "\n", " ")
	return truncateRunes(s, maxCellRunes), false
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
