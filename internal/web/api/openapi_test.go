package api

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
)

type openAPIDocument struct {
	OpenAPI string `json:"openapi"`
	Paths   map[string]map[string]struct {
		OperationID string `json:"operationId"`
		RequestBody *struct {
			Content map[string]struct {
				Schema struct {
					Ref string `json:"$ref"`
				} `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
		Security *[]any `json:"security"`
	} `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

// TestOpenAPIMatchesRoutes keeps the document true: every route is
// documented with its method, every documented operation exists, public
// routes are marked as needing no token, and each request schema names
// exactly the fields the handler decodes.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc openAPIDocument
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	a := &API{}
	for _, rt := range a.Routes() {
		key := rt.Method + " " + rt.Path
		if !documented[key] {
			t.Errorf("route %s is not in openapi.json", key)
			continue
		}
		delete(documented, key)
		op := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if op.OperationID == "" {
			t.Errorf("%s has no operationId", key)
		}
		if public := op.Security != nil && len(*op.Security) == 0; public != rt.Public {
			t.Errorf("%s: documented as public=%v, route says %v", key, public, rt.Public)
		}
		if (op.RequestBody != nil) != (rt.Body != nil) {
			t.Errorf("%s: documented request body %v, route body %T", key, op.RequestBody != nil, rt.Body)
			continue
		}
		if rt.Body == nil {
			continue
		}
		ref := op.RequestBody.Content["application/json"].Schema.Ref
		schema, ok := doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
		if !ok {
			t.Errorf("%s: request schema %q missing", key, ref)
			continue
		}
		if got, want := keys(schema.Properties), jsonFields(rt.Body); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: schema fields %v, handler decodes %v", key, got, want)
		}
	}
	for key := range documented {
		t.Errorf("openapi.json documents %s, which no route serves", key)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func jsonFields(v any) []string {
	var out []string
	typ := reflect.TypeOf(v)
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
