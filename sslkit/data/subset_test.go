package data

import (
	"reflect"
	"sort"
	"testing"

	"gorgonia.org/tensor"
)

// numbered is a dataset whose item i is a 1×1×1 image holding i, labelled
// i%3; it counts nothing and is safe for concurrent use.
func numbered(n int) *Images {
	pix := make([]uint8, n)
	labels := make([]int, n)
	for i := range pix {
		pix[i] = uint8(i)
		labels[i] = i % 3
	}
	m, _ := NewImages(1, 1, 1, pix, labels, []string{"a", "b", "c"})
	return m
}

func itemValue(t *testing.T, ds Dataset, i int) int {
	t.Helper()
	img, _, err := ds.Item(i)
	if err != nil {
		t.Fatal(err)
	}
	return int(img.Data().([]float32)[0]*255 + 0.5)
}

func TestSubsetFirstSplit(t *testing.T) {
	ds := numbered(100)
	sub, err := Subset(ds, []int{5, 7, 5, 99})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Len() != 4 || itemValue(t, sub, 3) != 99 || itemValue(t, sub, 2) != 5 {
		t.Fatal("Subset does not map its indices")
	}
	if c := ClassNames(sub); len(c) != 3 || c[2] != "c" {
		t.Fatalf("Subset lost the class names: %v", c)
	}
	if _, _, err := sub.Item(4); err == nil {
		t.Fatal("item past the end: no error")
	}
	for _, bad := range [][]int{{100}, {-1}} {
		if _, err := Subset(ds, bad); err == nil {
			t.Fatalf("Subset %v: no error", bad)
		}
	}

	labels, err := Labels(sub)
	if err != nil || !reflect.DeepEqual(labels, []int{2, 1, 2, 0}) {
		t.Fatalf("Labels of the subset: %v, %v", labels, err)
	}
	// Through Item, for a dataset that is no LabelReader.
	labels, err = Labels(failingSet{sub, -1})
	if err != nil || !reflect.DeepEqual(labels, []int{2, 1, 2, 0}) {
		t.Fatalf("Labels through Item: %v, %v", labels, err)
	}

	first, err := First(ds, 10)
	if err != nil || first.Len() != 10 || itemValue(t, first, 9) != 9 {
		t.Fatalf("First: %v", err)
	}
	if all, _ := First(ds, 1000); all.Len() != 100 {
		t.Fatal("First beyond the end should give everything")
	}

	a, rest, err := Split(ds, 30, 42)
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != 30 || rest.Len() != 70 {
		t.Fatalf("split sizes %d, %d", a.Len(), rest.Len())
	}
	var seen []int
	for i := 0; i < a.Len(); i++ {
		seen = append(seen, itemValue(t, a, i))
	}
	head := append([]int(nil), seen...)
	for i := 0; i < rest.Len(); i++ {
		seen = append(seen, itemValue(t, rest, i))
	}
	sort.Ints(seen)
	for i, v := range seen {
		if v != i {
			t.Fatalf("split halves do not partition the dataset: %v", seen)
		}
	}
	sorted := sort.IntsAreSorted(head)
	if sorted {
		t.Fatal("Split did not shuffle")
	}
	again, _, _ := Split(ds, 30, 42)
	other, _, _ := Split(ds, 30, 43)
	same, differ := true, false
	for i := 0; i < 30; i++ {
		same = same && itemValue(t, again, i) == head[i]
		differ = differ || itemValue(t, other, i) != head[i]
	}
	if !same || !differ {
		t.Fatalf("Split: same seed same split %v, other seed differs %v", same, differ)
	}
	if _, _, err := Split(ds, 101, 1); err == nil {
		t.Fatal("Split beyond the end: no error")
	}
}

func TestFromTensorsCopies(t *testing.T) {
	img := tensor.New(tensor.WithShape(1, 2, 2), tensor.WithBacking([]float32{1, 2, 3, 4}))
	ds, err := FromTensors([]*tensor.Dense{img}, []int{7})
	if err != nil {
		t.Fatal(err)
	}
	got, label, err := ds.Item(0)
	if err != nil || label != 7 {
		t.Fatalf("label %d, %v", label, err)
	}
	got.Data().([]float32)[0] = 100
	if img.Data().([]float32)[0] != 1 {
		t.Fatal("Item returned the caller's tensor instead of a copy")
	}
	if _, err := FromTensors([]*tensor.Dense{tensor.New(tensor.WithShape(2, 2), tensor.Of(tensor.Float32))}, nil); err == nil {
		t.Fatal("2-D image: no error")
	}
	if _, err := FromTensors([]*tensor.Dense{img}, []int{1, 2}); err == nil {
		t.Fatal("label count mismatch: no error")
	}
}

func TestNewImagesChecks(t *testing.T) {
	if _, err := NewImages(1, 2, 2, make([]uint8, 7), nil, nil); err == nil {
		t.Fatal("partial image: no error")
	}
	if _, err := NewImages(1, 1, 1, make([]uint8, 2), []int{0, 3}, []string{"a", "b"}); err == nil {
		t.Fatal("label without class: no error")
	}
	m, err := NewImages(3, 1, 2, []uint8{10, 20, 30, 40, 50, 60}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	img, err := m.Image(0)
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := img.At(1, 0).RGBA()
	if r>>8 != 20 || g>>8 != 40 || b>>8 != 60 {
		t.Fatalf("Image: pixel (1,0) is %d %d %d", r>>8, g>>8, b>>8)
	}
}
