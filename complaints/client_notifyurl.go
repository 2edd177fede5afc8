package complaints

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// CreateNotificationURL registers the merchant's callback URL (POST
// /v3/merchant-service/complaint-notifications) and returns what WeChat
// recorded. The URL must be https, without a query string
// (NotificationURLRequest.Validate).
func (c *Client) CreateNotificationURL(ctx context.Context, url string) (NotificationURL, error) {
	return c.putNotificationURL(ctx, http.MethodPost, url)
}

// UpdateNotificationURL changes the callback URL (PUT
// /v3/merchant-service/complaint-notifications).
func (c *Client) UpdateNotificationURL(ctx context.Context, url string) (NotificationURL, error) {
	return c.putNotificationURL(ctx, http.MethodPut, url)
}

// putNotificationURL sends a create or an update.
func (c *Client) putNotificationURL(ctx context.Context, method, url string) (NotificationURL, error) {
	r := NotificationURLRequest{URL: url}
	if err := r.Validate(); err != nil {
		return NotificationURL{}, err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return NotificationURL{}, fmt.Errorf("complaints: %s: %w", EndpointNotificationURL, err)
	}
	resp, err := c.call(ctx, EndpointNotificationURL, method, PathNotifications, b)
	if err != nil {
		return NotificationURL{}, err
	}
	return decodeAnswer[NotificationURL](EndpointNotificationURL, resp)
}

// QueryNotificationURL returns the registered callback URL (GET
// /v3/merchant-service/complaint-notifications). With none registered,
// WeChat answers an *apiv3.Error with code RESOURCE_NOT_EXISTS.
func (c *Client) QueryNotificationURL(ctx context.Context) (NotificationURL, error) {
	return getJSON[NotificationURL](ctx, c, EndpointNotificationURL, PathNotifications)
}

// DeleteNotificationURL removes the callback URL (DELETE
// /v3/merchant-service/complaint-notifications, no body): WeChat stops
// sending callbacks.
func (c *Client) DeleteNotificationURL(ctx context.Context) error {
	_, err := c.call(ctx, EndpointNotificationURL, http.MethodDelete, PathNotifications, nil)
	return err
}
