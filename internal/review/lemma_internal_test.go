package review

import "testing"

func TestKoreanLemma(t *testing.T) {
	for in, want := range map[string]string{
		"강화한다": "강화", "강화합니다": "강화", "강화해요": "강화", "강화하겠습니다": "강화", "강화하겠다": "강화",
		"강화할": "강화", "강화해야": "강화", "필요함": "필요", "강화함": "강화", "강화하기": "강화", "개선되어야": "개선",
		"모니터링을": "모니터링", "철저히": "철저", "꼼꼼하게": "꼼꼼", "높인다": "높", "높여야": "높", "쓰자": "쓰", "과부하를": "과부하",
		"성능저하": "성능저하", "한다": "", "가능하면": "가능", "되도록": "되도록",
	} {
		if got := koreanLemma([]rune(in)); got != want {
			t.Errorf("%s: got %q, want %q", in, got, want)
		}
	}
}
