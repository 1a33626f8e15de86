package email

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/korean"

	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/textrule"
)

// fingerprintLabels are the labels that make an alarm mail's fingerprint:
// the same sender with the same subject is the same alarm.
var fingerprintLabels = []string{"from", "subject"}

// maxPartDepth bounds how deep multipart messages are searched.
const maxPartDepth = 8

// parseMessage turns one raw message into a signal. envelopeFrom and rcpt are
// the SMTP envelope; the header's From wins over the envelope sender, which
// is often a bounce address that changes with every message.
func parseMessage(raw []byte, envelopeFrom string, rcpt []string) (*intake.Signal, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	h := msg.Header
	topCharset := contentCharset(h.Get("Content-Type"))

	subject := decodeHeader(h.Get("Subject"), topCharset)
	title, resolved := stripStatus(subject)

	from := strings.ToLower(strings.TrimSpace(envelopeFrom))
	if a := parseAddress(h.Get("From"), topCharset); a != "" {
		from = a
	}
	to := ""
	if len(rcpt) > 0 {
		to = strings.ToLower(rcpt[0])
	} else if as, err := addressParser.ParseList(h.Get("To")); err == nil && len(as) > 0 {
		to = strings.ToLower(as[0].Address)
	}

	rawBody, err := io.ReadAll(msg.Body)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	body, err := textBody(h, bytes.NewReader(rawBody), 0)
	if err != nil {
		// A broken body still carries an alarm: keep it as it came.
		body = toUTF8(rawBody, topCharset)
	}

	// The same text rules as every other input path; mail that breaks them
	// is refused (and kept among the rejected signals), never repaired.
	if p := textrule.Problem(title, false, true); p != "" {
		return nil, fmt.Errorf("subject: %s", p)
	}
	if p := textrule.Problem(tidy(body), true, false); p != "" {
		return nil, fmt.Errorf("body: %s", p)
	}
	if p := textrule.Problem(from, false, false); p != "" {
		return nil, fmt.Errorf("from: %s", p)
	}
	labels := map[string]string{"from": from, "subject": title, "to": to}
	sig := &intake.Signal{
		Source:      "email",
		Title:       title,
		Summary:     tidy(body),
		Status:      intake.Firing,
		Labels:      labels,
		Fingerprint: intake.Fingerprint(labels, fingerprintLabels),
	}
	if resolved {
		sig.Status = intake.Resolved
	}
	if d, err := h.Date(); err == nil {
		sig.StartsAt = d
	}
	return sig, nil
}

// stripStatus removes a status marker from the front of a subject and says
// whether it marked the alarm resolved. "RESOLVED", "[RESOLVED]" and "해결"
// mark a resolved alarm; "[FIRING:3]", as Alertmanager and Grafana write it,
// marks a firing one. Both are taken off so that the firing and the resolved
// mail of one alarm have one subject, and so one fingerprint; the count in
// "[FIRING:n]" changes between repeats and must not split them either.
func stripStatus(subject string) (rest string, resolved bool) {
	s := strings.TrimSpace(subject)
	for _, m := range statusMarkers {
		loc := m.re.FindStringIndex(s)
		if loc == nil {
			continue
		}
		// A bare word must end there: "Resolvedness check" and "해결되지
		// 않은 오류" (an unresolved error) are not resolved alarms.
		end := loc[1]
		if last, _ := utf8.DecodeLastRuneInString(s[:end]); unicode.IsLetter(last) && end < len(s) {
			if next, _ := utf8.DecodeRuneInString(s[end:]); unicode.IsLetter(next) || unicode.IsDigit(next) {
				continue
			}
		}
		return strings.TrimSpace(strings.TrimLeft(s[end:], " \t:-|")), m.resolved
	}
	return s, false
}

// statusMarkers are tried in order. Besides the markers named above they
// know Zabbix's "Problem:" and "Resolved in 5m 3s:", and the Korean pairs
// "[장애]" or "[발생]" with "[해결]" or "[복구]". "복구" counts only in
// brackets: "복구 작업 시작" (recovery work begins) is news, not a recovery.
var statusMarkers = []struct {
	re       *regexp.Regexp
	resolved bool
}{
	{regexp.MustCompile(`^(?i)(?:\[\s*(?:resolved|해결됨|해결|복구됨|복구)\s*\]|resolved in [^:\n]{1,40}:|resolved|해결됨|해결)`), true},
	{regexp.MustCompile(`^(?i)(?:\[\s*(?:firing(?::\s*\d+)?|장애|발생)\s*\]|firing:|problem:)`), false},
}

// charsetAliases are charset names seen in Korean mail that the WHATWG index
// does not know; x/text's EUC-KR decoder reads code page 949 whole.
var charsetAliases = map[string]encoding.Encoding{
	"cp949":   korean.EUCKR,
	"ms949":   korean.EUCKR,
	"uhc":     korean.EUCKR,
	"x-uhc":   korean.EUCKR,
	"ksc5601": korean.EUCKR,
}

