//! An independent checker of memory plans (run by `tests/plan_check.rs`, the regression tests
//! and the `plan` fuzz target).
//!
//! It replays every operator of a model byte by byte on a *shadow* of the activation area —
//! one owner id per arena byte (a tensor, an operator's scratch, or free) — in the order the
//! kernels read and write, and proves that no live tensor's bytes are overwritten before their
//! last use. It trusts nothing of the planner's safety reasoning (`plan::check`, the overlap
//! distances, the lifetimes): reads and writes are derived from the model (shapes, dtypes,
//! operator options) and the plan's offsets alone. From the plan it takes the offsets, the
//! run-plan (`op_plan`: skipped operators, folded PADs, the kernel chosen), which tensors share
//! bytes (`alias`, verified against the model) and the scratch sizes (checked against what
//! each kernel binds).
//!
//! Access model, at the granularity each kernel has (see `src/variants/portable.rs`):
//! - sliding windows (CONV_2D, DEPTHWISE_CONV_2D walking pixels, AVERAGE/MAX_POOL_2D): output
//!   pixels in walk order (backward when the output starts after an input it overlaps); each
//!   pixel reads every input channel at its in-image taps (strides, dilation, TFLM SAME/VALID
//!   padding, plus a folded PAD's paddings) and writes its channels, reads and writes
//!   interleaved: the window must be intact before *and after* the pixel's write;
//! - channel-by-channel DEPTHWISE_CONV_2D: per batch and channel, the whole input channel is
//!   read (into the scratch plane), then the output channel written; the kernel refuses an
//!   output overlapping the input anywhere but at exactly the same offset;
//! - elementwise (ADD/MUL operands of the output's size, RELU, RELU6, LOGISTIC, HARD_SWISH,
//!   QUANTIZE int8): element by element ascending, read then write (forward only: the kernel
//!   refuses an output starting after an input it overlaps); broadcast operands must stay
//!   intact for the whole operator; SOFTMAX: each row read whole, then element by element;
//! - QUANTIZE float32→int8: ascending, float `i` (4 bytes at `4i`) read, then byte `i` written;
//!   DEQUANTIZE int8→float32: descending, byte `i` read, then 4 bytes at `4i` written (the
//!   kernels refuse the other direction of overlap);
//! - everything else (FULLY_CONNECTED, MEAN, CONCATENATION, unfolded PAD, RESIZE, TRANSPOSE,
//!   unaliased RESHAPE/SQUEEZE): inputs read in any order while the output is written, so the
//!   inputs must be intact before and after the output is written.
//!
//! Scratch is owned by its operator from the operator's start and must be intact at its end.
//! Graph inputs and variable tensors are owned by their tensors before op 0; graph outputs and
//! variable tensors (state for the next invoke) must still be theirs at the end. Runs over the committed op models and the shared models, with every planner option
//! switched off alone; negative tests show that corrupted plans are caught.

use patchwise::geometry::Axis;
use patchwise::runplan::NO_OFFSET;
use patchwise::schema::opcodes::OpKind;
use patchwise::schema::{DType, Model, Tensor};
use patchwise::tiling::{Event, Skip, Stage, Stream};
use patchwise::variants::VariantId;
use patchwise::PlanDetails;

/// Owner id of a byte no tensor or scratch owns.
const FREE: u32 = u32::MAX;
/// Writer id of bytes set up before the first operator (graph inputs).
const BEFORE: u32 = u32::MAX;
/// Bytes of one requantization entry (multiplier + shift) in a per-channel scratch table.
const REQUANT_BYTES: usize = 8;
/// Run-plan ids of the Arm port's CONV_2D and DEPTHWISE_CONV_2D variants.
const ARM_CONV_ID: u8 = 64;
const ARM_DEPTHWISE_ID: u8 = 65;
/// The Xtensa port's variant ids (`xtensa`, src/variants/mod.rs).
const XTENSA_CONV1X1_ID: u8 = 80;
const XTENSA_DEPTHWISE_ID: u8 = 81;
/// Offsets are multiples of this (f32 and requantization tables are read in place).
const ALIGN: usize = 4;

/// Bytes of one tensor or scratch buffer in the arena, and the id that owns them.
#[derive(Clone, Copy, Debug)]
struct Span {
    /// Owner id: the alias root tensor, or `num_tensors + op` for scratch.
    id: u32,
    /// The tensor as the model names it (for messages); `usize::MAX` for scratch.
    tensor: usize,
    start: usize,
    len: usize,
}

impl Span {
    fn overlaps(&self, o: &Span) -> bool {
        self.len > 0 && o.len > 0 && self.start < o.start + o.len && o.start < self.start + self.len
    }
}

/// Sliding-window geometry, in pixels (NHWC).
#[derive(Clone, Copy, Debug)]
struct Geometry {
    n: usize,
    ih: usize,
    iw: usize,
    ic: usize,
    oh: usize,
    ow: usize,
    oc: usize,
    kh: usize,
    kw: usize,
    sh: usize,
    sw: usize,
    dh: usize,
    dw: usize,
    pad_top: usize,
    pad_left: usize,
}

/// What the checker saw (coverage, for the summary line).
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub ops: usize,
    /// Operators whose output shares bytes with one of their inputs.
    pub overlapped: usize,
    pub backward: usize,
    pub channelwise: usize,
    pub folded: usize,
    /// Fused segments replayed row by row.
    pub segments: usize,
    pub bytes_checked: u64,
}

impl Stats {
    pub fn add(&mut self, o: &Stats) {
        self.ops += o.ops;
        self.overlapped += o.overlapped;
        self.backward += o.backward;
        self.channelwise += o.channelwise;
        self.folded += o.folded;
        self.segments += o.segments;
        self.bytes_checked += o.bytes_checked;
    }
}

struct Checker<'m, 'p> {
    model: Model<'m>,
    plan: &'p PlanDetails,
    nt: usize,
    /// Alias root of each tensor (verified against the model).
    root: Vec<usize>,
    owner: Vec<u32>,
    /// Operator that last wrote each byte ([`BEFORE`]: set up before op 0).
    writer: Vec<u32>,
    /// Current operator, for messages.
    at: String,
    stats: Stats,
    /// Work units (one per check, plus one per 64 bytes checked) spent so far, and allowed
    /// before the replay gives up with [`OVER_BUDGET`].
    spent: u64,
    budget: u64,
}

/// The error of a replay that ran out of its budget (not a verdict on the plan).
pub const OVER_BUDGET: &str = "over budget";

fn err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("{what}: {e}")
}

fn kind_name(opcode: u32) -> &'static str {
    OpKind::from_code(opcode).map_or("UNSUPPORTED", |k| k.name())
}

fn dims4(t: &Tensor<'_>) -> Option<[usize; 4]> {
    t.shape.dims().try_into().ok()
}

/// TFLM's leading padding (`ComputePaddingHeightWidth`): 0 for VALID; for SAME, half the
/// excess of the window positions needed for `ceil(in / stride)` outputs, rounded down.
fn pad_before(same: bool, input: usize, k: usize, stride: usize, dilation: usize) -> usize {
    if !same || stride == 0 {
        return 0;
    }
    let out = input.div_ceil(stride) as i64;
    let effective = (k as i64 - 1) * dilation as i64 + 1;
    (((out - 1) * stride as i64 + effective - input as i64) / 2).max(0) as usize
}

/// Input coordinates `o·stride + f·dilation − pad` of the taps `f` in `0..k` that fall inside
/// `0..n`, found without visiting the others (hostile windows span up to 2^31 taps).
fn in_image_taps(
    o: usize,
    stride: usize,
    dilation: usize,
    pad: usize,
    k: usize,
    n: usize,
) -> impl Iterator<Item = usize> {
    let (d, first) = (dilation.max(1) as i128, o as i128 * stride as i128 - pad as i128);
    let lo = if first >= 0 { 0 } else { (-first + d - 1) / d };
    let hi = if n as i128 - 1 < first { 0 } else { ((n as i128 - 1 - first) / d + 1).min(k as i128) };
    (lo..hi.max(lo)).map(move |f| (first + f * d) as usize)
}

