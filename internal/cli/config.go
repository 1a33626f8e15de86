package cli

import (
	"errors"
	"sort"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/confyaml"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/report"
)

// fileConfig is every section of a config file.
type fileConfig struct {
	Catalog *catalog.Catalog
	Intake  *intake.Config
	Report  *report.Config
	Policy  *policy.Policy
}

// loadAll reads every section of a config file and reports every error of
// every section together, in file order.
func loadAll(path string) (fileConfig, error) {
	var c fileConfig
	cat, in, baseErr := loadConfig(path)
	var services func(string) bool
	if cat != nil {
		services = func(name string) bool { _, ok := cat.Service(name); return ok }
	}
	rep, repErr := report.LoadConfig(path)
	pol, polErr := policy.LoadConfig(path, services)
	if baseErr == nil && repErr == nil && polErr == nil {
		return fileConfig{Catalog: cat, Intake: in, Report: rep, Policy: pol}, nil
	}
	var all confyaml.Errors
	for _, err := range []error{baseErr, repErr, polErr} {
		var es confyaml.Errors
		if errors.As(err, &es) {
			all = append(all, es...)
		} else if err != nil {
			return c, err
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Line < all[j].Line })
	return c, all
}
