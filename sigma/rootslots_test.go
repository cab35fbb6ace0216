package sigma

import (
	"fmt"
	"testing"
)

// TestSlotTable: every key is found with its slot, keys that hash alike
// (same length and first, middle and last bytes) are told apart, and keys
// not in the table are not found.
func TestSlotTable(t *testing.T) {
	keys := map[string]int32{}
	for i := range 300 {
		keys[fmt.Sprintf("k%03dx", i)] = int32(len(keys)) // k, digit, x: many collisions
		keys[fmt.Sprintf("field%d", i)] = int32(len(keys))
	}
	keys["eventName"] = int32(len(keys))
	tab := newSlotTable(keys)
	for k, s := range keys {
		if got, ok := tab.lookup(k); !ok || got != s {
			t.Fatalf("lookup(%q) = %d, %v; want %d", k, got, ok, s)
		}
	}
	for _, k := range []string{"", "k000y", "k0000x", "eventname", "eventName.", "field300", "x"} {
		if s, ok := tab.lookup(k); ok {
			t.Errorf("lookup(%q) found slot %d", k, s)
		}
	}
	if m := tab.all(); len(m) != len(keys) {
		t.Fatalf("all: %d keys, want %d", len(m), len(keys))
	}
}
