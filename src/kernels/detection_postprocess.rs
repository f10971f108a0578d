//! TFLite_Detection_PostProcess (the SSD head's box decoding and non-maximum suppression), as
//! TFLM's reference kernel computes it, in float32:
//!
//! - boxes are decoded from centre-size encodings against the anchors in double precision
//!   (`exp` of the size terms), each coordinate rounded to float;
//! - NMS keeps the boxes scoring at least the score threshold, visits them in decreasing score
//!   order (equal scores: lower box index first) and drops every later box whose IoU with a
//!   kept one exceeds the IoU threshold;
//! - the fast (class-agnostic) mode ranks each box by its best class (the first class of the
//!   highest score) and runs one NMS; the regular mode runs NMS per class and merges the
//!   survivors class by class, keeping the `max_detections` best (equal scores: the earlier
//!   candidate first).
//!
//! `exp` is `libm::exp` (double). TFLM's is the C library's (glibc on the oracle's host): the
//! two differ in the last bit of the double for about 0.7% of arguments, and in none of about
//! 90 million arguments sampled over [-8, 8] / {1, 2, 5, 10} (all int8 encodings at scale 0.05
//! among them) once rounded to float; the half size is then multiplied by the anchor size in
//! double and rounded to float, where a one-bit difference could in rare cases still show.
//!
//! Float inputs only, as TFLM (it fails on other types at invoke). Every array the kernel
//! needs lives in the arena scratch sized by [`DetectionParams::scratch_words`].

use crate::{Error, Result};

/// Prepared DETECTION_POSTPROCESS.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectionParams {
    /// Boxes (anchors).
    pub num_boxes: usize,
    /// Floats per box encoding (the encodings' last dimension, at least 4; the first 4 are read).
    pub box_stride: usize,
    /// Classes scored, without a background class.
    pub num_classes: usize,
    /// Scores per box (`num_classes` plus 1 with a background class first).
    pub classes_with_background: usize,
    pub max_detections: usize,
    /// Regular NMS's kept boxes per class.
    pub detections_per_class: usize,
    /// Regular (per-class) NMS, else the fast one.
    pub regular: bool,
    pub score_threshold: f32,
    pub iou_threshold: f32,
    /// y, x, h, w scales of the centre-size encoding.
    pub scales: [f32; 4],
}

impl DetectionParams {
    /// TFLM's checks (its Prepare's and those its Eval makes before computing): at least one
    /// class, at most one background class, IoU threshold in `(0, 1]`, a positive
    /// `detections_per_class` in regular mode. The fast mode is supported with one class per
    /// detection only (`min(max_classes_per_detection, num_classes) == 1`): TFLM's output
    /// layout for more is not a dense one.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        num_boxes: usize,
        box_stride: usize,
        classes_with_background: usize,
        num_classes: usize,
        max_detections: usize,
        max_classes_per_detection: usize,
        detections_per_class: usize,
        regular: bool,
        score_threshold: f32,
        iou_threshold: f32,
        scales: [f32; 4],
    ) -> Result<DetectionParams> {
        let bad = Err(Error::InvalidArgument);
        if box_stride < 4 || num_classes == 0 || classes_with_background < num_classes {
            return bad;
        }
        if classes_with_background.checked_sub(num_classes).is_none_or(|d| d > 1) {
            return bad;
        }
        if !(iou_threshold > 0.0 && iou_threshold <= 1.0) {
            return bad;
        }
        if regular && detections_per_class == 0 {
            return bad;
        }
        if !regular && max_classes_per_detection.min(num_classes) != 1 {
            return bad;
        }
        let p = DetectionParams {
            num_boxes,
            box_stride,
            num_classes,
            classes_with_background,
            max_detections,
            detections_per_class,
            regular,
            score_threshold,
            iou_threshold,
            scales,
        };
        p.scratch_words()?;
        Ok(p)
    }

    /// Scratch words (4 bytes each) the kernel needs: decoded boxes (4 per box), seven arrays
    /// of one word per box (scores, best classes, kept scores, kept indices, order, active
    /// flags, selected boxes) and, in regular mode, five of `max_detections + num_boxes`
    /// (merge candidates: indices, scores, order, and two sorted copies).
    pub fn scratch_words(&self) -> Result<usize> {
        let per_box = self.num_boxes.checked_mul(11).ok_or(Error::InvalidArgument)?;
        let merge = if self.regular {
            self.max_detections
                .checked_add(self.num_boxes)
                .and_then(|m| m.checked_mul(5))
                .ok_or(Error::InvalidArgument)?
        } else {
            0
        };
        per_box.checked_add(merge).ok_or(Error::InvalidArgument)
    }

    /// The label offset: 1 with a background class (scores start at class 1), else 0.
    fn label_offset(&self) -> usize {
        self.classes_with_background.saturating_sub(self.num_classes)
    }
}

