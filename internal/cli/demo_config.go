package cli

import (
	"fmt"
	"os"

	"github.com/firebreak-oss/firebreak/internal/catalog"
)

// loadDemoConfig reads the embedded demo catalog through the same loader as
// a config file, so the demo gets every section it has (policy, intake,
// playbooks, …), including sections added later, and none is dropped
// because the demo parsed them one by one.
func loadDemoConfig() (*fileConfig, error) {
	f, err := os.CreateTemp("", "firebreak-demo-*.yaml")
	if err != nil {
		return nil, fmt.Errorf("write the demo config: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(catalog.DemoYAML); err != nil {
		f.Close()
		return nil, fmt.Errorf("write the demo config: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write the demo config: %w", err)
	}
	return loadConfig(f.Name())
}
