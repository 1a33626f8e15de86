// Package cli is Firebreak's command tree: the server commands (serve,
// migrate, check-config, user, token) that work on the database directly, and
// the client commands (incident …) that talk to a running server's API.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Execute runs the command line and returns the process exit code.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := NewRoot(stdout, stderr)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "firebreak:", err)
		return 1
	}
	return 0
}

// NewRoot builds the command tree writing to the given streams.
func NewRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "firebreak",
		Short:         "Self-hosted incident management: detect, propagate, resolve, report, review",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		newServeCmd(),
		newMigrateCmd(),
		newCheckConfigCmd(),
		newUserCmd(),
		newTokenCmd(),
		newIncidentCmd(),
		newTriageCmd(),
		newPolicyCmd(),
		newReportCmd(),
		newSearchCmd(),
		newReviewCmd(),
		newActionCmd(),
		newTeamCmd(),
		newPlaybookCmd(),
		newChangeCmd(),
		newFlagCmd(),
		newMaintenanceCmd(),
		newSilenceCmd(),
		newBackupCmd(),
		newRestoreCmd(),
		newMigrateDataCmd(),
		newInsightsCmd(),
	)
	return root
}

// envOr returns the environment variable's value, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
