package s3_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

func TestListPages(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket("trail", "eu-west-1")
	f.pageSize = 2
	base := time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		f.put("trail", fmt.Sprintf("AWSLogs/k%d.json.gz", i), &fakeObject{Body: make([]byte, 10+i),
			ETag: fmt.Sprintf(`"etag%d"`, i), LastModified: base.Add(time.Duration(i) * time.Minute)})
	}
	f.put("trail", "other/x", &fakeObject{Body: []byte("x")})

	var got []cairn.ObjectRef
	err := newClient(f).List(context.Background(), "trail", "AWSLogs/", "", func(r cairn.ObjectRef) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("listed %d objects, want 5: %+v", len(got), got)
	}
	for i, r := range got {
		want := cairn.ObjectRef{Bucket: "trail", Key: fmt.Sprintf("AWSLogs/k%d.json.gz", i), Region: "eu-west-1",
			ETag: fmt.Sprintf("etag%d", i), Size: int64(10 + i), EventTime: base.Add(time.Duration(i) * time.Minute)}
		if r != want {
			t.Errorf("ref %d = %+v, want %+v", i, r, want)
		}
	}
	// Three ListObjectsV2 pages: no token, then the two tokens S3 gave.
	var tokens []string
	for _, r := range f.Requests() {
		if r.Method == http.MethodGet && r.Bucket == "trail" {
			if r.Query.Get("list-type") != "2" || r.Query.Get("prefix") != "AWSLogs/" || r.Region != "eu-west-1" {
				t.Errorf("list request %v signed for %q", r.Query, r.Region)
			}
			tokens = append(tokens, r.Query.Get("continuation-token"))
		}
	}
	if len(tokens) != 3 || tokens[0] != "" || tokens[1] == "" || tokens[2] == "" || tokens[1] == tokens[2] {
		t.Errorf("continuation tokens = %q", tokens)
	}
}

func TestListStartAfterAndStop(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket("trail", "us-east-1")
	f.pageSize = 2
	for i := 0; i < 6; i++ {
		f.put("trail", fmt.Sprintf("k%d", i), &fakeObject{Body: []byte("x")})
	}
	c := newClient(f)
	var keys []string
	err := c.List(context.Background(), "trail", "", "k1", func(r cairn.ObjectRef) error {
		keys = append(keys, r.Key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(keys) != "[k2 k3 k4 k5]" {
		t.Errorf("keys after k1 = %v", keys)
	}

	stop := errors.New("enough")
	keys = nil
	before := len(f.Requests())
	err = c.List(context.Background(), "trail", "", "", func(r cairn.ObjectRef) error {
		keys = append(keys, r.Key)
		if len(keys) == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || fmt.Sprint(keys) != "[k0 k1 k2]" {
		t.Errorf("err %v keys %v", err, keys)
	}
	if n := len(f.Requests()) - before; n != 2 {
		t.Errorf("%d list requests after stopping on the second page, want 2", n)
	}
}

func TestListErrors(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket("trail", "us-east-1")
	f.denyList = &s3Error{http.StatusForbidden, "AccessDenied", "Access Denied"}
	c := newClient(f)
	err := c.List(context.Background(), "trail", "AWSLogs/", "", func(cairn.ObjectRef) error { return nil })
	if !errors.Is(err, cairn.ErrAccessDenied) || !strings.Contains(err.Error(), "list s3://trail/AWSLogs/") {
		t.Errorf("denied list: %v", err)
	}
	err = c.List(context.Background(), "absent", "", "", func(cairn.ObjectRef) error { return nil })
	if !errors.Is(err, cairn.ErrNotFound) {
		t.Errorf("list of a missing bucket: %v", err)
	}
}
