package review

import ("testing";"fmt")

func TestZZDebug(t *testing.T) {
	vc, _ := NewVagueChecker(nil)
	for _, s := range []string{"Double-check configuration before deploying"} {
		fmt.Println(s, lemmas(s), vc.Check(s,"","en"))
		for _, r := range vc.rules { m, u := r.match(s, lemmas(s)); fmt.Println(r.ID, m, u, vc.concrete.in(s, lemmas(s), u)) }
	}
}
