package ioc

import "net/netip"

// prefixTrie is a binary trie over address bits: a lookup walks at most
// 32 (IPv4) or 128 (IPv6) nodes and collects every prefix containing the
// address.
type prefixTrie struct {
	v4, v6 *trieNode
}

type trieNode struct {
	child [2]*trieNode
	inds  []*Indicator // indicators whose prefix ends here
}

func (t *prefixTrie) insert(p netip.Prefix, ind *Indicator) {
	root := &t.v4
	if !p.Addr().Is4() {
		root = &t.v6
	}
	if *root == nil {
		*root = &trieNode{}
	}
	n := *root
	a := p.Addr().AsSlice()
	for i := 0; i < p.Bits(); i++ {
		b := a[i/8] >> (7 - i%8) & 1
		if n.child[b] == nil {
			n.child[b] = &trieNode{}
		}
		n = n.child[b]
	}
	n.inds = append(n.inds, ind)
}

// lookup appends the indicators of every prefix that contains a.
func (t *prefixTrie) lookup(a netip.Addr, out []*Indicator) []*Indicator {
	a = a.Unmap()
	n := t.v4
	if !a.Is4() {
		n = t.v6
	}
	s := a.AsSlice()
	for i := 0; n != nil; i++ {
		out = append(out, n.inds...)
		if i == len(s)*8 {
			break
		}
		n = n.child[s[i/8]>>(7-i%8)&1]
	}
	return out
}
