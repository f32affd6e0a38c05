// Package archtest keeps docs/architecture.md true: its test checks that the
// package map lists every package under internal/ and cmd/, that imports
// only go to the same layer or a lower one, and that the functions the
// document names exist. It has no code of its own.
package archtest
