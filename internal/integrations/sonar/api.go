package sonar

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/apiclient"
)

// list is Sonar's wrapper around every collection.
type list[T any] struct {
	Entities []T `json:"entities"`
}

type pageInfo struct {
	Page       apiclient.Num `json:"page"`
	TotalPages apiclient.Num `json:"total_pages"`
	TotalCount apiclient.Num `json:"total_count"`
	RecordsPer apiclient.Num `json:"records_per_page"`
}

type subnet struct {
	Subnet apiclient.Str `json:"subnet"`
}

type modelField struct {
	ID      apiclient.Str  `json:"id"`
	Name    apiclient.Str  `json:"name"`
	Primary apiclient.Bool `json:"primary"`
}

type fieldData struct {
	Value         apiclient.Str `json:"value"`
	IPAssignments list[subnet]  `json:"ip_assignments"`
	Field         *modelField   `json:"inventory_model_field"`
}

type inventoryItem struct {
	ID      apiclient.Str `json:"id"`
	ModelID apiclient.Str `json:"inventory_model_id"`
	Model   *struct {
		Name apiclient.Str `json:"name"`
	} `json:"inventory_model"`
	FieldData     list[fieldData] `json:"inventory_model_field_data"`
	IPAssignments list[subnet]    `json:"ip_assignments"`
}

type networkSite struct {
	ID             apiclient.Str       `json:"id"`
	Name           apiclient.Str       `json:"name"`
	InventoryItems list[inventoryItem] `json:"inventory_items"`
}

type dataDetail struct {
	DownKbps apiclient.Num `json:"download_speed_kilobits_per_second"`
	UpKbps   apiclient.Num `json:"upload_speed_kilobits_per_second"`
}

type service struct {
	ID      apiclient.Str  `json:"id"`
	Name    apiclient.Str  `json:"name"`
	Type    apiclient.Str  `json:"type"`
	Enabled apiclient.Bool `json:"enabled"`
	Data    *dataDetail    `json:"data_service_detail"`
}

type accountService struct {
	Service *service `json:"service"`
}

type address struct {
	Line1          apiclient.Str       `json:"line1"`
	Line2          apiclient.Str       `json:"line2"`
	City           apiclient.Str       `json:"city"`
	Subdivision    apiclient.Str       `json:"subdivision"`
	InventoryItems list[inventoryItem] `json:"inventory_items"`
}

type radiusAccount struct {
	ID            apiclient.Str `json:"id"`
	IPAssignments list[subnet]  `json:"ip_assignments"`
}

type uninventoriedMAC struct {
	ID            apiclient.Str `json:"id"`
	MAC           apiclient.Str `json:"mac_address"`
	IPAssignments list[subnet]  `json:"ip_assignments"`
}

type account struct {
	ID             apiclient.Str          `json:"id"`
	Name           apiclient.Str          `json:"name"`
	StatusID       apiclient.Str          `json:"account_status_id"`
	IPAssignments  list[subnet]           `json:"ip_assignments"`
	DataServices   list[accountService]   `json:"account_services"`
	AllServices    list[accountService]   `json:"all_account_services"`
	Addresses      list[address]          `json:"addresses"`
	RadiusAccounts list[radiusAccount]    `json:"radius_accounts"`
	Uninventoried  list[uninventoriedMAC] `json:"uninventoried_mac_addresses"`
	ChildAccounts  list[account]          `json:"child_accounts"`
}

type accountStatus struct {
	ID        apiclient.Str  `json:"id"`
	Activates apiclient.Bool `json:"activates_account"`
}

// The queries. Paginated ones take $pages; the collection is the first key of data.
const (
	queryStatuses = `query account_statuses { account_statuses(activates_account: true) { entities { id activates_account } } }`

	ipFields = `ip_assignments { entities { subnet } }`
	item     = `id inventory_model_id inventory_model { name } inventory_model_field_data { entities { value ` + ipFields +
		` inventory_model_field { id name primary } } } ` + ipFields
	accountFields = `id name account_status_id ` + ipFields +
		` account_services(reverse_relation_filters: {relation: "service", search: {string_fields: {attribute: "type", search_value: "DATA", match: true}}}) { entities { service { data_service_detail { download_speed_kilobits_per_second upload_speed_kilobits_per_second } } } }` +
		` all_account_services: account_services { entities { service(enabled: true) { id name type enabled data_service_detail { download_speed_kilobits_per_second upload_speed_kilobits_per_second } } } }` +
		` addresses { entities { line1 line2 city subdivision inventory_items { entities { ` + item + ` } } } }` +
		` radius_accounts { entities { id ` + ipFields + ` } }` +
		` uninventoried_mac_addresses { entities { id mac_address ` + ipFields + ` } }`

	queryAccounts = `query accounts($pages: Paginator, $status: Int64Bit) { accounts(paginator: $pages, account_status_id: $status) { page_info { page records_per_page total_pages total_count } entities { ` +
		accountFields + ` child_accounts { entities { ` + accountFields + ` } } } } }`

	queryNetworkSites = `query network_sites($pages: Paginator, $models: [Search]) { network_sites(paginator: $pages, reverse_relation_filters: [{relation: "inventory_items", search: $models}]) { page_info { page records_per_page total_pages total_count } entities { id name inventory_items(search: $models) { entities { ` + item + ` } } } } }`
)