/// The detections of one invoke, in scratch, for [`write_outputs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detections {
    count: usize,
}

impl Detections {
    /// How many detections there are (`num_detections`).
    pub fn count(&self) -> usize {
        self.count
    }
}

/// Float `i` of little-endian float32 bytes.
fn f32_at(b: &[u8], i: usize) -> Result<f32> {
    let at = i.checked_mul(4).ok_or(Error::InvalidArgument)?;
    let s = b.get(at..at.checked_add(4).ok_or(Error::InvalidArgument)?).ok_or(Error::InvalidArgument)?;
    let a: [u8; 4] = s.try_into().map_err(|_| Error::InvalidArgument)?;
    Ok(f32::from_le_bytes(a))
}

fn get(v: &[u32], i: usize) -> Result<u32> {
    v.get(i).copied().ok_or(Error::Internal)
}

fn getf(v: &[u32], i: usize) -> Result<f32> {
    get(v, i).map(f32::from_bits)
}

fn set(v: &mut [u32], i: usize, x: u32) -> Result<()> {
    *v.get_mut(i).ok_or(Error::Internal)? = x;
    Ok(())
}

fn setf(v: &mut [u32], i: usize, x: f32) -> Result<()> {
    set(v, i, x.to_bits())
}

fn take(s: &mut [u32], n: usize) -> Result<(&mut [u32], &mut [u32])> {
    s.split_at_mut_checked(n).ok_or(Error::Internal)
}

/// C++ `std::max(a, b)` on floats: `a < b ? b : a`.
fn cmax(a: f32, b: f32) -> f32 {
    if a < b {
        b
    } else {
        a
    }
}

/// C++ `std::min(a, b)` on floats: `b < a ? b : a`.
fn cmin(a: f32, b: f32) -> f32 {
    if b < a {
        b
    } else {
        a
    }
}

/// Sorts `v` (indices into `key`) by decreasing key, equal keys by increasing index. Keys are
/// never NaN here (they passed a `>=` threshold), so this is a total order and the result is
/// that of any correct sort, TFLM's stable merge sort and its `partial_sort` included. An
/// in-place heap sort: no allocation, `O(n log n)`.
fn sort_decreasing(v: &mut [u32], key: &[u32]) -> Result<()> {
    // `before(a, b)`: a sorts first.
    let before = |a: u32, b: u32| -> Result<bool> {
        let (ka, kb) = (getf(key, a as usize)?, getf(key, b as usize)?);
        // For non-NaN keys `!(kb > ka) && !(ka > kb)` is `ka == kb` (-0 equals +0).
        Ok(ka > kb || (ka == kb && a < b))
    };
    let sift = |v: &mut [u32], mut root: usize, end: usize| -> Result<()> {
        loop {
            let Some(mut child) = root.checked_mul(2).and_then(|c| c.checked_add(1)).filter(|&c| c < end) else {
                return Ok(());
            };
            if let Some(right) = child.checked_add(1).filter(|&r| r < end) {
                // The heap's top is the element sorting last.
                if before(get(v, child)?, get(v, right)?)? {
                    child = right;
                }
            }
            let (r, c) = (get(v, root)?, get(v, child)?);
            if !before(r, c)? {
                return Ok(());
            }
            set(v, root, c)?;
            set(v, child, r)?;
            root = child;
        }
    };
    let n = v.len();
    for start in (0..n / 2).rev() {
        sift(v, start, n)?;
    }
    for end in (1..n).rev() {
        let (first, last) = (get(v, 0)?, get(v, end)?);
        set(v, 0, last)?;
        set(v, end, first)?;
        sift(v, 0, end)?;
    }
    Ok(())
}

