package deploy

import (
	"regexp"
	"testing"

	"github.com/cairn-sec/cairn/push"
)

// The endpoint URL the templates accept is one of cairn serve's Firehose
// routes, with a raw format it takes; anything else is refused at deploy
// time rather than failing delivery later.
func TestFirehoseURLPattern(t *testing.T) {
	re := regexp.MustCompile(firehoseURLPattern)
	good := []string{"https://cairn.example.com" + push.PathFirehoseCWLogs, "https://10.0.0.5:8443" + push.PathFirehoseRaw}
	for _, f := range push.RawFormats {
		good = append(good, "https://cairn.example.com"+push.PathFirehoseRaw+"?format="+f)
	}
	for _, u := range good {
		if !re.MatchString(u) {
			t.Errorf("%s refused", u)
		}
	}
	for _, u := range []string{"https://cairn.example.com", "https://cairn.example.com/", "http://cairn.example.com" + push.PathFirehoseCWLogs,
		"https://cairn.example.com" + push.PathLogs, "https://cairn.example.com/firehose/raw?format=xml"} {
		if re.MatchString(u) {
			t.Errorf("%s accepted", u)
		}
	}
}
