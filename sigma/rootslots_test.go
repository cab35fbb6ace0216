package sigma

import (
	"fmt"
	"testing"
)

// TestSlotTable: every key is found with its slot, keys that hash alike
// (same length and first, middle and last bytes) are told apart, and keys
// not in the table are not found.
func TestSlotTable(t *testing.T) {
	var names []string
	for i := range 300 {
		names = append(names, fmt.Sprintf("k%03dx", i)) // k, digit, x: many collisions
		names = append(names, fmt.Sprintf("field%d", i))
	}
	names = append(names, "eventName")
	tab := newSlotTable(names)
	for s, k := range names {
		if got, ok := tab.lookup(k); !ok || got != int32(s) {
			t.Fatalf("lookup(%q) = %d, %v; want %d", k, got, ok, s)
		}
	}
	for _, k := range []string{"", "k000y", "k0000x", "eventname", "eventName.", "field300", "x"} {
		if s, ok := tab.lookup(k); ok {
			t.Errorf("lookup(%q) found slot %d", k, s)
		}
	}
}

// TestEmptyRootKeyNotSlotted: the empty key, the table's mark for a free
// position, never gets a slot (its paths are found by scanning), however
// often it is asked for.
func TestEmptyRootKeyNotSlotted(t *testing.T) {
	before := len(currentSlots().names)
	for range 3 {
		if s := rootSlot(""); s != -1 {
			t.Fatalf("rootSlot(\"\") = %d", s)
		}
	}
	if after := len(currentSlots().names); after != before {
		t.Fatalf("slots %d → %d", before, after)
	}
	a, b := rootSlot("zzSlotTest"), rootSlot("zzSlotTest")
	if a < 0 || a != b {
		t.Fatalf("a new key got slots %d and %d", a, b)
	}
}
