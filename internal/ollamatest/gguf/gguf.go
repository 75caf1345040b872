// Package gguf writes and reads GGUF v3 model files for Hearth's tests; it
// knows the container format and block layouts only and must never hold
// model-specific knowledge or be imported by product code.
package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
)

// Magic is "GGUF" read as a little-endian uint32.
const Magic = 0x46554747

// Version is the GGUF format version this package writes.
const Version = 3

// Alignment is the default alignment of tensor data (general.alignment).
const Alignment = 32

// ValueType is the type tag of a metadata value.
type ValueType uint32

// Metadata value types, as numbered by the GGUF specification.
const (
	TypeUint8   ValueType = 0
	TypeInt8    ValueType = 1
	TypeUint16  ValueType = 2
	TypeInt16   ValueType = 3
	TypeUint32  ValueType = 4
	TypeInt32   ValueType = 5
	TypeFloat32 ValueType = 6
	TypeBool    ValueType = 7
	TypeString  ValueType = 8
	TypeArray   ValueType = 9
	TypeUint64  ValueType = 10
	TypeInt64   ValueType = 11
	TypeFloat64 ValueType = 12
)

// KV is one metadata entry. Value must be one of uint8, int8, uint16, int16,
// uint32, int32, float32, bool, string, uint64, int64, float64, or a slice of
// one of those.
type KV struct {
	Key   string
	Value any
}

// Tensor is one tensor of the file. Shape lists dimensions innermost first
// (ggml's ne0, ne1, ...), so a weight with n inputs and m outputs is {n, m}.
// Data writes exactly Type.Bytes(Shape) bytes.
type Tensor struct {
	Name  string
	Type  TensorType
	Shape []uint64
	Data  io.WriterTo
}

