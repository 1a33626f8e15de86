package ui

// insightMessages are the insights page's strings, as {English, Korean}.
var insightMessages = map[string][2]string{
	"nav.insights":                 {"Insights", "인사이트"},
	"ins.title":                    {"Insights", "인사이트"},
	"ins.filters":                  {"Filters", "필터"},
	"ins.period":                   {"Period", "기간"},
	"ins.period_hint":              {"A year (2026), quarter (2026-Q3), month (2026-11), the last days (last-90d) or days from..to (2026-07-15..2026-08-31).", "연도(2026), 분기(2026-Q3), 월(2026-11), 최근 일수(last-90d) 또는 날짜 범위(2026-07-15..2026-08-31)."},
	"ins.bucket":                   {"Per", "단위"},
	"ins.bucket.month":             {"month", "월"},
	"ins.bucket.quarter":           {"quarter", "분기"},
	"ins.team":                     {"Team", "팀"},
	"ins.service":                  {"Service", "서비스"},
	"ins.grade":                    {"Grade", "등급"},
	"ins.all":                      {"All", "전체"},
	"ins.by":                       {"Break down by", "분류 기준"},
	"ins.apply":                    {"Show", "보기"},
	"ins.dim.grade":                {"grade", "등급"},
	"ins.dim.service":              {"service", "서비스"},
	"ins.dim.team":                 {"team", "팀"},
	"ins.dim.cause":                {"cause tag", "원인 태그"},
	"ins.dim.source":               {"detection source", "탐지 경로"},
	"ins.scope":                    {"Period %s (%s): %d incidents you may see.", "기간 %s (%s): 볼 수 있는 장애 %d건."},
	"ins.truncated":                {"More rows than can be measured at once; narrow the period.", "한 번에 측정할 수 있는 양을 넘었습니다. 기간을 줄여 주세요."},
	"ins.measure.detect":           {"Time to detect", "탐지 시간"},
	"ins.measure.acknowledge":      {"Time to acknowledge", "대응 착수 시간"},
	"ins.measure.mitigate":         {"Time to mitigate", "완화 시간"},
	"ins.measure.resolve":          {"Time to resolve", "해결 시간"},
	"ins.measure.detect.from":      {"start → detection", "발생 → 탐지"},
	"ins.measure.acknowledge.from": {"detection → first responder", "탐지 → 첫 담당자"},
	"ins.measure.mitigate.from":    {"start → impact stopped", "발생 → 영향 종료"},
	"ins.measure.resolve.from":     {"start → resolved", "발생 → 해결"},
	"ins.median":                   {"median", "중앙값"},
	"ins.p90":                      {"p90", "p90"},
	"ins.recurrence":               {"Recurring", "재발"},
	"ins.recurrence_sub":           {"%d of %d linked to an earlier incident", "%d/%d건이 이전 장애와 연결됨"},
	"ins.reviews":                  {"Reviews in time", "기한 내 회고"},
	"ins.reviews_sub":              {"%d in time, %d held, of %d stages (within %d days)", "%d건 기한 내, %d건 진행, 전체 %d단계 (%d일 이내)"},
	"ins.chart.counts":             {"Incidents over time by grade", "기간별 등급별 장애 수"},
	"ins.chart.duration":           {"%s by group: median bar, p90 whisker", "%s: 막대는 중앙값, 선은 p90"},
	"ins.chart.heatmap":            {"Incidents by service and month", "서비스별 월별 장애 수"},
	"ins.chart.ages":               {"Open action items by term and category", "기간·분류별 미완료 조치 항목"},
	"ins.ages_note":                {"%d open · median %dd · oldest %dd", "%d건 · 중앙 %d일 · 최장 %d일"},
	"ins.durations":                {"Durations by %s", "%s별 소요 시간"},
	"ins.table":                    {"Table", "표로 보기"},
	"ins.csv":                      {"Download CSV", "CSV 내려받기"},
	"ins.total":                    {"Total", "합계"},
	"ins.incidents":                {"Incidents", "장애"},
	"ins.no_data":                  {"No data in this period.", "이 기간에 데이터가 없습니다."},
	"ins.items":                    {"Action items", "조치 항목"},
	"ins.items.opened":             {"Opened", "등록"},
	"ins.items.done":               {"Done", "완료"},
	"ins.items.on_time":            {"Done by due date", "기한 내 완료"},
	"ins.items.overdue":            {"Overdue now", "현재 기한 초과"},
	"ins.items.long_open":          {"Long-term open > 90 days", "90일 넘은 장기 항목"},
	"ins.items.long_list":          {"Long-term items open more than 90 days", "90일 넘게 열려 있는 장기 항목"},
	"ins.term":                     {"Term", "기간"},
	"ins.category":                 {"Category", "분류"},
	"ins.open":                     {"Open", "미완료"},
	"ins.median_age":               {"Median age (days)", "중앙 경과일"},
	"ins.max_age":                  {"Oldest (days)", "최장 경과일"},
	"ins.days":                     {"%d days", "%d일"},
}

func init() {
	for k, v := range insightMessages {
		if _, dup := messages[k]; dup {
			panic("ui: message " + k + " registered twice")
		}
		messages[k] = v
	}
}
