#!/usr/bin/env python3
"""nnlib's WebAssembly SIMD kernels: the source (WebAssembly text, written out by the functions below) and its
assembly into the shared libraries that nnlib/simd.py loads inside Pyodide.

    python scripts/simd_kernels.py OUT_DIR        # writes OUT_DIR/simd-relaxed.wasm and OUT_DIR/simd.wasm
    python scripts/simd_kernels.py --wat relaxed  # prints the WebAssembly text of one variant

Two variants of one module: ``relaxed`` multiplies and adds with ``f32x4.relaxed_madd`` (one fused instruction where
the CPU has FMA), ``plain`` with ``f32x4.mul`` + ``f32x4.add`` for engines without relaxed SIMD (Safari; Node 20
without its flag); the fused instruction needs no register for the product, which leaves room for a taller register
block (``MR``).
They are assembled by ``wat2wasm`` of the npm package ``wabt`` (pinned in package-lock.json, so the bytes are
reproducible), then a ``dylink.0`` custom section is put in front: that makes the module an Emscripten side
module, which Pyodide's own ``dlopen`` places on Pyodide's memory, so ``ctypes.CDLL`` calls it on NumPy's buffers
directly, with no copy and no JavaScript glue. The module has no memory or table of its own (the section says 0
bytes): every byte it touches belongs to arrays the caller passes.

The matrix product ``nnlib_sgemm`` computes ``C = A B`` (float32; A ``(M, K)`` and B ``(K, N)`` with any byte strides,
so transposed and sliced views need no copy; C ``(M, N)`` with rows ``ldc`` bytes apart) as in GotoBLAS: blocks of
``KC`` rows and ``NC`` columns of B are packed into zero-padded panels of 8 columns (the caller's work area, of
``nnlib_sgemm_work_bytes()`` bytes); MR rows of A over the same block of K are packed next to them, MR floats per
step, read once per panel; each MR x 8 block of C (6 x 8 relaxed, 5 x 8 plain) is then computed in 2 MR 128-bit
registers over a block of K (MR broadcast values of A times two vectors of B per step). Packing A makes every
layout of A (transposed, sliced) a contiguous stream for the inner loop, with one pointer. Blocks of C at the right
edge (fewer than 8 columns) go through a small tile in the work area, so the kernel never writes outside C.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAT2WASM = ROOT / "node_modules" / "wabt" / "bin" / "wat2wasm"
VARIANTS = ("relaxed", "plain")
FILES = {"relaxed": "simd-relaxed.wasm", "plain": "simd.wasm"}  # names inside the nnlib package

# Register block: MR rows x 8 columns of C, 2 * MR vectors of 4 floats, plus two of B and one broadcast value of A.
# V8 gives wasm 15 of x86's 16 vector registers: the relaxed variant's fused multiply-add fits 6 rows (15 vectors);
# the plain one needs one more for each product before its addition, so it keeps 5 rows (6 would spill, measured:
# 1.1x instead of 1.4x faster than the old kernel, against 1.5x for 6 rows with fused multiply-add). Unrolling the
# K loop by 2 or 4 made both variants slower than not unrolling (0.9x), so it is not unrolled.
MR = {"relaxed": 6, "plain": 5}
NR = 8
KC = 256  # rows of B per packed block: one 8-column panel is KC * 32 bytes = 8 KiB, at home in L1
NC = 256  # columns of B per packed block: a block is KC * NC * 4 = 256 KiB, in L2
PACKED_B = KC * NC * 4
PACKED_A = max(MR.values()) * KC * 4  # MR rows of A over a block of K, packed once for all the panels of B
WORK_BYTES = PACKED_B + PACKED_A + max(MR.values()) * NR * 4  # packed blocks + the edge tile


class KernelBuildError(RuntimeError):
    """The kernels could not be assembled; the message says why and what to do."""


def _madd(variant: str, x: str, b: str, c: str) -> str:
    """``x * b + c`` on four lanes."""
    if variant == "relaxed":
        return f"(f32x4.relaxed_madd {x} {b} {c})"
    return f"(f32x4.add (f32x4.mul {x} {b}) {c})"


def _micro(variant: str, rows: int) -> str:
    """``$micro{rows}``: a ``rows`` x 8 block of C (rows ``ldc`` bytes apart) = (C if ``acc``) + packed A times a
    packed panel of B, over ``kc`` >= 1 steps. Per step the packed A holds MR floats (the first ``rows`` used) and the
    panel 8. No calls: V8 then keeps all the vectors in registers (with calls to partial loads and stores for the
    right edge in the function, even outside the loop, it ran 1.5x slower)."""
    r = range(rows)
    out = [f"  (func $micro{rows} (param $kc i32) (param $a i32) (param $b i32) (param $c i32) (param $ldc i32)"
           " (param $acc i32)"]
    out.append("    (local $p i32) (local $x v128) (local $b0 v128) (local $b1 v128)")
    out.append("    " + " ".join(f"(local $c{i}0 v128) (local $c{i}1 v128)" for i in r))
    out.append("    (if (local.get $acc) (then")  # v128 locals start at zero: without acc, nothing to load
    out.append("      (local.set $p (local.get $c))")
    for i in r:
        out.append(f"      (local.set $c{i}0 (v128.load (local.get $p)))")
        out.append(f"      (local.set $c{i}1 (v128.load offset=16 (local.get $p)))")
        if i + 1 < rows:
            out.append("      (local.set $p (i32.add (local.get $p) (local.get $ldc)))")
    out.append("    ))")
    # The loop sits inside an `if` on kc (always true): measured, V8 then compiles it 1.3-1.6x faster than the same
    # loop right after the `if` above.
    out.append("    (if (local.get $kc) (then (loop $k")
    out.append("      (local.set $b0 (v128.load (local.get $b)))")
    out.append("      (local.set $b1 (v128.load offset=16 (local.get $b)))")
    for i in r:
        out.append(f"      (local.set $x (v128.load32_splat offset={4 * i} (local.get $a)))")
        for j in (0, 1):
            madd = _madd(variant, "(local.get $x)", f"(local.get $b{j})", f"(local.get $c{i}{j})")
            out.append(f"      (local.set $c{i}{j} {madd})")
    out.append(f"      (local.set $a (i32.add (local.get $a) (i32.const {4 * MR[variant]})))")
    out.append("      (local.set $b (i32.add (local.get $b) (i32.const 32)))")
    out.append("      (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))))")
    out.append("    (local.set $p (local.get $c))")
    for i in r:
        out.append(f"    (v128.store (local.get $p) (local.get $c{i}0))")
        out.append(f"    (v128.store offset=16 (local.get $p) (local.get $c{i}1))")
        if i + 1 < rows:
            out.append("    (local.set $p (i32.add (local.get $p) (local.get $ldc)))")
    out.append("  )")
    return "\n".join(out)


def _pack_a(block: int) -> str:
    """``$pack_a``: ``mr`` <= ``block`` rows of A (rows ``sam`` bytes apart, columns ``sak``) over ``kc`` >= 1 columns
    into ``dst``, ``block`` floats per column (slots past ``mr`` are left as they were: the micro-kernels for fewer
    rows never read them). A transposed A (``sam`` = 4, a full block) copies one vector and block - 4 floats per
    column."""
    tail = "\n".join(f"          (f32.store offset={off} (local.get $dst) (f32.load offset={off} (local.get $a)))"
                     for off in range(16, 4 * block, 4))
    return f"""
  (func $pack_a (param $a i32) (param $sam i32) (param $sak i32) (param $mr i32) (param $kc i32) (param $dst i32)
    (local $i i32) (local $src i32) (local $d i32) (local $k i32)
    (if (i32.and (i32.eq (local.get $sam) (i32.const 4)) (i32.eq (local.get $mr) (i32.const {block})))
      (then
        (loop $cols
          (v128.store (local.get $dst) (v128.load (local.get $a)))
{tail}
          (local.set $a (i32.add (local.get $a) (local.get $sak)))
          (local.set $dst (i32.add (local.get $dst) (i32.const {4 * block})))
          (br_if $cols (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
        (return)))
    (loop $rows  ;; any strides: row by row, each read along its columns
      (local.set $src (local.get $a))
      (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $k (local.get $kc))
      (loop $cols
        (f32.store (local.get $d) (f32.load (local.get $src)))
        (local.set $src (i32.add (local.get $src) (local.get $sak)))
        (local.set $d (i32.add (local.get $d) (i32.const {4 * block})))
        (br_if $cols (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      (local.set $a (i32.add (local.get $a) (local.get $sam)))
      (br_if $rows (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $mr)))))
"""


# The parts that do not depend on the variant. Loops are written `(block $done (loop $l (br_if $done <end>) ...))`.
PACK = """
  ;; Pack B's block (kc rows, nc columns; rows sbk bytes apart, columns sbn) into panels of 8 columns:
  ;; panel j holds, for each of the kc rows, 8 consecutive floats (zeros past the last column).
  (func $pack (param $b i32) (param $sbk i32) (param $sbn i32) (param $kc i32) (param $nc i32) (param $dst i32)
    (local $j i32) (local $nr i32) (local $k i32) (local $src i32) (local $col i32)
    (block $done (loop $panels
      (br_if $done (i32.ge_s (local.get $j) (local.get $nc)))
      (local.set $nr (i32.sub (local.get $nc) (local.get $j)))
      (local.set $src (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $sbn))))
      (local.set $k (local.get $kc))
      (if (i32.and (i32.ge_s (local.get $nr) (i32.const 8)) (i32.eq (local.get $sbn) (i32.const 4)))
        (then  ;; 8 contiguous floats per row: two vector copies
          (loop $rows
            (v128.store (local.get $dst) (v128.load (local.get $src)))
            (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src)))
            (local.set $src (i32.add (local.get $src) (local.get $sbk)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (br_if $rows (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
        (else
          (if (i32.gt_s (local.get $nr) (i32.const 8)) (then (local.set $nr (i32.const 8))))
          (loop $rows
            (v128.store (local.get $dst) (v128.const i32x4 0 0 0 0))
            (v128.store offset=16 (local.get $dst) (v128.const i32x4 0 0 0 0))
            (local.set $col (i32.const 0))
            (loop $cols
              (f32.store (i32.add (local.get $dst) (i32.shl (local.get $col) (i32.const 2)))
                (f32.load (i32.add (local.get $src) (i32.mul (local.get $col) (local.get $sbn)))))
              (br_if $cols (i32.lt_s (local.tee $col (i32.add (local.get $col) (i32.const 1))) (local.get $nr))))
            (local.set $src (i32.add (local.get $src) (local.get $sbk)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (br_if $rows (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $panels)))
  )

  ;; The first n floats at p (all 4 if n >= 4, none if n <= 0) as a vector, zeros after them.
  (func $load_part (param $p i32) (param $n i32) (result v128)
    (if (i32.ge_s (local.get $n) (i32.const 4)) (then (return (v128.load (local.get $p)))))
    (if (i32.le_s (local.get $n) (i32.const 0)) (then (return (v128.const i32x4 0 0 0 0))))
    (if (i32.eq (local.get $n) (i32.const 1)) (then (return (v128.load32_zero (local.get $p)))))
    (if (i32.eq (local.get $n) (i32.const 2)) (then (return (v128.load64_zero (local.get $p)))))
    (v128.load32_lane offset=8 2 (local.get $p) (v128.load64_zero (local.get $p)))
  )

  ;; Store the first n lanes of v at p (all 4 if n >= 4, none if n <= 0).
  (func $store_part (param $p i32) (param $v v128) (param $n i32)
    (if (i32.ge_s (local.get $n) (i32.const 4)) (then (v128.store (local.get $p) (local.get $v)) (return)))
    (if (i32.le_s (local.get $n) (i32.const 0)) (then (return)))
    (if (i32.eq (local.get $n) (i32.const 1)) (then (v128.store32_lane 0 (local.get $p) (local.get $v)) (return)))
    (v128.store64_lane 0 (local.get $p) (local.get $v))
    (if (i32.eq (local.get $n) (i32.const 3)) (then (v128.store32_lane offset=8 2 (local.get $p) (local.get $v))))
  )

  ;; Copy the first n (< 8) floats of each of `rows` rows between C (rows ldc bytes apart) and the 8-float rows of
  ;; the edge tile: into the tile (zeros after them) if to_tile, else back into C (nothing after them is written).
  (func $edge (param $c i32) (param $ldc i32) (param $tile i32) (param $rows i32) (param $n i32) (param $to_tile i32)
    (loop $r
      (if (local.get $to_tile)
        (then
          (v128.store (local.get $tile) (call $load_part (local.get $c) (local.get $n)))
          (v128.store offset=16 (local.get $tile)
            (call $load_part (i32.add (local.get $c) (i32.const 16)) (i32.sub (local.get $n) (i32.const 4)))))
        (else
          (call $store_part (local.get $c) (v128.load (local.get $tile)) (local.get $n))
          (call $store_part (i32.add (local.get $c) (i32.const 16)) (v128.load offset=16 (local.get $tile))
                            (i32.sub (local.get $n) (i32.const 4)))))
      (local.set $c (i32.add (local.get $c) (local.get $ldc)))
      (local.set $tile (i32.add (local.get $tile) (i32.const 32)))
      (br_if $r (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))
"""

SGEMM = """
  (func (export "nnlib_sgemm_work_bytes") (result i32) (i32.const %(work)d))

  ;; C (M x N, rows ldc bytes apart, columns contiguous) = A (M x K) B (K x N); A, B with any byte strides; a, b, c
  ;; the arrays' objects (see ARRAY_DATA).
  ;; work: nnlib_sgemm_work_bytes() bytes of scratch. M, N, K >= 1. Loops: blocks of NC columns of B, of KC rows
  ;; (packed), MR rows of A (packed), panels of 8 columns.
  (func (export "nnlib_sgemm") (param $M i32) (param $N i32) (param $K i32) (param $a i32) (param $sam i32)
      (param $sak i32) (param $b i32) (param $sbk i32) (param $sbn i32) (param $c i32) (param $ldc i32)
      (param $work i32)
    (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ir i32) (local $mr i32) (local $jr i32)
    (local $nr i32) (local $acc i32) (local $ap i32) (local $bp i32) (local $cp i32) (local $pa i32) (local $tile i32)
    (local $tld i32) (local $edge i32)
    (local.set $a (i32.load offset=8 (local.get $a))) (local.set $b (i32.load offset=8 (local.get $b)))
    (local.set $c (i32.load offset=8 (local.get $c)))
    (local.set $pa (i32.add (local.get $work) (i32.const %(packed_b)d)))  ;; the packed rows of A
    (local.set $edge (i32.add (local.get $pa) (i32.const %(packed_a)d)))  ;; the edge tile
    (block $jc_done (loop $jc_loop
      (br_if $jc_done (i32.ge_s (local.get $jc) (local.get $N)))
      (local.set $nc (i32.sub (local.get $N) (local.get $jc)))
      (if (i32.gt_s (local.get $nc) (i32.const %(NC)d)) (then (local.set $nc (i32.const %(NC)d))))
      (local.set $pc (i32.const 0))
      (block $pc_done (loop $pc_loop
        (br_if $pc_done (i32.ge_s (local.get $pc) (local.get $K)))
        (local.set $kc (i32.sub (local.get $K) (local.get $pc)))
        (if (i32.gt_s (local.get $kc) (i32.const %(KC)d)) (then (local.set $kc (i32.const %(KC)d))))
        (local.set $acc (i32.ne (local.get $pc) (i32.const 0)))
        (call $pack (i32.add (local.get $b) (i32.add (i32.mul (local.get $pc) (local.get $sbk))
                                                     (i32.mul (local.get $jc) (local.get $sbn))))
                    (local.get $sbk) (local.get $sbn) (local.get $kc) (local.get $nc) (local.get $work))
        (local.set $ir (i32.const 0))
        (block $ir_done (loop $ir_loop
          (br_if $ir_done (i32.ge_s (local.get $ir) (local.get $M)))
          (local.set $mr (i32.sub (local.get $M) (local.get $ir)))
          (if (i32.gt_s (local.get $mr) (i32.const %(MR)d)) (then (local.set $mr (i32.const %(MR)d))))
          (local.set $ap (i32.add (local.get $a) (i32.add (i32.mul (local.get $ir) (local.get $sam))
                                                          (i32.mul (local.get $pc) (local.get $sak)))))
          (call $pack_a (local.get $ap) (local.get $sam) (local.get $sak) (local.get $mr) (local.get $kc)
                        (local.get $pa))
          (local.set $jr (i32.const 0))
          (block $jr_done (loop $jr_loop
            (br_if $jr_done (i32.ge_s (local.get $jr) (local.get $nc)))
            (local.set $nr (i32.sub (local.get $nc) (local.get $jr)))
            (local.set $cp (i32.add (local.get $c) (i32.add (i32.mul (local.get $ir) (local.get $ldc))
                                                            (i32.shl (i32.add (local.get $jc) (local.get $jr))
                                                                     (i32.const 2)))))
            (local.set $bp (i32.add (local.get $work) (i32.mul (local.get $jr) (i32.shl (local.get $kc) (i32.const 2)))))
            (if (i32.ge_s (local.get $nr) (i32.const 8))
              (then (local.set $tile (local.get $cp)) (local.set $tld (local.get $ldc)))
              (else  ;; fewer than 8 columns left: compute in the edge tile, copy the valid columns
                (local.set $tile (local.get $edge)) (local.set $tld (i32.const 32))
                (if (local.get $acc) (then (call $edge (local.get $cp) (local.get $ldc) (local.get $edge)
                                                       (local.get $mr) (local.get $nr) (i32.const 1))))))
            %(dispatch)s
            (if (i32.lt_s (local.get $nr) (i32.const 8))
              (then (call $edge (local.get $cp) (local.get $ldc) (local.get $edge) (local.get $mr) (local.get $nr)
                                (i32.const 0))))
            (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
            (br $jr_loop)))
          (local.set $ir (i32.add (local.get $ir) (i32.const %(MR)d)))
          (br $ir_loop)))
        (local.set $pc (i32.add (local.get $pc) (i32.const %(KC)d)))
        (br $pc_loop)))
      (local.set $jc (i32.add (local.get $jc) (i32.const %(NC)d)))
      (br $jc_loop)))
  )
"""


def _over_output_pixels(body: str) -> str:
    """The loops of a pooling kernel over its output pixels, ``$oy`` in ``[0, $oh)`` and ``$ox`` in ``[0, $ow)`` (locals
    the function declares, ``$oy`` starting at 0), around ``body`` (WebAssembly text, 8 spaces deep)."""
    return f"""    (block $y_done (loop $y_loop
      (br_if $y_done (i32.ge_s (local.get $oy) (local.get $oh)))
      (local.set $ox (i32.const 0))
      (block $x_done (loop $x_loop
        (br_if $x_done (i32.ge_s (local.get $ox) (local.get $ow)))
{body}
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $x_loop)))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br $y_loop)))
"""


POOL = (
    """
  ;; nnlib_maxpool and its backward pass below for 2x2 windows (SimpleConvNet's), without the window loops: the same
  ;; operations in the same order (the same results), about 2x faster (measured in Pyodide under Node).
  (func $maxpool2 (param $x i32) (param $sy i32) (param $sx i32) (param $oh i32) (param $ow i32) (param $L i32)
      (param $out i32) (param $win i32)
    (local $oy i32) (local $ox i32) (local $p i32) (local $end i32) (local $syx i32)
    (local $m v128) (local $w v128) (local $c v128) (local $gt v128)
    (local.set $syx (i32.add (local.get $sy) (local.get $sx)))
"""
    + _over_output_pixels("""\
        (local.set $p (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $oy) (local.get $sy))
                                                              (i32.mul (local.get $ox) (local.get $sx))) (i32.const 1))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $L) (i32.const 2))))
        (block $l_done (loop $l_loop
          (br_if $l_done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $m (v128.load (local.get $p)))
          (local.set $c (v128.load (i32.add (local.get $p) (local.get $sx))))
          (local.set $gt (f32x4.gt (local.get $c) (local.get $m)))
          (local.set $m (f32x4.max (local.get $m) (local.get $c)))
          (local.set $w (v128.and (local.get $gt) (v128.const i32x4 1 1 1 1)))
          (local.set $c (v128.load (i32.add (local.get $p) (local.get $sy))))
          (local.set $gt (f32x4.gt (local.get $c) (local.get $m)))
          (local.set $m (f32x4.max (local.get $m) (local.get $c)))
          (local.set $w (v128.bitselect (v128.const i32x4 2 2 2 2) (local.get $w) (local.get $gt)))
          (local.set $c (v128.load (i32.add (local.get $p) (local.get $syx))))
          (local.set $gt (f32x4.gt (local.get $c) (local.get $m)))
          (local.set $m (f32x4.max (local.get $m) (local.get $c)))
          (local.set $w (v128.bitselect (v128.const i32x4 3 3 3 3) (local.get $w) (local.get $gt)))
          (v128.store (local.get $out) (local.get $m))
          (v128.store32_lane 0 (local.get $win)
            (i8x16.shuffle 0 4 8 12 0 0 0 0 0 0 0 0 0 0 0 0 (local.get $w) (local.get $w)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $out (i32.add (local.get $out) (i32.const 16)))
          (local.set $win (i32.add (local.get $win) (i32.const 4)))
          (br $l_loop)))""")
    + """\
  )

  (func $maxpool2_backward (param $dout i32) (param $win i32) (param $oh i32) (param $ow i32) (param $L i32)
      (param $dx i32) (param $sy i32) (param $sx i32)
    (local $oy i32) (local $ox i32) (local $p i32) (local $end i32) (local $syx i32) (local $d v128) (local $w v128)
    (local.set $syx (i32.add (local.get $sy) (local.get $sx)))
"""
    + _over_output_pixels("""\
        (local.set $p (i32.add (local.get $dx) (i32.shl (i32.add (i32.mul (local.get $oy) (local.get $sy))
                                                               (i32.mul (local.get $ox) (local.get $sx))) (i32.const 1))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $L) (i32.const 2))))
        (block $l_done (loop $l_loop
          (br_if $l_done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $d (v128.load (local.get $dout)))
          (local.set $w (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $win)))))
          (v128.store (local.get $p)
            (v128.and (local.get $d) (i32x4.eq (local.get $w) (v128.const i32x4 0 0 0 0))))
          (v128.store (i32.add (local.get $p) (local.get $sx))
            (v128.and (local.get $d) (i32x4.eq (local.get $w) (v128.const i32x4 1 1 1 1))))
          (v128.store (i32.add (local.get $p) (local.get $sy))
            (v128.and (local.get $d) (i32x4.eq (local.get $w) (v128.const i32x4 2 2 2 2))))
          (v128.store (i32.add (local.get $p) (local.get $syx))
            (v128.and (local.get $d) (i32x4.eq (local.get $w) (v128.const i32x4 3 3 3 3))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $dout (i32.add (local.get $dout) (i32.const 16)))
          (local.set $win (i32.add (local.get $win) (i32.const 4)))
          (br $l_loop)))""")
    + """\
  )

  ;; Max pooling over ph x pw windows that tile the image, on images stored with the batch and channels innermost
  ;; (nnlib's convolution output): pixel (y, x) is a run of L floats (L a multiple of 4) at x + y*sy + x*sx.
  ;; out: (oh, ow, L) floats, win: (oh, ow, L) bytes, the offset dy*pw + dx in its window of each maximum (the first
  ;; one on ties: only a strictly greater value takes over; NaN propagates to the output, as in np.maximum).
  (func (export "nnlib_maxpool") (param $x i32) (param $sy i32) (param $sx i32) (param $oh i32) (param $ow i32)
      (param $ph i32) (param $pw i32) (param $L i32) (param $out i32) (param $win i32)
    (local $oy i32) (local $ox i32) (local $base i32) (local $l i32) (local $k i32) (local $dy i32) (local $dx i32)
    (local $m v128) (local $w v128) (local $c v128) (local $gt v128)
    (local.set $x (i32.load offset=8 (local.get $x))) (local.set $out (i32.load offset=8 (local.get $out)))
    (local.set $win (i32.load offset=8 (local.get $win)))
    (if (i32.and (i32.eq (local.get $ph) (i32.const 2)) (i32.eq (local.get $pw) (i32.const 2))) (then
      (call $maxpool2 (local.get $x) (local.get $sy) (local.get $sx) (local.get $oh) (local.get $ow) (local.get $L)
                      (local.get $out) (local.get $win))
      (return)))
"""
    + _over_output_pixels("""\
        (local.set $base (i32.add (local.get $x) (i32.add (i32.mul (i32.mul (local.get $oy) (local.get $ph)) (local.get $sy))
                                                          (i32.mul (i32.mul (local.get $ox) (local.get $pw)) (local.get $sx)))))
        (local.set $l (i32.const 0))
        (block $l_done (loop $l_loop
          (br_if $l_done (i32.ge_s (local.get $l) (local.get $L)))
          (local.set $m (v128.load (i32.add (local.get $base) (i32.shl (local.get $l) (i32.const 2)))))
          (local.set $w (v128.const i32x4 0 0 0 0))
          (local.set $k (i32.const 0))
          (local.set $dy (i32.const 0))
          (block $dy_done (loop $dy_loop
            (br_if $dy_done (i32.ge_s (local.get $dy) (local.get $ph)))
            (local.set $dx (i32.const 0))
            (block $dx_done (loop $dx_loop
              (br_if $dx_done (i32.ge_s (local.get $dx) (local.get $pw)))
              (if (local.get $k) (then
                (local.set $c (v128.load (i32.add (i32.add (local.get $base) (i32.shl (local.get $l) (i32.const 2)))
                                                  (i32.add (i32.mul (local.get $dy) (local.get $sy))
                                                           (i32.mul (local.get $dx) (local.get $sx))))))
                (local.set $gt (f32x4.gt (local.get $c) (local.get $m)))
                (local.set $m (f32x4.max (local.get $m) (local.get $c)))
                (local.set $w (v128.bitselect (i32x4.splat (local.get $k)) (local.get $w) (local.get $gt)))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (local.set $dx (i32.add (local.get $dx) (i32.const 1)))
              (br $dx_loop)))
            (local.set $dy (i32.add (local.get $dy) (i32.const 1)))
            (br $dy_loop)))
          (v128.store (local.get $out) (local.get $m))
          (v128.store32_lane 0 (local.get $win)
            (i8x16.shuffle 0 4 8 12 0 0 0 0 0 0 0 0 0 0 0 0 (local.get $w) (local.get $w)))
          (local.set $out (i32.add (local.get $out) (i32.const 16)))
          (local.set $win (i32.add (local.get $win) (i32.const 4)))
          (local.set $l (i32.add (local.get $l) (i32.const 4)))
          (br $l_loop)))""")
    + """\
  )

  ;; Its backward pass: each pixel of the windows gets dout where it held the maximum, else 0. dout: (oh, ow, L)
  ;; floats laid out as out; dx: the input's layout (pixels outside every window are not written).
  (func (export "nnlib_maxpool_backward") (param $dout i32) (param $win i32) (param $oh i32) (param $ow i32)
      (param $ph i32) (param $pw i32) (param $L i32) (param $dx i32) (param $sy i32) (param $sx i32)
    (local $oy i32) (local $ox i32) (local $base i32) (local $l i32) (local $k i32) (local $dy i32) (local $dxo i32)
    (local $d v128) (local $w v128) (local $p i32)
    (local.set $dout (i32.load offset=8 (local.get $dout))) (local.set $win (i32.load offset=8 (local.get $win)))
    (local.set $dx (i32.load offset=8 (local.get $dx)))
    (if (i32.and (i32.eq (local.get $ph) (i32.const 2)) (i32.eq (local.get $pw) (i32.const 2))) (then
      (call $maxpool2_backward (local.get $dout) (local.get $win) (local.get $oh) (local.get $ow) (local.get $L)
                               (local.get $dx) (local.get $sy) (local.get $sx))
      (return)))
"""
    + _over_output_pixels("""\
        (local.set $base (i32.add (local.get $dx) (i32.add (i32.mul (i32.mul (local.get $oy) (local.get $ph)) (local.get $sy))
                                                           (i32.mul (i32.mul (local.get $ox) (local.get $pw)) (local.get $sx)))))
        (local.set $l (i32.const 0))
        (block $l_done (loop $l_loop
          (br_if $l_done (i32.ge_s (local.get $l) (local.get $L)))
          (local.set $d (v128.load (local.get $dout)))
          (local.set $w (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $win)))))
          (local.set $k (i32.const 0))
          (local.set $dy (i32.const 0))
          (block $dy_done (loop $dy_loop
            (br_if $dy_done (i32.ge_s (local.get $dy) (local.get $ph)))
            (local.set $dxo (i32.const 0))
            (block $dx_done (loop $dx_loop
              (br_if $dx_done (i32.ge_s (local.get $dxo) (local.get $pw)))
              (local.set $p (i32.add (i32.add (local.get $base) (i32.shl (local.get $l) (i32.const 2)))
                                     (i32.add (i32.mul (local.get $dy) (local.get $sy)) (i32.mul (local.get $dxo) (local.get $sx)))))
              (v128.store (local.get $p)
                (v128.and (local.get $d) (i32x4.eq (local.get $w) (i32x4.splat (local.get $k)))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (local.set $dxo (i32.add (local.get $dxo) (i32.const 1)))
              (br $dx_loop)))
            (local.set $dy (i32.add (local.get $dy) (i32.const 1)))
            (br $dy_loop)))
          (local.set $dout (i32.add (local.get $dout) (i32.const 16)))
          (local.set $win (i32.add (local.get $win) (i32.const 4)))
          (local.set $l (i32.add (local.get $l) (i32.const 4)))
          (br $l_loop)))""")
    + """\
  )
"""
)

ADAM = """
  ;; Adam's update of one float32 parameter, in one pass, in nnlib's form (nnlib/optimizers.py), with the same
  ;; operations in the same order as its NumPy passes, so the result is the same to the bit:
  ;; m = m*beta1 + g; v = v*beta2 + g*g; p -= (m / (sqrt(v) + eps)) * scale. n floats; the last n % 4 one at a time.
  (func (export "nnlib_adam") (param $p i32) (param $m i32) (param $v i32) (param $g i32) (param $n i32)
      (param $factors i32)
    (local $end i32) (local $b1 v128) (local $b2 v128) (local $sc v128) (local $ep v128) (local $gv v128)
    (local $mv v128) (local $vv v128) (local $gs f32) (local $ms f32) (local $vs f32)
    (local $beta1 f32) (local $beta2 f32) (local $scale f32) (local $eps f32)
    (local.set $p (i32.load offset=8 (local.get $p))) (local.set $m (i32.load offset=8 (local.get $m)))
    (local.set $v (i32.load offset=8 (local.get $v))) (local.set $g (i32.load offset=8 (local.get $g)))
    ;; factors: beta1, beta2, scale, eps as four doubles (Python floats), rounded to float32 as NumPy rounds them for
    ;; float32 arrays.
    (local.set $beta1 (f32.demote_f64 (f64.load (local.get $factors))))
    (local.set $beta2 (f32.demote_f64 (f64.load offset=8 (local.get $factors))))
    (local.set $scale (f32.demote_f64 (f64.load offset=16 (local.get $factors))))
    (local.set $eps (f32.demote_f64 (f64.load offset=24 (local.get $factors))))
    (local.set $b1 (f32x4.splat (local.get $beta1))) (local.set $b2 (f32x4.splat (local.get $beta2)))
    (local.set $sc (f32x4.splat (local.get $scale))) (local.set $ep (f32x4.splat (local.get $eps)))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done (loop $vec
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $gv (v128.load (local.get $g)))
      (local.set $mv (f32x4.add (f32x4.mul (v128.load (local.get $m)) (local.get $b1)) (local.get $gv)))
      (local.set $vv (f32x4.add (f32x4.mul (v128.load (local.get $v)) (local.get $b2))
                                (f32x4.mul (local.get $gv) (local.get $gv))))
      (v128.store (local.get $m) (local.get $mv))
      (v128.store (local.get $v) (local.get $vv))
      (v128.store (local.get $p) (f32x4.sub (v128.load (local.get $p))
        (f32x4.mul (f32x4.div (local.get $mv) (f32x4.add (f32x4.sqrt (local.get $vv)) (local.get $ep))) (local.get $sc))))
      (local.set $p (i32.add (local.get $p) (i32.const 16))) (local.set $m (i32.add (local.get $m) (i32.const 16)))
      (local.set $v (i32.add (local.get $v) (i32.const 16))) (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (br $vec)))
    (local.set $n (i32.and (local.get $n) (i32.const 3)))
    (block $done (loop $tail
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $gs (f32.load (local.get $g)))
      (local.set $ms (f32.add (f32.mul (f32.load (local.get $m)) (local.get $beta1)) (local.get $gs)))
      (local.set $vs (f32.add (f32.mul (f32.load (local.get $v)) (local.get $beta2)) (f32.mul (local.get $gs) (local.get $gs))))
      (f32.store (local.get $m) (local.get $ms))
      (f32.store (local.get $v) (local.get $vs))
      (f32.store (local.get $p) (f32.sub (f32.load (local.get $p))
        (f32.mul (f32.div (local.get $ms) (f32.add (f32.sqrt (local.get $vs)) (local.get $eps))) (local.get $scale))))
      (local.set $p (i32.add (local.get $p) (i32.const 4))) (local.set $m (i32.add (local.get $m) (i32.const 4)))
      (local.set $v (i32.add (local.get $v) (i32.const 4))) (local.set $g (i32.add (local.get $g) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $tail)))
  )
"""

# The exported kernels take every array as its Python object's address (``id()`` in CPython) and read the data
# address from it: NumPy's array struct (PyArrayObject_fields, part of NumPy's ABI since 1.7) starts with the 8-byte
# object header of wasm32 (reference count, type), then ``char *data``. In Pyodide that costs the caller nothing,
# where ``a.__array_interface__`` or ``a.ctypes.data`` takes 5-6 microseconds per array. nnlib/simd.py checks the
# offset with ``nnlib_array_data`` against ``__array_interface__`` before it uses the kernels.
ARRAY_DATA = """
  ;; The data address of the NumPy array whose object is at obj.
  (func (export "nnlib_array_data") (param $obj i32) (result i32) (i32.load offset=8 (local.get $obj)))
"""

RELU = """
  ;; ReLU over n floats (n a multiple of 4) stored contiguously: out = max(x, 0) as np.maximum gives it (pmax keeps
  ;; NaN and -0.0), mask = (x > 0) as bytes 0/1. out may be x.
  (func (export "nnlib_relu") (param $x i32) (param $out i32) (param $mask i32) (param $n i32)
    (local $v v128) (local $end i32)
    (local.set $x (i32.load offset=8 (local.get $x))) (local.set $out (i32.load offset=8 (local.get $out)))
    (local.set $mask (i32.load offset=8 (local.get $mask)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (v128.store32_lane 0 (local.get $mask)
        (v128.and (i8x16.shuffle 0 4 8 12 0 0 0 0 0 0 0 0 0 0 0 0
                    (f32x4.gt (local.get $v) (v128.const i32x4 0 0 0 0)) (local.get $v))
                  (v128.const i32x4 0x01010101 0 0 0)))
      (v128.store (local.get $out) (f32x4.pmax (local.get $v) (v128.const i32x4 0 0 0 0)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (local.set $mask (i32.add (local.get $mask) (i32.const 4)))
      (br $l)))
  )

  ;; Its backward pass: dx = dout * mask (mask bytes 0/1 as floats, so NaN * 0 is NaN, as in NumPy). dx may be dout.
  (func (export "nnlib_relu_backward") (param $dout i32) (param $mask i32) (param $dx i32) (param $n i32)
    (local $end i32)
    (local.set $dout (i32.load offset=8 (local.get $dout))) (local.set $mask (i32.load offset=8 (local.get $mask)))
    (local.set $dx (i32.load offset=8 (local.get $dx)))
    (local.set $end (i32.add (local.get $dout) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $dout) (local.get $end)))
      (v128.store (local.get $dx)
        (f32x4.mul (v128.load (local.get $dout))
          (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
            (v128.load32_zero (local.get $mask)))))))
      (local.set $dout (i32.add (local.get $dout) (i32.const 16)))
      (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
      (local.set $mask (i32.add (local.get $mask) (i32.const 4)))
      (br $l)))
  )
"""


def wat(variant: str) -> str:
    """The WebAssembly text of one variant ('relaxed' or 'plain')."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown kernel variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    mr = MR[variant]
    args = "(local.get $kc) (local.get $pa) (local.get $bp) (local.get $tile) (local.get $tld) (local.get $acc)"
    dispatch = ""
    for rows in range(1, mr):  # (if (mr == 1) call micro1 else if (mr == 2) ... else call micro<MR>)
        dispatch += f"(if (i32.eq (local.get $mr) (i32.const {rows})) (then (call $micro{rows} {args})) (else "
    dispatch += f"(call $micro{mr} {args})" + "))" * (mr - 1)
    body = SGEMM % {"work": WORK_BYTES, "packed_b": PACKED_B, "packed_a": PACKED_A, "KC": KC, "NC": NC, "MR": mr, "dispatch": dispatch}
    micro = _pack_a(mr) + "\n".join(_micro(variant, rows) for rows in range(1, mr + 1))
    header = f";; nnlib SIMD kernels, {variant} variant: generated by scripts/simd_kernels.py, do not edit.\n"
    return header + '(module\n  (import "env" "memory" (memory 0))\n' + PACK + micro + "\n" + body + POOL + ADAM + ARRAY_DATA + RELU + ")\n"


def _uleb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def with_dylink(module: bytes) -> bytes:
    """``module`` with a ``dylink.0`` section first (Emscripten's side-module marker): a memory-info subsection
    saying the module needs 0 bytes of memory and 0 table slots of its own."""
    if module[:8] != b"\0asm\1\0\0\0":
        raise KernelBuildError("wat2wasm did not produce a WebAssembly 1.0 module")
    mem_info = _uleb(0) * 4  # memory size, memory alignment (log2), table size, table alignment
    subsection = b"\x01" + _uleb(len(mem_info)) + mem_info  # WASM_DYLINK_MEM_INFO
    name = b"dylink.0"
    payload = _uleb(len(name)) + name + subsection
    return module[:8] + b"\0" + _uleb(len(payload)) + payload + module[8:]


def assemble(variant: str) -> bytes:
    """One variant as a Pyodide side module (bytes). Needs Node.js and `npm ci` (wabt in node_modules)."""
    node = shutil.which("node")
    if node is None or not WAT2WASM.is_file():
        raise KernelBuildError(
            f"assembling nnlib's WebAssembly kernels needs Node.js and the npm package wabt ({WAT2WASM} is "
            f"{'present' if WAT2WASM.is_file() else 'missing'}, node is {'on PATH' if node else 'not on PATH'}): "
            "run `npm ci` in the repository root")
    flags = ["--enable-relaxed-simd"] if variant == "relaxed" else []  # plain: wat2wasm refuses any relaxed op
    with tempfile.TemporaryDirectory(prefix="nnlib-wat-") as tmp:
        src, out = Path(tmp) / f"{variant}.wat", Path(tmp) / f"{variant}.wasm"
        src.write_text(wat(variant), encoding="utf-8")
        proc = subprocess.run([node, str(WAT2WASM), *flags, str(src), "-o", str(out)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise KernelBuildError(f"wat2wasm failed on the {variant} kernels:\n{proc.stderr}")
        return with_dylink(out.read_bytes())


def build(out_dir: Path) -> list[Path]:
    """Write both variants into ``out_dir`` (the nnlib package folder of a wheel build); returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for variant in VARIANTS:
        path = out_dir / FILES[variant]
        path.write_bytes(assemble(variant))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, help="folder to write simd-relaxed.wasm and simd.wasm into")
    parser.add_argument("--wat", choices=VARIANTS, help="print the WebAssembly text of a variant instead")
    args = parser.parse_args(argv)
    if args.wat:
        print(wat(args.wat), end="")
        return 0
    if args.out is None:
        parser.error("give an output folder, or --wat VARIANT")
    try:
        for path in build(args.out):
            print(f"wrote {path} ({path.stat().st_size} bytes)")
    except KernelBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
