package maintenance

import (
	"fmt"
	"strings"
)

// InProgressWarning is the declare preview's notice that w is in progress
// on its services, in lang ("ko" for Korean, English otherwise). It is a
// warning, not a refusal: a person may still declare an incident there.
func (w *Window) InProgressWarning(lang string) string {
	services := strings.Join(w.Services, ", ")
	if lang == "ko" {
		return fmt.Sprintf("점검 시간 %s(%s)이(가) %s에서 진행 중입니다. 해당 경보는 조용히 처리되지만, 이 장애 선언은 그대로 진행됩니다.",
			w.Ref(), w.Title, services)
	}
	return fmt.Sprintf("maintenance window %s (%s) is in progress on %s: its alerts are kept quiet; this declaration still goes ahead",
		w.Ref(), w.Title, services)
}
