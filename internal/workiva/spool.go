package workiva

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// SpoolFile holds the items of a piece of a parallel walk whose turn in the
// output has not come. Close releases it and removes it from disk; an
// *os.File opened without a name (or already unlinked) qualifies.
type SpoolFile interface {
	io.ReadWriteSeeker
	io.Closer
}

// maxSpooledItem bounds one record read back: a corrupt length must not
// allocate without limit. No single activity comes near it.
const maxSpooledItem = 64 << 20

// spool is the record file of one piece: each item's JSON as the page held
// it, behind its length. Items are decoded again when replayed, by the same
// decoder as a direct item, so a spooled item reaches the caller exactly as
// it would have without the detour.
type spool struct {
	f   SpoolFile
	w   *bufio.Writer
	n   int
	hdr [binary.MaxVarintLen64]byte
}

func newSpool(f SpoolFile) *spool { return &spool{f: f, w: bufio.NewWriterSize(f, 32<<10)} }

func (s *spool) put(raw []byte) error {
	k := binary.PutUvarint(s.hdr[:], uint64(len(raw)))
	if _, err := s.w.Write(s.hdr[:k]); err != nil {
		return writeErr(err)
	}
	if _, err := s.w.Write(raw); err != nil {
		return writeErr(err)
	}
	s.n++
	return nil
}

// writeErr words a failure to write a spool the same way wherever the write
// happens (put, or the flush of seal).
func writeErr(err error) error {
	return fmt.Errorf("writing a part of the window to its temporary file: %w", err)
}

// seal writes out what is buffered and lets go of the write buffer: a
// piece whose walk is over may wait long for its turn, and the more
// activities, the more such pieces, each holding its 32 KiB until replayed.
func (s *spool) seal() error {
	if s.w == nil {
		return nil
	}
	err := s.w.Flush()
	s.w = nil
	if err != nil {
		return writeErr(err)
	}
	return nil
}

// replay hands each record to fn in the order put (the slice is reused
// between calls). Nothing may be put after it starts.
func (s *spool) replay(fn func(raw []byte, last bool) error) error {
	if err := s.seal(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReaderSize(s.f, 32<<10)
	var buf []byte
	for i := range s.n {
		l, err := binary.ReadUvarint(r)
		if err == nil && l > maxSpooledItem {
			err = fmt.Errorf("record of %d bytes", l)
		}
		if err == nil {
			buf = slices.Grow(buf[:0], int(l))[:l] //nolint:gosec // G115: l <= maxSpooledItem
			_, err = io.ReadFull(r, buf)
		}
		if err != nil {
			return fmt.Errorf("reading back record %d of %d: %w", i+1, s.n, eofIsUnexpected(err))
		}
		if err := fn(buf, i == s.n-1); err != nil {
			return err
		}
	}
	return nil
}

func (s *spool) close() { _ = s.f.Close() }

// rawDecoder decodes an Activity from an item's own bytes.
type rawDecoder struct {
	inner  *objDecoder
	r      bytes.Reader
	idOnly bool // ID and ActivityDateTime only (see rawActivityDecoder)
}

func newRawDecoder(idOnly bool) *rawDecoder {
	return &rawDecoder{inner: newObjDecoder(), idOnly: idOnly}
}

// decode decodes raw, which becomes the Activity's Raw (the caller passes
// a copy it can give away).
func (rd *rawDecoder) decode(raw []byte) (*Activity, error) {
	rd.r.Reset(raw)
	rd.inner.reset(&rd.r)
	var (
		a   *Activity
		err error
	)
	if rd.idOnly {
		a, err = rd.inner.activityKey()
	} else {
		a, err = rd.inner.listItemActivity()
	}
	if err != nil {
		return nil, err
	}
	a.Raw = raw
	return a, nil
}
