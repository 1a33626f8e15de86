package cli

import (
	"fmt"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// flagError names the command-line flag or argument behind a domain error's
// field; positional is the field that a positional argument carries.
func flagError(err error, positional string) error {
	e, ok := fail.As(err)
	switch {
	case !ok || e.Field == "":
		return err
	case e.Field == positional && positional == "password":
		return e // read from standard input, not a flag
	case e.Field == positional:
		return fmt.Errorf("%s: %s", strings.ToUpper(e.Field), e.Message)
	}
	return fmt.Errorf("--%s: %s", e.Field, e.Message)
}
