// Package apiclient is the HTTP plumbing the CRM/NMS integrations share:
// per-attempt timeouts, a bounded retry with backoff on 5xx and transport
// failures (never on 4xx), JSON decoding whose errors name the endpoint and
// field, and redaction of secrets from every error message.
package apiclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/backoff"
)

// MaxBody is the largest reply accepted (a large UISP devices list is tens of MB).
const MaxBody = 512 << 20

// Client sends requests for one integration.
type Client struct {
	Name     string        // integration name, prefixes every error ("splynx")
	HTTP     *http.Client  // nil = a default client without overall timeout
	Timeout  time.Duration // per attempt; 0 = 30 s
	Attempts int           // total attempts including the first; 0 = 3
	// Backoff returns the pause before retry n (1-based); nil = 500 ms × 2^(n-1), at most 10 s.
	Backoff func(n int) time.Duration
	// Secrets are removed from every error message and log line.
	Secrets []string
	// RetryStatus says which non-2xx replies are retried; nil = Retryable (5xx).
	RetryStatus func(status int) bool
	// Auth adds credentials to each request.
	Auth func(h http.Header)
	Log  *slog.Logger
}

// Request is one call. Endpoint is the short name used in messages
// ("admin/tariffs/internet").
type Request struct {
	Method   string
	URL      string
	Endpoint string
	Body     []byte
	Header   http.Header
}

// HTTPError is a non-2xx reply after all permitted attempts.
type HTTPError struct {
	Integration string
	Endpoint    string
	Status      int
	Snippet     string // start of the body, redacted
	Attempts    int
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%s: %s: HTTP %d %s", e.Integration, e.Endpoint, e.Status, http.StatusText(e.Status))
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	if e.Snippet != "" {
		msg += ": " + e.Snippet
	}
	return msg
}

// Retryable reports whether a status is worth another attempt: 5xx only.
func Retryable(status int) bool { return status >= 500 }

// RetryableOrThrottled also retries 429 Too Many Requests (APIs with rate limits).
func RetryableOrThrottled(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests
}

// HTTPClient returns a client that checks server certificates against the
// system roots plus the PEM certificates in caFile (if any), or skips the
// check when verify is false (the operator's explicit choice).
func HTTPClient(verify bool, caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	switch {
	case !verify:
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // verify_tls = false
	case strings.TrimSpace(caFile) != "":
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s: no PEM certificate found", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr}, nil
}

func (c *Client) attempts() int {
	if c.Attempts <= 0 {
		return 3
	}
	return c.Attempts
}

func (c *Client) backoff(n int) time.Duration {
	if c.Backoff != nil {
		return c.Backoff(n)
	}
	return defaultBackoff.Delay(n)
}

// defaultBackoff: 500 ms, 1 s, 2 s ... at most 10 s.
var defaultBackoff = backoff.Exponential{Initial: 500 * time.Millisecond, Max: 10 * time.Second, Factor: 2}

func (c *Client) logger() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.Default()
}

// Redact replaces every secret (and its URL-escaped form) in s.
func (c *Client) Redact(s string) string {
	for _, sec := range c.Secrets {
		if len(sec) < 3 {
			continue // too short to redact without mangling the message
		}
		s = strings.ReplaceAll(s, sec, "[redacted]")
		if esc := url.QueryEscape(sec); esc != sec {
			s = strings.ReplaceAll(s, esc, "[redacted]")
		}
	}
	return s
}

// Errorf builds an error prefixed with the integration name, secrets removed.
func (c *Client) Errorf(format string, args ...any) error {
	return errors.New(c.Redact(c.Name + ": " + fmt.Sprintf(format, args...)))
}

