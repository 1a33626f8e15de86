package intake

// MaxAlertsPerRequest caps the alerts (or generic signals) one webhook
// request may carry. Alertmanager sends one request per group, and a storm
// of a few thousand alerts in one group stays well below it; a request
// above it is refused with a 400 naming the field (and kept among the
// rejected signals), rather than turned into one huge transaction.
const MaxAlertsPerRequest = 10000

func checkAlertCount(field string, n int) error {
	if n > MaxAlertsPerRequest {
		return parseErr(field, "holds %d alerts; at most %d are allowed in one request", n, MaxAlertsPerRequest)
	}
	return nil
}
