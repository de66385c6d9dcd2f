package workiva

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/go-json-experiment/json/jsontext"
)

// A list page is read whole into memory before it is decoded, which frees
// its connection and its slot in the rate-limit gate at once; when the page
// names a next page, that request is sent before this page is decoded, so
// the API's latency overlaps the client's decoding instead of following it.
//
// The link is read from the page's end, or else found by scanning the page's
// top-level object (nextLinkHint); the page's decoding stays the authority:
// a read-ahead whose URL is not the one the decoded page names is dropped
// unread, and a page the decoder refuses fails the walk, read-ahead and all.

// pageBufferMax bounds the bytes of one page held in memory. A larger page
// is streamed as before (its next request waits for its decoding), so a
// server sending an endless page cannot exhaust memory.
const pageBufferMax = 8 << 20

// maxBufferedPages bounds the pages one client holds whole at once; a
// reader that finds them all taken decodes its page as it streams (its next
// request then waits for the decoding). Readers hold a page only from its
// answer to the end of its decoding, but the 16 answers of a round come
// together. The export at parallelism 16, 100 ms per page, 100,000
// activities (scripts/bench-memory.sh; target 64 MiB at up to 1,000,000)
// peaked at 34 MiB with none, 52 with 6, 56 with 10 (62 at 1,000,000) and
// 61 with 16; BenchmarkLatencyWalk's 16 readers gave 10 to 11x the loop
// with 6 or 10 and 10 to 12x with 16 (median 11.3x over 20 walks).
const maxBufferedPages = 6

// bufferedPage is a page's body as read.
type bufferedPage struct {
	held chan struct{} // the client's token for buf
	buf  *bytes.Buffer // nil when no token was free: the page streams
	// whole: the body was read to its end and closed; rest is nil.
	whole bool
	// rest is what follows buf when the body was not read whole: the open
	// body (larger than pageBufferMax), or a reader that returns the read's
	// error, so that decoding meets the failure where the stream did.
	rest io.Reader
}

// readPage reads resp's body, up to pageBufferMax, into a buffer of its
// own when one of the client's tokens (held) is free; else the page
// streams. The buffer is not kept for the next page: buffers kept between
// pages stayed in the live heap, and the collector's goal doubled them.
func readPage(resp *http.Response, held chan struct{}) *bufferedPage {
	select {
	case held <- struct{}{}:
	default:
		return &bufferedPage{rest: resp.Body}
	}
	buf := new(bytes.Buffer)
	if n := resp.ContentLength; n > 0 && n <= pageBufferMax {
		// ReadFrom wants MinRead bytes free to see the end: without them
		// it doubled every page's buffer at its last read.
		buf.Grow(int(n) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, pageBufferMax+1))
	switch {
	case err != nil:
		_ = resp.Body.Close()
		return &bufferedPage{held: held, buf: buf, rest: errReader{err}}
	case buf.Len() > pageBufferMax:
		return &bufferedPage{held: held, buf: buf, rest: resp.Body}
	}
	_ = resp.Body.Close()
	return &bufferedPage{held: held, buf: buf, whole: true}
}

// reader is the page's bytes as a stream for decodePage. A whole page is a
// *bytes.Buffer, which jsontext decodes in place.
func (p *bufferedPage) reader() io.Reader {
	switch {
	case p.whole:
		return p.buf
	case p.buf == nil:
		return p.rest
	}
	return io.MultiReader(bytes.NewReader(p.buf.Bytes()), p.rest)
}

// release drops the buffer and gives the token back; the page must not be
// used after.
func (p *bufferedPage) release() {
	if p.buf == nil {
		return
	}
	p.buf = nil
	<-p.held
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// nextLinkHint returns the value of the top-level "@nextLink" member of the
// JSON object in b: the last member when it is that one (lastMemberLink),
// else the one a scan finds, "" when there is none, it is not a string, the
// scan meets it more than once, or b is not well formed enough to tell. The
// scan skips strings with IndexByte instead of tokenising the page: a
// fraction of a millisecond for a page of 1,000 activities, against several
// for a decoder's pass.
func nextLinkHint(b []byte) string {
	if link, ok := lastMemberLink(b); ok {
		return link
	}
	const name = `"@nextLink"`
	depth := 0
	member := false // at depth 1, the next string is a member name
	link, seen := "", false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '"':
			end := stringEnd(b, i)
			if end < 0 {
				return ""
			}
			if depth == 1 && member {
				member = false
				if string(b[i:end]) == name {
					if seen {
						return "" // decodePage refuses the page
					}
					seen = true
					v, next, ok := memberString(b, end)
					if !ok {
						return ""
					}
					link, end = v, next
				}
			}
			i = end - 1
		case '{', '[':
			depth++
			if depth == 1 {
				if c != '{' {
					return ""
				}
				member = true
			}
		case '}', ']':
			depth--
			if depth == 0 {
				return link
			}
		case ',':
			if depth == 1 {
				member = true
			}
		}
	}
	return ""
}

