package propagate

import (
	"encoding/json"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/notify/teams"
	"github.com/firebreak-oss/firebreak/internal/policy"
)

// teamsLabels say what a Teams card is, by kind and language; the card's
// heading names the incident the same way on each card, which is what
// groups them (a Workflows webhook cannot reply in a thread).
var teamsLabels = map[policy.Kind][2]string{ // English, Korean
	policy.KindDeclared: {"Incident declared", "장애 선언"},
	policy.KindUpdate:   {"Status update", "진행 상황"},
}

// teamsButton is the title of the card's link to the incident.
var teamsButton = [2]string{"Open in Firebreak", "Firebreak에서 보기"}

// teamsCard is the Workflows webhook body of a rendered message for t.
func (p *Propagator) teamsCard(inc *incident.Incident, t policy.Target, kind policy.Kind, r policy.Rendered) json.RawMessage {
	lang := 0
	if t.Lang == "ko" {
		lang = 1
	}
	return teams.Message(teams.CardData{
		Heading: inc.Ref() + " · " + inc.Title,
		Label:   inc.Grade.String() + " · " + teamsLabels[kind][lang],
		Text:    r.Chat,
		Grade:   inc.Grade.String(),
		URL:     p.Data(inc, t).URL,
		Button:  teamsButton[lang],
	})
}
