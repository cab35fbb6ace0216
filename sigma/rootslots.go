package sigma

import (
	"slices"
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
	mu sync.Mutex                // serializes additions
	m  atomic.Pointer[slotTable] // replaced, never changed
}

// slotTable maps top-level keys to slots. Every event's root members are
// looked up in it, so it is an open-addressed table with a hash of a few
// bytes of the key rather than a Go map, which hashes every byte.
type slotTable struct {
	names []string // the keys, by slot
	keys  []string // by position; "" = empty
	slots []int32
	mask  uint32
}

// emptySlots is the table before any key has a slot.
var emptySlots = newSlotTable(nil)

// currentSlots is the table in use.
func currentSlots() *slotTable {
	if t := rootSlots.m.Load(); t != nil {
		return t
	}
	return emptySlots
}

// newSlotTable builds the table of names (slot i is names[i]; no name is
// empty).
func newSlotTable(names []string) *slotTable {
	size := 16
	for size < 2*len(names) {
		size *= 2
	}
	t := &slotTable{names: names, keys: make([]string, size), slots: make([]int32, size), mask: uint32(size - 1)}
	for s, k := range names {
		i := slotHash(k) & t.mask
		for t.keys[i] != "" {
			i = (i + 1) & t.mask
		}
		t.keys[i], t.slots[i] = k, int32(s)
	}
	return t
}

// slotHash mixes a key's length and its first, middle and last bytes.
func slotHash(k string) uint32 {
	if k == "" {
		return 0
	}
	h := uint32(len(k)) | uint32(k[0])<<8 | uint32(k[len(k)/2])<<16 | uint32(k[len(k)-1])<<24
	return (h * 0x9E3779B1) >> 7
}

// lookup returns k's slot.
func (t *slotTable) lookup(k string) (int32, bool) {
	if k == "" {
		return 0, false
	}
	for i := slotHash(k) & t.mask; t.keys[i] != ""; i = (i + 1) & t.mask {
		if t.keys[i] == k {
			return t.slots[i], true
		}
	}
	return 0, false
}

// rootSlot returns the slot of a top-level key, numbering it if it is new,
// or -1 when the slots are all taken or the key is empty (the table's
// mark for a free position; such a path is found by scanning).
func rootSlot(key string) int32 {
	if key == "" {
		return -1
	}
	if s, ok := currentSlots().lookup(key); ok {
		return s
	}
	rootSlots.mu.Lock()
	defer rootSlots.mu.Unlock()
	t := currentSlots()
	if s, ok := t.lookup(key); ok {
		return s
	}
	if len(t.names) >= maxRootSlots {
		return -1
	}
	rootSlots.m.Store(newSlotTable(append(slices.Clip(t.names), key)))
	return int32(len(t.names))
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