impl<'m, 'p> Checker<'m, 'p> {
    fn new(model: Model<'m>, plan: &'p PlanDetails) -> Result<Checker<'m, 'p>, String> {
        let nt = model.num_tensors();
        let nops = model.num_operators();
        if plan.offsets.len() != nt + nops || plan.buffers.len() != nt + nops || plan.op_plan.len() != nops {
            return Err(format!(
                "plan tables have {} offsets, {} buffers, {} op entries for {nt} tensors and {nops} ops",
                plan.offsets.len(),
                plan.buffers.len(),
                plan.op_plan.len()
            ));
        }
        let mut c = Checker {
            model,
            plan,
            nt,
            root: (0..nt).collect(),
            owner: vec![FREE; plan.activation_bytes],
            writer: vec![BEFORE; plan.activation_bytes],
            at: String::from("before op 0"),
            stats: Stats::default(),
            spent: 0,
            budget: u64::MAX,
        };
        c.verify_schedule()?;
        Ok(c)
    }

    fn tensor(&self, t: usize) -> Result<Tensor<'m>, String> {
        self.model.tensor(t).map_err(err(&format!("tensor {t}")))
    }

    fn kind(&self, o: usize) -> Result<OpKind, String> {
        let op = self.model.operator(o).map_err(err(&format!("op {o}")))?;
        OpKind::from_code(op.opcode).ok_or_else(|| format!("op {o}: unsupported opcode {}", op.opcode))
    }

    /// Checks the run-plan and the aliases against the model: a skipped operator is an aliased
    /// RESHAPE/SQUEEZE or a PAD folded into exactly one CONV_2D/DEPTHWISE_CONV_2D reading its
    /// output (padding H and W only); an aliased tensor is the output of such a RESHAPE and
    /// shares its input's root and bytes.
    fn verify_schedule(&mut self) -> Result<(), String> {
        let model = self.model;
        let nops = model.num_operators();
        let op_plan = &self.plan.op_plan;
        for o in 0..nops {
            let how = op_plan[o];
            let Some(p) = how.fused_pad(o).filter(|_| !how.is_skip()) else { continue };
            let op = model.operator(o).map_err(err(&format!("op {o}")))?;
            let what = format!("op {o} {} runs with PAD op {p} folded", kind_name(op.opcode));
            if p >= nops || !matches!(self.kind(p)?, OpKind::Pad | OpKind::PadV2) || !op_plan[p].is_skip() {
                return Err(format!("{what}, which is not a skipped PAD"));
            }
            if !matches!(self.kind(o)?, OpKind::Conv2d | OpKind::DepthwiseConv2d) {
                return Err(format!("{what}, but only convolutions take virtual padding"));
            }
            let pad = model.operator(p).map_err(err(&what))?;
            if pad.output(0).is_none() || pad.output(0) != op.input(0) {
                return Err(format!("{what}, but it does not read that PAD's output"));
            }
            self.folded_padding(p).map_err(|e| format!("{what}: {e}"))?;
        }
        for o in 0..nops {
            if !op_plan[o].is_skip() {
                continue;
            }
            let op = model.operator(o).map_err(err(&format!("op {o}")))?;
            let what = format!("op {o} {} is skipped", kind_name(op.opcode));
            match self.kind(o)? {
                OpKind::Pad | OpKind::PadV2 => {
                    let users =
                        op_plan.iter().enumerate().filter(|(c, h)| !h.is_skip() && h.fused_pad(*c) == Some(o)).count();
                    if users != 1 {
                        return Err(format!("{what} but folded into {users} operators"));
                    }
                }
                OpKind::Reshape | OpKind::Squeeze | OpKind::ExpandDims => {
                    let y = op.output(0).ok_or_else(|| format!("{what} and has no output"))?;
                    // (A RESHAPE of a tensor onto itself is skipped with nothing to alias.)
                    if self.plan.buffers[y].alias as usize == y && op.input(0) != Some(y) {
                        return Err(format!("{what} but its output tensor {y} has bytes of its own"));
                    }
                }
                _ => return Err(format!("{what}, but only folded PADs and aliased RESHAPEs may be")),
            }
        }
        // Aliases, in schedule order (an alias of an alias resolves to the first root).
        let mut aliased = vec![false; self.nt];
        for (o, &how) in op_plan.iter().enumerate() {
            let op = model.operator(o).map_err(err(&format!("op {o}")))?;
            let (Some(x), Some(y)) = (op.input(0), op.output(0)) else { continue };
            if y >= self.nt || self.plan.buffers[y].alias as usize == y {
                continue;
            }
            let what = format!("tensor {y} (output of op {o} {}) aliases", kind_name(op.opcode));
            let claimed = self.plan.buffers[y].alias as usize;
            if !how.is_skip() || !matches!(self.kind(o)?, OpKind::Reshape | OpKind::Squeeze | OpKind::ExpandDims) {
                return Err(format!("{what} tensor {claimed}, but op {o} is not a skipped RESHAPE/SQUEEZE"));
            }
            let (tx, ty) = (self.tensor(x)?, self.tensor(y)?);
            if tx.data.is_some() || tx.bytes() != ty.bytes() || self.root[x] != claimed {
                return Err(format!(
                    "{what} tensor {claimed}, but reads tensor {x} (root {}, {} bytes, {} bytes written)",
                    self.root[x],
                    tx.bytes(),
                    ty.bytes()
                ));
            }
            self.root[y] = claimed;
            aliased[y] = true;
        }
        for (t, &made) in aliased.iter().enumerate() {
            if self.plan.buffers[t].alias as usize != t && !made {
                return Err(format!(
                    "tensor {t} aliases tensor {} but no RESHAPE makes it",
                    self.plan.buffers[t].alias
                ));
            }
        }
        Ok(())
    }

    /// `[top, bottom, left, right]` paddings of PAD op `p` (N and C must not be padded).
    fn folded_padding(&self, p: usize) -> Result<[usize; 4], String> {
        let op = self.model.operator(p).map_err(err("PAD"))?;
        let t = self.tensor(op.input(1).ok_or("PAD without paddings")?)?;
        let data = t.data.ok_or("non-constant paddings")?;
        let v: Vec<i64> = match t.dtype {
            DType::I32 => data.chunks_exact(4).map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64).collect(),
            DType::I64 => data.chunks_exact(8).map(|b| i64::from_le_bytes(b.try_into().unwrap())).collect(),
            d => return Err(format!("paddings of type {d:?}")),
        };
        if v.len() != 8 || v[0] != 0 || v[1] != 0 || v[6] != 0 || v[7] != 0 || v.iter().any(|&x| x < 0) {
            return Err(format!("paddings {v:?} are not H/W-only"));
        }
        Ok([v[2] as usize, v[3] as usize, v[4] as usize, v[5] as usize])
    }

    /// The arena bytes of tensor `t`, or `None` for a constant or an external input (a graph
    /// input without an offset: the caller's memory, read-only, outside the arena).
    fn span(&self, t: usize) -> Result<Option<Span>, String> {
        let tensor = self.tensor(t)?;
        if tensor.data.is_some() {
            return Ok(None);
        }
        let root = self.root[t];
        let off = self.plan.offsets[t];
        let graph_input = (0..self.model.num_inputs()).any(|i| self.model.input(i).ok() == Some(t));
        if off == NO_OFFSET && graph_input && root == t {
            return Ok(None);
        }
        if off == NO_OFFSET {
            return Err(format!("{}: tensor {t} is used but has no arena offset", self.at));
        }
        if root != t && self.plan.offsets[root] != off {
            return Err(format!(
                "{}: tensor {t} aliases tensor {root} but sits at {off}, not {}",
                self.at, self.plan.offsets[root]
            ));
        }
        let (start, len) = (off as usize, tensor.bytes());
        if start % ALIGN != 0 || start + len > self.plan.activation_bytes {
            return Err(format!(
                "{}: tensor {t} at {start}..{} is misaligned or outside the {}-byte activation area",
                self.at,
                start + len,
                self.plan.activation_bytes
            ));
        }
        Ok(Some(Span { id: root as u32, tensor: t, start, len }))
    }

    fn describe(&self, id: u32) -> String {
        match id {
            FREE => String::from("nobody (never written)"),
            i if (i as usize) < self.nt => format!("tensor {i}"),
            i => format!("the scratch of op {}", i as usize - self.nt),
        }
    }

    fn name(s: &Span) -> String {
        if s.tensor == usize::MAX {
            String::from("scratch")
        } else {
            format!("tensor {}", s.tensor)
        }
    }

    /// Bytes `lo..hi` of `s` must still be owned by `s`.
    fn expect(&mut self, s: &Span, lo: usize, hi: usize, when: &str) -> Result<(), String> {
        self.stats.bytes_checked += (hi - lo) as u64;
        self.spent += 1 + (hi - lo) as u64 / 64;
        if self.spent > self.budget {
            return Err(String::from(OVER_BUDGET));
        }
        let bytes = &self.owner[s.start + lo..s.start + hi];
        match bytes.iter().position(|&o| o != s.id) {
            None => Ok(()),
            Some(k) => Err(self.clobbered(s, lo + k, when)),
        }
    }

    /// `count` bytes of `s` from `first`, `stride` apart, must still be owned by `s`.
    fn expect_strided(
        &mut self,
        s: &Span,
        first: usize,
        stride: usize,
        count: usize,
        when: &str,
    ) -> Result<(), String> {
        self.stats.bytes_checked += count as u64;
        for i in 0..count {
            let at = first + i * stride;
            if self.owner[s.start + at] != s.id {
                return Err(self.clobbered(s, at, when));
            }
        }
        Ok(())
    }

    fn clobbered(&self, s: &Span, at: usize, when: &str) -> String {
        let a = s.start + at;
        let w = match self.writer[a] {
            BEFORE => String::from("before op 0"),
            o => format!("by op {o} {}", self.model.operator(o as usize).map_or("?", |op| kind_name(op.opcode))),
        };
        format!(
            "{}: {when}: byte {at} of {} (arena offset {a}) belongs to {}, written {w}",
            self.at,
            Self::name(s),
            self.describe(self.owner[a])
        )
    }

    /// Bytes `lo..hi` of `s` now belong to `s` (written by the current op `op`).
    fn mark(&mut self, s: &Span, lo: usize, hi: usize, op: u32) {
        self.owner[s.start + lo..s.start + hi].fill(s.id);
        self.writer[s.start + lo..s.start + hi].fill(op);
    }

    fn mark_strided(&mut self, s: &Span, first: usize, stride: usize, count: usize, op: u32) {
        for i in 0..count {
            let a = s.start + first + i * stride;
            self.owner[a] = s.id;
            self.writer[a] = op;
        }
    }

    /// Replays the whole schedule.
    fn run(&mut self) -> Result<(), String> {
        let model = self.model;
        for i in 0..model.num_inputs() {
            let t = model.input(i).map_err(err("graph input"))?;
            if let Some(s) = self.span(t)? {
                self.mark(&s, 0, s.len, BEFORE);
            }
        }
        // Variable tensors hold state from the previous invoke.
        let variables = self.variables()?;
        for &t in &variables {
            if let Some(s) = self.span(t)? {
                self.mark(&s, 0, s.len, BEFORE);
            }
        }
        let mut o = 0;
        while o < model.num_operators() {
            if self.plan.op_plan[o].streams() {
                o = self.segment(o)?;
            } else if !self.plan.op_plan[o].is_skip() {
                self.op(o)?;
            }
            o += 1;
        }
        self.at = String::from("after the last op");
        for i in 0..model.num_outputs() {
            let t = model.output(i).map_err(err("graph output"))?;
            // A constant output lives in the model: nothing to protect.
            if let Some(s) = self.span(t)? {
                self.expect(&s, 0, s.len, &format!("graph output {i}"))?;
            }
        }
        for &t in &variables {
            if let Some(s) = self.span(t)? {
                self.expect(&s, 0, s.len, &format!("variable tensor {t} (state for the next invoke)"))?;
            }
        }
        Ok(())
    }

    /// Variable tensors the plan gives bytes (the unused ones get none).
    fn variables(&self) -> Result<Vec<usize>, String> {
        let mut v = Vec::new();
        for t in 0..self.nt {
            let tensor = self.tensor(t)?;
            if tensor.is_variable && tensor.data.is_none() && self.plan.offsets[t] != NO_OFFSET {
                v.push(t);
            }
        }
        Ok(v)
    }

    /// Scratch bytes the kernel variant of op `o` binds, and whether it runs channel by
    /// channel (as the run-plan says; only a depthwise of multiplier 1 may). The checker
    /// models each variant itself: it does not read the library's variant table.
    fn scratch_need(&self, o: usize, kind: OpKind) -> Result<(usize, bool), String> {
        let op = self.model.operator(o).map_err(err("op"))?;
        let v = self.plan.op_plan[o]
            .variant()
            .and_then(VariantId::from_u8)
            .ok_or_else(|| format!("{}: no known kernel variant", self.at))?;
        let table = |n: usize| if n > 1 { n * REQUANT_BYTES } else { 0 };
        let filter_scales = || -> Result<usize, String> {
            let f = self.tensor(op.input(1).ok_or("no filter")?)?;
            Ok(f.quant.scales.len())
        };
        let float_input =
            || -> Result<bool, String> { Ok(self.tensor(op.input(0).ok_or("no input")?)?.dtype == DType::F32) };
        use VariantId as V;
        let ok = |only: VariantId| -> Result<(usize, bool), String> {
            if v == only {
                Ok((0, false))
            } else {
                Err(format!("{}: runs variant {v:?}, which is not a {} kernel", self.at, kind.name()))
            }
        };
        // The Arm port's variants (`arm-dsp`; ids fixed by the run-plan format): the same
        // pixel walk as the portable kernels, with their own scratch (ports/arm/*.c).
        let (arm_conv, arm_depthwise) = (v as u8 == ARM_CONV_ID, v as u8 == ARM_DEPTHWISE_ID);
        match kind {
            OpKind::Conv2d if arm_conv => {
                // Requantization table, then two int16 im2col columns of one window each.
                let f = self.tensor(op.input(1).ok_or("no filter")?)?;
                let fd = dims4(&f).ok_or_else(|| format!("{}: filter not 4D", self.at))?;
                Ok((table(filter_scales()?) + 4 * fd[1] * fd[2] * fd[3], false))
            }
            OpKind::DepthwiseConv2d if arm_depthwise => {
                // Requantization table, then for 3x3 windows without dilation one folded bias
                // per output channel.
                let f = self.tensor(op.input(1).ok_or("no filter")?)?;
                let fd = dims4(&f).ok_or_else(|| format!("{}: filter not 4D", self.at))?;
                let dil = |id: usize| op.options.map_or(Ok(1), |t| t.i32(id, 1)).map_err(err("depthwise options"));
                let fast3 = fd[1] == 3 && fd[2] == 3 && dil(5)? == 1 && dil(6)? == 1;
                Ok((table(filter_scales()?) + if fast3 { 4 * fd[3] } else { 0 }, false))
            }
            // The Xtensa port's variants (`xtensa`, ports/xtensa/*.c): the same pixel walk.
            OpKind::Conv2d if v as u8 == XTENSA_CONV1X1_ID => {
                // Requantization table, then int16 columns of four pixels.
                let f = self.tensor(op.input(1).ok_or("no filter")?)?;
                let fd = dims4(&f).ok_or_else(|| format!("{}: filter not 4D", self.at))?;
                if fd[1] != 1 || fd[2] != 1 {
                    return Err(format!("{}: the 1x1 kernel on a {}x{} filter", self.at, fd[1], fd[2]));
                }
                Ok((table(filter_scales()?) + 8 * fd[3], false))
            }
            OpKind::DepthwiseConv2d if v as u8 == XTENSA_DEPTHWISE_ID => {
                // Requantization table, then one folded bias per output channel.
                let f = self.tensor(op.input(1).ok_or("no filter")?)?;
                let fd = dims4(&f).ok_or_else(|| format!("{}: filter not 4D", self.at))?;
                Ok((table(filter_scales()?) + 4 * fd[3], false))
            }
            OpKind::Conv2d if v == V::Conv => Ok((table(filter_scales()?), false)),
            // The fast portable kernels (src/kernels/conv_fast.rs,
            // src/kernels/depthwise_fast.rs): the reference kernels' pixel walk and
            // requantization table, nothing more.
            OpKind::Conv2d if v == V::FastConv1x1 => {
                let f = self.tensor(op.input(1).ok_or("no filter")?)?;
                let fd = dims4(&f).ok_or_else(|| format!("{}: filter not 4D", self.at))?;
                if fd[1] != 1 || fd[2] != 1 {
                    return Err(format!("{}: the 1x1 kernel on a {}x{} filter", self.at, fd[1], fd[2]));
                }
                Ok((table(filter_scales()?), false))
            }
            OpKind::Conv2d if v == V::FastConv => Ok((table(filter_scales()?), false)),
            OpKind::DepthwiseConv2d if v == V::FastDepthwise3x3Channelwise => {
                let f = self.tensor(op.input(1).ok_or("no filter")?)?;
                let fd = dims4(&f).ok_or_else(|| format!("{}: filter not 4D", self.at))?;
                let dm = op.options.map_or(Ok(0), |t| t.i32(3, 0)).map_err(err("depthwise options"))?;
                if fd[1] != 3 || fd[2] != 3 || dm != 1 {
                    return Err(format!(
                        "{}: the 3x3 channel-by-channel kernel on {}x{}, multiplier {dm}",
                        self.at, fd[1], fd[2]
                    ));
                }
                let x = self.tensor(self.conv_input(o)?)?;
                Ok((dims4(&x).map_or(0, |d| d[1] * d[2]), true))
            }
            OpKind::DepthwiseConv2d if v == V::FastDepthwise3x3 => {
                let f = self.tensor(op.input(1).ok_or("no filter")?)?;
                let fd = dims4(&f).ok_or_else(|| format!("{}: filter not 4D", self.at))?;
                if fd[1] != 3 || fd[2] != 3 {
                    return Err(format!("{}: the 3x3 kernel on a {}x{} filter", self.at, fd[1], fd[2]));
                }
                Ok((table(filter_scales()?), false))
            }
            // The 16x8 kernels: the same requantization tables as their int8 twins.
            OpKind::Conv2d | OpKind::DepthwiseConv2d if matches!(v, V::Conv16 | V::Depthwise16) => {
                let expected = if kind == OpKind::Conv2d { V::Conv16 } else { V::Depthwise16 };
                if v != expected {
                    return ok(expected);
                }
                Ok((table(filter_scales()?), false))
            }
            OpKind::FullyConnected if v == V::FullyConnected16 => {
                let out = self.tensor(op.output(0).ok_or("no output")?)?;
                let depth = out.shape.dims().last().copied().unwrap_or(1);
                Ok((if filter_scales()? > 1 { depth * REQUANT_BYTES } else { 0 }, false))
            }
            OpKind::Mean if v == V::Mean16 => ok(V::Mean16),
            OpKind::Softmax if v == V::Softmax16 => ok(V::Softmax16),
            OpKind::Add if v == V::Add16 => ok(V::Add16),
            OpKind::Mul if v == V::Mul16 => ok(V::Mul16),
            OpKind::Logistic if v == V::Logistic16 => ok(V::Logistic16),
            OpKind::Tanh if v == V::Tanh16 => ok(V::Tanh16),
            OpKind::Quantize if v == V::Requantize16 => ok(V::Requantize16),
            OpKind::Quantize if v == V::Quantize16 => ok(V::Quantize16),
            OpKind::Dequantize if v == V::Dequantize16 => ok(V::Dequantize16),
            OpKind::FullyConnected if v == V::FullyConnected => {
                let out = self.tensor(op.output(0).ok_or("no output")?)?;
                let depth = out.shape.dims().last().copied().unwrap_or(1);
                Ok((if filter_scales()? > 1 { depth * REQUANT_BYTES } else { 0 }, false))
            }
            OpKind::DepthwiseConv2d if matches!(v, V::Depthwise | V::DepthwiseChannelwise) => {
                let dm = op.options.map_or(Ok(0), |t| t.i32(3, 0)).map_err(err("depthwise options"))?;
                let walk = table(filter_scales()?);
                let x = self.tensor(self.conv_input(o)?)?;
                let plane = dims4(&x).map_or(0, |d| d[1] * d[2]);
                match v {
                    V::DepthwiseChannelwise if dm != 1 => {
                        Err(format!("{}: channel by channel with depth multiplier {dm}", self.at))
                    }
                    V::DepthwiseChannelwise => Ok((plane, true)),
                    _ => Ok((walk, false)),
                }
            }
            // Decoded boxes (4 words a box) and seven per-box arrays; in regular mode five merge
            // arrays of max_detections + boxes words.
            OpKind::DetectionPostprocess => {
                ok(V::DetectionPostprocess)?;
                let boxes = self.tensor(op.input(0).ok_or("no input")?)?.shape.dims().get(1).copied().unwrap_or(0);
                let max_det = self.tensor(op.output(1).ok_or("no output 1")?)?.elements();
                let opts = self.model.custom_options(o).map_err(err("custom options"))?;
                let map = patchwise::schema::flexbuf::Map::root(opts).map_err(err("custom options"))?;
                let regular = map.get(b"use_regular_nms").map_err(err("custom options"))?.as_bool();
                let words = 11 * boxes + if regular { 5 * (max_det + boxes) } else { 0 };
                Ok((4 * words, false))
            }
            OpKind::AveragePool2d => ok(V::AveragePool),
            OpKind::MaxPool2d => ok(V::MaxPool),
            OpKind::Mean => ok(V::Mean),
            OpKind::Pad | OpKind::PadV2 => ok(V::Pad),
            OpKind::Concatenation => ok(V::Concat),
            OpKind::ResizeNearestNeighbor => ok(V::ResizeNearest),
            OpKind::Transpose => ok(V::Transpose),
            OpKind::Reshape | OpKind::Squeeze | OpKind::ExpandDims => ok(V::Copy),
            OpKind::Add => ok(V::Add),
            OpKind::Mul => ok(V::Mul),
            OpKind::Softmax => ok(V::Softmax),
            OpKind::Logistic => ok(V::Logistic),
            OpKind::HardSwish => ok(V::HardSwish),
            OpKind::Relu => ok(V::Relu),
            OpKind::Relu6 => ok(V::Relu6),
            OpKind::Quantize if float_input()? => ok(V::Quantize),
            OpKind::Quantize => ok(V::Requantize),
            OpKind::Dequantize => ok(V::Dequantize),
            OpKind::LeakyRelu => ok(V::LeakyRelu),
            OpKind::Split | OpKind::SplitV | OpKind::Unpack => ok(V::Split),
            OpKind::StridedSlice | OpKind::Slice | OpKind::SpaceToDepth | OpKind::DepthToSpace => ok(V::Walk),
            OpKind::Sub => ok(V::Sub),
            OpKind::Maximum | OpKind::Minimum => ok(V::MinMax),
            OpKind::SquaredDifference => ok(V::SquaredDifference),
            OpKind::Tanh => ok(V::Tanh),
            OpKind::L2Normalization => ok(V::L2Norm),
            OpKind::Gather => ok(V::Gather),
            OpKind::Pack => ok(V::Pack),
            OpKind::TransposeConv => ok(V::TransposeConv),
            OpKind::Prelu => ok(V::Prelu),
            OpKind::ResizeBilinear => ok(V::ResizeBilinear),
            OpKind::ArgMax | OpKind::ArgMin => ok(V::Arg),
            OpKind::SpaceToBatchNd | OpKind::BatchToSpaceNd => ok(V::SpaceBatch),
            _ => Err(format!("{}: runs variant {v:?}, which is not a {} kernel", self.at, kind.name())),
        }
    }

    /// Input 0 of a convolution as it runs: a folded PAD's input, or its own.
    fn conv_input(&self, o: usize) -> Result<usize, String> {
        let how = self.plan.op_plan[o];
        let op = self.model.operator(o).map_err(err("op"))?;
        if let Some(p) = how.fused_pad(o).filter(|_| !how.is_skip()) {
            let pad = self.model.operator(p).map_err(err("PAD"))?;
            return pad.input(0).ok_or_else(|| String::from("PAD without input"));
        }
        op.input(0).ok_or_else(|| format!("{}: no input 0", self.at))
    }

    fn op(&mut self, o: usize) -> Result<(), String> {
        let op = self.model.operator(o).map_err(err(&format!("op {o}")))?;
        let kind = self.kind(o)?;
        let folded = self.plan.op_plan[o].fused_pad(o);
        self.at = format!("op {o} {} (opcode {})", kind.name(), op.opcode);
        if let Some(p) = folded {
            self.at += &format!(" with PAD op {p} folded");
            self.stats.folded += 1;
        }
        self.stats.ops += 1;
        // Activation inputs as the kernel reads them (input 0 replaced by a folded PAD's).
        let mut inputs: Vec<(usize, Option<Span>)> = Vec::new();
        for i in 0..op.num_inputs() {
            let Some(t) = op.input(i) else { continue };
            let t = if i == 0 && folded.is_some() { self.conv_input(o)? } else { t };
            inputs.push((t, self.span(t)?));
        }
        let mut outputs = Vec::new();
        for i in 0..op.num_outputs() {
            let t = op.output(i).ok_or_else(|| format!("{}: output {i} absent", self.at))?;
            outputs.push(self.span(t)?.ok_or_else(|| format!("{}: output tensor {t} is a constant", self.at))?);
        }
        let out = *outputs.first().ok_or_else(|| format!("{}: no output", self.at))?;
        if inputs.iter().any(|(_, s)| s.is_some_and(|s| s.overlaps(&out))) {
            self.stats.overlapped += 1;
        }
        // Scratch: owned by this op from its start.
        let (need, channelwise) = self.scratch_need(o, kind)?;
        let scratch = if need > 0 {
            let off = self.plan.offsets[self.nt + o];
            let planned = self.plan.buffers[self.nt + o].size as usize;
            if off == NO_OFFSET
                || !(off as usize).is_multiple_of(ALIGN)
                || off as usize + need > self.plan.activation_bytes
            {
                return Err(format!(
                    "{}: the kernel binds {need} scratch bytes at {off}, not inside the {}-byte area",
                    self.at, self.plan.activation_bytes
                ));
            }
            if planned < need {
                return Err(format!("{}: the kernel binds {need} scratch bytes, the plan reserves {planned}", self.at));
            }
            let s = Span { id: (self.nt + o) as u32, tensor: usize::MAX, start: off as usize, len: need };
            self.mark(&s, 0, need, o as u32);
            Some(s)
        } else {
            None
        };
        let o32 = o as u32;
        // A constant (or external) first input: nothing of it to protect; the kernel's access
        // order no longer matters — except for the binary maps, which may run in place over
        // their other operand (their own path skips operands outside the arena).
        let constant_x0 =
            inputs.first().is_some_and(|(_, s)| s.is_none()) && !matches!(kind, OpKind::Add | OpKind::Mul);
        // The 16x8 kernels read whole inputs and write a separate output.
        let int16 = self.plan.op_plan[o].variant().and_then(VariantId::from_u8).is_some_and(|v| {
            use VariantId as V;
            matches!(
                v,
                V::Conv16
                    | V::Depthwise16
                    | V::FullyConnected16
                    | V::Mean16
                    | V::Softmax16
                    | V::Requantize16
                    | V::Quantize16
                    | V::Dequantize16
                    | V::Add16
                    | V::Mul16
                    | V::Logistic16
                    | V::Tanh16
            )
        });
        // Of those, the elementwise maps walk forward over 2-byte elements (in place allowed).
        let int16_map = int16
            && self.plan.op_plan[o].variant().and_then(VariantId::from_u8).is_some_and(|v| {
                matches!(v, VariantId::Add16 | VariantId::Mul16 | VariantId::Logistic16 | VariantId::Tanh16)
            });
        match kind {
            _ if int16_map => {
                let ins: Vec<Span> = inputs.iter().filter_map(|(_, s)| *s).collect();
                self.forward_only(&ins, &out)?;
                let n = out.len;
                let (same, bcast): (Vec<Span>, Vec<Span>) = ins.into_iter().partition(|s| s.len == n);
                for s in &bcast {
                    self.expect(s, 0, s.len, "reading a broadcast operand")?;
                }
                for i in (0..n).step_by(2) {
                    let end = (i + 2).min(n);
                    for s in &same {
                        self.expect(s, i, end, "reading an int16 element before writing it")?;
                    }
                    self.mark(&out, i, end, o32);
                }
                for s in &bcast {
                    self.expect(s, 0, s.len, "reading a broadcast operand at the end")?;
                }
            }
            _ if int16 => {
                if let Some((t, _)) = inputs.iter().find(|(_, s)| s.is_some_and(|s| s.overlaps(&out))) {
                    return Err(format!(
                        "{}: output overlaps input tensor {t}, but the int16 kernel needs it apart",
                        self.at
                    ));
                }
                self.any_order(&inputs, &outputs, o32)?
            }
            _ if constant_x0 => self.any_order(&inputs, &outputs, o32)?,
            OpKind::Conv2d | OpKind::DepthwiseConv2d | OpKind::AveragePool2d | OpKind::MaxPool2d => {
                let (xt, xs) = inputs[0];
                let xs = xs.ok_or_else(|| format!("{}: activation input tensor {xt} is a constant", self.at))?;
                let g = self.geometry(o, kind, xt, folded)?;
                // Constant filters and biases aside, anything else read stays read throughout.
                let others: Vec<Span> = inputs[1..].iter().filter_map(|(_, s)| *s).collect();
                for s in &others {
                    self.expect(s, 0, s.len, "reading an extra input")?;
                }
                if channelwise {
                    self.stats.channelwise += 1;
                    self.channelwise(&g, &xs, &out, o32)?;
                } else {
                    self.window(&g, &xs, &out, o32)?;
                }
                for s in &others {
                    self.expect(s, 0, s.len, "reading an extra input at the end")?;
                }
            }
            OpKind::Add
            | OpKind::Mul
            | OpKind::Sub
            | OpKind::Maximum
            | OpKind::Minimum
            | OpKind::SquaredDifference
            | OpKind::Prelu => {
                let ins: Vec<Span> = inputs.iter().filter_map(|(_, s)| *s).collect();
                self.forward_only(&ins, &out)?;
                let n = out.len;
                let (same, bcast): (Vec<Span>, Vec<Span>) = ins.into_iter().partition(|s| s.len == n);
                for s in &bcast {
                    self.expect(s, 0, s.len, "reading a broadcast operand")?;
                }
                for i in 0..n {
                    for s in &same {
                        self.expect(s, i, i + 1, "reading an operand element before writing it")?;
                    }
                    self.mark(&out, i, i + 1, o32);
                }
                for s in &bcast {
                    self.expect(s, 0, s.len, "reading a broadcast operand at the end")?;
                }
            }
            OpKind::Relu
            | OpKind::Relu6
            | OpKind::Logistic
            | OpKind::HardSwish
            | OpKind::LeakyRelu
            | OpKind::Tanh
            | OpKind::Quantize
                if self.tensor(inputs[0].0)?.dtype == DType::I8 =>
            {
                let xs = inputs[0].1.ok_or_else(|| format!("{}: constant input", self.at))?;
                self.forward_only(&[xs], &out)?;
                if xs.len != out.len {
                    return Err(format!("{}: {} input bytes for {} output bytes", self.at, xs.len, out.len));
                }
                for i in 0..out.len {
                    self.expect(&xs, i, i + 1, "reading an element before writing it")?;
                    self.mark(&out, i, i + 1, o32);
                }
            }
            OpKind::Softmax => {
                let (xt, xs) = inputs[0];
                let xs = xs.ok_or_else(|| format!("{}: constant input", self.at))?;
                self.forward_only(&[xs], &out)?;
                let depth = self.tensor(xt)?.shape.dims().last().copied().unwrap_or(1);
                if let Some(rows) = out.len.checked_div(depth) {
                    for r in 0..rows {
                        let base = r * depth;
                        self.expect(&xs, base, base + depth, "reading a row")?;
                        for i in base..base + depth {
                            self.expect(&xs, i, i + 1, "re-reading a row element before writing it")?;
                            self.mark(&out, i, i + 1, o32);
                        }
                    }
                }
            }
            OpKind::Quantize => {
                // float32 → int8: float i (4 bytes at 4i) read, then byte i written, ascending.
                let xs = inputs[0].1.ok_or_else(|| format!("{}: constant input", self.at))?;
                if xs.overlaps(&out) && out.start > xs.start {
                    return Err(format!(
                        "{}: int8 output at {} overlaps its float input at {} from after it (the kernel refuses)",
                        self.at, out.start, xs.start
                    ));
                }
                for i in 0..out.len {
                    self.expect(&xs, 4 * i, 4 * i + 4, "reading a float before writing its byte")?;
                    self.mark(&out, i, i + 1, o32);
                }
            }
            OpKind::Dequantize => {
                // int8 → float32: byte i read, then float i (4 bytes at 4i) written, descending.
                let xs = inputs[0].1.ok_or_else(|| format!("{}: constant input", self.at))?;
                if xs.overlaps(&out) && out.start < xs.start {
                    return Err(format!(
                        "{}: float output at {} overlaps its int8 input at {} from before it (the kernel refuses)",
                        self.at, out.start, xs.start
                    ));
                }
                for i in (0..xs.len).rev() {
                    self.expect(&xs, i, i + 1, "reading a byte before writing its float")?;
                    self.mark(&out, 4 * i, 4 * i + 4, o32);
                }
            }
            _ => self.any_order(&inputs, &outputs, o32)?,
        }
        if let Some(s) = scratch {
            self.expect(&s, 0, s.len, "using its scratch until the end")?;
        }
        Ok(())
    }

    /// Scratch of op `o` as its kernel binds it (checked against the plan), or `None`.
    fn scratch_span(&self, o: usize, need: usize) -> Result<Option<Span>, String> {
        if need == 0 {
            return Ok(None);
        }
        let off = self.plan.offsets[self.nt + o];
        let planned = self.plan.buffers[self.nt + o].size as usize;
        if off == NO_OFFSET || !(off as usize).is_multiple_of(ALIGN) || off as usize + need > self.plan.activation_bytes
        {
            return Err(format!(
                "{}: the kernel binds {need} scratch bytes at {off}, not inside the {}-byte area",
                self.at, self.plan.activation_bytes
            ));
        }
        if planned < need {
            return Err(format!("{}: the kernel binds {need} scratch bytes, the plan reserves {planned}", self.at));
        }
        Ok(Some(Span { id: (self.nt + o) as u32, tensor: usize::MAX, start: off as usize, len: need }))
    }

    /// Replays the fused segment starting at op `first` (run-plan entries with the stream bit,
    /// closed by the next running op without it); returns its last op.
    ///
    /// The row schedule is the library's (`tiling::Stream`, which the executor follows, as the
    /// run-plan is); everything else is checked here: that the operators may run row by row
    /// (each reads only the previous one's output, which nothing else reads), which image rows
    /// each output row reads (from the model's geometry), that each row buffer holds exactly
    /// those rows where they are read (the checker tracks which image row every slot holds),
    /// that a call's input, output and scratch do not overlap (the executor refuses), and
    /// byte ownership as everywhere else: the segment input is read until its last row is,
    /// row buffers and the output are written row by row, scratch is owned throughout.
    fn segment(&mut self, first: usize) -> Result<usize, String> {
        struct Member {
            op: usize,
            x: usize,
            y: usize,
            g: Geometry,
            scratch: Option<Span>,
            /// A residual ADD's other operand (the skip), read row for row.
            skip: Option<usize>,
            /// Bytes per input element (4 for a QUANTIZE of a float image).
            in_elem: usize,
        }
        let model = self.model;
        let nops = model.num_operators();
        let mut members: Vec<Member> = Vec::new();
        let mut o = first;
        self.at = format!("segment from op {first}");
        loop {
            if o >= nops {
                return Err(format!("{}: the stream bit runs past the last op", self.at));
            }
            let how = self.plan.op_plan[o];
            if how.is_skip() {
                o += 1;
                continue;
            }
            let op = model.operator(o).map_err(err(&format!("op {o}")))?;
            let kind = self.kind(o)?;
            let folded = how.fused_pad(o);
            self.at = format!("segment from op {first}: op {o} {}", kind.name());
            let y = op.output(0).ok_or_else(|| format!("{}: no output", self.at))?;
            let (x, g) = match kind {
                OpKind::Conv2d | OpKind::DepthwiseConv2d | OpKind::AveragePool2d | OpKind::MaxPool2d => {
                    let x = if folded.is_some() { self.conv_input(o)? } else { op.input(0).ok_or("no input")? };
                    (x, self.geometry(o, kind, x, folded)?)
                }
                OpKind::Relu
                | OpKind::Relu6
                | OpKind::Logistic
                | OpKind::HardSwish
                | OpKind::LeakyRelu
                | OpKind::Tanh
                | OpKind::Quantize
                | OpKind::Add => {
                    let x = op.input(0).ok_or("no input")?;
                    // ADD: the operand the previous member wrote is the chain input.
                    let x = match (kind, members.last(), op.input(1)) {
                        (OpKind::Add, Some(prev), Some(b)) if b == prev.y => b,
                        _ => x,
                    };
                    let (tx, ty) = (self.tensor(x)?, self.tensor(y)?);
                    let (Some(xd), Some(yd)) = (dims4(&tx), dims4(&ty)) else {
                        return Err(format!("{}: a map in a segment on non-4D tensors", self.at));
                    };
                    let float_quantize = kind == OpKind::Quantize && tx.dtype == DType::F32;
                    if xd != yd || (tx.dtype != DType::I8 && !float_quantize) || ty.dtype != DType::I8 {
                        return Err(format!(
                            "{}: a map in a segment must be int8 (or a float QUANTIZE) to int8 of one shape",
                            self.at
                        ));
                    }
                    let g = Geometry {
                        n: xd[0],
                        ih: xd[1],
                        iw: xd[2],
                        ic: xd[3],
                        oh: xd[1],
                        ow: xd[2],
                        oc: xd[3],
                        kh: 1,
                        kw: 1,
                        sh: 1,
                        sw: 1,
                        dh: 1,
                        dw: 1,
                        pad_top: 0,
                        pad_left: 0,
                    };
                    (x, g)
                }
                _ => return Err(format!("{}: cannot run row by row", self.at)),
            };
            if g.n != 1 {
                return Err(format!("{}: {} batches in a segment", self.at, g.n));
            }
            let (need, channelwise) = self.scratch_need(o, kind)?;
            if channelwise {
                return Err(format!("{}: channel by channel in a segment", self.at));
            }
            let scratch = self.scratch_span(o, need)?;
            if let Some(prev) = members.last() {
                if prev.y != x {
                    return Err(format!("{}: reads tensor {x}, not the previous op's output {}", self.at, prev.y));
                }
            }
            // A residual ADD's other operand: the segment input or an earlier member's output
            // (not the previous one's: that is the chain input), of the output's shape.
            let skip = match kind {
                OpKind::Add => {
                    let (a, b) = (op.input(0).ok_or("no input")?, op.input(1).ok_or("ADD without a second input")?);
                    let other = if a == x { b } else { a };
                    let k = members.len();
                    let from_input = members.first().is_some_and(|m0| m0.x == other);
                    let from_member = k >= 2 && members[..k - 1].iter().any(|m| m.y == other);
                    if k == 0 || !(from_input || from_member) {
                        return Err(format!("{}: the ADD's other operand {other} is not held in the segment", self.at));
                    }
                    if dims4(&self.tensor(other)?) != dims4(&self.tensor(y)?) {
                        return Err(format!("{}: the ADD's operands differ in shape", self.at));
                    }
                    Some(other)
                }
                _ => None,
            };
            self.stats.ops += 1;
            let in_elem = self.tensor(x)?.dtype.size();
            members.push(Member { op: o, x, y, g, scratch, skip, in_elem });
            if !how.streams() {
                break;
            }
            o += 1;
        }
        let last_op = o;
        self.at = format!("segment ops {first}..={last_op}");
        if members.len() < 2 {
            return Err(format!("{}: a segment of one op", self.at));
        }
        // Every tensor written inside is read only inside: by the next member, and by a later
        // residual ADD that takes it as its skip.
        for (k, m) in members[..members.len() - 1].iter().enumerate() {
            let t = m.y;
            let graph_output = (0..model.num_outputs()).any(|i| model.output(i).ok() == Some(t));
            let allowed: Vec<usize> = std::iter::once(members[k + 1].op)
                .chain(members[k + 2..].iter().filter(|s| s.skip == Some(t)).map(|s| s.op))
                .collect();
            let folded_into = |c: usize| members.iter().any(|mm| self.plan.op_plan[mm.op].fused_pad(mm.op) == Some(c));
            let stray = (0..nops)
                .filter(|c| !allowed.contains(c) && !folded_into(*c))
                .any(|c| model.operator(c).is_ok_and(|op| (0..op.num_inputs()).any(|i| op.input(i) == Some(t))));
            if graph_output || stray || self.root[t] != t {
                return Err(format!("{}: tensor {t} between two segment ops is read elsewhere", self.at));
            }
        }
        self.stats.segments += 1;
        for m in &members {
            if let Some(s) = m.scratch {
                self.mark(&s, 0, s.len, m.op as u32);
            }
        }
        let axis = |g: &Geometry| {
            let walked = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
            Axis {
                input: g.ih,
                output: g.oh,
                kernel: g.kh,
                stride: g.sh,
                dilation: g.dh,
                pad_before: g.pad_top,
                pad_after: walked.saturating_sub(g.ih + g.pad_top),
            }
        };
        let stages: Vec<Stage> = members
            .iter()
            .enumerate()
            .map(|(k, m)| {
                let skip = match m.skip {
                    None => Skip::None,
                    Some(t) if t == members[0].x => Skip::SegmentInput,
                    Some(t) => Skip::Stage(members[..k].iter().position(|p| p.y == t).unwrap_or(usize::MAX)),
                };
                Stage {
                    rows: axis(&m.g),
                    in_row_bytes: m.g.iw * m.g.ic * m.in_elem,
                    out_row_bytes: m.g.ow * m.g.oc,
                    skip,
                }
            })
            .collect();
        let n = members.len();
        // None: an external input (caller memory), read-only and outside the arena.
        let x_span = self.span(members[0].x)?;
        if x_span.is_none() && self.tensor(members[0].x)?.data.is_some() {
            return Err("the segment input is a constant".into());
        }
        let y_span = self.span(members[n - 1].y)?;
        let y_span = y_span.ok_or("the segment output is a constant")?;
        // Row buffers: where each intermediate tensor sits, and which image row each slot holds.
        let mut held: Vec<Vec<Option<usize>>> = vec![Vec::new(); n - 1];
        let mut buf_at = Vec::new();
        for m in &members[..n - 1] {
            let off = self.plan.offsets[m.y];
            if off == NO_OFFSET || !(off as usize).is_multiple_of(ALIGN) {
                return Err(format!("{}: row buffer of tensor {} has no aligned offset", self.at, m.y));
            }
            buf_at.push(off as usize);
        }
        let area = self.plan.activation_bytes;
        let row_span = |k: usize, id: usize, tensor: usize| Span {
            id: id as u32,
            tensor,
            start: buf_at[k],
            len: area - buf_at[k],
        };
        let mut failure: Option<String> = None;
        let mut stream = Stream::new(&stages).map_err(|e| format!("{}: {e}", self.at))?;
        let mut visit = |e: Event| -> patchwise::Result<()> {
            let r = (|| -> Result<(), String> {
                match e {
                    Event::Shift { buffer: k, drop, keep } => {
                        let row = stages[k].out_row_bytes;
                        let b = row_span(k, self.root[members[k].y], members[k].y);
                        if (drop + keep) * row > b.len || drop + keep > held[k].len() {
                            return Err(format!("{}: shifting row buffer {k} past what it holds", self.at));
                        }
                        self.expect(&b, drop * row, (drop + keep) * row, "moving held rows")?;
                        self.mark(&b, 0, keep * row, members[k].op as u32);
                        held[k].drain(..drop);
                        held[k].truncate(keep);
                    }
                    Event::Compute { stage: k, rows, span, in_first, out_first, skip_first } => {
                        let m = &members[k];
                        let (in_row, out_row) = (stages[k].in_row_bytes, stages[k].out_row_bytes);
                        let src = if k == 0 { x_span } else { Some(row_span(k - 1, self.root[m.x], m.x)) };
                        let dst = if k == n - 1 { y_span } else { row_span(k, self.root[m.y], m.y) };
                        if (k == 0 && in_first != 0) || (k == n - 1 && out_first != 0) || rows.start < out_first {
                            return Err(format!("{}: whole tensors are held from row 0", self.at));
                        }
                        // The regions the executor carves for the call: disjoint or refused.
                        // Rows reading only padding read nothing (the executor passes no input).
                        let i_end = if span.range.0 < span.range.1 { (span.range.1 - in_first) * in_row } else { 0 };
                        let o_end = (rows.end - out_first) * out_row;
                        let ri = src.map(|s| Span { len: i_end, ..s });
                        let ro = Span { len: o_end, ..dst };
                        let src_len = match src {
                            Some(s) => s.len,
                            None => self.tensor(m.x)?.bytes(),
                        };
                        if i_end > src_len || o_end > dst.len {
                            return Err(format!("{}: stage {k} reaches past the activation area", self.at));
                        }
                        // A residual ADD's skip rows `rows`: from the segment input (whole, from
                        // row 0) or an earlier member's row buffer (held from `skip_first`).
                        let skip_src = match stages[k].skip {
                            Skip::None => None,
                            Skip::SegmentInput => {
                                if skip_first != 0 {
                                    return Err(format!("{}: whole tensors are held from row 0", self.at));
                                }
                                Some((usize::MAX, x_span))
                            }
                            Skip::Stage(j) => Some((j, Some(row_span(j, self.root[members[j].y], members[j].y)))),
                        };
                        let rs = match skip_src {
                            Some((_, Some(sp))) => {
                                let end = (rows.end - skip_first) * out_row;
                                if rows.start < skip_first || end > sp.len {
                                    return Err(format!("{}: stage {k}'s skip rows are not held", self.at));
                                }
                                Some(Span { len: end, ..sp })
                            }
                            _ => None,
                        };
                        let ri_overlaps = |s: &Span| ri.is_some_and(|ri| ri.overlaps(s));
                        let rs_overlaps = |s: &Span| rs.is_some_and(|rs| rs.overlaps(s));
                        if ri_overlaps(&ro)
                            || rs_overlaps(&ro)
                            || rs.is_some_and(|rs| ri_overlaps(&rs))
                            || m.scratch.is_some_and(|s| ri_overlaps(&s) || rs_overlaps(&s) || s.overlaps(&ro))
                        {
                            return Err(format!(
                                "{}: stage {k}'s inputs, output and scratch overlap (the kernel refuses)",
                                self.at
                            ));
                        }
                        if let Some((j, sp)) = skip_src {
                            for r in rows.clone() {
                                let slot = r - skip_first;
                                if j != usize::MAX && held[j].get(slot).copied().flatten() != Some(r) {
                                    return Err(format!(
                                        "{}: stage {k} reads skip row {r} from slot {slot}, which holds {:?}",
                                        self.at,
                                        held[j].get(slot)
                                    ));
                                }
                                if let Some(sp) = &sp {
                                    self.expect(sp, slot * out_row, (slot + 1) * out_row, "reading a skip row")?;
                                }
                            }
                        }
                        for oy in rows.clone() {
                            let taps: Vec<usize> =
                                in_image_taps(oy, m.g.sh, m.g.dh, m.g.pad_top, m.g.kh, m.g.ih).collect();
                            for iy in taps {
                                if iy < in_first || iy >= span.range.1 {
                                    return Err(format!(
                                        "{}: stage {k} output row {oy} reads row {iy}, not held",
                                        self.at
                                    ));
                                }
                                let slot = iy - in_first;
                                if k > 0 && held[k - 1].get(slot).copied().flatten() != Some(iy) {
                                    return Err(format!(
                                        "{}: stage {k} output row {oy} reads row {iy} from slot {slot}, which holds {:?}",
                                        self.at,
                                        held[k - 1].get(slot)
                                    ));
                                }
                                if let Some(src) = &src {
                                    self.expect(src, slot * in_row, (slot + 1) * in_row, "reading a held row")?;
                                }
                            }
                        }
                        for oy in rows {
                            let slot = oy - out_first;
                            self.mark(&dst, slot * out_row, (slot + 1) * out_row, m.op as u32);
                            if k < n - 1 {
                                if held[k].len() <= slot {
                                    held[k].resize(slot + 1, None);
                                }
                                held[k][slot] = Some(oy);
                            }
                        }
                        if let Some(s) = m.scratch {
                            self.expect(&s, 0, s.len, "keeping its scratch across rows")?;
                        }
                    }
                }
                Ok(())
            })();
            r.map_err(|e| {
                failure = Some(e);
                patchwise::Error::Internal
            })
        };
        let ran = stream.run(&mut visit);
        if let Some(f) = failure {
            return Err(f);
        }
        ran.map_err(|e| format!("{}: {e}", self.at))?;
        for m in &members {
            if let Some(s) = m.scratch {
                self.expect(&s, 0, s.len, "using its scratch until the segment ends")?;
            }
        }
        Ok(last_op)
    }

    /// Reads and writes in any order: inputs intact before and after the outputs are written.
    fn any_order(&mut self, inputs: &[(usize, Option<Span>)], outputs: &[Span], op: u32) -> Result<(), String> {
        let ins: Vec<Span> = inputs.iter().filter_map(|(_, s)| *s).collect();
        for s in &ins {
            self.expect(s, 0, s.len, "reading an input")?;
        }
        for s in outputs {
            self.mark(s, 0, s.len, op);
        }
        for s in &ins {
            self.expect(s, 0, s.len, "reading an input while the output is written")?;
        }
        Ok(())
    }

    /// Kernels driven through `Io` that only walk forward refuse an output that overlaps an
    /// input and starts after it.
    fn forward_only(&self, ins: &[Span], out: &Span) -> Result<(), String> {
        for s in ins {
            if s.overlaps(out) && out.start > s.start {
                return Err(format!(
                    "{}: output at {} overlaps {} at {} from after it, but the kernel only walks forward",
                    self.at,
                    out.start,
                    Self::name(s),
                    s.start
                ));
            }
        }
        Ok(())
    }

    /// Window geometry of a convolution or pooling op (options read from the model).
    fn geometry(&self, o: usize, kind: OpKind, xt: usize, folded: Option<usize>) -> Result<Geometry, String> {
        let op = self.model.operator(o).map_err(err("op"))?;
        let opt = |id: usize, default: i32| -> Result<usize, String> {
            let v = op.options.map_or(Ok(default), |t| t.i32(id, default)).map_err(err("options"))?;
            usize::try_from(v).map_err(|_| format!("{}: negative option {id}", self.at))
        };
        let same = op.options.map_or(Ok(0), |t| t.i8(0, 0)).map_err(err("options"))? == 0;
        let x = self.tensor(xt)?;
        let y = self.tensor(op.output(0).ok_or("no output")?)?;
        let (Some(xd), Some(yd)) = (dims4(&x), dims4(&y)) else {
            return Err(format!("{}: window op on non-4D tensors", self.at));
        };
        let (sw, sh) = (opt(1, 0)?, opt(2, 0)?);
        let (kh, kw, dw, dh) = match kind {
            OpKind::Conv2d | OpKind::DepthwiseConv2d => {
                let f = self.tensor(op.input(1).ok_or("no filter")?)?;
                let fd = dims4(&f).ok_or_else(|| format!("{}: filter not 4D", self.at))?;
                let (dw_id, dh_id) = if kind == OpKind::Conv2d { (4, 5) } else { (5, 6) };
                (fd[1], fd[2], opt(dw_id, 1)?, opt(dh_id, 1)?)
            }
            _ => (opt(4, 0)?, opt(3, 0)?, 1, 1),
        };
        let (mut ih_padded, mut iw_padded) = (xd[1], xd[2]);
        let mut f = [0usize; 4];
        if let Some(p) = folded {
            f = self.folded_padding(p)?;
            ih_padded += f[0] + f[1];
            iw_padded += f[2] + f[3];
        }
        Ok(Geometry {
            n: xd[0],
            ih: xd[1],
            iw: xd[2],
            ic: xd[3],
            oh: yd[1],
            ow: yd[2],
            oc: yd[3],
            kh,
            kw,
            sh,
            sw,
            dh,
            dw,
            pad_top: f[0] + pad_before(same, ih_padded, kh, sh, dh),
            pad_left: f[2] + pad_before(same, iw_padded, kw, sw, dw),
        })
    }

    /// Every input channel at each in-image tap of output pixel `(b, oy, ox)` must be intact.
    fn expect_window(
        &mut self,
        g: &Geometry,
        x: &Span,
        b: usize,
        oy: usize,
        ox: usize,
        when: &str,
    ) -> Result<(), String> {
        for iy in in_image_taps(oy, g.sh, g.dh, g.pad_top, g.kh, g.ih) {
            for ix in in_image_taps(ox, g.sw, g.dw, g.pad_left, g.kw, g.iw) {
                let at = ((b * g.ih + iy) * g.iw + ix) * g.ic;
                self.expect(x, at, at + g.ic, when)?;
            }
        }
        Ok(())
    }

    /// A sliding window walking output pixels, backward when the output starts after the
    /// input it overlaps.
    fn window(&mut self, g: &Geometry, x: &Span, y: &Span, op: u32) -> Result<(), String> {
        let backward = x.overlaps(y) && y.start > x.start;
        if backward {
            self.stats.backward += 1;
        }
        let pixels = g.n * g.oh * g.ow;
        if y.len != pixels * g.oc || x.len != g.n * g.ih * g.iw * g.ic {
            return Err(format!("{}: tensor sizes do not match the window geometry {g:?}", self.at));
        }
        for k in 0..pixels {
            let q = if backward { pixels - 1 - k } else { k };
            let (b, oy, ox) = (q / (g.oh * g.ow), q / g.ow % g.oh, q % g.ow);
            let dir = if backward { "backward" } else { "forward" };
            self.expect_window(g, x, b, oy, ox, &format!("walking {dir}, reading the window of output pixel {q}"))?;
            self.mark(y, q * g.oc, (q + 1) * g.oc, op);
            self.expect_window(
                g,
                x,
                b,
                oy,
                ox,
                &format!("walking {dir}, reading the window of output pixel {q} while writing its channels"),
            )?;
        }
        Ok(())
    }

    /// Channel-by-channel depthwise: channel `c`'s input plane read whole (into the scratch
    /// plane), then output channel `c` written.
    fn channelwise(&mut self, g: &Geometry, x: &Span, y: &Span, op: u32) -> Result<(), String> {
        if x.overlaps(y) && x.start != y.start {
            return Err(format!(
                "{}: channel-by-channel output at {} overlaps its input at {} at another offset (the kernel refuses)",
                self.at, y.start, x.start
            ));
        }
        if g.ic != g.oc || y.len != g.n * g.oh * g.ow * g.oc || x.len != g.n * g.ih * g.iw * g.ic {
            return Err(format!("{}: tensor sizes do not match the depthwise geometry {g:?}", self.at));
        }
        let (area, out_area) = (g.ih * g.iw, g.oh * g.ow);
        for b in 0..g.n {
            for c in 0..g.oc {
                let when = format!("copying input channel {c} of batch {b} into the plane");
                self.expect_strided(x, b * area * g.ic + c, g.ic, area, &when)?;
                self.mark_strided(y, b * out_area * g.oc + c, g.oc, out_area, op);
            }
        }
        Ok(())
    }
}

