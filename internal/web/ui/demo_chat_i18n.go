package ui

// The demo outbox shows each message's delivery reference: for Microsoft
// Teams and LINE WORKS it comes from their real notifiers answered in
// process (a Workflows run ID), for the other channels from the stand-in.
func init() {
	addMessages(map[string][2]string{"demo.outbox.ref": {"Delivery reference", "전달 참조"}})
}
