// Package uisp imports sites, devices and data links from Ubiquiti UISP
// (NMS API v2.1) and builds the shaping tree from the network's real paths.
package uisp

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/apiclient"
)

type idRef struct {
	ID apiclient.Str `json:"id"`
}

type site struct {
	ID             apiclient.Str `json:"id"`
	Identification *struct {
		Name      apiclient.Str  `json:"name"`
		Type      apiclient.Str  `json:"type"`
		Parent    *idRef         `json:"parent"`
		Status    apiclient.Str  `json:"status"`
		Suspended apiclient.Bool `json:"suspended"`
	} `json:"identification"`
	Description *struct {
		Address  apiclient.Str `json:"address"`
		Location *struct {
			Latitude  apiclient.Num `json:"latitude"`
			Longitude apiclient.Num `json:"longitude"`
		} `json:"location"`
	} `json:"description"`
	QoS *struct {
		Enabled           apiclient.Bool `json:"enabled"`
		DownloadSpeed     apiclient.Num  `json:"downloadSpeed"`
		UploadSpeed       apiclient.Num  `json:"uploadSpeed"`
		DownloadBurstSize apiclient.Num  `json:"downloadBurstSize"`
		UploadBurstSize   apiclient.Num  `json:"uploadBurstSize"`
	} `json:"qos"`
	UCRM *struct {
		Service *struct {
			Name apiclient.Str `json:"name"`
		} `json:"service"`
	} `json:"ucrm"`
}

type iface struct {
	Identification struct {
		Name apiclient.Str `json:"name"`
		Type apiclient.Str `json:"type"`
	} `json:"identification"`
	Addresses []struct {
		CIDR apiclient.Str `json:"cidr"`
	} `json:"addresses"`
	Status *struct {
		Status       apiclient.Str `json:"status"`
		Speed        apiclient.Str `json:"speed"`
		CurrentSpeed apiclient.Str `json:"currentSpeed"`
	} `json:"status"`
	Wireless *struct {
		DlRatio apiclient.Num `json:"dlRatio"`
	} `json:"wireless"`
}

type device struct {
	Identification struct {
		ID       apiclient.Str `json:"id"`
		Hostname apiclient.Str `json:"hostname"`
		MAC      apiclient.Str `json:"mac"`
		Model    apiclient.Str `json:"model"`
		Type     apiclient.Str `json:"type"`
		Role     apiclient.Str `json:"role"`
		Site     *idRef        `json:"site"`
	} `json:"identification"`
	IPAddress  apiclient.Str `json:"ipAddress"`
	Attributes *struct {
		APDevice *idRef `json:"apDevice"`
	} `json:"attributes"`
	Overview *struct {
		WirelessMode             apiclient.Str     `json:"wirelessMode"`
		TotalCapacity            apiclient.Num     `json:"totalCapacity"`
		DownlinkCapacity         apiclient.Num     `json:"downlinkCapacity"`
		UplinkCapacity           apiclient.Num     `json:"uplinkCapacity"`
		TheoreticalTotalCapacity apiclient.Num     `json:"theoreticalTotalCapacity"`
		WirelessActiveInterfaces apiclient.StrList `json:"wirelessActiveInterfaceIds"`
	} `json:"overview"`
	Interfaces []iface `json:"interfaces"`
}

type linkEnd struct {
	Device *struct {
		Identification struct {
			ID   apiclient.Str `json:"id"`
			Name apiclient.Str `json:"name"`
		} `json:"identification"`
	} `json:"device"`
	Site *struct {
		Identification struct {
			ID   apiclient.Str `json:"id"`
			Name apiclient.Str `json:"name"`
		} `json:"identification"`
	} `json:"site"`
}

func (e linkEnd) deviceID() string {
	if e.Device == nil {
		return ""
	}
	return e.Device.Identification.ID.ID()
}

func (e linkEnd) siteID() string {
	if e.Site == nil {
		return ""
	}
	return e.Site.Identification.ID.ID()
}

type dataLink struct {
	ID        apiclient.Str  `json:"id"`
	CanDelete apiclient.Bool `json:"canDelete"`
	From      linkEnd        `json:"from"`
	To        linkEnd        `json:"to"`
}

// Data is what one import fetched.
type Data struct {
	Sites   []site
	Devices []device
	Links   []dataLink
}

// BaseURL makes the API base from uisp_integration.url: trailing slashes
// removed and "/nms/api/v2.1" appended unless already there (anything after
// it is dropped, so a pasted endpoint URL still works).
func BaseURL(u string) (string, error) {
	u = strings.TrimRight(strings.TrimSpace(u), "/")
	if u == "" {
		return "", errors.New("uisp: uisp_integration.url is empty")
	}
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		u = "https://" + u
	}
	const api = "/nms/api/v2.1"
	if i := strings.Index(u, api); i >= 0 {
		return u[:i+len(api)], nil
	}
	return u + api, nil
}

func (in Integration) client(c config.UISP) *apiclient.Client {
	timeout := 120 * time.Second
	if in.Timeout > 0 {
		timeout = in.Timeout
	}
	token := c.Token
	hc := &http.Client{}
	if c.InsecureSSL {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // operator asked for it (self-signed UISP)
		hc.Transport = tr
	}
	return &apiclient.Client{
		Name: "uisp", HTTP: hc, Timeout: timeout, Attempts: 3, Backoff: in.Backoff,
		Secrets: []string{token},
		Auth:    func(h http.Header) { h.Set("X-Auth-Token", token) },
	}
}

// Fetch reads sites, devices (with interfaces) and data links concurrently.
func Fetch(ctx context.Context, cl *apiclient.Client, base string) (*Data, error) {
	d := &Data{}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	get := func(i int, ep string, v any) {
		defer wg.Done()
		if err := cl.GetJSON(ctx, base+"/"+ep, ep, v); err != nil {
			errs[i] = err
			cancel() // one failure makes the import useless; stop the others
		}
	}
	wg.Add(3)
	go get(0, "sites", &d.Sites)
	go get(1, "devices?withInterfaces=true", &d.Devices)
	go get(2, "data-links", &d.Links)
	wg.Wait()
	// Report the first real failure, not the cancellations it caused.
	for _, err := range errs {
		if err != nil && !strings.Contains(err.Error(), context.Canceled.Error()) {
			return nil, err
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}
