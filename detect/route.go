package detect

import (
	"github.com/cairn-sec/cairn/sigma"
)

// Event sources (cairn.Event.Source) rules are routed to.
const (
	SourceCloudTrail  = "aws.cloudtrail"
	SourceVPCFlow     = "aws.vpcflow"
	SourceResolver    = "aws.route53resolver"
	SourceEKSAudit    = "aws.eks.audit"
	SourceApplication = "application"
)

// Route returns the event source a rule's logsource applies to, or "" when
// Cairn collects no such events:
//
//	product aws, service cloudtrail               → aws.cloudtrail
//	product aws, service vpcflow (vpcflowlogs)    → aws.vpcflow
//	product aws, service route53 (route53resolver), or category dns → aws.route53resolver
//	product kubernetes, service audit; product aws, service eks → aws.eks.audit
//	category or product application               → application
func Route(ls sigma.LogSource) string {
	switch {
	case ls.Product == "aws" && ls.Service == "cloudtrail":
		return SourceCloudTrail
	case ls.Product == "aws" && (ls.Service == "vpcflow" || ls.Service == "vpcflowlogs" || ls.Service == "vpc_flow"):
		return SourceVPCFlow
	case ls.Product == "aws" && (ls.Service == "route53" || ls.Service == "route53resolver"),
		ls.Category == "dns" && (ls.Product == "" || ls.Product == "aws"):
		return SourceResolver
	case ls.Product == "kubernetes" && (ls.Service == "audit" || ls.Service == ""),
		ls.Product == "aws" && ls.Service == "eks":
		return SourceEKSAudit
	case ls.Category == "application" || ls.Product == "application":
		return SourceApplication
	}
	return ""
}

// route is one group of rules with the same logsource, evaluated as a
// sigma.RuleSet against that logsource.
type route struct {
	ls  sigma.LogSource
	set *sigma.RuleSet
}

// routes groups detection rules by event source, then by exact logsource.
func routes(rules []*sigma.Rule) (map[string][]route, []*sigma.Rule) {
	type key struct {
		src string
		ls  sigma.LogSource
	}
	groups := map[key][]*sigma.Rule{}
	var order []key
	var unrouted []*sigma.Rule
	for _, r := range rules {
		if r.Detection == nil {
			continue
		}
		src := Route(r.LogSource)
		if src == "" {
			unrouted = append(unrouted, r)
			continue
		}
		ls := r.LogSource
		ls.Definition = ""
		k := key{src, ls}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	out := map[string][]route{}
	for _, k := range order {
		out[k.src] = append(out[k.src], route{ls: k.ls, set: sigma.NewRuleSet(groups[k])})
	}
	return out, unrouted
}
