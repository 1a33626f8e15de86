package catalog

import _ "embed"

// DemoYAML is a sample config file with a small shop's teams and services,
// for `firebreak serve --demo` and for trying things out. Read it with Parse.
//
//go:embed demo.yaml
var DemoYAML []byte
