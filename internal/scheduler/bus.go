package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
)

// BusReporter reports to lqosd over its local bus. It keeps one connection
// and redials after lqosd restarts; it implements Reporter and BusWaiter.
type BusReporter struct {
	// Path of the bus socket (bus.DefaultSocketPath if empty).
	Path string

	mu    sync.Mutex
	c     *bus.Client
	dials uint64 // connections of the clients dropped before c
}

// Connections counts the connections made to lqosd (the client redials
// one lqosd closed): a change means lqosd may have restarted and lost what
// it was told (see Reconnector).
func (b *BusReporter) Connections() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c == nil {
		return b.dials
	}
	return b.dials + b.c.Connections()
}

// Close drops the connection.
func (b *BusReporter) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c == nil {
		return nil
	}
	b.dials += b.c.Connections()
	err := b.c.Close()
	b.c = nil
	return err
}

func (b *BusReporter) client(ctx context.Context) (*bus.Client, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c != nil {
		return b.c, nil
	}
	c, err := bus.Dial(ctx, b.Path)
	if err != nil {
		return nil, err
	}
	b.c = c
	return c, nil
}

func (b *BusReporter) drop(c *bus.Client) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c == c {
		b.dials += c.Connections()
		b.c.Close()
		b.c = nil
	}
}

// do runs f on a connection; a transport failure (not an error answer from
// lqosd) drops the connection and retries once on a fresh one, which covers
// an lqosd restart between two reports.
func (b *BusReporter) do(ctx context.Context, f func(*bus.Client) error) error {
	var err error
	for range 2 {
		var c *bus.Client
		c, err = b.client(ctx)
		if err != nil {
			return err
		}
		err = f(c)
		var be *bus.Error
		if err == nil || errors.As(err, &be) || ctx.Err() != nil {
			return err
		}
		b.drop(c)
	}
	return err
}

// Ping implements BusWaiter.
func (b *BusReporter) Ping(ctx context.Context) error {
	return b.do(ctx, func(c *bus.Client) error { _, err := c.Ping(ctx); return err })
}

func (b *BusReporter) report(ctx context.Context, r bus.Request) error {
	return b.do(ctx, func(c *bus.Client) error { return c.Report(ctx, r) })
}

// Heartbeat implements Reporter.
func (b *BusReporter) Heartbeat(ctx context.Context, next time.Time) error {
	return b.report(ctx, &bus.SchedulerHeartbeat{NextRun: next})
}

// Progress implements Reporter.
func (b *BusReporter) Progress(ctx context.Context, p Progress) error {
	return b.report(ctx, &bus.SchedulerProgress{Active: p.Active, Phase: p.Phase, Label: p.Label, Step: p.Step, Steps: p.Steps})
}

// Output implements Reporter.
func (b *BusReporter) Output(ctx context.Context, text, logPath string) error {
	return b.report(ctx, &bus.SchedulerOutput{Text: text, LogPath: logPath})
}

// Error implements Reporter.
func (b *BusReporter) Error(ctx context.Context, integration, text, logPath string) error {
	return b.report(ctx, &bus.SchedulerError{Integration: integration, Preview: text, LogPath: logPath})
}

// Success implements Reporter.
func (b *BusReporter) Success(ctx context.Context, at time.Time, took time.Duration) error {
	return b.report(ctx, &bus.SchedulerSuccess{FinishedAt: at, Duration: took})
}

// RaiseUrgent implements Reporter.
func (b *BusReporter) RaiseUrgent(ctx context.Context, u Urgent) error {
	var raw json.RawMessage
	if u.Context != nil {
		data, err := json.Marshal(u.Context)
		if err != nil {
			return err
		}
		raw = data
	}
	msg := u.Message
	if r := []rune(msg); len(r) > 1000 {
		msg = string(r[:1000]) + "..."
	}
	return b.do(ctx, func(c *bus.Client) error {
		_, err := c.RaiseUrgent(ctx, bus.RaiseUrgent{Code: u.Code, Severity: u.Severity, Source: "scheduler", Message: msg, Context: raw})
		return err
	})
}
