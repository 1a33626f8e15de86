package cli

import (
	"errors"
	"sort"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/confyaml"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/review"
)

// loadConfigWithReview reads every section loadConfig reads and the review
// section, reporting the problems of all of them together in file order.
func loadConfigWithReview(path string) (*catalog.Catalog, *intake.Config, *review.Config, error) {
	cat, in, err := loadConfig(path)
	rv, rvErr := review.LoadConfig(path)
	if err == nil && rvErr == nil {
		return cat, in, rv, nil
	}
	var all confyaml.Errors
	for _, e := range []error{err, rvErr} {
		var es confyaml.Errors
		if errors.As(e, &es) {
			all = append(all, es...)
		} else if e != nil {
			return nil, nil, nil, e
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Line < all[j].Line })
	return nil, nil, nil, all
}
