//! `patchwise plan`: the memory plan as a table, as JSON, and as an SVG timeline.

use patchwise::plan::{BufferInfo, Options, EXACT, NO_BUFFER};
use patchwise::runplan::NO_OFFSET;
use patchwise::schema::opcodes::OpKind;
use patchwise::schema::Model;
use patchwise::variants::{self, VariantId};
use patchwise::{plan_details, Error, PlanDetails};
use std::fmt::Write as _;

/// One operator's row of the plan.
pub struct OpRow {
    pub index: usize,
    pub name: String,
    pub inputs: Vec<i64>,
    pub outputs: Vec<i64>,
    pub output_shape: Vec<usize>,
    /// Multiply-accumulates ([`macs`]).
    pub macs: u64,
    pub scratch: u32,
    /// The kernel variant the plan chose (empty for a skipped operator).
    pub kernel: &'static str,
    /// Bytes occupied at this operator (union of the live buffers' byte ranges).
    pub live: usize,
    /// What the planner did for this operator.
    pub trick: String,
}

/// A fused segment: operators run together row by row.
pub struct Segment {
    /// Its running operators, in order.
    pub ops: Vec<usize>,
    /// The whole tensors it reads and writes.
    pub input: usize,
    pub output: usize,
    /// `(tensor, bytes)` of each row buffer (the tensors between its operators).
    pub row_buffers: Vec<(usize, u32)>,
}

/// A plan with its per-operator view.
pub struct View<'m> {
    pub model: Model<'m>,
    pub plan: PlanDetails,
    pub rows: Vec<OpRow>,
    pub segments: Vec<Segment>,
    /// The operator cargo features the model needs (`OpKind::feature`), sorted, each once.
    pub features: Vec<&'static str>,
}

/// The operator cargo features `model` needs: a library built with exactly these (plus
/// `panic-handler`) runs it.
pub fn features(model: &Model<'_>) -> Result<Vec<&'static str>, Error> {
    let mut f = Vec::new();
    for o in 0..model.num_operators() {
        let code = model.operator(o)?.opcode;
        let kind = OpKind::from_code(code).ok_or(Error::UnsupportedOp { op: o as u32, opcode: code })?;
        f.extend(kind.feature());
    }
    f.sort_unstable();
    f.dedup();
    Ok(f)
}

/// The cargo arguments of a firmware library with only `features`' operators.
pub fn cargo_args(features: &[&str]) -> String {
    let mut all = vec!["panic-handler"];
    all.extend_from_slice(features);
    format!("--no-default-features --features {}", all.join(","))
}

/// The fused segments of a plan, from its run-plan's stream bits.
fn segments(model: &Model<'_>, plan: &PlanDetails) -> Result<Vec<Segment>, Error> {
    let mut out = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for (o, how) in plan.op_plan.iter().enumerate() {
        if how.is_skip() {
            continue;
        }
        current.push(o);
        if how.streams() {
            continue;
        }
        if current.len() > 1 {
            let (first, last) = (current[0], current[current.len() - 1]);
            let op0 = model.operator(first)?;
            let input = match plan.op_plan[first].fused_pad(first) {
                Some(p) => model.operator(p)?.input(0),
                None => op0.input(0),
            };
            let output = model.operator(last)?.output(0);
            let mut row_buffers = Vec::new();
            for &o in &current[..current.len() - 1] {
                let t = model.operator(o)?.output(0).ok_or(Error::Internal)?;
                row_buffers.push((t, plan.buffers[t].size));
            }
            out.push(Segment {
                ops: current.clone(),
                input: input.ok_or(Error::Internal)?,
                output: output.ok_or(Error::Internal)?,
                row_buffers,
            });
        }
        current.clear();
    }
    Ok(out)
}

/// Multiply-accumulates of operator `o` (convolutions, depthwise, fully connected, transposed
/// convolution, from the filter and output shapes; 0 for every other operator).
pub fn macs(model: &Model<'_>, o: usize) -> u64 {
    let Ok(op) = model.operator(o) else { return 0 };
    let dims = |t: Option<usize>| -> Vec<u64> {
        t.and_then(|t| model.tensor(t).ok())
            .map(|t| t.shape.dims().iter().map(|&d| d as u64).collect())
            .unwrap_or_default()
    };
    let prod = |d: &[u64]| d.iter().product::<u64>();
    let (out, filter) = (dims(op.output(0)), dims(op.input(1)));
    let (Some(&out_c), Some(pixels)) = (out.last(), out.len().checked_sub(1).map(|n| prod(&out[..n]))) else {
        return 0;
    };
    match (OpKind::from_code(op.opcode), filter.as_slice()) {
        (Some(OpKind::Conv2d), [_, h, w, i]) => pixels * out_c * h * w * i,
        (Some(OpKind::DepthwiseConv2d), [_, h, w, _]) => pixels * out_c * h * w,
        (Some(OpKind::FullyConnected), [.., i]) => pixels * out_c * i,
        // The input (tensor 2) spread over the filter: every input value meets every tap.
        (Some(OpKind::TransposeConv), [o, h, w, _]) => prod(&dims(op.input(2))) * o * h * w,
        _ => 0,
    }
}

pub fn op_name(code: u32) -> String {
    OpKind::from_code(code).map(|k| k.name().to_string()).unwrap_or_else(|| format!("OP{code}"))
}

fn owns(b: &[BufferInfo], i: usize) -> bool {
    b[i].size > 0 && b[i].alias as usize == i
}

/// Bytes covered by the union of `[start, end)` ranges.
fn union_bytes(mut r: Vec<(u64, u64)>) -> usize {
    r.sort();
    let (mut total, mut cur) = (0u64, None::<(u64, u64)>);
    for (s, e) in r {
        match cur {
            Some((cs, ce)) if s <= ce => cur = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += ce - cs;
                cur = Some((s, e));
            }
            None => cur = Some((s, e)),
        }
    }
    if let Some((cs, ce)) = cur {
        total += ce - cs;
    }
    total as usize
}

