package cloudtrail

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bytedance/sonic"

	"github.com/cairn-sec/cairn"
)

// Source is the value of the source column for CloudTrail events.
const Source = "aws.cloudtrail"

// OCSF API Activity.
const (
	classAPIActivity = 6003
	activityCreate   = 1
	activityRead     = 2
	activityUpdate   = 3
	activityDelete   = 4
	activityOther    = 99
)

// decodeAPI validates strings: sonic's default config accepts raw control
// characters and invalid escapes ("\q", "\u12") inside strings, which
// encoding/json (and every consumer of the raw column) rejects, so such a
// record would have been stored as an event with invalid JSON as raw.
// Even so, sonic does not check escapes in values it skips or keeps raw
// (`{"x":{"\0":1}}`, `"requestParameters":{"a":"\#"}`): validText
// covers those.
var decodeAPI = sonic.Config{ValidateString: true}.Froze()

// Normalize fills ev from one raw CloudTrail record. raw is kept (not
// copied) as ev.Raw.
func Normalize(raw []byte, ev *cairn.Event) error {
	// JSON text is UTF-8 (RFC 8259) and CloudTrail writes nothing else.
	// Invalid bytes would be kept by sonic but replaced by encoding/json,
	// and they are not valid VARCHAR text for the store, so refuse them.
	if !utf8.Valid(raw) {
		return fmt.Errorf("record is not valid UTF-8")
	}
	if i, why := validText(raw); i >= 0 {
		return fmt.Errorf("not a valid JSON record: %s at byte %d", why, i)
	}
	var r record
	if err := decodeAPI.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("not a valid JSON record: %w", err)
	}
	if r.EventTime == "" {
		return fmt.Errorf("record has no eventTime")
	}
	t, err := parseTime(r.EventTime)
	if err != nil {
		return fmt.Errorf("bad eventTime %q: %w", truncate(r.EventTime, 40), err)
	}
	// Insights events (eventType AwsCloudTrailInsight) carry the API's name
	// and source only inside insightDetails.
	if r.InsightDetails != nil {
		if r.EventName == "" {
			r.EventName = r.InsightDetails.EventName
		}
		if r.EventSource == "" {
			r.EventSource = r.InsightDetails.EventSource
		}
	}
	if r.EventName == "" {
		return fmt.Errorf("record has no eventName")
	}
	u := &r.UserIdentity
	*ev = cairn.Event{
		Time:             t,
		Source:           Source,
		EventID:          r.EventID,
		EventName:        r.EventName,
		EventSource:      r.EventSource,
		EventType:        r.EventType,
		AccountID:        firstNonEmpty(r.RecipientAccountID, u.AccountID),
		Region:           r.AwsRegion,
		UserType:         u.Type,
		UserARN:          u.ARN,
		UserPrincipalID:  u.PrincipalID,
		AccessKeyID:      u.AccessKeyID,
		SessionIssuerARN: u.SessionContext.SessionIssuer.ARN,
		InvokedBy:        u.InvokedBy,
		SourceIP:         r.SourceIPAddress,
		UserAgent:        r.UserAgent,
		ErrorCode:        r.ErrorCode,
		ErrorMessage:     r.ErrorMessage,
		Raw:              raw,
	}
	if r.ReadOnly != nil {
		ev.ReadOnly = cairn.Bool(*r.ReadOnly)
	}
	ev.UserName = userName(u)
	switch strings.ToLower(u.SessionContext.Attributes.MFAAuthenticated) {
	case "true":
		ev.SessionMFA = cairn.True
	case "false":
		ev.SessionMFA = cairn.False
	}
	ev.RequestParameters = jsonOrNil(r.RequestParameters)
	ev.ResponseElements = jsonOrNil(r.ResponseElements)
	ev.AdditionalEventData = jsonOrNil(r.AdditionalEventData)
	ev.Resources = jsonOrNil(r.Resources)

	ev.Status = "Success"
	if r.ErrorCode != "" {
		ev.Status = "Failure"
	}
	if r.EventName == "ConsoleLogin" {
		consoleLogin(ev)
	}
	ev.Level = level(ev)
	ev.ClassUID = classAPIActivity
	ev.ActivityID = activity(r.EventName, ev.ReadOnly)
	ev.TypeUID = ev.ClassUID*100 + ev.ActivityID
	return nil
}

