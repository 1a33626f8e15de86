package ui

// healthMessages are the strings of the store's health banner, as
// {English, Korean}.
var healthMessages = map[string][2]string{
	"store.cannot_write": {"Firebreak cannot write to its database (the disk may be full). Changes and incoming alerts are refused until space is freed; nothing acknowledged is lost.",
		"Firebreak이 데이터베이스에 쓸 수 없습니다(디스크가 가득 찼을 수 있습니다). 공간이 확보될 때까지 변경과 들어오는 알림은 거부되며, 이미 접수된 것은 잃지 않습니다."},
}

func init() {
	for k, v := range healthMessages {
		if _, dup := messages[k]; dup {
			panic("ui: message " + k + " registered twice")
		}
		messages[k] = v
	}
}
