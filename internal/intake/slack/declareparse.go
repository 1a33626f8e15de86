package slack

import (
	"net/url"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/intake"
)

// DeclareCommand is what `/incident declare <grade> <service> <title>`
// asks for. Slack's command and Mattermost's read it the same way.
type DeclareCommand struct {
	Grade   incident.Grade
	Service string
	Title   string
}

// ParseDeclare reads the words after `declare`. ok is false when a word is
// missing (the caller shows the usage); err says a grade is not one.
func ParseDeclare(text string) (cmd DeclareCommand, ok bool, err error) {
	gradeWord, rest := splitWord(text)
	service, title := splitWord(rest)
	if gradeWord == "" || service == "" || title == "" {
		return DeclareCommand{}, false, nil
	}
	grade, err := incident.ParseGrade(gradeWord)
	if err != nil {
		return DeclareCommand{}, true, err
	}
	return DeclareCommand{Grade: grade, Service: service, Title: title}, true, nil
}

// Declaration is the incident the command declares, from source (slack,
// mattermost) in the named channel. A command takes no visibility: the
// incident is internal, with whoever declares it as a member, whatever the
// text says.
func (c DeclareCommand) Declaration(source, channel string) incident.Declaration {
	return incident.Declaration{Title: intake.ClipRunes(c.Title, maxTitle), Summary: c.Title, Grade: c.Grade, Services: []string{c.Service},
		Source: source, Labels: map[string]string{"channel": channel}}
}

// TextProblem applies the text rules every input path shares to a slash
// command's fields (Slack's and Mattermost's send the same ones): the
// field and what is wrong with it, or "" when all is well.
func TextProblem(f url.Values) (field, problem string) { return textProblem(f) }
