package kernel

import (
	"encoding/json"
	"sync"
)

// CommOpenFunc is called when the frontend opens a comm to a registered
// target; it sets the comm's handlers. data is the comm_open's data.
type CommOpenFunc func(c *Comm, data map[string]any)

// Comm is one open comm: a channel of JSON messages between frontend code
// (widgets, say) and the kernel.
type Comm struct {
	ID     string
	Target string
	// OnMsg and OnClose receive the data of the frontend's comm_msg and
	// comm_close. Either may be nil.
	OnMsg   func(data map[string]any)
	OnClose func(data map[string]any)

	k      *Kernel
	parent *Message // the request being handled when the comm last heard from the frontend
}

// Send sends data to the frontend side of the comm (comm_msg on iopub).
func (c *Comm) Send(data map[string]any) {
	c.k.publish(c.parent, "comm_msg", map[string]any{"comm_id": c.ID, "data": orEmpty(data)})
}

// Close closes the comm from the kernel side.
func (c *Comm) Close(data map[string]any) {
	c.k.comms.remove(c.ID)
	c.k.publish(c.parent, "comm_close", map[string]any{"comm_id": c.ID, "data": orEmpty(data)})
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// comms routes comm_open/comm_msg/comm_close to registered targets.
type comms struct {
	k       *Kernel
	mu      sync.Mutex
	targets map[string]CommOpenFunc
	open    map[string]*Comm
}

func newComms(k *Kernel) *comms {
	return &comms{k: k, targets: map[string]CommOpenFunc{}, open: map[string]*Comm{}}
}

func (cs *comms) register(target string, f CommOpenFunc) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.targets[target] = f
}

func (cs *comms) remove(id string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	delete(cs.open, id)
}

type commContent struct {
	CommID     string         `json:"comm_id"`
	TargetName string         `json:"target_name"`
	Data       map[string]any `json:"data"`
}

func (cs *comms) handleOpen(req *Message) {
	var c commContent
	if err := json.Unmarshal(req.Content, &c); err != nil || c.CommID == "" {
		cs.k.log.Printf("comm_open: bad content: %s", req.Content)
		return
	}
	cs.mu.Lock()
	open := cs.targets[c.TargetName]
	cs.mu.Unlock()
	if open == nil {
		// As ipykernel does: tell the frontend the comm is dead at once.
		cs.k.log.Printf("comm_open: no target %q", c.TargetName)
		cs.k.publish(req, "comm_close", map[string]any{"comm_id": c.CommID, "data": map[string]any{}})
		return
	}
	comm := &Comm{ID: c.CommID, Target: c.TargetName, k: cs.k, parent: req}
	cs.mu.Lock()
	cs.open[c.CommID] = comm
	cs.mu.Unlock()
	open(comm, orEmpty(c.Data))
}

func (cs *comms) handleMsg(req *Message, closing bool) {
	var c commContent
	if err := json.Unmarshal(req.Content, &c); err != nil {
		cs.k.log.Printf("%s: bad content: %s", req.Header.MsgType, req.Content)
		return
	}
	cs.mu.Lock()
	comm := cs.open[c.CommID]
	if closing {
		delete(cs.open, c.CommID)
	}
	cs.mu.Unlock()
	if comm == nil {
		cs.k.log.Printf("%s: unknown comm %q", req.Header.MsgType, c.CommID)
		return
	}
	comm.parent = req
	if closing && comm.OnClose != nil {
		comm.OnClose(orEmpty(c.Data))
	} else if !closing && comm.OnMsg != nil {
		comm.OnMsg(orEmpty(c.Data))
	}
}

// info answers comm_info_request: open comms, optionally of one target.
func (cs *comms) info(target string) map[string]any {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	out := map[string]any{}
	for id, c := range cs.open {
		if target == "" || c.Target == target {
			out[id] = map[string]any{"target_name": c.Target}
		}
	}
	return out
}
