//go:build !linux

package datapath

func sysClassNet(_ string, fn func(root string) error) error { return fn("/sys/class/net") }
