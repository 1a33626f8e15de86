package hooks_test

import (
	"os"
	"testing"

	"github.com/firebreak-oss/firebreak/internal/testutil"
)

// TestMain stops the throwaway PostgreSQL server the tests start.
func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }
