package alertout

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cairn-sec/cairn"
)

// Slack posts each alert to a Slack-compatible incoming webhook
// (Slack, Mattermost, Rocket.Chat): a text fallback and Block Kit blocks.
type Slack struct{ httpOutput }

// NewSlack returns a Slack output; opts.Secret is not used.
func NewSlack(opts HTTPOptions) *Slack {
	opts.Secret = ""
	return &Slack{newHTTPOutput(opts)}
}

// Send implements Output.
func (s *Slack) Send(ctx context.Context, d cairn.DueAlert, resend bool) error {
	return s.send(ctx, d.Alert.ID, SlackMessage(d, resend), func(http.Header) {})
}

// SlackPayload is an incoming-webhook message.
type SlackPayload struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks,omitempty"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"` // plain_text or mrkdwn
	Text string `json:"text"`
}

func mrkdwn(s string) slackText { return slackText{Type: "mrkdwn", Text: s} }

// escape makes user text safe in mrkdwn: &, < and > are control characters.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// clip shortens s to n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

// SlackMessage builds the message for an alert: title, severity, rule,
// count, first and last seen, the alert's fields, a sample event, and the
// rule author's credit (required by the Detection Rule License for
// SigmaHQ rules).
func SlackMessage(d cairn.DueAlert, resend bool) SlackPayload {
	a := d.Alert
	prefix := ""
	if resend {
		prefix = "(updated) "
	}
	text := fmt.Sprintf("%s[%s] %s — %d match(es), rule %s", prefix, strings.ToUpper(a.Severity), a.Title, a.Count, a.RuleID)
	fields := []slackText{
		mrkdwn("*Severity*\n" + escape(a.Severity)),
		mrkdwn("*Rule*\n" + escape(clip(a.RuleID, 200)) + " (" + escape(string(a.Kind)) + ")"),
		mrkdwn(fmt.Sprintf("*Count*\n%d", a.Count)),
		mrkdwn("*Status*\n" + escape(string(a.Status))),
		mrkdwn("*First seen*\n" + fmtTime(a.FirstSeen)),
		mrkdwn("*Last seen*\n" + fmtTime(a.LastSeen)),
	}
	if a.GroupKey != "" {
		fields = append(fields, mrkdwn("*Group*\n"+escape(clip(a.GroupKey, 300))))
	}
	for _, k := range sortedKeys(a.Fields) {
		if len(fields) == 10 { // Slack's limit per section
			break
		}
		fields = append(fields, mrkdwn("*"+escape(k)+"*\n"+escape(clip(a.Fields[k], 300))))
	}
	blocks := []slackBlock{
		{Type: "header", Text: &slackText{Type: "plain_text", Text: clip(prefix+a.Title, 140)}},
		{Type: "section", Fields: fields},
	}
	if len(d.Sample) > 0 {
		var b strings.Builder
		for _, k := range sortedKeys(d.Sample) {
			fmt.Fprintf(&b, "%s: %s\n", k, clip(d.Sample[k], 300))
		}
		blocks = append(blocks, slackBlock{Type: "section",
			Text: &slackText{Type: "mrkdwn", Text: "*Sample event*\n```" + escape(clip(strings.TrimSuffix(b.String(), "\n"), 2800)) + "```"}})
	} else if len(a.SampleEventIDs) > 0 {
		blocks = append(blocks, slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: "*Sample event*\n" + escape(a.SampleEventIDs[0])}})
	}
	ctxText := "Cairn alert " + escape(a.ID)
	if a.Author != "" {
		credit := "Rule author: " + escape(a.Author)
		if a.License != "" {
			credit += " (" + escape(a.License) + ")"
		}
		ctxText = credit + " · " + ctxText
		text += " — rule by " + a.Author
	}
	blocks = append(blocks, slackBlock{Type: "context", Elements: []slackText{mrkdwn(ctxText)}})
	return SlackPayload{Text: escape(text), Blocks: blocks}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