// Elements is the number of values in the tensor.
func (t Tensor) Elements() uint64 {
	n := uint64(1)
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Size is the number of bytes of the tensor's data.
func (t Tensor) Size() uint64 { return t.Type.Bytes(t.Elements()) }

// Write writes a complete GGUF v3 file: header, metadata in the given order,
// tensor infos, then each tensor's data aligned to Alignment. It checks every
// tensor's shape against its block size and that Data wrote exactly Size
// bytes, so a malformed file is an error rather than a file Ollama rejects.
func Write(w io.Writer, kvs []KV, tensors []Tensor) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countingWriter{w: bw}
	e := &encoder{w: cw}

	seen := map[string]bool{}
	for _, kv := range kvs {
		if seen[kv.Key] {
			return fmt.Errorf("gguf: duplicate key %q", kv.Key)
		}
		seen[kv.Key] = true
	}
	names := map[string]bool{}
	for _, t := range tensors {
		if names[t.Name] {
			return fmt.Errorf("gguf: duplicate tensor %q", t.Name)
		}
		names[t.Name] = true
		if len(t.Shape) == 0 || len(t.Shape) > 4 {
			return fmt.Errorf("gguf: tensor %q has %d dimensions, want 1 to 4", t.Name, len(t.Shape))
		}
		if bs := t.Type.BlockSize(); bs == 0 {
			return fmt.Errorf("gguf: tensor %q has unsupported type %d", t.Name, t.Type)
		} else if t.Shape[0]%bs != 0 {
			return fmt.Errorf("gguf: tensor %q: row length %d is not a multiple of %s's block size %d", t.Name, t.Shape[0], t.Type, bs)
		}
	}

	e.u32(Magic)
	e.u32(Version)
	e.u64(uint64(len(tensors)))
	e.u64(uint64(len(kvs)))
	for _, kv := range kvs {
		e.str(kv.Key)
		if err := e.value(kv.Value); err != nil {
			return fmt.Errorf("gguf: key %q: %w", kv.Key, err)
		}
	}
	var off uint64
	for _, t := range tensors {
		e.str(t.Name)
		e.u32(uint32(len(t.Shape)))
		for _, d := range t.Shape {
			e.u64(d)
		}
		e.u32(uint32(t.Type))
		e.u64(off)
		off = align(off+t.Size(), Alignment)
	}
	if e.err != nil {
		return e.err
	}
	if err := pad(cw, Alignment); err != nil {
		return err
	}
	for _, t := range tensors {
		start := cw.n
		if _, err := t.Data.WriteTo(cw); err != nil {
			return fmt.Errorf("gguf: tensor %q: %w", t.Name, err)
		}
		if got := uint64(cw.n - start); got != t.Size() {
			return fmt.Errorf("gguf: tensor %q wrote %d bytes, want %d", t.Name, got, t.Size())
		}
		if err := pad(cw, Alignment); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func align(n, a uint64) uint64 { return (n + a - 1) / a * a }

func pad(cw *countingWriter, a int64) error {
	if r := cw.n % a; r != 0 {
		_, err := cw.Write(make([]byte, a-r))
		return err
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// encoder writes little-endian values and keeps the first error, so the
// header code reads as a plain list of fields.
type encoder struct {
	w   io.Writer
	err error
	buf [8]byte
}

func (e *encoder) write(p []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(p)
	}
}

func (e *encoder) u32(v uint32) {
	binary.LittleEndian.PutUint32(e.buf[:4], v)
	e.write(e.buf[:4])
}

func (e *encoder) u64(v uint64) {
	binary.LittleEndian.PutUint64(e.buf[:8], v)
	e.write(e.buf[:8])
}

func (e *encoder) str(s string) {
	e.u64(uint64(len(s)))
	e.write([]byte(s))
}

// value writes a type tag and the value; slices become typed arrays.
func (e *encoder) value(v any) error {
	switch v := v.(type) {
	case []string:
		e.u32(uint32(TypeArray))
		e.u32(uint32(TypeString))
		e.u64(uint64(len(v)))
		for _, s := range v {
			e.str(s)
		}
		return nil
	case string:
		e.u32(uint32(TypeString))
		e.str(v)
		return nil
	case bool:
		e.u32(uint32(TypeBool))
		b := byte(0)
		if v {
			b = 1
		}
		e.write([]byte{b})
		return nil
	}
	if t, ok := scalarType(v); ok {
		e.u32(uint32(t))
		e.write(scalarBytes(v))
		return nil
	}
	if t, n, ok := sliceType(v); ok {
		e.u32(uint32(TypeArray))
		e.u32(uint32(t))
		e.u64(uint64(n))
		var tmp []byte
		switch s := v.(type) {
		case []bool:
			tmp = make([]byte, len(s))
			for i, b := range s {
				if b {
					tmp[i] = 1
				}
			}
		default:
			tmp = sliceBytes(v)
		}
		e.write(tmp)
		return nil
	}
	return fmt.Errorf("unsupported value type %T", v)
}

func scalarType(v any) (ValueType, bool) {
	switch v.(type) {
	case uint8:
		return TypeUint8, true
	case int8:
		return TypeInt8, true
	case uint16:
		return TypeUint16, true
	case int16:
		return TypeInt16, true
	case uint32:
		return TypeUint32, true
	case int32:
		return TypeInt32, true
	case float32:
		return TypeFloat32, true
	case uint64:
		return TypeUint64, true
	case int64:
		return TypeInt64, true
	case float64:
		return TypeFloat64, true
	}
	return 0, false
}

func scalarBytes(v any) []byte {
	b, _ := binary.Append(nil, binary.LittleEndian, v)
	return b
}

func sliceType(v any) (ValueType, int, bool) {
	switch s := v.(type) {
	case []uint8:
		return TypeUint8, len(s), true
	case []int8:
		return TypeInt8, len(s), true
	case []uint16:
		return TypeUint16, len(s), true
	case []int16:
		return TypeInt16, len(s), true
	case []uint32:
		return TypeUint32, len(s), true
	case []int32:
		return TypeInt32, len(s), true
	case []float32:
		return TypeFloat32, len(s), true
	case []bool:
		return TypeBool, len(s), true
	case []uint64:
		return TypeUint64, len(s), true
	case []int64:
		return TypeInt64, len(s), true
	case []float64:
		return TypeFloat64, len(s), true
	}
	return 0, 0, false
}

func sliceBytes(v any) []byte {
	b, _ := binary.Append(nil, binary.LittleEndian, v)
	return b
}

// File is a parsed GGUF header: what Read found, for checks in tests and
// tools. Tensor data is not loaded; DataOffset says where it starts.
type File struct {
	Version    uint32
	KV         map[string]any
	Keys       []string // metadata keys in file order
	Tensors    []TensorInfo
	DataOffset int64
}

// TensorInfo describes one tensor in a parsed file.
type TensorInfo struct {
	Name   string
	Type   TensorType
	Shape  []uint64
	Offset uint64 // relative to File.DataOffset
}

// Read parses the header, metadata and tensor infos of a GGUF file.
// Arrays of strings become []string and other arrays typed slices.
func Read(r io.Reader) (*File, error) {
	d := &decoder{r: bufio.NewReaderSize(r, 1<<20)}
	if m := d.u32(); d.err == nil && m != Magic {
		return nil, errors.New("gguf: not a GGUF file (bad magic)")
	}
	f := &File{Version: d.u32(), KV: map[string]any{}}
	if d.err == nil && f.Version != 2 && f.Version != 3 {
		return nil, fmt.Errorf("gguf: unsupported version %d", f.Version)
	}
	nt, nkv := d.u64(), d.u64()
	if d.err == nil && (nt > 1<<24 || nkv > 1<<24) {
		return nil, fmt.Errorf("gguf: implausible counts: %d tensors, %d keys", nt, nkv)
	}
	for i := uint64(0); i < nkv && d.err == nil; i++ {
		k := d.str()
		f.KV[k] = d.value(ValueType(d.u32()))
		f.Keys = append(f.Keys, k)
	}
	for i := uint64(0); i < nt && d.err == nil; i++ {
		ti := TensorInfo{Name: d.str()}
		nd := d.u32()
		if nd > 4 {
			return nil, fmt.Errorf("gguf: tensor %q has %d dimensions", ti.Name, nd)
		}
		for range nd {
			ti.Shape = append(ti.Shape, d.u64())
		}
		ti.Type = TensorType(d.u32())
		ti.Offset = d.u64()
		f.Tensors = append(f.Tensors, ti)
	}
	if d.err != nil {
		return nil, fmt.Errorf("gguf: truncated or malformed header: %w", d.err)
	}
	a := uint64(Alignment)
	if v, ok := f.KV["general.alignment"].(uint32); ok && v > 0 {
		a = uint64(v)
	}
	f.DataOffset = int64(align(uint64(d.n), a))
	return f, nil
}

// SortedKeys returns the metadata keys in sorted order.
func (f *File) SortedKeys() []string {
	ks := append([]string(nil), f.Keys...)
	sort.Strings(ks)
	return ks
}

type decoder struct {
	r   *bufio.Reader
	n   int64
	err error
	buf [8]byte
}

func (d *decoder) read(n int) []byte {
	if d.err != nil {
		return d.buf[:n]
	}
	_, d.err = io.ReadFull(d.r, d.buf[:n])
	d.n += int64(n)
	return d.buf[:n]
}

func (d *decoder) u8() uint8   { return d.read(1)[0] }
func (d *decoder) u16() uint16 { return binary.LittleEndian.Uint16(d.read(2)) }
func (d *decoder) u32() uint32 { return binary.LittleEndian.Uint32(d.read(4)) }
func (d *decoder) u64() uint64 { return binary.LittleEndian.Uint64(d.read(8)) }

func (d *decoder) str() string {
	n := d.u64()
	if d.err != nil {
		return ""
	}
	if n > 1<<30 {
		d.err = fmt.Errorf("string of %d bytes", n)
		return ""
	}
	b := make([]byte, n)
	_, d.err = io.ReadFull(d.r, b)
	d.n += int64(n)
	return string(b)
}

func (d *decoder) value(t ValueType) any {
	switch t {
	case TypeUint8:
		return d.u8()
	case TypeInt8:
		return int8(d.u8())
	case TypeUint16:
		return d.u16()
	case TypeInt16:
		return int16(d.u16())
	case TypeUint32:
		return d.u32()
	case TypeInt32:
		return int32(d.u32())
	case TypeFloat32:
		return math.Float32frombits(d.u32())
	case TypeBool:
		return d.u8() != 0
	case TypeString:
		return d.str()
	case TypeUint64:
		return d.u64()
	case TypeInt64:
		return int64(d.u64())
	case TypeFloat64:
		return math.Float64frombits(d.u64())
	case TypeArray:
		et, n := ValueType(d.u32()), d.u64()
		if d.err == nil && n > 1<<28 {
			d.err = fmt.Errorf("array of %d elements", n)
		}
		if d.err != nil {
			return nil
		}
		return d.array(et, int(n))
	}
	if d.err == nil {
		d.err = fmt.Errorf("unknown value type %d", t)
	}
	return nil
}

func (d *decoder) array(et ValueType, n int) any {
	switch et {
	case TypeString:
		s := make([]string, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			s = append(s, d.str())
		}
		return s
	case TypeInt32:
		s := make([]int32, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			s = append(s, int32(d.u32()))
		}
		return s
	case TypeUint32:
		s := make([]uint32, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			s = append(s, d.u32())
		}
		return s
	case TypeFloat32:
		s := make([]float32, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			s = append(s, math.Float32frombits(d.u32()))
		}
		return s
	}
	// Other element types are kept generically; tests only need the above.
	s := make([]any, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		s = append(s, d.value(et))
	}
	return s
}
