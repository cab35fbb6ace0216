package notification

import (
	"os"
	"reflect"
	"testing"
)

// FuzzParse checks that Parse never panics, that errors have the promised
// form, and that every accepted, non-ignored notification names objects
// with a bucket and a key.
func FuzzParse(f *testing.F) {
	for _, tc := range append(okCases(), errCases()...) {
		f.Add([]byte(tc.body))
	}
	for _, in := range goldenInputs(f) {
		if b, err := os.ReadFile(in); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := Parse(body)
		if err != nil {
			checkErr(t, err)
			if !reflect.DeepEqual(n, Notification{}) {
				t.Fatalf("Parse returned %+v with error %v", n, err)
			}
			return
		}
		switch n.Shape {
		case ShapeCloudTrail, ShapeS3Event, ShapeEventBridge, ShapeS3TestEvent, ShapeSubscriptionConfirmation:
		default:
			t.Fatalf("Parse returned shape %q", n.Shape)
		}
		if n.Ignore {
			if n.Reason == "" || len(n.Objects) != 0 {
				t.Fatalf("ignored notification %+v: want a Reason and no Objects", n)
			}
			return
		}
		if len(n.Objects) == 0 {
			t.Fatalf("notification %+v has no objects and is not ignored", n)
		}
		for i, o := range n.Objects {
			if o.Bucket == "" || o.Key == "" {
				t.Fatalf("Objects[%d] = %+v: empty bucket or key", i, o)
			}
		}
	})
}