/// Decodes box `i`'s corners `[ymin, xmin, ymax, xmax]` as TFLM: centre and half sizes in
/// double precision, each rounded to float, then the corners in float.
fn decode_box(p: &DetectionParams, enc: &[u8], anchors: &[u8], i: usize) -> Result<[f32; 4]> {
    let e0 = i.checked_mul(p.box_stride).ok_or(Error::InvalidArgument)?;
    let a0 = i.checked_mul(4).ok_or(Error::InvalidArgument)?;
    let e = |k: usize| f32_at(enc, e0.checked_add(k).ok_or(Error::InvalidArgument)?).map(f64::from);
    let a = |k: usize| f32_at(anchors, a0.checked_add(k).ok_or(Error::InvalidArgument)?).map(f64::from);
    let [ys, xs, hs, ws] = p.scales.map(f64::from);
    let (ay, ax, ah, aw) = (a(0)?, a(1)?, a(2)?, a(3)?);
    let ycenter = (e(0)? / ys * ah + ay) as f32;
    let xcenter = (e(1)? / xs * aw + ax) as f32;
    let half_h = (0.5 * libm::exp(e(2)? / hs) * ah) as f32;
    let half_w = (0.5 * libm::exp(e(3)? / ws) * aw) as f32;
    Ok([ycenter - half_h, xcenter - half_w, ycenter + half_h, xcenter + half_w])
}

/// TFLM's IoU of decoded boxes `i` and `j` (0 when either has no area).
fn iou(decoded: &[u32], i: usize, j: usize) -> Result<f32> {
    let b = |k: usize, c: usize| getf(decoded, k.checked_mul(4).and_then(|x| x.checked_add(c)).ok_or(Error::Internal)?);
    let (yi0, xi0, yi1, xi1) = (b(i, 0)?, b(i, 1)?, b(i, 2)?, b(i, 3)?);
    let (yj0, xj0, yj1, xj1) = (b(j, 0)?, b(j, 1)?, b(j, 2)?, b(j, 3)?);
    let area_i = (yi1 - yi0) * (xi1 - xi0);
    let area_j = (yj1 - yj0) * (xj1 - xj0);
    if area_i <= 0.0 || area_j <= 0.0 {
        return Ok(0.0);
    }
    let ymin = cmax(yi0, yj0);
    let xmin = cmax(xi0, xj0);
    let ymax = cmin(yi1, yj1);
    let xmax = cmin(xi1, xj1);
    let inter = cmax(ymax - ymin, 0.0) * cmax(xmax - xmin, 0.0);
    Ok(inter / (area_i + area_j - inter))
}

/// The per-box arrays of the single-class NMS.
struct NmsBuffers<'a> {
    keep_scores: &'a mut [u32],
    keep_indices: &'a mut [u32],
    order: &'a mut [u32],
    active: &'a mut [u32],
    selected: &'a mut [u32],
}

/// TFLM's single-class NMS over `scores` (one float per box): writes the selected box indices
/// to `nb.selected` in selection order and returns how many (at most `limit`).
fn nms_single(
    p: &DetectionParams,
    decoded: &[u32],
    scores: &[u32],
    limit: usize,
    nb: &mut NmsBuffers<'_>,
) -> Result<usize> {
    let n = p.num_boxes;
    // TFLM refuses boxes with no extent (NaN coordinates pass).
    for i in 0..n {
        let b = |c: usize| getf(decoded, i.checked_mul(4).and_then(|x| x.checked_add(c)).ok_or(Error::Internal)?);
        if b(0)? >= b(2)? || b(1)? >= b(3)? {
            return Err(Error::InvalidArgument);
        }
    }
    let mut kept = 0usize;
    for i in 0..n {
        let s = getf(scores, i)?;
        if s >= p.score_threshold {
            setf(nb.keep_scores, kept, s)?;
            set(nb.keep_indices, kept, i as u32)?;
            kept = kept.checked_add(1).ok_or(Error::Internal)?;
        }
    }
    let order = nb.order.get_mut(..kept).ok_or(Error::Internal)?;
    for (k, o) in order.iter_mut().enumerate() {
        *o = k as u32;
    }
    sort_decreasing(order, nb.keep_scores)?;
    let output_size = kept.min(limit);
    for a in nb.active.iter_mut().take(kept) {
        *a = 1;
    }
    let mut active = kept;
    let mut count = 0usize;
    for i in 0..kept {
        if active == 0 || count >= output_size {
            break;
        }
        if get(nb.active, i)? != 1 {
            continue;
        }
        let bi = get(nb.keep_indices, get(nb.order, i)? as usize)? as usize;
        set(nb.selected, count, bi as u32)?;
        count = count.checked_add(1).ok_or(Error::Internal)?;
        set(nb.active, i, 0)?;
        active = active.saturating_sub(1);
        for j in i.saturating_add(1)..kept {
            if get(nb.active, j)? == 1 {
                let bj = get(nb.keep_indices, get(nb.order, j)? as usize)? as usize;
                if iou(decoded, bi, bj)? > p.iou_threshold {
                    set(nb.active, j, 0)?;
                    active = active.saturating_sub(1);
                }
            }
        }
    }
    Ok(count)
}