// maxPages bounds a pagination loop whose page_info keeps growing.
const maxPages = 100000

// client is the GraphQL transport.
type client struct {
	api      *apiclient.Client
	url      string
	pageSize int
}

// GraphQLURL normalises sonar_api_url: an instance URL gets "/api/graphql".
func GraphQLURL(raw string) string {
	u := strings.TrimRight(strings.TrimSpace(raw), "/")
	if u == "" {
		return ""
	}
	if !strings.Contains(u, "://") {
		u = "https://" + u
	}
	if strings.HasSuffix(u, "/api/graphql") {
		return u
	}
	if strings.HasSuffix(u, "/api") {
		return u + "/graphql"
	}
	return u + "/api/graphql"
}

// DefaultBackoff is the pause before retry n: 2 s, then 5 s.
func DefaultBackoff(n int) time.Duration {
	if n <= 1 {
		return 2 * time.Second
	}
	return 5 * time.Second
}

func newClient(c config.Sonar, timeout time.Duration, backoff func(int) time.Duration) *client {
	if timeout <= 0 {
		timeout = time.Duration(max(c.TimeoutSecs, 1)) * time.Second
	}
	if backoff == nil {
		backoff = DefaultBackoff
	}
	key := c.APIKey
	return &client{
		url:      GraphQLURL(c.APIURL),
		pageSize: max(c.PageSize, 1),
		api: &apiclient.Client{Name: "sonar", Timeout: timeout, Attempts: 3, Backoff: backoff,
			RetryStatus: apiclient.RetryableOrThrottled, Secrets: []string{key},
			Auth: func(h http.Header) { h.Set("Authorization", "Bearer "+key) }},
	}
}

type gqlError struct {
	Message string `json:"message"`
}

type reply struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []gqlError                 `json:"errors"`
}

// query posts one request and returns the collection (the first key of data).
func (c *client) query(ctx context.Context, endpoint, q string, vars map[string]any) (json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		return nil, err
	}
	raw, err := c.api.Do(ctx, apiclient.Request{Method: http.MethodPost, URL: c.url, Endpoint: endpoint, Body: body})
	if err != nil {
		return nil, err
	}
	var r reply
	if err := c.api.Decode(endpoint, raw, &r); err != nil {
		return nil, err
	}
	if len(r.Errors) > 0 {
		var msgs []string
		for _, e := range r.Errors {
			msgs = append(msgs, e.Message)
		}
		return nil, c.api.Errorf("%s: GraphQL error: %s", endpoint, strings.Join(msgs, "; "))
	}
	for _, v := range r.Data {
		return v, nil // one query, one collection
	}
	return nil, c.api.Errorf("%s: reply has no data", endpoint)
}

// pages fetches every page of a paginated collection, calling each with
// the page's entities. It goes on while page < page_info.total_pages; an
// empty page in between is allowed.
func pages[T any](ctx context.Context, c *client, name, q string, vars map[string]any, each func([]T)) error {
	for page := 1; ; page++ {
		v := map[string]any{"pages": map[string]int{"records_per_page": c.pageSize, "page": page}}
		for k, x := range vars {
			v[k] = x
		}
		endpoint := fmt.Sprintf("%s page %d", name, page)
		raw, err := c.query(ctx, endpoint, q, v)
		if err != nil {
			return err
		}
		var coll struct {
			PageInfo *pageInfo `json:"page_info"`
			Entities []T       `json:"entities"`
		}
		if err := c.api.Decode(endpoint, raw, &coll); err != nil {
			return err
		}
		each(coll.Entities)
		if coll.PageInfo == nil {
			return nil // not paginated: one page
		}
		total := int(coll.PageInfo.TotalPages.V)
		if page >= total {
			return nil
		}
		if page >= maxPages {
			return c.api.Errorf("%s: more than %d pages; giving up", name, maxPages)
		}
	}
}
