// Package sdnotify tells systemd about lqosd's lifecycle (Type=notify units).
// Every function is a no-op returning (false, nil) when the process was not
// started by systemd with NOTIFY_SOCKET set, so callers can use them
// unconditionally.
package sdnotify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
)

// notify sends state without clearing NOTIFY_SOCKET (we notify repeatedly).
func notify(state string) (bool, error) {
	ok, err := daemon.SdNotify(false, state)
	if err != nil {
		return ok, fmt.Errorf("sd_notify %q: %w", firstLine(state), err)
	}
	return ok, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// Ready reports that start-up finished (the bus is listening). status is
// shown by `systemctl status` (may be empty).
func Ready(status string) (bool, error) {
	return notify(withStatus(daemon.SdNotifyReady, status))
}

// Stopping reports that shutdown began.
func Stopping(status string) (bool, error) {
	return notify(withStatus(daemon.SdNotifyStopping, status))
}

// Reloading reports a configuration reload (SIGHUP); call Ready when done.
// MONOTONIC_USEC lets Type=notify-reload units match the reload.
func Reloading(status string) (bool, error) {
	return notify(withStatus(daemon.SdNotifyReloading+"\n"+"MONOTONIC_USEC="+daemon.SdNotifyMonotonicUsec(), status))
}

// Status updates the free-form status line (e.g. "shaping 1234 circuits"
// or "degraded: preflight failed: interface eth1 missing").
func Status(status string) (bool, error) {
	return notify("STATUS=" + sanitize(status))
}

func withStatus(state, status string) string {
	if status == "" {
		return state
	}
	return state + "\nSTATUS=" + sanitize(status)
}

// sanitize keeps a status on one line: a newline would start a new
// assignment in the notify protocol.
func sanitize(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// Watchdog pings the systemd watchdog at half the configured WatchdogSec
// until ctx ends. It returns immediately (false) if no watchdog is set. alive
// is consulted before each ping so a wedged main loop stops the pings and
// lets systemd restart the daemon; nil means always alive.
func Watchdog(ctx context.Context, alive func() bool, log *slog.Logger) bool {
	every, err := daemon.SdWatchdogEnabled(false)
	if err != nil {
		if log != nil {
			log.Warn("systemd watchdog misconfigured", "err", err)
		}
		return false
	}
	if every <= 0 {
		return false
	}
	t := time.NewTicker(every / 2)
	defer t.Stop()
	for {
		if alive == nil || alive() {
			if _, err := notify(daemon.SdNotifyWatchdog); err != nil && log != nil {
				log.Warn("systemd watchdog ping failed", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return true
		case <-t.C:
		}
	}
}