/// Decodes the boxes and runs NMS: `encodings` `[1, num_boxes, box_stride]`, `class_scores`
/// `[1, num_boxes, classes_with_background]` and `anchors` `[num_boxes, 4]` are little-endian
/// float32 bytes; `scratch` holds [`DetectionParams::scratch_words`] words. The detections stay
/// in `scratch` for [`write_outputs`].
pub fn detect(
    p: &DetectionParams,
    encodings: &[u8],
    class_scores: &[u8],
    anchors: &[u8],
    scratch: &mut [u32],
) -> Result<Detections> {
    let n = p.num_boxes;
    let (decoded, rest) = take(scratch, n.checked_mul(4).ok_or(Error::Internal)?)?;
    let (scores, rest) = take(rest, n)?;
    let (best, rest) = take(rest, n)?;
    let (keep_scores, rest) = take(rest, n)?;
    let (keep_indices, rest) = take(rest, n)?;
    let (order, rest) = take(rest, n)?;
    let (active, rest) = take(rest, n)?;
    let (selected, rest) = take(rest, n)?;
    for i in 0..n {
        let b = decode_box(p, encodings, anchors, i)?;
        for (c, v) in b.into_iter().enumerate() {
            setf(decoded, i.checked_mul(4).and_then(|x| x.checked_add(c)).ok_or(Error::Internal)?, v)?;
        }
    }
    let mut nb = NmsBuffers { keep_scores, keep_indices, order, active, selected };
    let cwb = p.classes_with_background;
    let lo = p.label_offset();
    let score = |row: usize, class: usize| {
        f32_at(class_scores, row.checked_mul(cwb).and_then(|x| x.checked_add(class)).ok_or(Error::InvalidArgument)?)
    };
    if !p.regular {
        // Each box's best class: the first of the highest score (a NaN never wins, nor is
        // replaced once first), as TFLM's one-element partial sort.
        for row in 0..n {
            let mut b = 0usize;
            let mut v = score(row, lo)?;
            for c in 1..p.num_classes {
                let s = score(row, lo.checked_add(c).ok_or(Error::Internal)?)?;
                if v < s {
                    (b, v) = (c, s);
                }
            }
            setf(scores, row, v)?;
            set(best, row, b as u32)?;
        }
        let count = nms_single(p, decoded, scores, p.max_detections, &mut nb)?;
        return Ok(Detections { count });
    }
    let m = p.max_detections;
    let cap = m.checked_add(n).ok_or(Error::Internal)?;
    let (cand_idx, rest) = take(rest, cap)?;
    let (cand_score, rest) = take(rest, cap)?;
    let (cand_order, rest) = take(rest, cap)?;
    let (tmp_idx, rest) = take(rest, cap)?;
    let (tmp_score, _) = take(rest, cap)?;
    let mut sorted = 0usize;
    for col in 0..p.num_classes {
        let class = col.checked_add(lo).ok_or(Error::Internal)?;
        for row in 0..n {
            setf(scores, row, score(row, class)?)?;
        }
        let count = nms_single(p, decoded, scores, p.detections_per_class, &mut nb)?;
        let mut at = sorted;
        for i in 0..count {
            let bi = get(nb.selected, i)? as usize;
            let flat = bi.checked_mul(cwb).and_then(|x| x.checked_add(class)).ok_or(Error::Internal)?;
            set(cand_idx, at, u32::try_from(flat).map_err(|_| Error::Internal)?)?;
            set(cand_score, at, get(scores, bi)?)?;
            at = at.checked_add(1).ok_or(Error::Internal)?;
        }
        let top = at.min(m);
        let ord = cand_order.get_mut(..at).ok_or(Error::Internal)?;
        for (k, o) in ord.iter_mut().enumerate() {
            *o = k as u32;
        }
        sort_decreasing(ord, cand_score)?;
        for r in 0..top {
            let k = get(cand_order, r)? as usize;
            set(tmp_idx, r, get(cand_idx, k)?)?;
            set(tmp_score, r, get(cand_score, k)?)?;
        }
        for r in 0..top {
            set(cand_idx, r, get(tmp_idx, r)?)?;
            set(cand_score, r, get(tmp_score, r)?)?;
        }
        sorted = top;
    }
    Ok(Detections { count: sorted })
}

