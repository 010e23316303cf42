//go:build amd64 && !purego

#include "textflag.h"

// in-block weights 32, 31, ..., 1 (signed bytes for VPMADDUBSW)
DATA adlerWeights<>+0(SB)/8, $0x191a1b1c1d1e1f20
DATA adlerWeights<>+8(SB)/8, $0x1112131415161718
DATA adlerWeights<>+16(SB)/8, $0x090a0b0c0d0e0f10
DATA adlerWeights<>+24(SB)/8, $0x0102030405060708
GLOBL adlerWeights<>(SB), RODATA|NOPTR, $32

DATA adlerOnes<>+0(SB)/8, $0x0001000100010001
DATA adlerOnes<>+8(SB)/8, $0x0001000100010001
DATA adlerOnes<>+16(SB)/8, $0x0001000100010001
DATA adlerOnes<>+24(SB)/8, $0x0001000100010001
GLOBL adlerOnes<>(SB), RODATA|NOPTR, $32

// func adlerBlocksAVX2(p []byte, acc *[12]uint64)
TEXT ·adlerBlocksAVX2(SB), NOSPLIT, $0-32
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), CX
	MOVQ acc+24(FP), DI
	VMOVDQU adlerWeights<>(SB), Y6
	VMOVDQU adlerOnes<>(SB), Y7
	VPXOR   Y0, Y0, Y0 // A: byte sums, 4 x uint64
	VPXOR   Y1, Y1, Y1 // P: A before each block, 4 x uint64
	VPXOR   Y2, Y2, Y2 // W: weighted sums, 8 x uint32
	VPXOR   Y5, Y5, Y5
	SHRQ    $5, CX
	JZ      done

loop:
	VMOVDQU    (SI), Y3
	VPADDQ     Y0, Y1, Y1
	VPSADBW    Y5, Y3, Y4
	VPADDQ     Y4, Y0, Y0
	VPMADDUBSW Y6, Y3, Y4
	VPMADDWD   Y7, Y4, Y4
	VPADDD     Y4, Y2, Y2
	ADDQ       $32, SI
	DECQ       CX
	JNZ        loop

done:
	VMOVDQU Y0, 0(DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VZEROUPPER
	RET

// func interleave4SSE2(dst, a, b, c, d []byte)
TEXT ·interleave4SSE2(SB), NOSPLIT, $0-120
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), R8
	MOVQ a_len+32(FP), CX
	MOVQ b_base+48(FP), R9
	MOVQ c_base+72(FP), R10
	MOVQ d_base+96(FP), R11
	SHRQ $4, CX
	JZ   idone

iloop:
	MOVOU     (R8), X0
	MOVOU     (R9), X1
	MOVOU     (R10), X2
	MOVOU     (R11), X3
	MOVO      X0, X4
	PUNPCKLBW X1, X0 // a0 b0 a1 b1 ... a7 b7
	PUNPCKHBW X1, X4 // a8 b8 ... a15 b15
	MOVO      X2, X5
	PUNPCKLBW X3, X2 // c0 d0 ... c7 d7
	PUNPCKHBW X3, X5 // c8 d8 ... c15 d15
	MOVO      X0, X6
	PUNPCKLWL X2, X0 // elements 0..3
	PUNPCKHWL X2, X6 // 4..7
	MOVO      X4, X7
	PUNPCKLWL X5, X4 // 8..11
	PUNPCKHWL X5, X7 // 12..15
	MOVOU     X0, 0(DI)
	MOVOU     X6, 16(DI)
	MOVOU     X4, 32(DI)
	MOVOU     X7, 48(DI)
	ADDQ      $16, R8
	ADDQ      $16, R9
	ADDQ      $16, R10
	ADDQ      $16, R11
	ADDQ      $64, DI
	DECQ      CX
	JNZ       iloop

idone:
	RET
