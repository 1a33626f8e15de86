// Command firebreak is the whole of Firebreak in one binary: the server, its
// admin commands and an API client. See `firebreak --help`.
package main

import (
	"context"
	"os"

	"github.com/firebreak-oss/firebreak/internal/cli"
)

func main() {
	os.Exit(cli.Execute(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
