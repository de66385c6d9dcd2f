package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// Activities are written straight to MessagePack, the encoding of state on
// the plugin protocol, as pages arrive. Building a tftypes (or framework)
// value per activity and letting the framework convert, copy and encode the
// tree costs about 30 times the raw JSON in memory on large lists; bytes
// cost about the JSON's size. The layout is the one Terraform, OpenTofu and
// tftypes decode: an object is a map keyed by attribute name holding every
// attribute (null as nil), a list an array, a number an integer.

// mpChunkSize is the size of each buffer chunk: large enough that chunk
// bookkeeping is negligible, small enough that the last, partly filled
// chunk wastes little.
const mpChunkSize = 256 << 10

// mpBuf is an append-only MessagePack writer over fixed-size chunks: it
// never copies what it has written (as a growing slice would, holding old
// and new arrays at once, which the 4-times-the-JSON memory target of
// scripts/bench-memory.sh cannot afford), and bytes() copies it into one
// exactly sized slice at the end. The MessagePack forms themselves are
// vmihailenco/msgpack's, writing into the chunks: with it, a plan reading
// 100,000 activities peaked at 298 MiB in the provider, 3.3 times the raw
// JSON (scripts/bench-memory.sh; 310 MiB before).
type mpBuf struct {
	full [][]byte         // filled chunks
	cur  []byte           // chunk being filled, cap mpChunkSize
	n    int              // bytes written in all
	enc  *msgpack.Encoder // writes into this buffer; made on first use
}

// Len is the number of bytes written.
func (b *mpBuf) Len() int { return b.n }

// Write appends p, across chunks when needed. It never fails.
func (b *mpBuf) Write(p []byte) (int, error) {
	n := len(p)
	b.n += n
	for len(p) > 0 {
		if len(b.cur) == cap(b.cur) {
			if len(b.cur) > 0 {
				b.full = append(b.full, b.cur)
			}
			b.cur = make([]byte, 0, mpChunkSize)
		}
		k := copy(b.cur[len(b.cur):cap(b.cur)], p)
		b.cur = b.cur[:len(b.cur)+k]
		p = p[k:]
	}
	return n, nil
}

// WriteByte appends c (the encoder's fast path for one-byte forms).
func (b *mpBuf) WriteByte(c byte) error {
	if len(b.cur) == cap(b.cur) {
		_, err := b.Write([]byte{c})
		return err
	}
	b.cur = append(b.cur, c)
	b.n++
	return nil
}

func (b *mpBuf) e() *msgpack.Encoder {
	if b.enc == nil {
		b.enc = msgpack.NewEncoder(b)
	}
	return b.enc
}

// Writing to an mpBuf cannot fail, so the encoder's errors are dropped.

func (b *mpBuf) rawBytes(p []byte) { _, _ = b.Write(p) }
func (b *mpBuf) null()             { _ = b.e().EncodeNil() }
func (b *mpBuf) boolean(v bool)    { _ = b.e().EncodeBool(v) }
func (b *mpBuf) str(s string)      { _ = b.e().EncodeString(s) }
func (b *mpBuf) arrayHeader(n int) { _ = b.e().EncodeArrayLen(n) }
func (b *mpBuf) mapHeader(n int)   { _ = b.e().EncodeMapLen(n) }

// optStr writes an omitted (empty) optional string as null.
func (b *mpBuf) optStr(s string) {
	if s == "" {
		b.null()
		return
	}
	b.str(s)
}

// appendTo appends everything written to dst and empties b, dropping each
// chunk as soon as it is copied so the collector can take it back.
func (b *mpBuf) appendTo(dst []byte) []byte {
	for i, c := range b.full {
		dst = append(dst, c...)
		b.full[i] = nil
	}
	dst = append(dst, b.cur...)
	*b = mpBuf{}
	return dst
}

// bytes returns everything written as one exactly sized slice and empties b.
func (b *mpBuf) bytes() []byte { return b.appendTo(make([]byte, 0, b.n)) }

// activityEncoder writes activities in the schema of activitySchemaAttributes,
// field by field from activityFields: the only encoder of activities, for
// both data sources. Not safe for concurrent use.
type activityEncoder struct {
	json bytes.Buffer // scratch for attachments_json
	id   string       // the ID to write instead of the activity's, when set
}

// activity writes one activity object. id, when not empty, replaces the
// activity's ID (workiva_activity keeps the ID exactly as configured).
func (e *activityEncoder) activity(b *mpBuf, a *workiva.Activity, id string) {
	e.id = id
	encodeObject(e, b, activityFields, a)
}

// attachments writes the attachments array as compact JSON text, "[]" when
// the API sent none (absent or null).
func (e *activityEncoder) attachments(b *mpBuf, raw json.RawMessage) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "[]" {
		b.str("[]")
		return
	}
	e.json.Reset()
	if err := json.Compact(&e.json, raw); err != nil {
		// The client decoded it as JSON, so this cannot happen; keep the
		// text as received rather than lose it.
		b.str(string(raw))
		return
	}
	b.str(e.json.String())
}

// splice is a list attribute whose elements are already encoded.
type splice struct {
	count int    // number of elements
	elems *mpBuf // the encoded elements, emptied by assembleObject
}

// assembleObject encodes obj, an object value, as MessagePack into one
// exactly sized slice, with the attributes named in splices taken from
// their encoded elements instead of obj. The other attributes are small
// and encoded by tftypes.
func assembleObject(obj tftypes.Value, splices map[string]splice) ([]byte, error) {
	typ, ok := obj.Type().(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("state type is %s, not an object", obj.Type())
	}
	var attrs map[string]tftypes.Value
	if err := obj.As(&attrs); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(typ.AttributeTypes))
	for name := range typ.AttributeTypes {
		names = append(names, name)
	}
	slices.Sort(names)

	// Encode the small parts first, to know the exact total size.
	var head mpBuf
	head.mapHeader(len(names))
	parts := make([][]byte, len(names))
	total := head.Len()
	for i, name := range names {
		var p mpBuf
		p.str(name)
		if sp, ok := splices[name]; ok {
			p.arrayHeader(sp.count)
			total += sp.elems.Len()
		} else {
			v, ok := attrs[name]
			if !ok {
				v = tftypes.NewValue(typ.AttributeTypes[name], nil)
			}
			dv, err := tfprotov6.NewDynamicValue(typ.AttributeTypes[name], v)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", name, err)
			}
			p.rawBytes(dv.MsgPack)
		}
		parts[i] = p.bytes()
		total += len(parts[i])
	}

	out := head.appendTo(make([]byte, 0, total))
	for i, name := range names {
		out = append(out, parts[i]...)
		if sp, ok := splices[name]; ok {
			out = sp.elems.appendTo(out)
		}
	}
	if len(out) != total {
		return nil, fmt.Errorf("encoded %d bytes, expected %d", len(out), total)
	}
	return out, nil
}

// setStateMsgPack decodes a MessagePack state into st (the framework Read
// path, when the provider is served without the wrapper).
func setStateMsgPack(ctx context.Context, st *tfsdk.State, b []byte, diags *diag.Diagnostics, name string) {
	v, err := (&tfprotov6.DynamicValue{MsgPack: b}).Unmarshal(st.Schema.Type().TerraformType(ctx))
	if err != nil {
		diags.AddError(name+": internal error", "Decoding the state: "+err.Error())
		return
	}
	st.Raw = v
}
