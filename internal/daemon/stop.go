package daemon

import (
	"github.com/libreqos-go/lqos/internal/sdnotify"
)

// stopping logs and tells systemd what a stop leaves in place.
func (d *Daemon) stopping(clean bool) {
	detach := clean && d.o.DetachOnStop
	switch {
	case detach:
		d.log.Info("terminating on signal; --detach-on-stop: detaching programs (maps and queues stay)")
		_, _ = sdnotify.Stopping("detaching programs (--detach-on-stop); maps and queues stay")
	case clean:
		d.log.Info("terminating on signal; programs, maps and queues stay in place so shaping continues until the next start adopts them")
		_, _ = sdnotify.Stopping("stopping; shaping stays in place")
	default:
		_, _ = sdnotify.Stopping("stopping; shaping stays in place")
	}
}

// releaseDatapath closes lqosd's handles on the data path. Unless detach is
// set the programs stay attached through their pinned links.
func (d *Daemon) releaseDatapath(detach bool) {
	if detach {
		if err := d.dp.Close(); err != nil {
			d.log.Warn("detaching the data path", "err", err)
		} else {
			d.log.Info("data path detached; maps stay pinned", "pin_dir", d.o.PinDir)
		}
		return
	}
	if err := d.dp.Release(); err != nil {
		d.log.Warn("closing the data path", "err", err)
	}
	d.log.Info("data path left attached (pinned links); the next lqosd start adopts it", "pin_dir", d.o.PinDir)
}
