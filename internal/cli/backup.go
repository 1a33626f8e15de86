package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/firebreak-oss/firebreak/internal/store"
)

// sqlitePath is the file of the SQLite database the flags name, or an error
// that points a PostgreSQL user to pg_dump.
func (f *dbFlags) sqlitePath() (string, error) {
	u := f.options().DatabaseURLOrDefault()
	if strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		return "", errors.New("--database-url: backup and restore copy SQLite files; for PostgreSQL use pg_dump and pg_restore (docs/operations.md)")
	}
	return strings.TrimPrefix(strings.TrimPrefix(u, "sqlite://"), "sqlite:"), nil
}

func newBackupCmd() *cobra.Command {
	var db dbFlags
	var to string
	cmd := &cobra.Command{
		Use:   "backup --to FILE",
		Short: "Copy the SQLite database to FILE, consistently, while the server runs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if to == "" {
				return errors.New("--to: name the file to write the backup to")
			}
			if _, err := db.sqlitePath(); err != nil {
				return err
			}
			d, err := store.Open(cmd.Context(), db.options().DatabaseURLOrDefault())
			if err != nil {
				return err
			}
			defer d.Close()
			if err := d.Backup(cmd.Context(), to); err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Backed up to %s (integrity checked).\n", to)
			return nil
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&to, "to", "", "file to write the backup to; must not exist")
	return cmd
}

func newRestoreCmd() *cobra.Command {
	var db dbFlags
	var from string
	var force bool
	cmd := &cobra.Command{
		Use:   "restore --from FILE",
		Short: "Bring an SQLite backup back as the database (stop the server first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" {
				return errors.New("--from: name the backup file to restore")
			}
			path, err := db.sqlitePath()
			if err != nil {
				return err
			}
			kept, err := store.Restore(cmd.Context(), from, path, store.RestoreOptions{Force: force})
			if err != nil {
				return err
			}
			if kept != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "The database it replaced is kept as %s.\n", kept)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Restored %s from %s. Start the server; it migrates the schema forward if the backup is older.\n", path, from)
			return nil
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&from, "from", "", "backup file to restore")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing database (it is kept beside, renamed)")
	return cmd
}
