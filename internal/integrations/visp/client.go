// Package visp imports wireless services and equipment topology from the
// VISP GraphQL API.
package visp

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/apiclient"
)

// credentials are the four VISP secrets; environment variables win over lqos.conf.
type credentials struct {
	clientID, clientSecret, username, password string
}

func loadCredentials(c config.VISP) (credentials, error) {
	pick := func(env, conf string) string {
		if v := strings.TrimSpace(os.Getenv(env)); v != "" {
			return v
		}
		return strings.TrimSpace(conf)
	}
	cr := credentials{
		clientID:     pick("VISP_CLIENT_ID", c.ClientID),
		clientSecret: pick("VISP_CLIENT_SECRET", c.ClientSecret),
		username:     pick("VISP_USERNAME", c.Username),
		password:     pick("VISP_PASSWORD", c.Password),
	}
	var missing []string
	for _, x := range []struct{ name, v string }{
		{"client_id (VISP_CLIENT_ID)", cr.clientID}, {"client_secret (VISP_CLIENT_SECRET)", cr.clientSecret},
		{"username (VISP_USERNAME)", cr.username}, {"password (VISP_PASSWORD)", cr.password},
	} {
		if x.v == "" {
			missing = append(missing, x.name)
		}
	}
	if len(missing) > 0 {
		return cr, fmt.Errorf("visp: missing credentials in [visp_integration]: %s", strings.Join(missing, ", "))
	}
	return cr, nil
}

// token is a VISP API token and the ISP it belongs to.
type token struct {
	Token string `json:"token"`
	Exp   int64  `json:"exp"`
	ISPID int64  `json:"isp_id"`
}

// api talks to the token endpoint and the GraphQL endpoint.
type api struct {
	cl         *apiclient.Client
	cred       credentials
	tokenURL   string
	graphqlURL string
	cachePath  string // "" = no cache
	now        func() time.Time

	mu  sync.Mutex
	tok *token
}

// minTokenLife is how long a cached token must still be valid to be reused.
const minTokenLife = 24 * time.Hour

func newAPI(in Integration, cfg *config.Config, cred credentials) *api {
	c := cfg.VISP
	timeout := time.Duration(max(c.TimeoutSecs, 10)) * time.Second
	if in.Timeout > 0 {
		timeout = in.Timeout
	}
	hc := &http.Client{}
	if !c.VerifyTLS {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // operator turned verify_tls off
		hc.Transport = tr
	}
	a := &api{
		cred:       cred,
		tokenURL:   strings.TrimSpace(c.TokenURL),
		graphqlURL: strings.TrimSpace(c.GraphQLURL),
		now:        time.Now,
	}
	a.cl = &apiclient.Client{
		Name: "visp", HTTP: hc, Timeout: timeout, Attempts: 3, Backoff: in.Backoff,
		Secrets: []string{cred.clientSecret, cred.password, cred.clientID},
		Auth: func(h http.Header) {
			h.Set("x-visp-client-id", cred.clientID)
			h.Set("x-visp-client-secret", cred.clientSecret)
		},
	}
	if cfg.StateDirectory != "" {
		sum := sha256.Sum256([]byte(cred.clientID + "|" + cred.username))
		a.cachePath = filepath.Join(cfg.StateDirectory, "cache", ".visp_token_cache_"+hex.EncodeToString(sum[:])[:16]+".json")
	}
	return a
}

func (a *api) addSecret(s string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cl.Secrets = append(a.cl.Secrets, s)
}

