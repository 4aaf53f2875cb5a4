package display_test

import (
	"fmt"

	"github.com/gossl/gossl/display"
)

// Celsius shows itself as coloured HTML in notebooks: it implements
// display.Renderer.
type Celsius float64

func (c Celsius) Render() display.Bundle {
	b := display.NewBundle("text/html", fmt.Sprintf(`<b style="color:#c0392b">%.1f °C</b>`, float64(c)))
	b.Data["text/plain"] = fmt.Sprintf("%.1f °C", float64(c))
	return b
}

func ExampleRenderer() {
	b := display.Render(Celsius(21.5))
	fmt.Println(b.Data["text/html"])
	fmt.Println(b.Data["text/plain"])
	// Output:
	// <b style="color:#c0392b">21.5 °C</b>
	// 21.5 °C
}

func ExampleFormat() {
	type run struct {
		Method string
		Top1   float64
	}
	fmt.Println(display.Format(run{"BYOL", 0.861}))
	fmt.Println(display.Format(make([]int, 1000)))
	// Output:
	// display_test.run{Method: "BYOL", Top1: 0.861}
	// []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, …, 0, 0, 0} (len 1000)
}

// Without a notebook (no publisher), displays print their text.
func ExampleNew() {
	d := display.New()
	d.Show("epoch 1")
	d.Update("epoch 2") // in a notebook this replaces "epoch 1" in place
	// Output:
	// epoch 1
	// epoch 2
}
