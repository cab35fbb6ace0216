package search

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-sec/cairn"
)

// The differential test: random filters run as compiled SQL on a store and
// by a plain Go evaluator over the same decoded events must select the
// same events.

// gexpr is a generated filter: its text and what it means.
type gexpr struct {
	text string
	eval func(e *evalEvent) bool
}

// evalEvent is an event and its decoded raw record.
type evalEvent struct {
	*cairn.Event
	doc any
}

// strField reads a string column: ok is false for NULL.
type strField struct {
	name string
	get  func(e *cairn.Event) string
	vals []string
}

var diffStrFields = []strField{
	{"event_name", func(e *cairn.Event) string { return e.EventName }, []string{"ConsoleLogin", "CreateUser", "DeleteBucket", "GetObject", "ListUsers", "StopLogging"}},
	{"eventName", func(e *cairn.Event) string { return e.EventName }, []string{"consolelogin", "RunInstances"}},
	{"user_name", func(e *cairn.Event) string { return e.UserName }, []string{"alice", "bob", "Dave", "svc_%admin", "deploy", "root", "ec2.amazonaws.com"}},
	{"user.name", func(e *cairn.Event) string { return e.UserName }, []string{"ALICE", "carol"}},
	{"error_code", func(e *cairn.Event) string { return e.ErrorCode }, []string{"AccessDenied", "Client.UnauthorizedOperation", "NoSuchEntityException"}},
	{"aws_region", func(e *cairn.Event) string { return e.Region }, []string{"us-east-1", "us-west-2", "eu-west-1"}},
	{"event_source", func(e *cairn.Event) string { return e.EventSource }, []string{"iam.amazonaws.com", "s3.amazonaws.com", "signin.amazonaws.com"}},
	{"user_agent", func(e *cairn.Event) string { return e.UserAgent }, []string{"aws-cli/2.15.0", "Mozilla/5.0", "Terraform/1.5.0"}},
	{"user_type", func(e *cairn.Event) string { return e.UserType }, []string{"Root", "IAMUser", "AssumedRole", "AWSService"}},
	{"status", func(e *cairn.Event) string { return e.Status }, []string{"Success", "failure"}},
}

var ipFieldVals = []string{"10.0.0.0/8", "10.1.0.0/16", "10.0.0.1", "192.168.0.0/16", "0.0.0.0/0", "203.0.113.0/24",
	"2001:db8::/32", "2001:db8:0:1::/64", "2001:db8::ff", "fe80::/10", "::/0", "10.255.255.255/32"}

type pathField struct {
	name string
	path []string
	vals []string
}

var diffPaths = []pathField{
	{"requestParameters.bucketName", []string{"requestParameters", "bucketName"}, []string{"payroll", "public-data", "logs_2024", "PAYROLL"}},
	{"request_parameters.items.id", []string{"requestParameters", "items", "id"}, []string{"a1", "b2", "c3"}},
	{"requestParameters.policyArn", []string{"requestParameters", "policyArn"}, []string{"arn:aws:iam::aws:policy/AdministratorAccess", "ReadOnlyAccess"}},
	{"requestParameters.userName", []string{"requestParameters", "userName"}, []string{"mallory"}},
}

// likeMatch is ILIKE: case-insensitive, '*' any run, '?' one character.
func likeMatch(pattern []part, s string) bool {
	var b strings.Builder
	b.WriteString(`(?is)^`)
	for _, p := range pattern {
		switch p.wild {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(p.lit))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()).MatchString(s)
}

// genValue makes a value for a string field: exact (maybe in another
// case), quoted, or with wildcards. match tests a present value.
func genValue(r *rand.Rand, vals []string) (string, func(string) bool) {
	v := vals[r.IntN(len(vals))]
	switch r.IntN(5) {
	case 0:
		return strconv.Quote(v), func(s string) bool { return strings.EqualFold(s, v) }
	case 1, 2:
		// Replace some characters by wildcards.
		var parts []part
		var text strings.Builder
		rs := []rune(v)
		for i := 0; i < len(rs); i++ {
			switch x := r.IntN(8); {
			case x == 0:
				parts = append(parts, part{wild: '?'})
				text.WriteByte('?')
			case x == 1:
				parts = append(parts, part{wild: '*'})
				text.WriteByte('*')
				i += r.IntN(3)
			default:
				parts = append(parts, part{lit: string(rs[i])})
				text.WriteString(escapeTerm(string(rs[i])))
			}
		}
		if text.Len() == 0 || !strings.ContainsAny(text.String(), "*?") {
			parts = append(parts, part{wild: '*'})
			text.WriteByte('*')
		}
		return text.String(), func(s string) bool { return likeMatch(parts, s) }
	}
	if r.IntN(2) == 0 {
		v = strings.ToUpper(v[:1]) + v[1:]
	}
	return escapeTerm(v), func(s string) bool { return strings.EqualFold(s, v) }
}

