package api

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// invalidUTF8 returns a 400 naming the field whose string holds invalid
// UTF-8, or nil when the body is valid. encoding/json would replace the
// bad bytes with U+FFFD and store a text the client never sent; the text
// rules (internal/textrule) refuse it instead.
func invalidUTF8(body []byte) error {
	if utf8.Valid(body) {
		return nil
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	for {
		_, err := dec.ReadToken()
		if errors.Is(err, io.EOF) {
			break
		}
		var syntax *jsontext.SyntacticError
		if errors.As(err, &syntax) {
			return fail.Field(fail.PointerField(syntax.JSONPointer), "is not valid UTF-8")
		}
		if err != nil {
			break
		}
	}
	return fail.Field("", "the body is not valid UTF-8")
}
