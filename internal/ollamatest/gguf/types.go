package gguf

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
)

// TensorType is ggml's type id of tensor data.
type TensorType uint32

// Tensor types this package can write, numbered as in ggml.
const (
	F32  TensorType = 0
	F16  TensorType = 1
	Q8_0 TensorType = 8
	Q4_K TensorType = 12
	Q6_K TensorType = 14
)

// FileType is the value of general.file_type: the dominant weight type.
type FileType uint32

// File types, numbered as in llama.cpp's llama_ftype.
const (
	FileF32    FileType = 0
	FileF16    FileType = 1
	FileQ8_0   FileType = 7
	FileQ4_K_M FileType = 15
	FileQ6_K   FileType = 18
)

type blockLayout struct {
	name  string
	elems uint64 // values per block
	bytes uint64 // bytes per block
}

var layouts = map[TensorType]blockLayout{
	F32:  {"F32", 1, 4},
	F16:  {"F16", 1, 2},
	Q8_0: {"Q8_0", 32, 34},   // f16 scale + 32 int8
	Q4_K: {"Q4_K", 256, 144}, // f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles
	Q6_K: {"Q6_K", 256, 210}, // 128 bytes low nibbles, 64 bytes high bits, 16 int8 scales, f16 d
}

func (t TensorType) String() string {
	if l, ok := layouts[t]; ok {
		return l.name
	}
	return fmt.Sprintf("type%d", uint32(t))
}

// BlockSize is the number of values per block, or 0 for unsupported types.
func (t TensorType) BlockSize() uint64 { return layouts[t].elems }

// Bytes is the size of n values of this type; n must be a multiple of BlockSize.
func (t TensorType) Bytes(n uint64) uint64 {
	l := layouts[t]
	if l.elems == 0 {
		return 0
	}
	return n / l.elems * l.bytes
}

// ParseTensorType maps a name such as "q8_0" to its type.
func ParseTensorType(s string) (TensorType, error) {
	for t, l := range layouts {
		if equalFold(l.name, s) {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown tensor type %q (want f32, f16, q8_0, q4_k or q6_k)", s)
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// F16Bits converts a float32 to IEEE half precision, rounding to nearest even
// and saturating to infinity; NaN stays NaN.
func F16Bits(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23&0xff) - 127 + 15
	mant := b & 0x7fffff
	switch {
	case b&0x7fffffff > 0x7f800000: // NaN
		return sign | 0x7e00
	case exp >= 0x1f: // overflow or infinity
		return sign | 0x7c00
	case exp <= 0: // subnormal half or zero
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint32(14 - exp)
		h := mant >> shift
		rem := mant & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && h&1 == 1) {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(exp)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++ // may carry into the exponent, which is still correct
	}
	return sign | uint16(h)
}

// F16Float converts IEEE half precision bits to float32.
func F16Float(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		f := float32(mant) / (1 << 24)
		if sign != 0 {
			return -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp-15+127)<<23 | mant<<13)
}

// Pool is pre-generated random tensor data of one type: whole blocks whose
// values have mean about 0 and the requested standard deviation. Large
// tensors repeat it, so a multi-gigabyte file costs disk time, not RNG time.
type Pool struct {
	Type TensorType
	data []byte
}

// poolBlocks is the number of blocks per pool: enough that tiny models get
// distinct weights everywhere, small enough to generate in milliseconds.
const poolBytes = 4 << 20

// NewPool generates random blocks of type t with the given seed and standard
// deviation.
func NewPool(t TensorType, seed uint64, std float64) (*Pool, error) {
	l, ok := layouts[t]
	if !ok {
		return nil, fmt.Errorf("gguf: no random data for type %d", t)
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	nb := poolBytes / l.bytes
	b := make([]byte, nb*l.bytes)
	for i := range nb {
		blk := b[i*l.bytes : (i+1)*l.bytes]
		switch t {
		case F32:
			binary.LittleEndian.PutUint32(blk, math.Float32bits(float32(r.NormFloat64()*std)))
		case F16:
			binary.LittleEndian.PutUint16(blk, F16Bits(float32(r.NormFloat64()*std)))
		case Q8_0:
			// Uniform int8 in [-127, 127] has a standard deviation of about 73.6.
			binary.LittleEndian.PutUint16(blk, F16Bits(float32(std/73.6)))
			fillRandom(r, blk[2:])
			for j := 2; j < len(blk); j++ {
				if blk[j] == 0x80 {
					blk[j] = 0x81 // keep -128 out, as ggml's quantizer does
				}
			}
		case Q4_K:
			// Every sub-block gets scale 32 and min 32, so a value is
			// d*32*q - dmin*32 with q uniform in 0..15 (std 4.61, mean 7.5):
			// dmin = 7.5*d centres it on zero.
			d := std / (32 * 4.61)
			binary.LittleEndian.PutUint16(blk[0:], F16Bits(float32(d)))
			binary.LittleEndian.PutUint16(blk[2:], F16Bits(float32(7.5*d)))
			// Packed 6-bit scales and mins: bytes 0..7 hold the low 6 bits of
			// scales 0..3 and mins 0..3 plus, in their top 2 bits, the high
			// bits of scales/mins 4..7; bytes 8..11 hold their low nibbles.
			for j := range 8 {
				blk[4+j] = 32 | 2<<6
			}
			for j := 8; j < 12; j++ {
				blk[4+j] = 0
			}
			fillRandom(r, blk[16:])
		case Q6_K:
			// value = d * scale * (q - 32), q uniform in 0..63 (std 18.5).
			fillRandom(r, blk[:192])
			for j := 192; j < 208; j++ {
				blk[j] = 16
			}
			binary.LittleEndian.PutUint16(blk[208:], F16Bits(float32(std/(16*18.5))))
		}
	}
	return &Pool{Type: t, data: b}, nil
}

func fillRandom(r *rand.Rand, b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
}

// Data returns a writer of size bytes of pool data starting at block start
// (modulo the pool), for Tensor.Data. Different starts give different tensors.
func (p *Pool) Data(size, start uint64) io.WriterTo {
	bs := layouts[p.Type].bytes
	nb := uint64(len(p.data)) / bs
	return &poolData{pool: p.data, size: size, pos: start % nb * bs}
}

type poolData struct {
	pool      []byte
	size, pos uint64
}

func (p *poolData) WriteTo(w io.Writer) (int64, error) {
	var n int64
	pos := p.pos
	for left := p.size; left > 0; {
		chunk := min(left, uint64(len(p.pool))-pos)
		m, err := w.Write(p.pool[pos : pos+chunk])
		n += int64(m)
		if err != nil {
			return n, err
		}
		left -= chunk
		pos = 0
	}
	return n, nil
}

// ConstF32 writes n float32 values equal to v (norm weights are all ones).
type ConstF32 struct {
	N uint64
	V float32
}

// WriteTo implements io.WriterTo.
func (c ConstF32) WriteTo(w io.Writer) (int64, error) {
	b := make([]byte, 4*c.N)
	for i := range c.N {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(c.V))
	}
	n, err := w.Write(b)
	return int64(n), err
}
