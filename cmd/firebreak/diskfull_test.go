package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSQLiteDiskFull fills the store of an SQLite deployment during an
// alert storm: intake answers 503 (never 2xx without storing), /readyz and
// the UI say the store cannot write, and once space is freed everything
// recovers without a restart, with every acknowledged alert stored once.
//
// The full disk is emulated: the server caps its file with PRAGMA
// max_page_count (hidden --sqlite-max-pages) a few hundred KiB above its
// size, and "freeing space" drops a filler table the test put in first.
// A real small file system (tmpfs, a loop device) needs root to mount; the
// store's check also looks at the file system's free space, which this
// test does not reach.
func TestSQLiteDiskFull(t *testing.T) {
	dir := t.TempDir()
	dbArgs := []string{"--data-dir", dir}
	config := filepath.Join(dir, "firebreak.yaml")
	os.WriteFile(config, []byte("teams:\n  - name: ops\nservices:\n  - name: api\n    team: ops\nintake:\n  alertmanager:\n    token: storm-token\n"), 0o644)
	mustRun(t, nil, append([]string{"user", "add", "ops", "--role", "admin"}, dbArgs...)...)
	passwd := command(append([]string{"user", "passwd", "ops"}, dbArgs...)...)
	passwd.Stdin = strings.NewReader("correct horse battery\n")
	if out, err := passwd.CombinedOutput(); err != nil {
		t.Fatalf("passwd: %v\n%s", err, out)
	}
	db, err := openDB(dbArgs)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The filler is the space an operator frees later (old logs on the
	// same disk, in a real deployment).
	for _, q := range []string{"CREATE TABLE filler (b BLOB)",
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) INSERT INTO filler SELECT randomblob(4000) FROM n"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var pages int
	if err := db.QueryRow("SELECT page_count FROM pragma_page_count()").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, nil, append(dbArgs, "--config", config, "--sqlite-max-pages", fmt.Sprint(pages+150))...)
	viewer := signIn(t, srv.base, "ops", "correct horse battery")

	var mu sync.Mutex
	var accepted []string
	codes := map[int]int{}
	storm := func(tag string, until func() bool) {
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Timeout: 10 * time.Second}
				for i := 0; !until(); i++ {
					fps := make([]string, 10)
					for j := range fps {
						fps[j] = fmt.Sprintf("full-%s-%d-%d-%d", tag, w, i, j)
					}
					code := sendAlerts(client, srv.base, fps)
					mu.Lock()
					codes[code]++
					if code >= 200 && code < 300 {
						accepted = append(accepted, fps...)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	refused := func() int { mu.Lock(); defer mu.Unlock(); return codes[http.StatusServiceUnavailable] }
	deadline := time.Now().Add(90 * time.Second)
	storm("fill", func() bool { return refused() >= 20 || time.Now().After(deadline) })
	t.Logf("filling: answers %v, %d alerts acknowledged", codes, len(accepted))
	if refused() == 0 {
		t.Fatal("the store never filled up")
	}
	for code, n := range codes {
		if code != http.StatusOK && code != http.StatusServiceUnavailable {
			t.Errorf("intake answered %d (%d times) while filling up; want 200 or 503", code, n)
		}
	}

	readyz := func() (int, string) {
		resp, err := http.Get(srv.base + "/readyz")
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	waitUntil(t, "/readyz to say the store cannot write", 15*time.Second, func() bool {
		code, body := readyz()
		return code == http.StatusServiceUnavailable && strings.Contains(body, "cannot write")
	})
	_, body := readyz()
	t.Logf("/readyz while full: %s", strings.TrimSpace(body))
	banner := func() bool {
		resp, err := viewer.Get(srv.base + "/incidents")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), `id="store-down"`)
	}
	waitUntil(t, "the UI's banner", 15*time.Second, banner)

	// Space is freed: no restart, the store takes writes again.
	if _, err := db.Exec("DROP TABLE filler"); err != nil {
		t.Fatal(err)
	}
	freed := time.Now()
	waitUntil(t, "/readyz ready again", 30*time.Second, func() bool { code, _ := readyz(); return code == 200 })
	waitUntil(t, "the banner to go", 30*time.Second, func() bool { return !banner() })
	t.Logf("ready %s after space was freed", time.Since(freed).Round(time.Millisecond))
	mu.Lock()
	before := len(accepted)
	mu.Unlock()
	storm("after", func() bool { mu.Lock(); defer mu.Unlock(); return len(accepted) >= before+100 })
	if missing, doubled := storedOnce(t, db, accepted); missing > 0 || doubled > 0 {
		t.Fatalf("of %d acknowledged alerts %d are not stored and %d stored twice", len(accepted), missing, doubled)
	}
	t.Logf("%d acknowledged alerts, every one stored once", len(accepted))
}
