package notification

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// maxReasonQuote bounds body-derived text (a topic ARN) in a Reason.
const maxReasonQuote = 256

// parseSNS handles an SNS envelope: {"Type":..,"Message":..,"TopicArn":..}.
// A Notification's Message is parsed like a raw body (no further SNS
// nesting); confirmations are ignored.
func parseSNS(obj map[string]json.RawMessage) (Notification, error) {
	typ, ok := str(obj["Type"])
	if !ok {
		return Notification{}, unknownf("SNS-like envelope whose Type is not a string")
	}
	topic, _ := str(obj["TopicArn"])
	switch typ {
	case "Notification":
		msg, ok := str(obj["Message"])
		if !ok || isNull(obj["Message"]) {
			return Notification{}, unknownf("SNS Notification whose Message is not a string")
		}
		if len(bytes.TrimSpace([]byte(msg))) == 0 {
			return Notification{}, unknownf("SNS Notification with an empty Message")
		}
		n, err := parse([]byte(msg), false)
		if err != nil {
			return Notification{}, unknownf("SNS Notification whose Message is %s", err.Error())
		}
		n.SNS = true
		n.TopicARN = topic
		return n, nil
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		return Notification{
			Shape:    ShapeSubscriptionConfirmation,
			SNS:      true,
			TopicARN: topic,
			Ignore:   true,
			Reason:   "SNS " + typ + " for topic " + strconv.Quote(clip(topic, maxReasonQuote)) + "; ignored (Cairn does not confirm SNS subscriptions)",
		}, nil
	}
	return Notification{}, unknownf("SNS envelope of Type %s", quote(typ))
}