// escapeTerm escapes the characters a filter term cannot hold bare.
func escapeTerm(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\ ()[]{}":*?|^~`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// jsonValues collects the text values at path, arrays standing for each
// element, as the SQL does.
func jsonValues(doc any, path []string) []string {
	cur := []any{doc}
	for _, seg := range path {
		var next []any
		for _, c := range cur {
			if arr, ok := c.([]any); ok {
				for _, el := range arr {
					if m, ok := el.(map[string]any); ok {
						next = append(next, m[seg])
					}
				}
			} else if m, ok := c.(map[string]any); ok {
				next = append(next, m[seg])
			}
		}
		cur = next
	}
	var out []string
	for _, c := range cur {
		items := []any{c}
		if arr, ok := c.([]any); ok {
			items = arr
		}
		for _, it := range items {
			switch x := it.(type) {
			case string:
				out = append(out, x)
			case json.Number:
				out = append(out, x.String())
			case bool:
				out = append(out, strconv.FormatBool(x))
			}
		}
	}
	return out
}

func genLeaf(r *rand.Rand, times []time.Time) gexpr {
	switch r.IntN(11) {
	case 0, 1, 2:
		f := diffStrFields[r.IntN(len(diffStrFields))]
		text, match := genValue(r, f.vals)
		return gexpr{f.name + ":" + text, func(e *evalEvent) bool { s := f.get(e.Event); return s != "" && match(s) }}
	case 3:
		f := diffStrFields[r.IntN(len(diffStrFields))]
		return gexpr{f.name + ":*", func(e *evalEvent) bool { return f.get(e.Event) != "" }}
	case 4:
		v := ipFieldVals[r.IntN(len(ipFieldVals))]
		name := []string{"source_ip", "sourceIPAddress", "source.ip"}[r.IntN(3)]
		return gexpr{name + ":" + v, func(e *evalEvent) bool { return ipMatch(v, e.SourceIP) }}
	case 5:
		a, b := times[r.IntN(len(times))], times[r.IntN(len(times))]
		if b.Before(a) {
			a, b = b, a
		}
		li, hi := r.IntN(2) == 0, r.IntN(2) == 0
		open := map[bool]string{true: "[", false: "{"}[li]
		cl := map[bool]string{true: "]", false: "}"}[hi]
		return gexpr{fmt.Sprintf("time:%s%s TO %s%s", open, a.Format(time.RFC3339), b.Format(time.RFC3339), cl), func(e *evalEvent) bool {
			t := e.Time
			return (t.After(a) || li && t.Equal(a)) && (t.Before(b) || hi && t.Equal(b))
		}}
	case 6:
		n := r.IntN(5)
		op := []string{">", ">=", "<", "<="}[r.IntN(4)]
		return gexpr{fmt.Sprintf("activity_id:%s%d", op, n), func(e *evalEvent) bool {
			a := int(e.ActivityID)
			return map[string]bool{">": a > n, ">=": a >= n, "<": a < n, "<=": a <= n}[op]
		}}
	case 7:
		b := r.IntN(3)
		v := []string{"true", "false", "*"}[b]
		return gexpr{"read_only:" + v, func(e *evalEvent) bool {
			return e.ReadOnly != cairn.Unknown && (b == 2 || (e.ReadOnly == cairn.True) == (b == 0))
		}}
	case 8:
		p := diffPaths[r.IntN(len(diffPaths))]
		if r.IntN(4) == 0 {
			return gexpr{p.name + ":*", func(e *evalEvent) bool {
				return slices.ContainsFunc(jsonValues(e.doc, p.path), func(s string) bool { return s != "" })
			}}
		}
		text, match := genValue(r, p.vals)
		return gexpr{p.name + ":" + text, func(e *evalEvent) bool { return slices.ContainsFunc(jsonValues(e.doc, p.path), match) }}
	case 9:
		lo, hi := r.IntN(60), 40+r.IntN(60)
		return gexpr{fmt.Sprintf("requestParameters.n:[%d TO %d}", lo, hi), func(e *evalEvent) bool {
			return slices.ContainsFunc(jsonValues(e.doc, []string{"requestParameters", "n"}), func(s string) bool {
				f, err := strconv.ParseFloat(s, 64)
				return err == nil && f >= float64(lo) && f < float64(hi)
			})
		}}
	default:
		w := []string{"payroll", "Terraform", "svc_%admin", "a1", "DeleteBucket", "mallory"}[r.IntN(6)]
		return gexpr{escapeTerm(w), func(e *evalEvent) bool {
			return strings.Contains(strings.ToLower(string(e.Raw)), strings.ToLower(w))
		}}
	}
}

// ipMatch is the meaning of source_ip:v for an address (or a CIDR block).
func ipMatch(v, s string) bool {
	if !strings.Contains(v, "/") {
		va, err := netip.ParseAddr(v)
		if err == nil && va.Is4() {
			return strings.EqualFold(s, v)
		}
		v += "/128"
	}
	p, err := netip.ParsePrefix(v)
	if err != nil {
		panic(err)
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" || a.Is4In6() || a.Is4() != p.Addr().Is4() {
		return false
	}
	return p.Masked().Contains(a)
}

func genExpr(r *rand.Rand, depth int, times []time.Time) gexpr {
	if depth <= 0 || r.IntN(3) == 0 {
		return genLeaf(r, times)
	}
	switch r.IntN(6) {
	case 0:
		x := genExpr(r, depth-1, times)
		kw := []string{"NOT ", "-", "!", "not "}[r.IntN(4)]
		return gexpr{kw + paren(x.text), func(e *evalEvent) bool { return !x.eval(e) }}
	case 1, 2:
		a, b := genExpr(r, depth-1, times), genExpr(r, depth-1, times)
		kw := []string{" OR ", " or ", " || "}[r.IntN(3)]
		return gexpr{paren(a.text) + kw + paren(b.text), func(e *evalEvent) bool { return a.eval(e) || b.eval(e) }}
	case 3:
		// A field group: field:(v1 OR v2).
		f := diffStrFields[r.IntN(len(diffStrFields))]
		t1, m1 := genValue(r, f.vals)
		t2, m2 := genValue(r, f.vals)
		return gexpr{f.name + ":(" + t1 + " OR " + t2 + ")", func(e *evalEvent) bool {
			s := f.get(e.Event)
			return s != "" && (m1(s) || m2(s))
		}}
	default:
		a, b := genExpr(r, depth-1, times), genExpr(r, depth-1, times)
		kw := []string{" AND ", " and ", " && ", " "}[r.IntN(4)]
		return gexpr{paren(a.text) + kw + paren(b.text), func(e *evalEvent) bool { return a.eval(e) && b.eval(e) }}
	}
}

func paren(s string) string { return "(" + s + ")" }

func TestDifferential(t *testing.T) {
	seed := uint64(20240501)
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, seed))
	evs := decode(t, logFile(t, append(fixtures(), randomRecords(r, 400)...)))
	s := newStore(t, evs)
	var all []*evalEvent
	var times []time.Time
	for _, ev := range evs {
		dec := json.NewDecoder(bytes.NewReader(ev.Raw))
		dec.UseNumber()
		var doc any
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		all = append(all, &evalEvent{Event: ev, doc: doc})
		times = append(times, ev.Time)
	}
	const cases = 400
	nonEmpty := 0
	for i := range cases {
		g := genExpr(r, 3, times)
		var want []string
		for _, e := range all {
			if g.eval(e) {
				want = append(want, e.EventID)
			}
		}
		st, err := Compile(g.text, Options{})
		if err != nil {
			t.Fatalf("case %d: Compile(%q): %v", i, g.text, err)
		}
		res, err := s.Query(t.Context(), st.SQL, 0, st.Args...)
		if err != nil {
			t.Fatalf("case %d: %q: %v\n%s", i, g.text, err, st.SQL)
		}
		var got []string
		for _, row := range res.Rows {
			got = append(got, row[2].(string)) // event_id
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("case %d: %s\nSQL selects %d events, Go %d\nonly SQL: %v\nonly Go: %v\n%s\n%#v", i, g.text, len(got), len(want),
				minus(got, want), minus(want, got), st.SQL, st.Args)
		}
		if len(want) > 0 && len(want) < len(all) {
			nonEmpty++
		}
	}
	// The generator must produce informative cases, not all-or-nothing.
	if nonEmpty < cases/3 {
		t.Errorf("only %d of %d cases selected some but not all events", nonEmpty, cases)
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	if len(out) > 10 {
		out = append(out[:10], "…")
	}
	return out
}