// consoleLogin takes the outcome and MFA use from the sign-in event's own
// fields, which is where CloudTrail records them.
func consoleLogin(ev *cairn.Event) {
	if ev.ResponseElements != nil {
		var resp consoleLoginResponse
		if decodeAPI.Unmarshal(ev.ResponseElements, &resp) == nil {
			switch resp.ConsoleLogin {
			case "Success":
				ev.Status = "Success"
			case "Failure":
				ev.Status = "Failure"
			}
		}
	}
	if ev.SessionMFA == cairn.Unknown && ev.AdditionalEventData != nil {
		var data consoleLoginData
		if decodeAPI.Unmarshal(ev.AdditionalEventData, &data) == nil {
			switch data.MFAUsed {
			case "Yes":
				ev.SessionMFA = cairn.True
			case "No":
				ev.SessionMFA = cairn.False
			}
		}
	}
}

// userName is userName, else the session issuer's, else the identity
// center user, else the last part of the ARN.
func userName(u *userIdentity) string {
	if u.UserName != "" {
		return u.UserName
	}
	if n := u.SessionContext.SessionIssuer.UserName; n != "" {
		return n
	}
	if u.OnBehalfOf.UserID != "" {
		return u.OnBehalfOf.UserID
	}
	if u.ARN != "" {
		arn := u.ARN
		if i := strings.LastIndexByte(arn, '/'); i >= 0 {
			return arn[i+1:]
		}
		if i := strings.LastIndexByte(arn, ':'); i >= 0 {
			return arn[i+1:]
		}
		return arn
	}
	if u.Type == "AWSService" {
		return u.InvokedBy
	}
	return ""
}

// level is ERROR for a failed call, WARN for a destructive one, else INFO.
// It follows Status, not only errorCode: a failed ConsoleLogin has an
// errorMessage and responseElements.ConsoleLogin "Failure" but no
// errorCode, and must not be INFO.
func level(ev *cairn.Event) string {
	if ev.ErrorCode != "" || ev.Status == "Failure" {
		return "ERROR"
	}
	n := ev.EventName
	if strings.Contains(n, "Delete") || strings.Contains(n, "Terminate") || strings.Contains(n, "Revoke") {
		return "WARN"
	}
	return "INFO"
}

// verbs maps the leading verb of an API name to an OCSF activity.
var verbs = map[string]int32{
	"Create": activityCreate, "Run": activityCreate, "Launch": activityCreate, "Register": activityCreate,
	"Allocate": activityCreate, "Import": activityCreate, "Upload": activityCreate, "Add": activityCreate,
	"Issue": activityCreate, "Request": activityCreate, "Copy": activityCreate, "Invoke": activityCreate,
	"Publish": activityCreate, "Send": activityCreate, "Generate": activityCreate, "Subscribe": activityCreate,
	"Get": activityRead, "List": activityRead, "Describe": activityRead, "Head": activityRead,
	"Lookup": activityRead, "Search": activityRead, "Select": activityRead, "Scan": activityRead,
	"Query": activityRead, "BatchGet": activityRead, "Download": activityRead, "Check": activityRead,
	"Decrypt": activityRead, "Retrieve": activityRead, "Filter": activityRead, "View": activityRead,
	"Update": activityUpdate, "Modify": activityUpdate, "Set": activityUpdate, "Put": activityUpdate,
	"Attach": activityUpdate, "Associate": activityUpdate, "Change": activityUpdate, "Enable": activityUpdate,
	"Disable": activityUpdate, "Start": activityUpdate, "Stop": activityUpdate, "Reboot": activityUpdate,
	"Tag": activityUpdate, "Untag": activityUpdate, "Replace": activityUpdate, "Reset": activityUpdate,
	"Restore": activityUpdate, "Rotate": activityUpdate, "Apply": activityUpdate, "Authorize": activityUpdate,
	"Assume": activityUpdate, "Upgrade": activityUpdate, "Edit": activityUpdate, "Accept": activityUpdate,
	"Encrypt": activityUpdate, "Resume": activityUpdate, "Leave": activityUpdate, "Share": activityUpdate,
	"Delete": activityDelete, "Remove": activityDelete, "Terminate": activityDelete, "Revoke": activityDelete,
	"Deregister": activityDelete, "Release": activityDelete, "Disassociate": activityDelete, "Detach": activityDelete,
	"Purge": activityDelete, "Cancel": activityDelete, "Destroy": activityDelete, "Unsubscribe": activityDelete,
	"BatchDelete": activityDelete, "Deactivate": activityDelete,
}

