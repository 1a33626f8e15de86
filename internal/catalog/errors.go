package catalog

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// FieldError is one problem in a config file. Line and Column count from 1;
// they are 0 when the place is not known. Field is the path to the value at
// fault, such as "services[3].depends_on[1]", and is empty for syntax errors.
type FieldError struct {
	File    string
	Line    int
	Column  int
	Field   string
	Message string
}

// Error formats e as "file:line:column: field: message", the form editors and
// terminals turn into a link to the place.
func (e FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteString(":" + strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Errors is every problem found in a config file, sorted by place.
type Errors []FieldError

// Error lists the problems one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns each problem, so errors.As can find a FieldError.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// sort orders es by place; problems at the same place keep the order found.
func (es Errors) sort() {
	slices.SortStableFunc(es, func(a, b FieldError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}