// getToken returns a token that is valid for at least minTokenLife when a
// cached one is used; a fresh one is used whatever its lifetime.
func (a *api) getToken(ctx context.Context) (*token, error) {
	a.mu.Lock()
	t := a.tok
	a.mu.Unlock()
	if t != nil {
		return t, nil
	}
	if a.cachePath != "" {
		if b, err := os.ReadFile(a.cachePath); err == nil {
			var c token
			if json.Unmarshal(b, &c) == nil && c.Token != "" && time.Unix(c.Exp, 0).Sub(a.now()) > minTokenLife {
				a.addSecret(c.Token)
				a.mu.Lock()
				a.tok = &c
				a.mu.Unlock()
				return &c, nil
			}
		}
	}
	body, err := a.cl.Do(ctx, apiclient.Request{Method: http.MethodGet, URL: a.tokenURL, Endpoint: "token_url", Header: http.Header{
		"X-Visp-Username": {a.cred.username}, "X-Visp-Password": {a.cred.password},
	}})
	if err != nil {
		return nil, err
	}
	var reply struct {
		Token   string `json:"token"`
		Payload struct {
			Exp   apiclient.Num     `json:"exp"`
			ISPID apiclient.StrList `json:"ispId"`
		} `json:"payload"`
	}
	if err := a.cl.Decode("token_url", body, &reply); err != nil {
		return nil, err
	}
	if reply.Token == "" {
		return nil, errors.New("visp: token_url: reply has no \"token\"")
	}
	a.addSecret(reply.Token)
	if !reply.Payload.Exp.Set {
		return nil, errors.New("visp: token_url: reply has no \"payload.exp\"")
	}
	t = &token{Token: reply.Token, Exp: int64(reply.Payload.Exp.V)}
	if len(reply.Payload.ISPID) > 0 {
		fmt.Sscan(reply.Payload.ISPID[0], &t.ISPID)
	}
	a.mu.Lock()
	a.tok = t
	a.mu.Unlock()
	a.saveCache(t)
	return t, nil
}

// saveCache stores the token owner-readable only; failure just costs a login next time.
func (a *api) saveCache(t *token) {
	if a.cachePath == "" {
		return
	}
	b, _ := json.Marshal(t)
	if err := os.MkdirAll(filepath.Dir(a.cachePath), 0o700); err != nil {
		return
	}
	tmp := a.cachePath + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return
	}
	if os.Rename(tmp, a.cachePath) != nil {
		os.Remove(tmp)
	}
}

func (a *api) dropToken() {
	a.mu.Lock()
	a.tok = nil
	a.mu.Unlock()
	if a.cachePath != "" {
		os.Remove(a.cachePath)
	}
}

// gql runs one GraphQL operation and decodes its "data" into out. A 401/403
// means the token expired: it is replaced once and the call repeated.
func (a *api) gql(ctx context.Context, op, query string, vars map[string]any, out any) error {
	payload, err := json.Marshal(map[string]any{"operationName": op, "query": query, "variables": vars})
	if err != nil {
		return fmt.Errorf("visp: %s: %v", op, err)
	}
	ep := "graphql " + op
	for reauth := 0; ; reauth++ {
		t, err := a.getToken(ctx)
		if err != nil {
			return err
		}
		body, err := a.cl.Do(ctx, apiclient.Request{Method: http.MethodPost, URL: a.graphqlURL, Endpoint: ep, Body: payload,
			Header: http.Header{"Authorization": {t.Token}}})
		var he *apiclient.HTTPError
		if errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden) && reauth == 0 {
			a.dropToken()
			continue
		}
		if err != nil {
			return err
		}
		var env struct {
			Data   json.RawMessage `json:"data"`
			Errors []struct {
				Message string `json:"message"`
			} `json:"errors"`
		}
		if err := a.cl.Decode(ep, body, &env); err != nil {
			return err
		}
		if len(env.Errors) > 0 {
			msgs := make([]string, len(env.Errors))
			for i, e := range env.Errors {
				msgs[i] = e.Message
			}
			return a.cl.Errorf("%s: GraphQL error: %s", ep, strings.Join(msgs, "; "))
		}
		if len(env.Data) == 0 || string(env.Data) == "null" {
			return a.cl.Errorf("%s: reply has no \"data\"", ep)
		}
		return a.cl.Decode(ep, env.Data, out)
	}
}
