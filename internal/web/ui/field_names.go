package ui

import (
	"maps"
	"slices"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/i18n"
)

// fieldMessages name an incident's fields in words, for the timeline's
// "details changed" events, which store the changed fields by key.
var fieldMessages = i18n.Messages{
	"fieldname.title":           {"title", "제목"},
	"fieldname.summary":         {"summary", "요약"},
	"fieldname.services":        {"services", "서비스"},
	"fieldname.visibility":      {"visibility", "공개 범위"},
	"fieldname.labels":          {"labels", "라벨"},
	"fieldname.cause_tags":      {"cause tags", "원인 태그"},
	"fieldname.members":         {"members", "참여자"},
	"fieldname.started_at":      {"start time", "시작 시각"},
	"fieldname.detected_at":     {"detection time", "탐지 시각"},
	"fieldname.acknowledged_at": {"acknowledged time", "확인 시각"},
	"fieldname.mitigated_at":    {"impact stopped time", "영향 종료 시각"},
	"fieldname.detection":       {"how it was found", "탐지 경로"},
	"fieldname.other":           {"details", "기타 정보"},
}

func init() { addMessages(fieldMessages) }

// FieldNames names the changed fields of a fields_changed event's data in
// the viewer's language, in a stable order; a field without a name (from
// a newer replica) reads as "details", never as its key.
func (v *view) FieldNames(data map[string]any) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(data)) {
		key := "fieldname." + k
		if messages[key] == [2]string{} {
			key = "fieldname.other"
		}
		if name := v.T(key); !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return strings.Join(out, ", ")
}
