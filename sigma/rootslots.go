package sigma

import (
	"sync"
	"sync/atomic"
)

// Rules look up a few dozen top-level fields (eventName, userIdentity,
// errorCode, …) many times per event. Each top-level key a compiled rule
// uses gets a process-wide slot number; an Event records, once, which of
// its root members fill which slots, so a rule's lookup is an array read
// instead of a hash lookup.

// maxRootSlots bounds the slots (rules written by fuzzers or users could
// name any number of fields); a field past it is looked up by a scan of
// the root object.
const maxRootSlots = 4096

var rootSlots struct {
	mu sync.Mutex                       // serializes additions
	m  atomic.Pointer[map[string]int32] // key → slot; replaced, never changed
}

// rootSlot returns the slot of a top-level key, numbering it if it is new,
// or -1 when the slots are all taken.
func rootSlot(key string) int32 {
	if m := rootSlots.m.Load(); m != nil {
		if s, ok := (*m)[key]; ok {
			return s
		}
	}
	rootSlots.mu.Lock()
	defer rootSlots.mu.Unlock()
	old := map[string]int32{}
	if m := rootSlots.m.Load(); m != nil {
		old = *m
	}
	if s, ok := old[key]; ok {
		return s
	}
	if len(old) >= maxRootSlots {
		return -1
	}
	m := make(map[string]int32, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	s := int32(len(old))
	m[key] = s
	rootSlots.m.Store(&m)
	return s
}

// fieldPath is a compiled field name: its dotted segments and the slot of
// the first one.
type fieldPath struct {
	segs []string
	slot int32 // -1: not slotted (no segments, or the slots ran out)
}

func newFieldPath(field string) fieldPath {
	p := fieldPath{segs: splitPath(field), slot: -1}
	if len(p.segs) > 0 {
		p.slot = rootSlot(p.segs[0])
	}
	return p
}

// findPath is find from the root for a compiled path: through the root's
// slots when they can answer, else by scanning.
func (e *Event) findPath(p fieldPath, expand bool, dst []int32) []int32 {
	if p.slot >= 0 && len(e.nodes) > 0 && e.nodes[0].kind == kObject {
		if e.rootState == 0 {
			e.indexRoot()
		}
		if e.rootState == 1 && int(p.slot) < len(e.slots) {
			c := e.slots[p.slot]
			if c == 0 {
				return dst
			}
			return e.find(c-1, p.segs[1:], expand, dst)
		}
	}
	return e.find(0, p.segs, expand, dst)
}

// hasPath reports whether p exists (any value, null included).
func (e *Event) hasPath(p fieldPath) bool {
	var buf [8]int32
	return len(e.findPath(p, false, buf[:0])) > 0
}
