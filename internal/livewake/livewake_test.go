package livewake

import "testing"

func TestNotifyWakesHoldersOnce(t *testing.T) {
	var h Hub
	a, b := h.C(), h.C()
	select {
	case <-a:
		t.Fatal("woken before any notice")
	default:
	}
	h.Notify()
	for _, c := range []<-chan struct{}{a, b} {
		select {
		case <-c:
		default:
			t.Fatal("a holder was not woken")
		}
	}
	next := h.C()
	select {
	case <-next:
		t.Fatal("a channel taken after the notice is already closed")
	default:
	}
	var none *Hub
	none.Notify()
	if none.C() != nil {
		t.Fatal("a nil hub gave a channel")
	}
}
