package display

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"sync"
)

// encodeOpaqueRGBA writes an opaque *image.RGBA as an 8-bit RGB PNG using
// the "Up" filter on every row. The standard encoder tries all five
// filters per row, which made PNG encoding the slowest step of rendering
// a chart; plots (flat backgrounds, thin lines) compress about as well
// with Up alone.
func encodeOpaqueRGBA(img *image.RGBA) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	var out bytes.Buffer
	out.Grow(w * h / 4)
	out.WriteString("\x89PNG\r\n\x1a\n")

	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:4], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:8], uint32(h))
	ihdr[8] = 8  // bit depth
	ihdr[9] = 2  // colour type: truecolour
	ihdr[10] = 0 // compression: deflate
	ihdr[11] = 0 // filter method 0
	ihdr[12] = 0 // no interlace
	writeChunk(&out, "IHDR", ihdr[:])

	var idat bytes.Buffer
	zw := zlibWriters.Get().(*zlib.Writer)
	defer zlibWriters.Put(zw)
	zw.Reset(&idat)
	bw := bufio.NewWriterSize(zw, 64<<10)
	prev := make([]byte, 3*w)
	cur := make([]byte, 3*w)
	row := make([]byte, 1+3*w)
	for y := 0; y < h; y++ {
		pix := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := 0; x < w; x++ {
			copy(cur[3*x:3*x+3], pix[4*x:4*x+3])
		}
		row[0] = 2 // filter type Up
		for i := range cur {
			row[1+i] = cur[i] - prev[i]
		}
		if _, err := bw.Write(row); err != nil {
			return nil, err
		}
		prev, cur = cur, prev
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	writeChunk(&out, "IDAT", idat.Bytes())
	writeChunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

// zlibWriters recycles compressors: each holds about a megabyte of
// tables, as much garbage per chart as the image itself.
var zlibWriters = sync.Pool{New: func() any {
	zw, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed) // the level is valid
	return zw
}}

func writeChunk(out *bytes.Buffer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	out.WriteString(kind)
	out.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	out.Write(n[:])
}
