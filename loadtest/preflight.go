package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// PreflightResult is what the checks before the test saw.
type PreflightResult struct {
	// UnauthenticatedStatus is the server's answer to a thread request without the credential,
	// when the stack requires one (0: not probed).
	UnauthenticatedStatus int `json:"unauthenticatedStatus,omitempty"`
}

// Preflight checks that the server answers before any user starts: GET /ok; when the stack
// requires a credential, one thread request without it, which must be refused (401 or 403);
// then one thread with it. Every failure is an error that says what was tried and what came back.
func Preflight(ctx context.Context, o *Options) (PreflightResult, error) {
	var result PreflightResult
	err := preflight(ctx, o, &result)
	return result, err
}

func preflight(ctx context.Context, o *Options, result *PreflightResult) error {
	c, err := newClient(o)
	if err != nil {
		return err
	}
	ok := o.BaseURL.JoinPath("ok")
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := c.request(ctx, http.MethodGet, "ok", nil)
	if err != nil {
		return fmt.Errorf("-url=%s: %v", o.BaseURL.Redacted(), err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %w", o.BaseURL.Redacted(), err)
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s answered %d, want 200 (is this a LangGraph server?): %s", ok.Redacted(), resp.StatusCode, strings.TrimSpace(string(snippet)))
	}
	if o.AuthRequired {
		anonymous := *c
		anonymous.apiKey = ""
		o, err := anonymous.do(ctx, "threads", []byte(`{}`), nil)
		result.UnauthenticatedStatus, _ = strconv.Atoi(o.kind)
		switch {
		case o.kind == "401" || o.kind == "403":
		case o.ok:
			return fmt.Errorf("the server accepted a thread request without %s (answered %s): the stack requires authentication, but this server lets anyone in; stop and check auth.mode and the server's LANGGRAPH_AUTH_TYPE", c.authHeader, o.kind)
		default:
			return fmt.Errorf("a thread request without %s got %s, want 401 or 403: %v", c.authHeader, o.kind, err)
		}
	}
	if _, _, err := c.createThread(ctx); err != nil {
		return fmt.Errorf("creating a thread failed, so no user would get far: %v", err)
	}
	if err := c.checkAssistant(ctx); err != nil {
		return err
	}
	for _, m := range o.MetricsURLs {
		if _, err := scrapeQueueWait(ctx, c.http, m, o.MetricPrefix); err != nil {
			return err
		}
	}
	return nil
}

// checkAssistant makes sure the run request's assistant exists before any user starts: an
// assistant ID (a UUID) is looked up, a graph name searched for. Otherwise every run would fail
// and the report would show an error rate instead of the one wrong flag.
func (c *client) checkAssistant(ctx context.Context) error {
	var body struct {
		AssistantID string `json:"assistant_id"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil || body.AssistantID == "" {
		return fmt.Errorf("-assistant: the run request has no assistant_id")
	}
	id := body.AssistantID
	var path, method string
	var payload []byte
	if uuidPattern.MatchString(id) {
		method, path = http.MethodGet, "assistants/"+url.PathEscape(id)
	} else {
		method, path = http.MethodPost, "assistants/search"
		payload, _ = json.Marshal(map[string]any{"graph_id": id, "limit": 1})
	}
	req, err := c.request(ctx, method, path, payload)
	if err != nil {
		return err
	}
	u := req.URL
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("looking up assistant %q: %v", id, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	found := resp.StatusCode == http.StatusOK
	if found && method == http.MethodPost {
		var list []json.RawMessage
		found = json.Unmarshal(answer, &list) == nil && len(list) > 0
	}
	if !found {
		snippet := strings.TrimSpace(string(answer))
		if len(snippet) > 200 {
			snippet = snippet[:200]
		}
		return fmt.Errorf("-assistant=%s: the server has no such assistant or graph (%s %s answered %d: %s); name a graph of its langgraph.json or an assistant ID",
			id, method, u.Redacted(), resp.StatusCode, snippet)
	}
	return nil
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
