package server

import (
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/notify/lineworks"
	teamsnotify "github.com/firebreak-oss/firebreak/internal/notify/teams"
)

// useDemoChat makes `serve --demo` send Microsoft Teams and LINE WORKS
// messages through their real notifiers, answered in process (a Workflows
// flow; LINE WORKS' token endpoint and Bot API with a key made at start),
// so the demo exercises card building, JWT signing and tokens, and the demo
// outbox shows what they delivered. Only ever called with DemoOutbox set.
func useDemoChat(ob *notify.Outbox, o Options) error {
	var teamsNames, lineWorksNames []string
	for _, d := range o.Policy.Departments {
		if d.Teams != "" {
			teamsNames = append(teamsNames, d.Teams)
		}
		if d.LineWorks != "" {
			lineWorksNames = append(lineWorksNames, d.LineWorks)
		}
	}
	teamsCfg := &notify.TeamsConfig{}
	if o.Notify != nil && o.Notify.Teams != nil {
		teamsCfg.Channels = append(teamsCfg.Channels, o.Notify.Teams.Channels...)
	}
	if o.Notify != nil && o.Notify.LineWorks != nil {
		for _, t := range o.Notify.LineWorks.Targets {
			lineWorksNames = append(lineWorksNames, t.Name)
		}
	}
	for _, n := range teamsNames {
		if _, ok := teamsCfg.Channel(n); !ok {
			// Never dialled: the demo flow answers in process.
			teamsCfg.Channels = append(teamsCfg.Channels, notify.TeamsChannel{Name: n,
				WebhookURL: "https://demo.webhook.office.invalid/workflows/" + n + "/triggers/manual/paths/invoke"})
		}
	}
	ob.Notifiers[notify.Teams] = teamsnotify.Demo(teamsCfg)
	lw, err := lineworks.Demo(o.Now, lineWorksNames...)
	if err != nil {
		return err
	}
	ob.Notifiers[notify.LineWorks] = lw
	return nil
}