// lastMemberLink reads the link where the API puts it, as the last member
// of the page object, from the end of b: 0.2 µs against the scan's 0.6 to
// 0.9 ms for a page of 1,000 activities (BenchmarkNextLinkHint), paid by
// each of 16 readers whose answers come together. ok is false when b does
// not end that way (the scan then decides). In well-formed JSON the last string before the
// final brace is the object's last value and the one before it its name;
// a repeated "@nextLink" earlier on goes unseen here, and decodePage
// refuses that page, dropping the read-ahead.
func lastMemberLink(b []byte) (string, bool) {
	i := skipSpaceBack(b, len(b))
	if i == 0 || b[i-1] != '}' {
		return "", false
	}
	vEnd := skipSpaceBack(b, i-1)
	vStart, ok := stringStartBack(b, vEnd)
	if !ok {
		return "", false
	}
	i = skipSpaceBack(b, vStart)
	if i == 0 || b[i-1] != ':' {
		return "", false
	}
	i = skipSpaceBack(b, i-1)
	const name = `"@nextLink"`
	if i < len(name) || string(b[i-len(name):i]) != name {
		return "", false
	}
	i = skipSpaceBack(b, i-len(name))
	if i == 0 || (b[i-1] != ',' && b[i-1] != '{') {
		return "", false
	}
	v, err := jsontext.AppendUnquote(nil, b[vStart:vEnd])
	if err != nil {
		return "", false
	}
	return string(v), true
}

// stringStartBack returns the index of the opening quote of the string
// literal that ends just before b[i], when b[i-1] is its closing quote: the
// nearest quote before it not escaped (an even run of backslashes before
// it).
func stringStartBack(b []byte, i int) (int, bool) {
	if i == 0 || b[i-1] != '"' || backslashesBefore(b, i-1)%2 != 0 {
		return 0, false
	}
	for j := i - 2; j >= 0; j-- {
		j = bytes.LastIndexByte(b[:j+1], '"')
		if j < 0 {
			return 0, false
		}
		if backslashesBefore(b, j)%2 == 0 {
			return j, true
		}
	}
	return 0, false
}

// backslashesBefore counts the backslashes right before b[j].
func backslashesBefore(b []byte, j int) int {
	n := 0
	for m := j - 1; m >= 0 && b[m] == '\\'; m-- {
		n++
	}
	return n
}

func skipSpaceBack(b []byte, i int) int {
	for i > 0 && (b[i-1] == ' ' || b[i-1] == '\t' || b[i-1] == '\r' || b[i-1] == '\n') {
		i--
	}
	return i
}

// stringEnd returns the index just past the string literal starting at
// b[i] (a quote), -1 when it does not end.
func stringEnd(b []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		if backslashesBefore(b, j)%2 == 0 {
			return j + 1
		}
		j++
	}
}

// memberString reads `: "value"` after a member name ending at b[i-1],
// returning the unquoted value and the index just past it.
func memberString(b []byte, i int) (string, int, bool) {
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return "", 0, false
	}
	i = skipSpace(b, i+1)
	if i >= len(b) || b[i] != '"' {
		return "", 0, false
	}
	end := stringEnd(b, i)
	if end < 0 {
		return "", 0, false
	}
	v, err := jsontext.AppendUnquote(nil, b[i:end])
	if err != nil {
		return "", 0, false
	}
	return string(v), end, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// readAhead is the request for a page sent while the page before it is
// decoded.
type readAhead struct {
	url    string
	cl     *call
	cancel context.CancelFunc
	done   chan struct{}
	resp   *http.Response
	err    error
}

// fetchAhead sends the request for page (its 1-based number) at rawURL in
// the background.
func (c *Client) fetchAhead(ctx context.Context, op string, page int, rawURL string) *readAhead {
	actx, cancel := context.WithCancel(ctx)
	ra := &readAhead{url: rawURL, cl: &call{op: op, page: page}, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(ra.done)
		ra.resp, ra.err = c.get(actx, ra.cl, rawURL) //nolint:bodyclose // the walk reads and closes it, or abandon does
	}()
	return ra
}

// wait returns the read-ahead's answer. Its context stays alive until
// finish, for the body to be read.
func (ra *readAhead) wait() (*http.Response, error) {
	<-ra.done
	return ra.resp, ra.err
}

// finish ends a read-ahead whose answer was taken (body closed).
func (ra *readAhead) finish() { ra.cancel() }

// abandon cancels a read-ahead that will not be used and waits for it to
// end, so that nothing of a walk outlives it.
func (ra *readAhead) abandon() {
	ra.cancel()
	<-ra.done
	if ra.resp != nil {
		_ = ra.resp.Body.Close()
	}
}