// lookupCharset finds a decoder for a MIME charset name; nil means UTF-8 (or
// a subset of it) and needs no decoding.
func lookupCharset(name string) (encoding.Encoding, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	switch name {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return nil, nil
	}
	if e, ok := charsetAliases[name]; ok {
		return e, nil
	}
	e, err := htmlindex.Get(name)
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q", name)
	}
	return e, nil
}

func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	e, err := lookupCharset(charset)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return input, nil
	}
	return e.NewDecoder().Reader(input), nil
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

var addressParser = &mail.AddressParser{WordDecoder: wordDecoder}

// decodeHeader decodes RFC 2047 encoded words. Raw 8-bit header text that is
// not UTF-8 is read in the message's charset, else as EUC-KR (see toUTF8).
func decodeHeader(v, fallbackCharset string) string {
	if !utf8.ValidString(v) {
		v = toUTF8([]byte(v), fallbackCharset)
	}
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		return v
	}
	return d
}

// parseAddress returns the lower-case address of a From header, or "".
func parseAddress(v, charset string) string {
	a, err := addressParser.Parse(v)
	if err != nil {
		if a, err = addressParser.Parse(decodeHeader(v, charset)); err != nil {
			return ""
		}
	}
	return strings.ToLower(a.Address)
}

// toUTF8 decodes b from charset. Text that claims UTF-8 (or nothing) but is
// not is read as EUC-KR, the likeliest legacy charset of an undeclared
// Korean alarm; what still does not decode is replaced.
func toUTF8(b []byte, charset string) string {
	e, err := lookupCharset(charset)
	if err == nil && e == nil && !utf8.Valid(b) {
		e = korean.EUCKR
	}
	if e != nil {
		if d, err := e.NewDecoder().Bytes(b); err == nil {
			b = d
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func contentCharset(contentType string) string {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return params["charset"]
}

// header is what textBody needs of a header: net/mail's and multipart's
// headers both give it.
type header interface{ Get(string) string }

// textBody finds the text of a message or part: the first text/plain part
// that is not an attachment, searching multiparts depth first; failing that
// the first text/html part with its markup taken out.
func textBody(h header, body io.Reader, depth int) (string, error) {
	plain, htmlText, err := findText(h, body, depth)
	if err != nil {
		return "", err
	}
	if plain == "" {
		return htmlText, nil
	}
	return plain, nil
}

func findText(h header, body io.Reader, depth int) (plain, htmlText string, err error) {
	mediaType, params, perr := mime.ParseMediaType(h.Get("Content-Type"))
	if perr != nil || h.Get("Content-Type") == "" {
		// RFC 2045: no (or an unreadable) Content-Type means plain text.
		mediaType, params = "text/plain", map[string]string{}
	}
	if disp, _, _ := mime.ParseMediaType(h.Get("Content-Disposition")); disp == "attachment" {
		return "", "", nil
	}
	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		if depth >= maxPartDepth || params["boundary"] == "" {
			return "", "", nil
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return plain, htmlText, nil
			}
			if err != nil {
				if plain != "" || htmlText != "" {
					return plain, htmlText, nil
				}
				return "", "", fmt.Errorf("read multipart: %w", err)
			}
			pp, ph, err := findText(p.Header, p, depth+1)
			if err != nil {
				continue
			}
			if pp != "" {
				return pp, "", nil
			}
			if htmlText == "" {
				htmlText = ph
			}
		}
	case mediaType == "text/plain":
		t, err := decodePart(h, body, params["charset"])
		return t, "", err
	case mediaType == "text/html":
		t, err := decodePart(h, body, params["charset"])
		return "", htmlToText(t), err
	}
	return "", "", nil
}

// decodePart undoes the transfer encoding and the charset of a leaf part.
func decodePart(h header, body io.Reader, charset string) (string, error) {
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &spaceSkipper{r: body})
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(r)
	if err != nil && len(b) == 0 {
		return "", fmt.Errorf("decode body: %w", err)
	}
	return toUTF8(b, charset), nil
}

// spaceSkipper drops the spaces and tabs some senders leave in base64
// lines; the decoder already skips line breaks.
type spaceSkipper struct{ r io.Reader }

func (s *spaceSkipper) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != ' ' && c != '\t' {
			p[j] = c
			j++
		}
	}
	return j, err
}

var (
	htmlDropRe  = regexp.MustCompile(`(?is)<(script|style|head)\b.*?</(script|style|head)\s*>`)
	htmlBreakRe = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/tr|/li|/h[1-6]|/table)\b[^>]*>`)
	htmlTagRe   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// htmlToText reads the text of an HTML-only alarm mail well enough for a
// summary; it is not a renderer.
func htmlToText(s string) string {
	s = htmlDropRe.ReplaceAllString(s, "")
	s = htmlBreakRe.ReplaceAllString(s, "\n")
	s = htmlTagRe.ReplaceAllString(s, "")
	return html.UnescapeString(s)
}

// tidy normalises line ends, trims trailing space from lines, and folds runs
// of blank lines into one.
func tidy(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