// activity derives the OCSF activity from the event name's leading verb:
// its first one or two capitalised words ("Delete", "BatchDelete").
func activity(name string, readOnly cairn.Tristate) int32 {
	first := wordEnd(name, 0)
	if second := wordEnd(name, first); second > first {
		if a, ok := verbs[name[:second]]; ok {
			return a
		}
	}
	if a, ok := verbs[name[:first]]; ok {
		return a
	}
	if readOnly == cairn.True {
		return activityRead
	}
	return activityOther
}

// wordEnd returns the end of the capitalised word starting at i.
func wordEnd(s string, i int) int {
	if i >= len(s) {
		return i
	}
	j := i + 1
	for j < len(s) && !(s[j] >= 'A' && s[j] <= 'Z') {
		j++
	}
	return j
}

func jsonOrNil(b []byte) []byte {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	return b
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// errZeroTime refuses 0001-01-01T00:00:00Z (parseTime): CloudTrail never
// logged then, and Cairn reads the zero time as "no time".
var errZeroTime = errors.New("the zero time")

// parseTime reads CloudTrail's eventTime, "2006-01-02T15:04:05Z", with a
// fast path for that exact layout and RFC 3339 otherwise; the zero time is
// refused either way.
func parseTime(s string) (time.Time, error) {
	if len(s) == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z' {
		y, ok1 := digits(s[0:4])
		mo, ok2 := digits(s[5:7])
		d, ok3 := digits(s[8:10])
		h, ok4 := digits(s[11:13])
		mi, ok5 := digits(s[14:16])
		se, ok6 := digits(s[17:19])
		// time.Date normalizes out-of-range values (Feb 31 → Mar 3, second
		// 60 → next minute); time.Parse rejects them. Only take the fast
		// path when the date is real, so both paths agree.
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && se < 60 {
			if t := time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC); t.Day() == d {
				return nonZero(t)
			}
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return nonZero(t.UTC())
}

// nonZero refuses the zero time (errZeroTime).
func nonZero(t time.Time) (time.Time, error) {
	if t.IsZero() {
		return time.Time{}, errZeroTime
	}
	return t, nil
}

// validText returns -1 when every string in the JSON text raw has only
// valid escapes and no control characters, and every number fits a
// float64 (encoding/json, and DuckDB's JSON functions, refuse 1e999);
// else the offset of the first bad byte and what is wrong there.
// Structure and number syntax are left to the parser. It is one cheap
// pass: about a quarter of the cost of encoding/json's Valid.
func validText(raw []byte) (int, string) {
	in := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !in {
			switch {
			case c == '"':
				in = true
			case c == '-' || c >= '0' && c <= '9':
				end, exp := i, false
				for end < len(raw) && strings.IndexByte("0123456789+-.eE", raw[end]) >= 0 {
					exp = exp || raw[end] == 'e' || raw[end] == 'E'
					end++
				}
				// Only an exponent, or hundreds of digits, can leave
				// float64's range.
				if exp || end-i > 300 {
					if _, err := strconv.ParseFloat(string(raw[i:end]), 64); errors.Is(err, strconv.ErrRange) {
						return i, "number out of range"
					}
				}
				i = end - 1
			}
			continue
		}
		switch {
		case c == '"':
			in = false
		case c < 0x20:
			return i, "control character in a string"
		case c == '\\':
			if i+1 >= len(raw) {
				return i, "bad escape in a string"
			}
			switch raw[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 >= len(raw) || !isHex(raw[i+2]) || !isHex(raw[i+3]) || !isHex(raw[i+4]) || !isHex(raw[i+5]) {
					return i, "bad escape in a string"
				}
				i += 5
			default:
				return i, "bad escape in a string"
			}
		}
	}
	if in {
		return len(raw), "unterminated string"
	}
	return -1, ""
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
