package display

import "sync"

// Bundle is one MIME bundle: what a frontend shows for a value. Data maps a
// MIME type to its content: a string for text types and base64 for binary
// ones (image/png), or any JSON value for application/json.
type Bundle struct {
	Data     map[string]any
	Metadata map[string]any
	// ID is the transient display_id. A bundle shown with an ID can later be
	// replaced in place with Update. Empty means "not updatable".
	ID string
}

// Publisher sends bundles to wherever the user looks. The kernel implements
// it for the cell that is running; display never imports the kernel.
type Publisher interface {
	// Display shows b as a new output (display_data).
	Display(b Bundle) error
	// Update replaces every output shown earlier with b.ID (update_display_data).
	Update(b Bundle) error
	// Clear clears the cell's output; with wait, only when new output arrives.
	Clear(wait bool) error
}

var (
	mu      sync.RWMutex
	current Publisher
)

// SetPublisher makes p the destination of Show and friends and returns the
// previous one. The Go session calls it around each cell; nil means no
// frontend (plain Go programs), where Show falls back to text on stdout.
func SetPublisher(p Publisher) Publisher {
	mu.Lock()
	defer mu.Unlock()
	prev := current
	current = p
	return prev
}

// CurrentPublisher returns the publisher set by SetPublisher, or nil.
func CurrentPublisher() Publisher {
	mu.RLock()
	defer mu.RUnlock()
	return current
}
