package api

import (
	_ "embed"
	"net/http"

	"github.com/firebreak-oss/firebreak/internal/auth"
)

// openAPIDoc describes every route in Routes; a test keeps the two in step.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the OpenAPI 3 document of the API.
func OpenAPI() []byte { return openAPIDoc }

func (a *API) openAPI(w http.ResponseWriter, r *http.Request, _ auth.User) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDoc)
	return err
}
