package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/spf13/cobra"

	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/store"
)

func newMigrateDataCmd() *cobra.Command {
	var from, to string
	var force bool
	cmd := &cobra.Command{
		Use:   "migrate-data --from firebreak-data/firebreak.db --to postgres://…",
		Short: "Copy an SQLite database into PostgreSQL (stop the server first; resumable)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return migrateData(cmd.Context(), cmd.OutOrStdout(), from, to, force)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the SQLite database file to copy")
	cmd.Flags().StringVar(&to, "to", "", "the PostgreSQL database to copy into, postgres://…")
	cmd.Flags().BoolVar(&force, "force", false, "copy into a target that holds data: its data is replaced")
	return cmd
}

func migrateData(ctx context.Context, out io.Writer, from, to string, force bool) error {
	from = strings.TrimPrefix(strings.TrimPrefix(from, "sqlite://"), "sqlite:")
	if from == "" {
		return errors.New("--from: name the SQLite database file")
	}
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	if !strings.HasPrefix(to, "postgres://") && !strings.HasPrefix(to, "postgresql://") {
		return errors.New("--to: give a postgres:// URL")
	}
	src, err := server.OpenDB(ctx, server.Options{DatabaseURL: "sqlite:" + from})
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	defer src.Close()
	dst, err := server.OpenDB(ctx, server.Options{DatabaseURL: to})
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	defer dst.Close()
	bar := newProgress(out)
	res, err := store.CopyData(ctx, src, dst, store.CopyOptions{Force: force, Progress: bar.show})
	if err != nil {
		if errors.Is(err, store.ErrTargetNotEmpty) {
			return fmt.Errorf("--to: %w", err)
		}
		return err
	}
	var rows int64
	for _, r := range res {
		if r.Skipped != "" {
			fmt.Fprintf(out, "skipped %s: %s\n", r.Table, r.Skipped)
			continue
		}
		rows += r.Rows
	}
	fmt.Fprintf(out, "Counts and checksums match: %d tables, %d rows.\n", len(res), rows)
	n, err := rebuildSearch(ctx, dst)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Search index rebuilt: %d incidents.\n", n)
	queued, err := requeueDeliveries(ctx, dst)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Undelivered messages queued for delivery: %d.\n", queued)
	if left, err := unfinishedJobs(ctx, src); err == nil && left > 0 {
		fmt.Fprintf(out, "Note: the source had %d unfinished background jobs besides deliveries (tracker syncs, reminders); they are not copied. Periodic work runs again on its own.\n", left)
	}
	return nil
}

// rebuildSearch indexes every copied incident in the target's form.
func rebuildSearch(ctx context.Context, dst *store.DB) (int, error) {
	idx := dst.Search()
	n := 0
	for {
		ids, err := idx.Unindexed(ctx, 500)
		if err != nil {
			return n, fmt.Errorf("rebuild the search index: %w", err)
		}
		if len(ids) == 0 {
			return n, nil
		}
		if err := idx.Reindex(ctx, ids); err != nil {
			return n, fmt.Errorf("rebuild the search index: %w", err)
		}
		n += len(ids)
	}
}

// requeueDeliveries enqueues a delivery for every message still pending:
// the queue's jobs are not copied, the messages are. A delivery job is
// unique by message, so a resumed run does not queue one twice.
func requeueDeliveries(ctx context.Context, dst *store.DB) (int, error) {
	rows, err := dst.SQL.QueryContext(ctx, "SELECT id FROM outbound_messages WHERE status = 'pending' ORDER BY id")
	if err != nil {
		return 0, err
	}
	var params []river.InsertManyParams
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		params = append(params, river.InsertManyParams{Args: notify.DeliverArgs{MessageID: id}})
	}
	rows.Close()
	if len(params) == 0 {
		return 0, nil
	}
	// Insert only: this client works no queue.
	client, err := river.NewClient(riverdatabasesql.New(dst.SQL), &river.Config{})
	if err != nil {
		return 0, err
	}
	total := len(params)
	for len(params) > 0 {
		n := min(len(params), 1000)
		if _, err := client.InsertMany(ctx, params[:n]); err != nil {
			return 0, fmt.Errorf("queue deliveries: %w", err)
		}
		params = params[n:]
	}
	return total, nil
}

func unfinishedJobs(ctx context.Context, src *store.DB) (int, error) {
	var n int
	err := src.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'scheduled', 'retryable', 'running', 'pending')
		AND kind <> $1`, notify.DeliverArgs{}.Kind()).Scan(&n)
	return n, err
}

// progress shows each table's copy: a bar redrawn in place on a terminal,
// a line per table otherwise (logs, pipes).
type progress struct {
	out  io.Writer
	term bool
}

func newProgress(out io.Writer) *progress {
	p := &progress{out: out}
	if f, ok := out.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.term = true
		}
	}
	return p
}

func (p *progress) show(c store.CopyProgress) {
	if !p.term {
		switch {
		case c.Resumed:
			fmt.Fprintf(p.out, "%-28s %8d rows (copied before; resumed after it)\n", c.Table, c.Rows)
		case c.Finished:
			fmt.Fprintf(p.out, "%-28s %8d rows copied\n", c.Table, c.Done)
		}
		return
	}
	const width = 30
	filled := width
	if c.Rows > 0 {
		filled = int(int64(width) * c.Done / c.Rows)
	}
	fmt.Fprintf(p.out, "\r%-28s [%s%s] %d/%d", c.Table, strings.Repeat("#", filled), strings.Repeat(" ", width-filled), c.Done, c.Rows)
	if c.Finished {
		fmt.Fprintln(p.out)
	}
}
