package maintenance

import (
	"fmt"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/i18n"
)

// InProgressWarning is the declare preview's notice that w is in progress
// on its services, in lang ("ko" for Korean, English otherwise). It is a
// warning, not a refusal: a person may still declare an incident there.
func (w *Window) InProgressWarning(lang string) string {
	services := strings.Join(w.Services, ", ")
	if lang == "ko" {
		return i18n.FixParticles(fmt.Sprintf("%s에서 점검 시간 %s이(가) 진행 중입니다(%s). 해당 경보는 조용히 처리되지만, 이 장애 선언은 그대로 진행됩니다.",
			services, w.Ref(), w.Title))
	}
	return fmt.Sprintf("maintenance window %s (%s) is in progress on %s: its alerts are kept quiet; this declaration still goes ahead",
		w.Ref(), w.Title, services)
}