/// Replays `plan` for `model` (see the module docs): what it saw, or the first unsafe access
/// (op, opcode, tensor, byte and who clobbered it).
pub fn replay(model: &[u8], plan: &PlanDetails) -> Result<Stats, String> {
    replay_within(model, plan, u64::MAX)
}

/// [`replay`], giving up with [`OVER_BUDGET`] after `budget` work units (one per check of a
/// tap or element, plus one per 64 bytes it covers).
pub fn replay_within(model: &[u8], plan: &PlanDetails, budget: u64) -> Result<Stats, String> {
    let model = Model::parse(model).map_err(err("parse"))?;
    let mut c = Checker::new(model, plan)?;
    c.budget = budget;
    c.run()?;
    Ok(c.stats)
}

/// A buffer the plan lets overwrite state that must survive the invoke, as `(buffer, partner)`:
/// its in-place / sliding-window partner is (the alias root of) a graph output or a variable
/// tensor. A cheap structural check; [`replay`] is the thorough one.
pub fn partner_over_kept_state(model: &Model<'_>, plan: &PlanDetails) -> Option<(usize, usize)> {
    let root = |t: usize| plan.buffers.get(t).map_or(t, |b| b.alias as usize);
    let mut keep: Vec<usize> = (0..model.num_outputs()).filter_map(|i| model.output(i).ok()).map(root).collect();
    keep.extend((0..model.num_tensors()).filter(|&t| model.tensor(t).is_ok_and(|t| t.is_variable)).map(root));
    plan.buffers
        .iter()
        .enumerate()
        .find(|(_, b)| b.partner != patchwise::plan::NO_BUFFER && keep.contains(&(b.partner as usize)))
        .map(|(i, b)| (i, b.partner as usize))
}

/// Checks `plan` for `model`: `Err` describes the first unsafe access.
pub fn check_plan(model: &[u8], plan: &PlanDetails) -> Result<(), String> {
    replay(model, plan).map(|_| ())
}
