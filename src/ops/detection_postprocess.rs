//! TFLite_Detection_PostProcess (custom operator): float32 box encodings `[1, boxes, ≥4]`,
//! class scores `[1, boxes, classes (+1 background)]` and anchors `[boxes, 4]`; four float32
//! outputs: boxes `[1, max_detections, 4]`, classes and scores `[1, max_detections]`, and the
//! number of detections `[1]`. The options are a FlexBuffer map in `custom_options`.

use super::{Ctx, Dataflow, OpSpec, Params};
use crate::error::Result;
use crate::kernels::detection_postprocess::DetectionParams;
use crate::schema::flexbuf::Map;
use crate::schema::{DType, Tensor};

/// A validated DETECTION_POSTPROCESS: the kernel parameters and the tensors it reads (three
/// inputs, so they travel here rather than in [`OpSpec::inputs`]).
#[derive(Clone, Copy, Debug)]
pub struct DetectionSpec {
    pub params: DetectionParams,
    /// Tensor indices of the box encodings, the class scores and the anchors.
    pub inputs: [usize; 3],
    /// Tensor indices of the boxes, classes, scores and count outputs.
    pub outputs: [usize; 4],
}

/// TFLM's default `detections_per_class`.
const DEFAULT_DETECTIONS_PER_CLASS: i32 = 100;

pub(super) fn prepare<'m>(c: &Ctx<'m>) -> Result<OpSpec<'m>> {
    c.arity(3..=3, 4)?;
    let opts = c.model.custom_options(c.index)?;
    let m = Map::root(opts).map_err(|_| c.bad_options())?;
    let get = |k: &[u8]| m.get(k).map_err(|_| c.bad_options());
    let max_detections = c.positive(get(b"max_detections")?.as_i32())?;
    let max_classes_per_detection = get(b"max_classes_per_detection")?.as_i32();
    let per_class = get(b"detections_per_class")?;
    let per_class = if per_class.is_null() { DEFAULT_DETECTIONS_PER_CLASS } else { per_class.as_i32() };
    let regular = get(b"use_regular_nms")?.as_bool();
    let score_threshold = get(b"nms_score_threshold")?.as_f32();
    let iou_threshold = get(b"nms_iou_threshold")?.as_f32();
    let num_classes = c.positive(get(b"num_classes")?.as_i32())?;
    let scales =
        [get(b"y_scale")?.as_f32(), get(b"x_scale")?.as_f32(), get(b"h_scale")?.as_f32(), get(b"w_scale")?.as_f32()];
    // The fast mode needs a positive count of classes per detection, the regular one a
    // positive count of detections per class (TFLM checks them at invoke).
    let max_classes_per_detection = if regular { 1 } else { c.positive(max_classes_per_detection)? };
    let per_class = if regular { c.positive(per_class)? } else { 0 };

    let (te, enc) = c.input(0)?;
    let (ts, scores) = c.input(1)?;
    let (ta, anchors) = c.input(2)?;
    for t in [&enc, &scores, &anchors] {
        c.want(t, DType::F32)?;
    }
    let (d, s, a) = (enc.shape.dims(), scores.shape.dims(), anchors.shape.dims());
    let [1, num_boxes, box_stride] = *d else { return Err(c.bad()) };
    let [1, score_boxes, classes_with_background] = *s else { return Err(c.bad()) };
    let [anchor_boxes, 4] = *a else { return Err(c.bad()) };
    if score_boxes != num_boxes || anchor_boxes != num_boxes {
        return Err(c.bad());
    }
    let mut outputs = [0usize; 4];
    let elements = [max_detections.checked_mul(4).ok_or(c.bad())?, max_detections, max_detections, 1];
    for (i, (slot, n)) in outputs.iter_mut().zip(elements).enumerate() {
        let (t, out): (usize, Tensor<'m>) = c.output(i)?;
        c.want(&out, DType::F32)?;
        if out.elements() != n {
            return Err(c.bad());
        }
        *slot = t;
    }
    let params = c.k(DetectionParams::new(
        num_boxes,
        box_stride,
        classes_with_background,
        num_classes,
        max_detections,
        max_classes_per_detection,
        per_class,
        regular,
        score_threshold,
        iou_threshold,
        scales,
    ))?;
    let spec = DetectionSpec { params, inputs: [te, ts, ta], outputs };
    c.spec([None, None], Dataflow::Global, Params::Detection(spec))
}
