package cli

import (
	"testing"

	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/server"
)

// TestDemoConfigHasWarRooms: `serve --demo` turns war rooms on for its
// serious incidents.
func TestDemoConfigHasWarRooms(t *testing.T) {
	cfg, err := loadDemoConfig()
	if err != nil {
		t.Fatal(err)
	}
	var o server.Options
	cfg.apply(&o)
	if o.WarRoom == nil || !o.WarRoom.Opens(incident.SEV3) || o.WarRoom.Opens(incident.SEV4) || o.WarRoom.SlackUsers["minji.kim"] == "" {
		t.Fatalf("demo war_room section: %+v", o.WarRoom)
	}
}
