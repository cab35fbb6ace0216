package ioc

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Type is an indicator type.
type Type string

// Indicator types.
const (
	TypeIPv4               Type = "ipv4"
	TypeIPv6               Type = "ipv6"
	TypeCIDR               Type = "cidr"
	TypeAccessKeyID        Type = "access_key_id"
	TypeARN                Type = "arn"
	TypeAccountID          Type = "account_id"
	TypeUserAgent          Type = "user_agent"
	TypeUserAgentSubstring Type = "user_agent_substring"
	TypeDomain             Type = "domain"
	TypeURL                Type = "url"
	TypeUserName           Type = "user_name"
)

// Indicator is one entry of a list.
type Indicator struct {
	Value       string // normalized: addresses and prefixes canonical, domains lower case without a trailing dot
	Type        Type
	List        string // the configured list it came from
	Source      string // the feed it names itself (CSV source column, STIX created_by_ref), if any
	Name        string // STIX name
	Description string
	Labels      []string
	ValidUntil  time.Time // zero: no end

	prefix netip.Prefix // cidr, ipv4, ipv6
	host   string       // url: lower-case host
}

// typeAliases maps the type names accepted in CSV files (and STIX object
// types) to types. "" and "auto" detect.
var typeAliases = map[string]Type{
	"ipv4": TypeIPv4, "ipv4-addr": TypeIPv4, "ip": "", "ip-dst": "", "ip-src": "", "ipv6": TypeIPv6, "ipv6-addr": TypeIPv6,
	"cidr": TypeCIDR, "network": TypeCIDR, "subnet": TypeCIDR,
	"access_key_id": TypeAccessKeyID, "access-key": TypeAccessKeyID, "access_key": TypeAccessKeyID,
	"arn": TypeARN, "account_id": TypeAccountID, "account": TypeAccountID, "aws_account": TypeAccountID,
	"user_agent": TypeUserAgent, "user-agent": TypeUserAgent, "useragent": TypeUserAgent,
	"user_agent_substring": TypeUserAgentSubstring, "user_agent_contains": TypeUserAgentSubstring,
	"domain": TypeDomain, "domain-name": TypeDomain, "hostname": TypeDomain, "fqdn": TypeDomain,
	"url": TypeURL, "uri": TypeURL, "user_name": TypeUserName, "username": TypeUserName, "user": TypeUserName,
	"auto": "",
}

// ParseType maps a type name (or an alias such as ipv4-addr, domain-name,
// hostname) to a Type; "" or "auto" return "" (detect).
func ParseType(s string) (Type, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	t, ok := typeAliases[s]
	if !ok && s != "" {
		return "", fmt.Errorf("unknown indicator type %q", s)
	}
	return t, nil
}

var (
	accessKeyRE = regexp.MustCompile(`^(AKIA|ASIA)[A-Z0-9]{16}$`)
	accountRE   = regexp.MustCompile(`^[0-9]{12}$`)
	arnRE       = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:[a-zA-Z0-9-]+:[a-z0-9-]*:([0-9]{12})?:.+$`)
	// A host name: dot-separated labels, a non-numeric last label.
	domainRE = regexp.MustCompile(`^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// Detect tells the type of an untyped entry: an IP address or CIDR, an
// AWS access key ID (AKIA/ASIA + 16), an ARN, a 12-digit account ID, a
// URL (scheme://host…), a domain name; anything else with a '/' or a space
// in it is taken as an exact user agent. It returns an error otherwise.
func Detect(v string) (Type, error) {
	switch {
	case v == "":
		return "", fmt.Errorf("empty indicator")
	case strings.Contains(v, "/") && !strings.Contains(v, "://") && isPrefix(v):
		return TypeCIDR, nil
	case isAddr(v):
		if a, _ := netip.ParseAddr(v); a.Is4() || a.Is4In6() {
			return TypeIPv4, nil
		}
		return TypeIPv6, nil
	case accessKeyRE.MatchString(v):
		return TypeAccessKeyID, nil
	case strings.HasPrefix(v, "arn:"):
		return TypeARN, nil
	case accountRE.MatchString(v):
		return TypeAccountID, nil
	case strings.Contains(v, "://"):
		return TypeURL, nil
	case domainRE.MatchString(strings.TrimSuffix(strings.ToLower(v), ".")):
		return TypeDomain, nil
	case strings.ContainsAny(v, "/ "):
		return TypeUserAgent, nil
	}
	return "", fmt.Errorf("cannot tell the type of %q (give it a type column in CSV)", v)
}

func isAddr(v string) bool   { _, err := netip.ParseAddr(v); return err == nil }
func isPrefix(v string) bool { _, err := netip.ParsePrefix(v); return err == nil }

// New checks and normalizes an indicator; t "" detects the type.
func New(value string, t Type) (Indicator, error) {
	value = strings.TrimSpace(value)
	if t == "" {
		var err error
		if t, err = Detect(value); err != nil {
			return Indicator{}, err
		}
	}
	ind := Indicator{Type: t}
	switch t {
	case TypeIPv4, TypeIPv6:
		a, err := netip.ParseAddr(value)
		if err != nil {
			return ind, fmt.Errorf("%s %q: %w", t, value, err)
		}
		a = a.Unmap()
		if a.Is4() != (t == TypeIPv4) {
			return ind, fmt.Errorf("%s %q: wrong address family", t, value)
		}
		a = a.WithZone("")
		ind.Value, ind.prefix = a.String(), netip.PrefixFrom(a, a.BitLen())
	case TypeCIDR:
		p, err := netip.ParsePrefix(value)
		if err != nil {
			return ind, fmt.Errorf("cidr %q: %w", value, err)
		}
		p = p.Masked()
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		ind.Value, ind.prefix = p.String(), p
	case TypeAccessKeyID:
		if !accessKeyRE.MatchString(value) {
			return ind, fmt.Errorf("access key ID %q: want AKIA or ASIA and 16 characters A-Z0-9", value)
		}
		ind.Value = value
	case TypeARN:
		if !arnRE.MatchString(value) {
			return ind, fmt.Errorf("ARN %q: want arn:partition:service:region:account:resource", value)
		}
		ind.Value = value
	case TypeAccountID:
		if !accountRE.MatchString(value) {
			return ind, fmt.Errorf("account ID %q: want 12 digits", value)
		}
		ind.Value = value
	case TypeDomain:
		d := strings.TrimSuffix(strings.ToLower(value), ".")
		d = strings.TrimPrefix(d, "*.")
		if !domainRE.MatchString(d) {
			return ind, fmt.Errorf("domain %q: not a host name", value)
		}
		ind.Value = d
	case TypeURL:
		u, err := url.Parse(value)
		if err != nil || u.Hostname() == "" {
			return ind, fmt.Errorf("url %q: no host", value)
		}
		ind.Value, ind.host = value, strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	case TypeUserAgent, TypeUserName:
		if value == "" {
			return ind, fmt.Errorf("empty %s", t)
		}
		ind.Value = value
	case TypeUserAgentSubstring:
		if value == "" {
			return ind, fmt.Errorf("empty %s", t)
		}
		ind.Value = strings.ToLower(value)
	default:
		return ind, fmt.Errorf("unknown indicator type %q", t)
	}
	return ind, nil
}
