package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// kube reads objects from the local API server over its REST API, finding each kind's resource
// path by discovery, as kubectl does.
type kube struct {
	c *cluster

	mu        sync.Mutex
	resources map[string]apiResource // "<apiVersion>/<Kind>"
}

type apiResource struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Namespaced bool   `json:"namespaced"`
	Verbs      []string
}

func (k *kube) get(path string, out any) (int, error) {
	req, err := http.NewRequest(http.MethodGet, k.c.Server+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+k.c.Token)
	resp, err := k.c.httpClient().Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, json.Unmarshal(body, out)
}

// apiPrefix is the REST path of a group version: the core group under /api, the others /apis.
func apiPrefix(apiVersion string) string {
	if !strings.Contains(apiVersion, "/") {
		return "/api/" + apiVersion
	}
	return "/apis/" + apiVersion
}

// discover lists the resources of one group version.
func (k *kube) discover(apiVersion string) error {
	path := apiPrefix(apiVersion)
	var list struct {
		Resources []apiResource `json:"resources"`
	}
	code, err := k.get(path, &list)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("discovery of %s: HTTP %d", apiVersion, code)
	}
	for _, r := range list.Resources {
		if !strings.Contains(r.Name, "/") {
			k.resources[apiVersion+"/"+r.Kind] = r
		}
	}
	return nil
}

// resource is the API resource serving kind in apiVersion.
func (k *kube) resource(apiVersion, kind string) (apiResource, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.resources == nil {
		k.resources = map[string]apiResource{}
	}
	key := apiVersion + "/" + kind
	if r, ok := k.resources[key]; ok {
		return r, nil
	}
	if err := k.discover(apiVersion); err != nil {
		return apiResource{}, err
	}
	r, ok := k.resources[key]
	if !ok {
		return r, fmt.Errorf("the API server serves no %s in %s", kind, apiVersion)
	}
	return r, nil
}

// object is one object as the API server has it, or nil if it does not exist.
func (k *kube) object(apiVersion, kind, namespace, name string) (map[string]any, error) {
	r, err := k.resource(apiVersion, kind)
	if err != nil {
		return nil, err
	}
	prefix := apiPrefix(apiVersion)
	path := prefix + "/" + r.Name + "/" + name
	if r.Namespaced {
		path = prefix + "/namespaces/" + namespace + "/" + r.Name + "/" + name
	}
	var obj map[string]any
	code, err := k.get(path, &obj)
	if err != nil {
		return nil, err
	}
	switch code {
	case http.StatusOK:
		return obj, nil
	case http.StatusNotFound:
		return nil, nil
	}
	return nil, fmt.Errorf("GET %s: HTTP %d", path, code)
}
