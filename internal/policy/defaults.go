package policy

import (
	htemplate "html/template"
)

// The built-in templates, so a config without any still sends clear
// messages. A config's templates: field replaces them part by part.
var defaultSources = map[Kind]map[string][4]string{ // subject, text, html, chat
	KindDeclared: {
		"en": {
			`[{{.Grade}}] {{.Ref}} {{.Title}}`,
			`{{.Grade}} incident {{.Ref}} declared: {{.Title}}

Services:      {{join .Services ", "}}
Status:        {{.Status}}
Started:       {{.StartedAt}}
Resolver:      {{or .Resolver "(not assigned)"}}
Communicator:  {{or .Communicator "(not assigned)"}}
First report:  due {{.FirstReportDue}}
{{if .Change}}
You are told now because {{.Change}}.
{{end}}{{if .Summary}}
{{.Summary}}
{{end}}{{if .Guide}}
{{.Guide}}
{{end}}
{{.URL}}

You receive this because: {{.Reason}}.
`,
			`<p><strong>{{.Grade}}</strong> incident <a href="{{.URL}}">{{.Ref}}</a> declared: <strong>{{.Title}}</strong></p>
<table>
<tr><th align="left">Services</th><td>{{join .Services ", "}}</td></tr>
<tr><th align="left">Status</th><td>{{.Status}}</td></tr>
<tr><th align="left">Started</th><td>{{.StartedAt}}</td></tr>
<tr><th align="left">Resolver</th><td>{{or .Resolver "(not assigned)"}}</td></tr>
<tr><th align="left">Communicator</th><td>{{or .Communicator "(not assigned)"}}</td></tr>
<tr><th align="left">First report</th><td>due {{.FirstReportDue}}</td></tr>
</table>
{{if .Change}}<p>You are told now because {{.Change}}.</p>{{end}}
{{if .Summary}}<p>{{.Summary}}</p>{{end}}
{{if .Guide}}<p><em>{{.Guide}}</em></p>{{end}}
<p><a href="{{.URL}}">{{.URL}}</a></p>
<p><small>You receive this because: {{.Reason}}.</small></p>
`,
			`*{{.Grade}} incident {{.Ref}} declared: {{.Title}}*
Services: {{join .Services ", "}} · Status: {{.Status}} · Started: {{.StartedAt}}
Resolver: {{or .Resolver "(not assigned)"}} · Communicator: {{or .Communicator "(not assigned)"}}{{if .Change}}
Told now because {{.Change}}.{{end}}{{if .Guide}}
_{{.Guide}}_{{end}}
{{.URL}}`,
		},
		"ko": {
			`[{{.Grade}}] {{.Ref}} {{.Title}}`,
			`{{.Grade}} 장애 {{.Ref}}가 선언되었습니다: {{.Title}}

영향 서비스:  {{join .Services ", "}}
상태:         {{.Status}}
발생 시각:    {{.StartedAt}}
해결 담당:    {{or .Resolver "(미지정)"}}
전파 담당:    {{or .Communicator "(미지정)"}}
1차 보고:     {{.FirstReportDue}}까지
{{if .Change}}
지금 전달하는 이유: {{.Change}}
{{end}}{{if .Summary}}
{{.Summary}}
{{end}}{{if .Guide}}
{{.Guide}}
{{end}}
{{.URL}}

수신 사유: {{.Reason}}
`,
			`<p><strong>{{.Grade}}</strong> 장애 <a href="{{.URL}}">{{.Ref}}</a>가 선언되었습니다: <strong>{{.Title}}</strong></p>
<table>
<tr><th align="left">영향 서비스</th><td>{{join .Services ", "}}</td></tr>
<tr><th align="left">상태</th><td>{{.Status}}</td></tr>
<tr><th align="left">발생 시각</th><td>{{.StartedAt}}</td></tr>
<tr><th align="left">해결 담당</th><td>{{or .Resolver "(미지정)"}}</td></tr>
<tr><th align="left">전파 담당</th><td>{{or .Communicator "(미지정)"}}</td></tr>
<tr><th align="left">1차 보고</th><td>{{.FirstReportDue}}까지</td></tr>
</table>
{{if .Change}}<p>지금 전달하는 이유: {{.Change}}</p>{{end}}
{{if .Summary}}<p>{{.Summary}}</p>{{end}}
{{if .Guide}}<p><em>{{.Guide}}</em></p>{{end}}
<p><a href="{{.URL}}">{{.URL}}</a></p>
<p><small>수신 사유: {{.Reason}}</small></p>
`,
			`*{{.Grade}} 장애 {{.Ref}} 선언: {{.Title}}*
영향 서비스: {{join .Services ", "}} · 상태: {{.Status}} · 발생: {{.StartedAt}}
해결 담당: {{or .Resolver "(미지정)"}} · 전파 담당: {{or .Communicator "(미지정)"}}{{if .Change}}
지금 전달하는 이유: {{.Change}}{{end}}{{if .Guide}}
_{{.Guide}}_{{end}}
{{.URL}}`,
		},
	},
	KindUpdate: {
		"en": {
			`[{{.Grade}}] {{.Ref}} update: {{.Title}}`,
			`Update on {{.Grade}} incident {{.Ref}}: {{.Title}}

{{.Update}}

Status: {{.Status}}
{{.URL}}
`,
			`<p>Update on <strong>{{.Grade}}</strong> incident <a href="{{.URL}}">{{.Ref}}</a>: <strong>{{.Title}}</strong></p>
<p>{{.Update}}</p>
<p>Status: {{.Status}}</p>
`,
			`*Update on {{.Ref}}* ({{.Grade}}, {{.Status}}): {{.Update}}`,
		},
		"ko": {
			`[{{.Grade}}] {{.Ref}} 진행 상황: {{.Title}}`,
			`{{.Grade}} 장애 {{.Ref}} 진행 상황: {{.Title}}

{{.Update}}

상태: {{.Status}}
{{.URL}}
`,
			`<p><strong>{{.Grade}}</strong> 장애 <a href="{{.URL}}">{{.Ref}}</a> 진행 상황: <strong>{{.Title}}</strong></p>
<p>{{.Update}}</p>
<p>상태: {{.Status}}</p>
`,
			`*{{.Ref}} 진행 상황* ({{.Grade}}, {{.Status}}): {{.Update}}`,
		},
	},
}

// DefaultTemplates returns the built-in templates.
func DefaultTemplates() Templates {
	t := Templates{}
	for kind, langs := range defaultSources {
		t[kind] = map[string]*Parts{}
		for lang, src := range langs {
			name := string(kind) + "." + lang + "."
			t[kind][lang] = &Parts{
				Subject: must(parseText(name+"subject", src[0])),
				Text:    must(parseText(name+"text", src[1])),
				HTML:    htemplate.Must(htemplate.New(name + "html").Funcs(funcs).Option("missingkey=error").Parse(src[2])),
				Chat:    must(parseText(name+"chat", src[3])),
			}
		}
	}
	return t
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
