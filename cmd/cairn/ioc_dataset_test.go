package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// Real CloudTrail logs (the invictus-ir Stratus Red Team capture, when the
// shared datasets are present): the busiest public source address and
// access key are put in IOC lists; the ioc alerts stored by cairn ingest
// must count exactly the distinct events that carry them, as read from the
// files independently.
func TestIngestIOCDataset(t *testing.T) {
	dir := "/work/shared/datasets/cloudtrail/invictus-ir-aws_dataset"
	files, _ := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	if len(files) == 0 {
		t.Skip("shared datasets not present")
	}
	type rec struct {
		EventID         string `json:"eventID"`
		SourceIPAddress string `json:"sourceIPAddress"`
		UserIdentity    struct {
			AccessKeyID string `json:"accessKeyId"`
		} `json:"userIdentity"`
	}
	ips, keys := map[string]map[string]bool{}, map[string]map[string]bool{}
	add := func(m map[string]map[string]bool, k, id string) {
		if m[k] == nil {
			m[k] = map[string]bool{}
		}
		m[k][id] = true
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Records []rec }
		if err := json.Unmarshal(gunzip(t, b), &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range doc.Records {
			if a, err := netip.ParseAddr(r.SourceIPAddress); err == nil && !a.IsPrivate() {
				add(ips, a.String(), r.EventID)
			}
			if r.UserIdentity.AccessKeyID != "" {
				add(keys, r.UserIdentity.AccessKeyID, r.EventID)
			}
		}
	}
	busiest := func(m map[string]map[string]bool) (string, int) {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Slice(ks, func(i, j int) bool {
			return len(m[ks[i]]) > len(m[ks[j]]) || len(m[ks[i]]) == len(m[ks[j]]) && ks[i] < ks[j]
		})
		if len(ks) == 0 {
			t.Skip("no candidate indicators in the dataset")
		}
		return ks[0], len(m[ks[0]])
	}
	ip, ipEvents := busiest(ips)
	key, keyEvents := busiest(keys)

	c := newCLI(t)
	lists := t.TempDir()
	writeFile(t, filepath.Join(lists, "ips.txt"), []byte(ip+"\n"))
	writeFile(t, filepath.Join(lists, "keys.csv"), []byte("value,type\n"+key+",access_key_id\n"))
	writeFile(t, filepath.Join(c.work, "cairn.yaml"), []byte(fmt.Sprintf("ioc:\n  lists:\n    - {name: ips, path: %s}\n    - {name: keys, path: %s}\n",
		filepath.Join(lists, "ips.txt"), filepath.Join(lists, "keys.csv"))))
	c.ok("ingest", dir)
	ipType := "ipv4|"
	if netip.MustParseAddr(ip).Is6() {
		ipType = "ipv6|"
	}
	for _, tc := range []struct {
		group string
		want  int
	}{{ipType + ip, ipEvents}, {"access_key_id|" + key, keyEvents}} {
		got := c.count(fmt.Sprintf(`SELECT coalesce(sum(count), 0) AS n FROM alerts WHERE kind = 'ioc' AND group_key = '%s'`, tc.group))
		if got != int64(tc.want) {
			t.Errorf("%s: alerts count %d events, the files have %d", tc.group, got, tc.want)
		}
	}
}
