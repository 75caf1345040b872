package gguf

import (
	"bytes"
	"encoding/binary"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestWriteReadRoundTrip(t *testing.T) {
	kvs := []KV{
		{"general.architecture", "qwen2"},
		{"a.u32", uint32(7)},
		{"a.i32", int32(-7)},
		{"a.f32", float32(1e-6)},
		{"a.bool", true},
		{"a.u64", uint64(1 << 40)},
		{"a.tokens", []string{"a", "", "<|im_end|>", "é"}},
		{"a.types", []int32{1, 3, 4}},
		{"a.floats", []float32{0.5, -2}},
	}
	pool, err := NewPool(Q8_0, 1, 0.02)
	if err != nil {
		t.Fatal(err)
	}
	tensors := []Tensor{
		{Name: "norm", Type: F32, Shape: []uint64{3}, Data: ConstF32{N: 3, V: 1}},
		{Name: "w", Type: Q8_0, Shape: []uint64{64, 5}},
	}
	tensors[1].Data = pool.Data(tensors[1].Size(), 3)

	var buf bytes.Buffer
	if err := Write(&buf, kvs, tensors); err != nil {
		t.Fatal(err)
	}
	f, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 3 {
		t.Errorf("version %d, want 3", f.Version)
	}
	for i, kv := range kvs {
		if f.Keys[i] != kv.Key {
			t.Errorf("key %d is %q, want %q (order must be kept)", i, f.Keys[i], kv.Key)
		}
		if !reflect.DeepEqual(f.KV[kv.Key], kv.Value) {
			t.Errorf("%s = %#v, want %#v", kv.Key, f.KV[kv.Key], kv.Value)
		}
	}
	if f.DataOffset%Alignment != 0 {
		t.Errorf("data offset %d is not aligned to %d", f.DataOffset, Alignment)
	}
	if len(f.Tensors) != 2 {
		t.Fatalf("got %d tensors", len(f.Tensors))
	}
	// The second tensor starts at the first's size rounded up to the alignment.
	if got := f.Tensors[1].Offset; got != 32 {
		t.Errorf("second tensor offset %d, want 32", got)
	}
	if want := f.DataOffset + 32 + int64(align(5*34*2, 32)); int64(buf.Len()) != want {
		t.Errorf("file is %d bytes, want %d", buf.Len(), want)
	}
	norm := buf.Bytes()[f.DataOffset : f.DataOffset+12]
	for i := range 3 {
		if v := math.Float32frombits(binary.LittleEndian.Uint32(norm[4*i:])); v != 1 {
			t.Errorf("norm[%d] = %v, want 1", i, v)
		}
	}
	if !reflect.DeepEqual(f.Tensors[1].Shape, []uint64{64, 5}) || f.Tensors[1].Type != Q8_0 {
		t.Errorf("tensor w: %+v", f.Tensors[1])
	}
}

func TestWriteRejectsMalformed(t *testing.T) {
	cases := []struct {
		name    string
		kvs     []KV
		tensors []Tensor
		want    string
	}{
		{"duplicate key", []KV{{"k", "a"}, {"k", "b"}}, nil, "duplicate key"},
		{"bad value", []KV{{"k", struct{}{}}}, nil, "unsupported value type"},
		{"row not a block multiple", nil, []Tensor{{Name: "w", Type: Q4_K, Shape: []uint64{64, 2}, Data: ConstF32{}}}, "multiple of Q4_K"},
		{"short data", nil, []Tensor{{Name: "w", Type: F32, Shape: []uint64{4}, Data: ConstF32{N: 3}}}, "wrote 12 bytes, want 16"},
		{"duplicate tensor", nil, []Tensor{{Name: "w", Type: F32, Shape: []uint64{1}, Data: ConstF32{N: 1}}, {Name: "w", Type: F32, Shape: []uint64{1}, Data: ConstF32{N: 1}}}, "duplicate tensor"},
	}
	for _, c := range cases {
		err := Write(&bytes.Buffer{}, c.kvs, c.tensors)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestReadRejectsGarbage(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("GGML0000"), []byte("GGUF\x03\x00\x00\x00\x01")} {
		if _, err := Read(bytes.NewReader(in)); err == nil {
			t.Errorf("Read(%q) succeeded", in)
		}
	}
}

func TestF16Bits(t *testing.T) {
	cases := []struct {
		f float32
		h uint16
	}{
		{0, 0x0000}, {1, 0x3c00}, {-2, 0xc000}, {0.5, 0x3800}, {65504, 0x7bff},
		{1e6, 0x7c00}, {0.1, 0x2e66}, {5.960464477539063e-08, 0x0001}, {1e-9, 0x0000},
		{6.103515625e-05, 0x0400}, {float32(math.Inf(-1)), 0xfc00},
	}
	for _, c := range cases {
		if got := F16Bits(c.f); got != c.h {
			t.Errorf("F16Bits(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
		if c.h&0x7fff != 0x7c00 && c.h != 0 {
			back := F16Float(c.h)
			if rel := math.Abs(float64(back-c.f) / float64(c.f)); rel > 1e-3 && c.h > 0x03ff {
				t.Errorf("F16Float(%#04x) = %g, want about %g", c.h, back, c.f)
			}
		}
	}
	if h := F16Bits(float32(math.NaN())); h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
		t.Errorf("NaN became %#04x", h)
	}
}

// dequantize decodes one block of the pool as ggml would, so the test checks
// that the block layouts really give small, centred, finite weights.
func dequantize(t TensorType, b []byte) []float64 {
	var out []float64
	switch t {
	case F32:
		out = append(out, float64(math.Float32frombits(binary.LittleEndian.Uint32(b))))
	case F16:
		out = append(out, float64(F16Float(binary.LittleEndian.Uint16(b))))
	case Q8_0:
		d := float64(F16Float(binary.LittleEndian.Uint16(b)))
		for _, q := range b[2:34] {
			out = append(out, d*float64(int8(q)))
		}
	case Q4_K:
		d := float64(F16Float(binary.LittleEndian.Uint16(b[0:])))
		dmin := float64(F16Float(binary.LittleEndian.Uint16(b[2:])))
		sc := b[4:16]
		scaleMin := func(j int) (float64, float64) {
			if j < 4 {
				return float64(sc[j] & 63), float64(sc[j+4] & 63)
			}
			return float64(sc[j+4]&0xf | (sc[j-4]>>6)<<4), float64(sc[j+4]>>4 | (sc[j]>>6)<<4)
		}
		qs := b[16:]
		for j := 0; j < 256; j += 64 {
			s1, m1 := scaleMin(j / 32)
			s2, m2 := scaleMin(j/32 + 1)
			for l := range 32 {
				out = append(out, d*s1*float64(qs[l]&0xf)-dmin*m1)
			}
			for l := range 32 {
				out = append(out, d*s2*float64(qs[l]>>4)-dmin*m2)
			}
			qs = qs[32:]
		}
	case Q6_K:
		ql, qh, sc := b[0:128], b[128:192], b[192:208]
		d := float64(F16Float(binary.LittleEndian.Uint16(b[208:])))
		y := make([]float64, 256)
		for n := 0; n < 256; n += 128 {
			for l := range 32 {
				is := l / 16
				q1 := int(ql[l]&0xf|(qh[l]>>0&3)<<4) - 32
				q2 := int(ql[l+32]&0xf|(qh[l]>>2&3)<<4) - 32
				q3 := int(ql[l]>>4|(qh[l]>>4&3)<<4) - 32
				q4 := int(ql[l+32]>>4|(qh[l]>>6&3)<<4) - 32
				y[n+l] = d * float64(int8(sc[is])) * float64(q1)
				y[n+l+32] = d * float64(int8(sc[is+2])) * float64(q2)
				y[n+l+64] = d * float64(int8(sc[is+4])) * float64(q3)
				y[n+l+96] = d * float64(int8(sc[is+6])) * float64(q4)
			}
			ql, qh, sc = ql[64:], qh[32:], sc[8:]
		}
		out = y
	}
	return out
}

func TestPoolStatistics(t *testing.T) {
	const std = 0.02
	for _, typ := range []TensorType{F32, F16, Q8_0, Q4_K, Q6_K} {
		p, err := NewPool(typ, 42, std)
		if err != nil {
			t.Fatal(err)
		}
		bs := layouts[typ].bytes
		var n, sum, sq float64
		for off := uint64(0); off+bs <= uint64(len(p.data)) && n < 1<<18; off += bs {
			for _, v := range dequantize(typ, p.data[off:off+bs]) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%s: non-finite weight", typ)
				}
				n++
				sum += v
				sq += v * v
			}
		}
		mean := sum / n
		sd := math.Sqrt(sq/n - mean*mean)
		if math.Abs(mean) > std/10 || math.Abs(sd-std)/std > 0.1 {
			t.Errorf("%s: mean %.5f, std %.5f over %.0f weights; want about 0 and %.3f", typ, mean, sd, n, std)
		}
	}
}

func TestPoolDataRepeatsWholeBlocks(t *testing.T) {
	p, err := NewPool(Q8_0, 1, 0.02)
	if err != nil {
		t.Fatal(err)
	}
	size := uint64(len(p.data))*2 + 34*3 // wraps twice, ends on a block boundary
	var buf bytes.Buffer
	n, err := p.Data(size, 5).WriteTo(&buf)
	if err != nil || uint64(n) != size || uint64(buf.Len()) != size {
		t.Fatalf("wrote %d (%d buffered), err %v; want %d", n, buf.Len(), err, size)
	}
	if !bytes.Equal(buf.Bytes()[:34], p.data[5*34:6*34]) {
		t.Error("data does not start at the requested block")
	}
}
