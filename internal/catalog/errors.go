package catalog

import "github.com/firebreak-oss/firebreak/internal/confyaml"

// FieldError is one problem in a config file, with file, line, column and
// field; every section of the file reports its problems this way.
type FieldError = confyaml.FieldError

// Errors is every problem found in a config file, sorted by place.
type Errors = confyaml.Errors
