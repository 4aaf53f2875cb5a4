package checkpoint

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// scanPickle walks the opcodes of the pickle that starts at data[start]
// without running them, and returns the offset just past its STOP. It
// exists because gopickle allocates the buffer for a length-prefixed
// argument before reading it: a corrupt length (one flipped byte in a
// checkpoint) would make it ask for terabytes, a fatal error no recover
// can catch. Here every length is checked against the bytes that remain,
// and the error names the offset.
func scanPickle(data []byte, start int) (end int, err error) {
	pos := start
	need := func(n uint64, what string, at int) error {
		if n > uint64(len(data)-pos) {
			return fmt.Errorf("truncated or corrupt pickle: %s at byte %d needs %d bytes, %d remain", what, at, n, len(data)-pos)
		}
		return nil
	}
	for {
		if pos >= len(data) {
			return 0, fmt.Errorf("truncated pickle: no STOP opcode before the end of the file (pickle from byte %d)", start)
		}
		at := pos
		op := data[pos]
		pos++
		switch op {
		case '.': // STOP
			return pos, nil
		case '(', '0', '1', '2', 'N', 'R', 'a', 'b', 'd', '}', 'e', 'l', ']', 'o', 's', 't', ')', 'u', 'Q',
			0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x97, 0x98:
			// no argument
		case 'K', 'h', 'q', 0x80, 0x82: // one-byte argument
			if err := need(1, "opcode argument", at); err != nil {
				return 0, err
			}
			pos++
		case 'M', 0x83:
			if err := need(2, "opcode argument", at); err != nil {
				return 0, err
			}
			pos += 2
		case 'J', 'j', 'r', 0x84:
			if err := need(4, "opcode argument", at); err != nil {
				return 0, err
			}
			pos += 4
		case 'G', 0x95: // BINFLOAT, FRAME (whose contents are further opcodes)
			if err := need(8, "opcode argument", at); err != nil {
				return 0, err
			}
			if op == 0x95 {
				if err := need(8+binary.LittleEndian.Uint64(data[pos:]), "frame", at); err != nil {
					return 0, err
				}
			}
			pos += 8
		case 'U', 'C', 0x8c, 0x8a: // one-byte length
			if err := need(1, "length", at); err != nil {
				return 0, err
			}
			n := uint64(data[pos])
			pos++
			if err := need(n, "argument", at); err != nil {
				return 0, err
			}
			pos += int(n)
		case 'T', 'B', 'X', 0x8b: // four-byte length
			if err := need(4, "length", at); err != nil {
				return 0, err
			}
			n := uint64(binary.LittleEndian.Uint32(data[pos:]))
			pos += 4
			if err := need(n, "argument", at); err != nil {
				return 0, err
			}
			pos += int(n)
		case 0x8d, 0x8e, 0x96: // eight-byte length
			if err := need(8, "length", at); err != nil {
				return 0, err
			}
			n := binary.LittleEndian.Uint64(data[pos:])
			pos += 8
			if err := need(n, "argument", at); err != nil {
				return 0, err
			}
			pos += int(n)
		case 'I', 'L', 'F', 'S', 'V', 'P', 'g', 'p': // one line of text
			if pos, err = skipLine(data, pos, at); err != nil {
				return 0, err
			}
		case 'c', 'i': // GLOBAL, INST: module and name lines
			if pos, err = skipLine(data, pos, at); err != nil {
				return 0, err
			}
			if pos, err = skipLine(data, pos, at); err != nil {
				return 0, err
			}
		default:
			return 0, fmt.Errorf("corrupt pickle: unknown opcode 0x%02x at byte %d", op, at)
		}
	}
}

func skipLine(data []byte, pos, at int) (int, error) {
	i := bytes.IndexByte(data[pos:], '\n')
	if i < 0 {
		return 0, fmt.Errorf("truncated pickle: text argument of the opcode at byte %d has no end of line", at)
	}
	return pos + i + 1, nil
}
