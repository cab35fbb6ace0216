package search

import (
	"context"
	"strings"
	"testing"
)

// injections try to break out of values, names and comments.
var injections = []string{
	`user_agent:"'; DROP TABLE events; --"`,
	`user_agent:'; DROP TABLE events; --`,
	`"'); DELETE FROM events; --"`,
	`error_message:"a' OR '1'='1"`,
	`error_message:a'OR'1'='1`,
	`user_name:"\"; DROP TABLE events; --"`,
	`event_name:"*/ DROP TABLE events /*"`,
	`event_name:-- comment`,
	`event_name:/' OR 1=1 --/`,
	`requestParameters.bucketName:"'||(SELECT 1)||'"`,
	`user_name:"ａｌｉｃｅ＇；ＤＲＯＰ"`,
	"user_name:\"alice\u202e'; DROP\"",
	"user_name:\"zero\u200bwidth'\"",
	`user_name:"back\\slash\\'"`,
	`user_name:"%' ESCAPE '"`,
	`time:["2024-05-01'; DROP" TO *]`,
	`| where user_name == "'; DROP TABLE events; --"`,
	`| where user_name == '\'; DROP TABLE events; --'`,
	`| eval x = "');DROP TABLE events;--" | fields x`,
	`| stats count() as "a; DROP TABLE events" by user_name`,
	"| stats count() as `x\"y` by user_name",
	`| fields "user_name; DROP"`,
	`requestParameters.a"b:1`,
	`requestParameters.a'b:1`,
	`x');DROP--:v`,
	`| where match(user_name, "') OR true --")`,
	`| sort -"x; DROP"`,
	`| where cidrmatch("10.0.0.0/8'; DROP", source_ip)`,
}

// Injection attempts either fail to compile or compile to the statement a
// harmless value gives, and leave the store as it was.
func TestInjection(t *testing.T) {
	s := fixtureDB(t)
	ctx := context.Background()
	before := rows(t, `| count`)
	for _, q := range injections {
		t.Run(q, func(t *testing.T) {
			st, err := Compile(q, Options{Now: goldenNow})
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("error is not *Error: %v", err)
				}
				return
			}
			checkSQLSafe(t, q, st)
			if _, err := s.Query(ctx, st.SQL, 0, st.Args...); err != nil {
				t.Fatalf("%q: %v\n%s", q, err, st.SQL)
			}
			// The same query with every quoted value made harmless
			// compiles to the same SQL: values cannot change it.
			tame := phraseRe.ReplaceAllString(q, `"x"`)
			if tame != q {
				st2, err := Compile(tame, Options{Now: goldenNow})
				if err == nil && st2.SQL != st.SQL {
					t.Errorf("%q changes the statement:\n%s\nversus\n%s", q, st.SQL, st2.SQL)
				}
			}
		})
	}
	if after := rows(t, `| count`); after != before {
		t.Fatalf("store changed: %s, then %s", before, after)
	}
	// The values are searched for as text.
	if got := rows(t, `user_agent:"Mozilla'; DROP TABLE events; --" | fields event_id`); got != "event_id=e22" {
		t.Errorf("got %q", got)
	}
	if got := rows(t, `| where user_agent = "mozilla'; drop table events; --" | fields event_id`); got != "event_id=e22" {
		t.Errorf("got %q", got)
	}
	for _, q := range injections {
		if st, err := Compile(q, Options{}); err == nil && strings.Contains(strings.ToUpper(st.SQL), "DROP") {
			t.Errorf("%q: DROP in SQL", q)
		}
	}
}