pub fn build<'m>(model_bytes: &'m [u8], options: &Options) -> Result<View<'m>, Error> {
    let model = Model::parse(model_bytes)?;
    let plan = plan_details(model_bytes, options)?;
    let nt = model.num_tensors();
    let b = &plan.buffers;
    let segments = segments(&model, &plan)?;
    let mut rows = Vec::new();
    for o in 0..model.num_operators() {
        let op = model.operator(o)?;
        let live = union_bytes(
            (0..b.len())
                .filter(|&i| owns(b, i) && b[i].first as usize <= o && o <= b[i].last as usize)
                .map(|i| (plan.offsets[i] as u64, plan.offsets[i] as u64 + b[i].size as u64))
                .collect(),
        );
        let how = plan.op_plan[o];
        let out_root = op.output(0).map(|t| b[t].alias as usize);
        let mut trick = match (how.is_skip(), how.fused_pad(o)) {
            (true, _) => match OpKind::from_code(op.opcode) {
                Some(OpKind::Pad | OpKind::PadV2) => "folded into next conv".to_string(),
                _ => "alias (no copy)".to_string(),
            },
            (false, None) => String::new(),
            (false, Some(p)) => format!("virtual padding (PAD op {p})"),
        };
        let mut in_place_channels = false;
        if let Some(r) = out_root {
            let bi = &b[r];
            if !how.is_skip() && bi.partner != NO_BUFFER && bi.first as usize == o {
                let a = bi.partner as usize;
                let (ao, bo) = (plan.offsets[a] as i64, plan.offsets[r] as i64);
                let overlaps = ao < bo + bi.size as i64 && bo < ao + b[a].size as i64;
                if overlaps {
                    let window = matches!(
                        OpKind::from_code(op.opcode),
                        Some(OpKind::Conv2d | OpKind::DepthwiseConv2d | OpKind::AveragePool2d | OpKind::MaxPool2d)
                    );
                    let dir = if bo <= ao { "forward" } else { "backward" };
                    let t = if bi.forward == EXACT {
                        in_place_channels = true;
                        "in place (channel by channel)".to_string()
                    } else {
                        let what = if window { "overlap" } else { "in place" };
                        format!("{what} ({dir}, output {:+} B from input)", bo - ao)
                    };
                    trick = if trick.is_empty() { t } else { format!("{trick}; {t}") };
                }
            }
        }
        if let Some((k, seg)) = segments.iter().enumerate().find(|(_, g)| g.ops.contains(&o)) {
            let t = match seg.ops.iter().position(|&m| m == o).and_then(|i| seg.row_buffers.get(i)) {
                Some(&(_, bytes)) => format!("segment {k}: rows into a {bytes} B row buffer"),
                None => format!("segment {k}: rows into its whole output"),
            };
            // Overlap tricks of a layer plan do not apply inside a segment.
            trick = if trick.starts_with("virtual") { format!("{trick}; {t}") } else { t };
        }
        let variant = how.variant().and_then(VariantId::from_u8);
        if variant == Some(VariantId::DepthwiseChannelwise) && !in_place_channels {
            let t = "channel-by-channel kernel";
            trick = if trick.is_empty() { t.to_string() } else { format!("{trick}; {t}") };
        }
        let list = |n: usize, f: &dyn Fn(usize) -> Option<usize>| -> Vec<i64> {
            (0..n).map(|i| f(i).map_or(-1, |t| t as i64)).collect()
        };
        rows.push(OpRow {
            index: o,
            name: op_name(op.opcode),
            inputs: list(op.num_inputs(), &|i| op.input(i)),
            outputs: list(op.num_outputs(), &|i| op.output(i)),
            output_shape: op
                .output(0)
                .and_then(|t| model.tensor(t).ok())
                .map(|t| t.shape.dims().to_vec())
                .unwrap_or_default(),
            macs: macs(&model, o),
            scratch: b[nt + o].size,
            kernel: variant.and_then(variants::get).map_or("", |v| v.name),
            live,
            trick,
        });
    }
    let features = features(&model)?;
    Ok(View { model, plan, rows, segments, features })
}

