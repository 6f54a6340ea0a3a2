;; The depth-3 tree walk in WebAssembly (tree-walk-wasm.ts loads it; scripts/build-wasm.mjs compiles this
;; file into walk3-wasm.ts, and a unit test checks the two agree). The same steps as scoreRowAnyDepth in
;; tree-layout.ts: per tree, three comparisons `x < threshold` of float32s pick the heap node 2k+1 (true)
;; or 2k+2 (false), and the leaf's float32 weight is added to a float32 sum (f32.add rounds once, like
;; Math.fround of the double sum), tree by tree in order, from 0. walk3 is for a row with no missing value;
;; walk3_missing also sends a NaN feature the way its node's byte at $miss says (1: the true branch).
;; Memory, laid out by the loader: the row's float32 features at 0; per tree, its 7 float32 thresholds
;; (28 bytes) from $thr, its 7 feature indexes (one byte each) from $feat, its 8 float32 weights (32 bytes)
;; from $leaf, its 7 missing-value directions (one byte each) from $miss.
(module
  (memory (export "memory") 1)
  (func (export "walk3") (param $trees i32) (param $thr i32) (param $feat i32) (param $leaf i32) (result f32)
    (local $sum f32) (local $k i32) (local $end i32)
    (local.set $end (i32.add (local.get $feat) (i32.mul (local.get $trees) (i32.const 7))))
    (block $done
      (br_if $done (i32.ge_u (local.get $feat) (local.get $end)))
      (loop $tree
        ;; The root: k = 1 (true) or 2 (false). f32.lt gives 1 or 0: arithmetic, not a branch.
        (local.set $k (i32.sub (i32.const 2)
          (f32.lt (f32.load (i32.shl (i32.load8_u (local.get $feat)) (i32.const 2)))
                  (f32.load (local.get $thr)))))
        ;; Depth 1: k in 3..6.
        (local.set $k (i32.sub (i32.add (i32.shl (local.get $k) (i32.const 1)) (i32.const 2))
          (f32.lt (f32.load (i32.shl (i32.load8_u (i32.add (local.get $feat) (local.get $k))) (i32.const 2)))
                  (f32.load (i32.add (local.get $thr) (i32.shl (local.get $k) (i32.const 2)))))))
        ;; Depth 2: k in 7..14, the leaf k - 7.
        (local.set $k (i32.sub (i32.add (i32.shl (local.get $k) (i32.const 1)) (i32.const 2))
          (f32.lt (f32.load (i32.shl (i32.load8_u (i32.add (local.get $feat) (local.get $k))) (i32.const 2)))
                  (f32.load (i32.add (local.get $thr) (i32.shl (local.get $k) (i32.const 2)))))))
        (local.set $sum (f32.add (local.get $sum)
          (f32.load (i32.add (local.get $leaf) (i32.shl (i32.sub (local.get $k) (i32.const 7)) (i32.const 2))))))
        (local.set $thr (i32.add (local.get $thr) (i32.const 28)))
        (local.set $leaf (i32.add (local.get $leaf) (i32.const 32)))
        (local.set $feat (i32.add (local.get $feat) (i32.const 7)))
        (br_if $tree (i32.lt_u (local.get $feat) (local.get $end)))))
    (local.get $sum))
  (func (export "walk3_missing")
    (param $trees i32) (param $thr i32) (param $feat i32) (param $leaf i32) (param $miss i32) (result f32)
    (local $sum f32) (local $k i32) (local $end i32) (local $x f32)
    (local.set $end (i32.add (local.get $feat) (i32.mul (local.get $trees) (i32.const 7))))
    (block $done
      (br_if $done (i32.ge_u (local.get $feat) (local.get $end)))
      (loop $tree
        ;; Three levels; at each, k = 2k + 2 - (x < t | (x is NaN & the node's direction)).
        (local.set $x (f32.load (i32.shl (i32.load8_u (local.get $feat)) (i32.const 2))))
        (local.set $k (i32.sub (i32.const 2)
          (i32.or (f32.lt (local.get $x) (f32.load (local.get $thr)))
                  (i32.and (f32.ne (local.get $x) (local.get $x)) (i32.load8_u (local.get $miss))))))
        (local.set $x (f32.load (i32.shl (i32.load8_u (i32.add (local.get $feat) (local.get $k))) (i32.const 2))))
        (local.set $k (i32.sub (i32.add (i32.shl (local.get $k) (i32.const 1)) (i32.const 2))
          (i32.or (f32.lt (local.get $x) (f32.load (i32.add (local.get $thr) (i32.shl (local.get $k) (i32.const 2)))))
                  (i32.and (f32.ne (local.get $x) (local.get $x))
                           (i32.load8_u (i32.add (local.get $miss) (local.get $k)))))))
        (local.set $x (f32.load (i32.shl (i32.load8_u (i32.add (local.get $feat) (local.get $k))) (i32.const 2))))
        (local.set $k (i32.sub (i32.add (i32.shl (local.get $k) (i32.const 1)) (i32.const 2))
          (i32.or (f32.lt (local.get $x) (f32.load (i32.add (local.get $thr) (i32.shl (local.get $k) (i32.const 2)))))
                  (i32.and (f32.ne (local.get $x) (local.get $x))
                           (i32.load8_u (i32.add (local.get $miss) (local.get $k)))))))
        (local.set $sum (f32.add (local.get $sum)
          (f32.load (i32.add (local.get $leaf) (i32.shl (i32.sub (local.get $k) (i32.const 7)) (i32.const 2))))))
        (local.set $thr (i32.add (local.get $thr) (i32.const 28)))
        (local.set $leaf (i32.add (local.get $leaf) (i32.const 32)))
        (local.set $miss (i32.add (local.get $miss) (i32.const 7)))
        (local.set $feat (i32.add (local.get $feat) (i32.const 7)))
        (br_if $tree (i32.lt_u (local.get $feat) (local.get $end)))))
    (local.get $sum))
)
