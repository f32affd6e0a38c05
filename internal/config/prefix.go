package config

import "net/netip"

func checkPrefix(bad func(string, string, ...any), key, s string) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		bad(key, "%q is not a CIDR prefix", s)
		return
	}
	if p.Masked() != p {
		bad(key, "%q has host bits set (did you mean %s?)", s, p.Masked())
	}
}
