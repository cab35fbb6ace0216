package awstest

import (
	"encoding/xml"
	"strings"
)

// S3's REST-XML shapes of the bucket sub-resources S3Extras serves.

type wireNotification struct {
	XMLName     xml.Name     `xml:"NotificationConfiguration"`
	Xmlns       string       `xml:"xmlns,attr,omitempty"`
	Topics      []wireTarget `xml:"TopicConfiguration"`
	Queues      []wireTarget `xml:"QueueConfiguration"`
	EventBridge *struct{}    `xml:"EventBridgeConfiguration"`
}

type wireTarget struct {
	ID     string      `xml:"Id,omitempty"`
	Topic  string      `xml:"Topic,omitempty"`
	Queue  string      `xml:"Queue,omitempty"`
	Events []string    `xml:"Event"`
	Filter *wireFilter `xml:"Filter,omitempty"`
}

type wireFilter struct {
	Rules []wireRule `xml:"S3Key>FilterRule"`
}

type wireRule struct {
	Name  string
	Value string
}

func toWireNotification(n Notification) wireNotification {
	out := wireNotification{Xmlns: s3XMLNS}
	target := func(t NotificationTarget, queue bool) wireTarget {
		wt := wireTarget{ID: t.ID, Events: t.Events}
		if queue {
			wt.Queue = t.ARN
		} else {
			wt.Topic = t.ARN
		}
		if t.Prefix != "" || t.Suffix != "" {
			wt.Filter = &wireFilter{}
			if t.Prefix != "" {
				wt.Filter.Rules = append(wt.Filter.Rules, wireRule{"prefix", t.Prefix})
			}
			if t.Suffix != "" {
				wt.Filter.Rules = append(wt.Filter.Rules, wireRule{"suffix", t.Suffix})
			}
		}
		return wt
	}
	for _, t := range n.Queues {
		out.Queues = append(out.Queues, target(t, true))
	}
	for _, t := range n.Topics {
		out.Topics = append(out.Topics, target(t, false))
	}
	if n.EventBridge {
		out.EventBridge = &struct{}{}
	}
	return out
}

func (wn wireNotification) state() Notification {
	conv := func(wt wireTarget, arn string) NotificationTarget {
		t := NotificationTarget{ID: wt.ID, ARN: arn, Events: wt.Events}
		if wt.Filter != nil {
			for _, r := range wt.Filter.Rules {
				switch strings.ToLower(r.Name) {
				case "prefix":
					t.Prefix = r.Value
				case "suffix":
					t.Suffix = r.Value
				}
			}
		}
		return t
	}
	var n Notification
	for _, wt := range wn.Queues {
		n.Queues = append(n.Queues, conv(wt, wt.Queue))
	}
	for _, wt := range wn.Topics {
		n.Topics = append(n.Topics, conv(wt, wt.Topic))
	}
	n.EventBridge = wn.EventBridge != nil
	return n
}

type wireLifecycle struct {
	XMLName xml.Name    `xml:"LifecycleConfiguration"`
	Xmlns   string      `xml:"xmlns,attr,omitempty"`
	Rules   []wireLRule `xml:"Rule"`
}

type wireLRule struct {
	ID         string          `xml:"ID,omitempty"`
	Prefix     *string         `xml:"Prefix"` // the legacy, filter-less form
	Filter     *wireLFilter    `xml:"Filter"`
	Status     string          `xml:"Status"`
	Expiration *wireExpiration `xml:"Expiration"`
}

type wireLFilter struct {
	Prefix    *string `xml:"Prefix"`
	AndPrefix *string `xml:"And>Prefix"`
}

type wireExpiration struct {
	Days int `xml:"Days,omitempty"`
}

func toWireLifecycle(rules []LifecycleRule) wireLifecycle {
	out := wireLifecycle{Xmlns: s3XMLNS}
	for _, r := range rules {
		p := r.Prefix
		wr := wireLRule{ID: r.ID, Filter: &wireLFilter{Prefix: &p}, Status: "Disabled"}
		if r.Enabled {
			wr.Status = "Enabled"
		}
		if r.ExpirationDays > 0 {
			wr.Expiration = &wireExpiration{Days: r.ExpirationDays}
		}
		out.Rules = append(out.Rules, wr)
	}
	return out
}

func (wl wireLifecycle) state() []LifecycleRule {
	rules := []LifecycleRule{}
	for _, wr := range wl.Rules {
		r := LifecycleRule{ID: wr.ID, Enabled: wr.Status == "Enabled"}
		switch {
		case wr.Prefix != nil:
			r.Prefix = *wr.Prefix
		case wr.Filter != nil && wr.Filter.Prefix != nil:
			r.Prefix = *wr.Filter.Prefix
		case wr.Filter != nil && wr.Filter.AndPrefix != nil:
			r.Prefix = *wr.Filter.AndPrefix
		}
		if wr.Expiration != nil {
			r.ExpirationDays = wr.Expiration.Days
		}
		rules = append(rules, r)
	}
	return rules
}