// Do sends r, retrying 5xx replies and transport errors/timeouts with
// backoff. 4xx replies are returned at once. The reply body is returned for 2xx.
func (c *Client) Do(ctx context.Context, r Request) ([]byte, error) {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var lastErr error
	n := c.attempts()
	for attempt := 1; attempt <= n; attempt++ {
		if attempt > 1 {
			wait := c.backoff(attempt - 1)
			c.logger().Warn("integration request failed, retrying", "integration", c.Name, "endpoint", r.Endpoint, "attempt", attempt, "wait", wait, "error", c.Redact(lastErr.Error()))
			if err := backoff.Sleep(ctx, wait); err != nil {
				return nil, c.Errorf("%s: %v (last error: %v)", r.Endpoint, err, lastErr)
			}
		}
		body, status, err := c.once(ctx, hc, timeout, method, r)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, c.Errorf("%s: %v", r.Endpoint, ctx.Err())
			}
			lastErr = err
			continue
		case status >= 200 && status < 300:
			return body, nil
		default:
			he := &HTTPError{Integration: c.Name, Endpoint: r.Endpoint, Status: status, Snippet: c.Redact(snippet(body)), Attempts: attempt}
			retry := Retryable
			if c.RetryStatus != nil {
				retry = c.RetryStatus
			}
			if !retry(status) {
				return nil, he
			}
			lastErr = he
		}
	}
	var he *HTTPError
	if errors.As(lastErr, &he) {
		return nil, he
	}
	return nil, c.Errorf("%s: giving up after %d attempts: %v", r.Endpoint, n, lastErr)
}

func (c *Client) once(ctx context.Context, hc *http.Client, timeout time.Duration, method string, r Request) ([]byte, int, error) {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(actx, method, r.URL, body)
	if err != nil {
		return nil, 0, errors.New(c.Redact(fmt.Sprintf("bad request URL: %v", err)))
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if r.Body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Auth != nil {
		c.Auth(req.Header)
	}
	resp, err := hc.Do(req)
	if err != nil {
		if errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, 0, fmt.Errorf("no reply within %s", timeout)
		}
		return nil, 0, errors.New(c.Redact(stripURL(err)))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		if errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, 0, fmt.Errorf("reply not complete within %s", timeout)
		}
		return nil, 0, fmt.Errorf("reading reply: %v", c.Redact(err.Error()))
	}
	if len(data) > MaxBody {
		return nil, 0, fmt.Errorf("reply larger than %d bytes", MaxBody)
	}
	return data, resp.StatusCode, nil
}

// stripURL drops the URL from a *url.Error (it may carry credentials in
// userinfo); the endpoint name is added by the caller.
func stripURL(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// GetJSON fetches url and decodes the JSON reply into v.
func (c *Client) GetJSON(ctx context.Context, url, endpoint string, v any) error {
	body, err := c.Do(ctx, Request{Method: http.MethodGet, URL: url, Endpoint: endpoint})
	if err != nil {
		return err
	}
	return c.Decode(endpoint, body, v)
}

// Decode unmarshals a reply; errors name the integration, endpoint and field.
func (c *Client) Decode(endpoint string, body []byte, v any) error {
	if err := DecodeJSON(endpoint, body, v); err != nil {
		return errors.New(c.Redact(c.Name + ": " + err.Error()))
	}
	return nil
}

// DecodeJSON unmarshals body into v with errors naming endpoint and field.
func DecodeJSON(endpoint string, body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return fmt.Errorf("%s: empty reply, expected JSON", endpoint)
	}
	if trimmed[0] == '<' {
		return fmt.Errorf("%s: reply is HTML, not JSON (check the URL and the API permissions): %s", endpoint, snippet(trimmed))
	}
	err := json.Unmarshal(trimmed, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("%s: field %q: JSON %s cannot be read as %s (byte offset %d)", endpoint, field, te.Value, te.Type, te.Offset)
	case errors.As(err, &se):
		return fmt.Errorf("%s: malformed JSON at byte offset %d: %v", endpoint, se.Offset, se)
	}
	return fmt.Errorf("%s: %v", endpoint, err)
}