pub fn json_str(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for ch in String::from_utf8_lossy(s).chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn json(v: &View<'_>) -> Result<String, Error> {
    let p = &v.plan;
    let peak = v.rows.iter().map(|r| r.live).max().unwrap_or(0);
    let mut s = String::new();
    let _ = write!(
        s,
        "{{\"arena_bytes\": {}, \"activation_bytes\": {}, \"bookkeeping_bytes\": {}, \"lower_bound\": {}, \"peak_live_bytes\": {peak}, \"ops\": [",
        p.arena_bytes, p.activation_bytes, p.bookkeeping_bytes, p.lower_bound
    );
    for (k, r) in v.rows.iter().enumerate() {
        let _ = write!(
            s,
            "{}{{\"index\": {}, \"op\": \"{}\", \"inputs\": {:?}, \"outputs\": {:?}, \"kernel\": \"{}\", \"macs\": {}, \"scratch_bytes\": {}, \"live_bytes\": {}, \"trick\": {}}}",
            if k > 0 { ", " } else { "" },
            r.index,
            r.name,
            r.inputs,
            r.outputs,
            r.kernel,
            r.macs,
            r.scratch,
            r.live,
            json_str(r.trick.as_bytes())
        );
    }
    s.push_str("], \"segments\": ");
    if v.segments.is_empty() {
        s.push_str("null");
    } else {
        s.push('[');
        for (k, g) in v.segments.iter().enumerate() {
            let rb: Vec<String> =
                g.row_buffers.iter().map(|(t, b)| format!("{{\"tensor\": {t}, \"bytes\": {b}}}")).collect();
            let _ = write!(
                s,
                "{}{{\"ops\": {:?}, \"input\": {}, \"output\": {}, \"tiling\": \"row bands, full width, one output row per step\", \"halo\": \"cached\", \"extra_macs_percent\": 0.0, \"row_buffers\": [{}]}}",
                if k > 0 { ", " } else { "" },
                g.ops,
                g.input,
                g.output,
                rb.join(", ")
            );
        }
        s.push(']');
    }
    s.push_str(", \"tensors\": [");
    for t in 0..v.model.num_tensors() {
        let tensor = v.model.tensor(t)?;
        let b = p.buffers[t];
        let off = p.offsets[t];
        let _ = write!(
            s,
            "{}{{\"index\": {t}, \"name\": {}, \"dtype\": \"{}\", \"shape\": {:?}, \"bytes\": {}, \"constant\": {}, \"offset\": {}, \"alias_of\": {}, \"first_op\": {}, \"last_op\": {}}}",
            if t > 0 { ", " } else { "" },
            json_str(tensor.name),
            tensor.dtype.name(),
            tensor.shape.dims(),
            tensor.bytes(),
            tensor.data.is_some(),
            if off == NO_OFFSET { "null".to_string() } else { off.to_string() },
            if b.alias as usize != t && b.alias != NO_BUFFER { b.alias.to_string() } else { "null".to_string() },
            p.buffers[b.alias.min(p.buffers.len() as u16 - 1) as usize].first,
            p.buffers[b.alias.min(p.buffers.len() as u16 - 1) as usize].last
        );
    }
    let names: Vec<String> = v.features.iter().map(|f| json_str(f.as_bytes())).collect();
    let _ = writeln!(
        s,
        "], \"features\": [{}], \"cargo_features\": {}}}",
        names.join(", "),
        json_str(cargo_args(&v.features).as_bytes())
    );
    Ok(s)
}

pub fn text(v: &View<'_>) -> String {
    let p = &v.plan;
    let mut s = String::new();
    let _ = writeln!(s, "{} operators, {} tensors", v.rows.len(), v.model.num_tensors());
    let _ = writeln!(s, "{:>4}  {:<24} {:>9} {:>8}  {:<18} trick", "op", "kind", "live B", "scratch", "output shape");
    for r in &v.rows {
        let _ = writeln!(
            s,
            "{:>4}  {:<24} {:>9} {:>8}  {:<18} {}",
            r.index,
            r.name,
            r.live,
            r.scratch,
            format!("{:?}", r.output_shape),
            r.trick
        );
    }
    let peak = v.rows.iter().map(|r| r.live).max().unwrap_or(0);
    for (k, g) in v.segments.iter().enumerate() {
        let rb: u32 = g.row_buffers.iter().map(|&(_, b)| b).sum();
        let _ = writeln!(
            s,
            "segment {k}: ops {:?}, tensor {} -> tensor {} row by row, halos cached (0 extra MACs), row buffers {rb} B",
            g.ops, g.input, g.output
        );
    }
    let _ = writeln!(s, "peak live bytes      {peak}");
    let _ = writeln!(s, "lower bound          {}", p.lower_bound);
    let _ = writeln!(s, "activation area      {}", p.activation_bytes);
    let _ = writeln!(s, "bookkeeping          {}", p.bookkeeping_bytes);
    let _ = writeln!(s, "arena bytes (total)  {}", p.arena_bytes);
    let _ = writeln!(s, "cargo features       {}", cargo_args(&v.features));
    s
}

/// Where a panel goes: top-left corner, size, and the byte count of its full height.
#[derive(Clone, Copy)]
struct Frame {
    x0: f64,
    y0: f64,
    w: f64,
    h: f64,
    max_bytes: f64,
}

/// One panel of the timeline: buffers as rectangles (x: operator index, y: arena offset).
fn panel(out: &mut String, title: &str, v: &View<'_>, f: &Frame) {
    let Frame { x0, y0, w, h, max_bytes } = *f;
    let p = &v.plan;
    let n = v.rows.len().max(1) as f64;
    let sx = w / n;
    let sy = h / max_bytes.max(1.0);
    let _ = writeln!(
        out,
        "<text x='{x0}' y='{}' font-size='14' font-family='sans-serif'>{title}: arena {} B (activations {} B)</text>",
        y0 - 6.0,
        p.arena_bytes,
        p.activation_bytes
    );
    let _ = writeln!(out, "<rect x='{x0}' y='{y0}' width='{w}' height='{h}' fill='#fafafa' stroke='#888'/>");
    for (k, g) in v.segments.iter().enumerate() {
        let (a, z) = (g.ops[0] as f64, g.ops[g.ops.len() - 1] as f64 + 1.0);
        let _ = writeln!(
            out,
            "<rect x='{:.2}' y='{y0}' width='{:.2}' height='{h}' fill='#3060c0' fill-opacity='0.08' stroke='#3060c0' stroke-dasharray='4 3'><title>segment {k}: ops {:?} row by row, halos cached</title></rect>",
            x0 + a * sx,
            (z - a) * sx,
            g.ops
        );
        let _ = writeln!(
            out,
            "<text x='{:.2}' y='{}' font-size='10' font-family='sans-serif' fill='#3060c0'>segment {k}</text>",
            x0 + a * sx + 2.0,
            y0 + 11.0
        );
    }
    let b = &p.buffers;
    for i in 0..b.len() {
        if !owns(b, i) || p.offsets[i] == NO_OFFSET {
            continue;
        }
        let hue = (i * 137) % 360;
        let x = x0 + b[i].first as f64 * sx;
        let bw = (b[i].last - b[i].first + 1) as f64 * sx;
        // Offset 0 at the bottom.
        let top = y0 + h - (p.offsets[i] as f64 + b[i].size as f64) * sy;
        let bh = (b[i].size as f64 * sy).max(0.5);
        let _ = writeln!(
            out,
            "<rect x='{x:.2}' y='{top:.2}' width='{bw:.2}' height='{bh:.2}' fill='hsl({hue},60%,65%)' fill-opacity='0.75' stroke='hsl({hue},60%,35%)' stroke-width='0.5'><title>buffer {i}: {} B at {}, ops {}..{}</title></rect>",
            b[i].size, p.offsets[i], b[i].first, b[i].last
        );
    }
    let _ = writeln!(
        out,
        "<text x='{x0}' y='{}' font-size='11' font-family='sans-serif'>operator index 0 .. {}</text>",
        y0 + h + 14.0,
        v.rows.len().saturating_sub(1)
    );
}

/// The memory timeline, layer by layer TFLM-style (top) against patchwise's plan (bottom),
/// drawn to the same byte scale.
pub fn svg(ours: &View<'_>, tflm_style: &View<'_>) -> String {
    let (w, h, margin) = (900.0, 300.0, 40.0);
    let max_bytes = ours.plan.activation_bytes.max(tflm_style.plan.activation_bytes) as f64;
    let mut s = String::new();
    let total_h = 2.0 * h + 3.0 * margin + 20.0;
    let _ = writeln!(
        s,
        "<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{total_h}' viewBox='0 0 {} {total_h}'>",
        w + 2.0 * margin,
        w + 2.0 * margin
    );
    let _ = writeln!(s, "<rect width='100%' height='100%' fill='white'/>");
    let top = Frame { x0: margin, y0: margin, w, h, max_bytes };
    let bottom = Frame { y0: 2.0 * margin + h + 20.0, ..top };
    panel(&mut s, "layer by layer (TFLM-style greedy)", tflm_style, &top);
    let title = if ours.segments.is_empty() {
        "patchwise (pad fusion, aliases, in-place, overlap)"
    } else {
        "patchwise (fused segments row by row, pad fusion, aliases, in-place, overlap)"
    };
    panel(&mut s, title, ours, &bottom);
    s.push_str("</svg>\n");
    s
}
