package display

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
)

// Display is one output area that can be replaced in place: show a value,
// then update it as things change.
//
//	d := display.New()
//	d.Show("starting…")
//	for i := 0; i < 10; i++ { d.Update(fmt.Sprint("step ", i)) }
type Display struct {
	mu    sync.Mutex
	id    string
	shown bool
}

// New returns a display with a fresh display id; nothing is shown until
// Show or Update.
func New() *Display { return &Display{id: newID()} }

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	return "gossl-" + hex.EncodeToString(b[:])
}

// ID returns the display id, for Update(id, v).
func (d *Display) ID() string { return d.id }

// Show shows v as a new output carrying this display's id. Showing twice
// gives two outputs that later updates both replace.
func (d *Display) Show(v any) error {
	b := Render(v)
	b.ID = d.id
	d.mu.Lock()
	d.shown = true
	d.mu.Unlock()
	return publish(b)
}

// Update replaces this display's outputs with v; before any Show it shows
// v instead, so a loop can call Update alone.
func (d *Display) Update(v any) error {
	d.mu.Lock()
	shown := d.shown
	d.mu.Unlock()
	if !shown {
		return d.Show(v)
	}
	return Update(d.id, v)
}