/// Output element kinds of [`write_outputs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// `[1, max_detections, 4]` boxes `[ymin, xmin, ymax, xmax]`.
    Boxes,
    /// `[1, max_detections]` class indices (without the background class) as floats.
    Classes,
    /// `[1, max_detections]` scores.
    Scores,
    /// `[1]` the number of detections as a float.
    Count,
}

/// Writes one output tensor's float32 bytes from the detections [`detect`] left in `scratch`.
/// Entries past the detections are zeros (TFLM zeroes them in regular mode and leaves them
/// untouched in fast mode).
pub fn write_outputs(p: &DetectionParams, d: Detections, scratch: &[u32], which: Output, out: &mut [u8]) -> Result<()> {
    let n = p.num_boxes;
    let decoded = scratch.get(..n.checked_mul(4).ok_or(Error::Internal)?).ok_or(Error::Internal)?;
    let at = |k: usize| n.checked_mul(k).ok_or(Error::Internal);
    let scores = scratch.get(at(4)?..).ok_or(Error::Internal)?;
    let best = scratch.get(at(5)?..).ok_or(Error::Internal)?;
    let selected = scratch.get(at(10)?..).ok_or(Error::Internal)?;
    let merged = scratch.get(at(11)?..).ok_or(Error::Internal)?;
    let cap = p.max_detections.checked_add(n).ok_or(Error::Internal)?;
    let merged_scores = merged.get(cap..).unwrap_or(&[]);
    let cwb = p.classes_with_background;
    // Detection k: (box, class, score).
    let detection = |k: usize| -> Result<(usize, u32, f32)> {
        if p.regular {
            let flat = get(merged, k)? as usize;
            let anchor = flat.checked_div(cwb).ok_or(Error::Internal)?;
            let class = flat.checked_sub(anchor.checked_mul(cwb).ok_or(Error::Internal)?).ok_or(Error::Internal)?;
            let class = class.checked_sub(p.label_offset()).ok_or(Error::Internal)?;
            Ok((anchor, class as u32, getf(merged_scores, k)?))
        } else {
            let b = get(selected, k)? as usize;
            Ok((b, get(best, b)?, getf(scores, b)?))
        }
    };
    let per = if which == Output::Boxes { 4 } else { 1 };
    let count = if which == Output::Count { 1 } else { p.max_detections };
    if out.len() != count.checked_mul(per).and_then(|x| x.checked_mul(4)).ok_or(Error::Internal)? {
        return Err(Error::InvalidArgument);
    }
    for (i, chunk) in out.chunks_exact_mut(4).enumerate() {
        let (k, c) = (i / per, i % per);
        let v = match which {
            Output::Count => d.count as f32,
            _ if k >= d.count => 0.0,
            Output::Boxes => {
                let (b, _, _) = detection(k)?;
                getf(decoded, b.checked_mul(4).and_then(|x| x.checked_add(c)).ok_or(Error::Internal)?)?
            }
            Output::Classes => detection(k)?.1 as f32,
            Output::Scores => detection(k)?.2,
        };
        chunk.copy_from_slice(&v.to_le_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    fn params(regular: bool, classes: usize, max_det: usize) -> DetectionParams {
        DetectionParams::new(4, 4, classes + 1, classes, max_det, 1, 3, regular, 0.3, 0.5, [10.0, 10.0, 5.0, 5.0])
            .unwrap()
    }

    fn run(p: &DetectionParams, scores: &[f32]) -> (Vec<f32>, Vec<f32>, Vec<f32>, f32) {
        // Anchors: unit boxes at y = 0, 0.1, 2, 2.05 (so 0/1 and 2/3 overlap strongly).
        let anchors = bytes(&[0.0, 0.0, 1.0, 1.0, 0.1, 0.0, 1.0, 1.0, 2.0, 0.0, 1.0, 1.0, 2.05, 0.0, 1.0, 1.0]);
        let enc = bytes(&[0.0; 16]);
        let mut scratch = vec![0u32; p.scratch_words().unwrap()];
        let d = detect(p, &enc, &bytes(scores), &anchors, &mut scratch).unwrap();
        let m = p.max_detections;
        let mut outs = [vec![0u8; m * 16], vec![0u8; m * 4], vec![0u8; m * 4], vec![0u8; 4]];
        for (o, w) in outs.iter_mut().zip([Output::Boxes, Output::Classes, Output::Scores, Output::Count]) {
            write_outputs(p, d, &scratch, w, o).unwrap();
        }
        let f = |b: &[u8]| b.chunks(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect::<Vec<_>>();
        (f(&outs[0]), f(&outs[1]), f(&outs[2]), f(&outs[3])[0])
    }

    #[test]
    fn decodes_a_centred_box() {
        let p = params(false, 1, 2);
        let b = decode_box(&p, &bytes(&[0.0; 4]), &bytes(&[0.5, 0.5, 1.0, 2.0]), 0).unwrap();
        assert_eq!(b, [0.0, -0.5, 1.0, 1.5]);
    }

    #[test]
    fn fast_nms_suppresses_overlaps() {
        // Background class first, two classes; box 1 overlaps box 0 (IoU 0.9/1.1 > 0.5).
        let p = params(false, 2, 3);
        let s = [0.0, 0.9, 0.1, 0.0, 0.2, 0.8, 0.0, 0.1, 0.4, 0.0, 0.35, 0.35];
        let (boxes, classes, scores, n) = run(&p, &s);
        assert_eq!(n, 2.0);
        assert_eq!(scores, [0.9, 0.4, 0.0]);
        assert_eq!(classes, [0.0, 1.0, 0.0]);
        assert_eq!(&boxes[..4], &[-0.5, -0.5, 0.5, 0.5]);
        assert_eq!(&boxes[8..], &[0.0; 4]);
    }

    #[test]
    fn regular_nms_keeps_per_class_boxes() {
        let p = params(true, 2, 3);
        let s = [0.0, 0.9, 0.1, 0.0, 0.2, 0.8, 0.0, 0.1, 0.4, 0.0, 0.35, 0.35];
        let (_, classes, scores, n) = run(&p, &s);
        // Class 0: box 0 (0.9), box 3 (0.35); class 1: box 1 (0.8), box 2 (0.4; box 3 suppressed).
        assert_eq!(n, 3.0);
        assert_eq!(scores, [0.9, 0.8, 0.4]);
        assert_eq!(classes, [0.0, 1.0, 1.0]);
    }

    #[test]
    fn equal_scores_keep_index_order() {
        let mut v = [0u32, 1, 2, 3, 4];
        let key = [0.5f32, 0.7, 0.5, 0.7, -0.0].map(f32::to_bits);
        sort_decreasing(&mut v, &key).unwrap();
        assert_eq!(v, [1, 3, 0, 2, 4]);
    }

    #[test]
    fn refuses_what_tflm_refuses() {
        let s = [10.0, 10.0, 5.0, 5.0];
        assert!(DetectionParams::new(4, 4, 3, 2, 3, 1, 3, false, 0.3, 0.0, s).is_err());
        assert!(DetectionParams::new(4, 4, 3, 2, 3, 1, 3, false, 0.3, 1.5, s).is_err());
        assert!(DetectionParams::new(4, 4, 4, 2, 3, 1, 3, false, 0.3, 0.5, s).is_err());
        assert!(DetectionParams::new(4, 3, 3, 2, 3, 1, 3, false, 0.3, 0.5, s).is_err());
        assert!(DetectionParams::new(4, 4, 3, 2, 3, 1, 0, true, 0.3, 0.5, s).is_err());
        assert!(DetectionParams::new(4, 4, 3, 2, 3, 2, 3, false, 0.3, 0.5, s).is_err());
        assert!(DetectionParams::new(4, 4, 3, 2, 3, 2, 3, true, 0.3, 0.5, s).is_ok());
    }
}
