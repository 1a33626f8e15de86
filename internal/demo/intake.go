package demo

import (
	"context"
	"fmt"
	"io"

	"github.com/firebreak-oss/firebreak/internal/auth"
)

// IntakeToken makes a fresh intake-only token for the demo admin, so a real
// Alertmanager or Grafana can post alerts to the demo at once. Like the
// admin token it is made at each start, since a token is shown only once.
func IntakeToken(ctx context.Context, users *auth.Service) (string, error) {
	token, _, err := users.OperatorToken(ctx, auth.TokenRequest{User: AdminName, Label: "demo intake (Alertmanager, Grafana)",
		Scopes: []auth.Scope{auth.ScopeIntake}})
	if err != nil {
		return "", fmt.Errorf("make the demo intake token: %w", err)
	}
	return token, nil
}

// PrintIntake tells where to point Alertmanager and Grafana, with the token
// to send, in the form their own config files take.
func PrintIntake(w io.Writer, base, token string) {
	fmt.Fprintf(w, "Intake is on. Alertmanager webhook: %s/hooks/alertmanager\n", base)
	fmt.Fprintf(w, "               Grafana webhook:      %s/hooks/grafana\n", base)
	fmt.Fprintf(w, "Send the intake token as a bearer token (shown once): %s\n", token)
	fmt.Fprintf(w, "  alertmanager.yml: receivers: [{name: firebreak, webhook_configs: [{url: %s/hooks/alertmanager, http_config: {authorization: {credentials: %s}}}]}]\n", base, token)
	fmt.Fprintf(w, "  try it: curl -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"HighErrorRate\",\"service\":\"checkout-api\"}}]}' %s/hooks/alertmanager\n", token, base)
}
