//! The interpreter: one caller-provided arena holds everything it keeps.
//!
//! The arena holds, from its 16-byte-aligned start: this struct (the handle), the offset table
//! and the run-plan, then the activations; during init the planner's temporary tables sit where
//! the activations will go. The drawing is in `docs/architecture.md` ("The arena").
//!
//! Nothing is kept anywhere else: no heap, no statics. Any number of interpreters may coexist
//! on separate arenas.

use crate::error::{Error, Result};
use crate::exec;
use crate::memory::{tensor_bytes, External, Memory};
use crate::plan::{self, PlanSummary, Work};
use crate::planfile::PlanFile;
use crate::runplan::{Offsets, OpRun, BUFFER_ALIGN, NO_OFFSET};
use crate::schema::{DType, Model};
use crate::slices::{checked_sum, span_mut, take_front};
use crate::tensor::Shape;
use crate::variants::{self, VariantId};

/// Required alignment of the arena's first byte.
pub const ARENA_ALIGN: usize = 16;

/// Largest model (tensors + operators) whose arena size [`arena_required`] can compute without
/// `std` (it plans on the stack, about 30 bytes per buffer).
pub const MAX_STACK_PLAN_BUFFERS: usize = 256;

/// `v` rounded up to a multiple of 16; [`Error::TooLarge`] on overflow (32-bit targets).
fn align16(v: usize) -> Result<usize> {
    v.checked_add(15).map(|v| v & !15).ok_or(Error::TooLarge)
}

/// The sum of byte counts; [`Error::TooLarge`] on overflow (32-bit targets).
fn sum(parts: &[usize]) -> Result<usize> {
    checked_sum(parts).ok_or(Error::TooLarge)
}

/// `a × b` bytes; [`Error::TooLarge`] on overflow.
fn product(a: usize, b: usize) -> Result<usize> {
    a.checked_mul(b).ok_or(Error::TooLarge)
}

const HEADER_BYTES: usize = (core::mem::size_of::<Interpreter<'static, 'static>>() + 15) & !15;
const _: () = assert!(core::mem::align_of::<Interpreter<'static, 'static>>() <= ARENA_ALIGN);

/// Told when each step of an invoke begins and ends ([`Interpreter::invoke_observed`]): a
/// step is one operator (`first == last`) or one fused segment, operators `first..=last` run
/// together row by row (skipped operators inside it, such as an aliased RESHAPE, included).
/// Skipped operators outside segments (a PAD folded into the next convolution, an aliased
/// RESHAPE) are not steps. `end` follows every `begin`, also when the step failed.
pub trait Observer {
    /// Step `first..=last` is about to run.
    fn begin(&mut self, first: usize, last: usize);
    /// Step `first..=last` has run (or failed).
    fn end(&mut self, first: usize, last: usize);
}

/// The observer of a plain invoke: does nothing, and compiles to nothing.
pub(crate) struct Unobserved;

impl Observer for Unobserved {
    #[inline(always)]
    fn begin(&mut self, _: usize, _: usize) {}
    #[inline(always)]
    fn end(&mut self, _: usize, _: usize) {}
}

pub use crate::plan::Options;

/// A read-only view of an input or output tensor.
#[derive(Clone, Copy, Debug)]
pub struct TensorView<'t> {
    /// Raw little-endian element bytes in row-major order.
    pub data: &'t [u8],
    pub shape: Shape,
    pub dtype: DType,
    /// Quantization scale (0.0 for float tensors).
    pub scale: f32,
    /// Quantization zero point.
    pub zero_point: i32,
}

/// A writable view of an input tensor.
#[derive(Debug)]
pub struct TensorMut<'t> {
    pub data: &'t mut [u8],
    pub shape: Shape,
    pub dtype: DType,
    pub scale: f32,
    pub zero_point: i32,
}

/// First word of every live interpreter handle ("PWI1"); lets the C API tell a handle from
/// uninitialized memory.
pub const HANDLE_MAGIC: u32 = 0x3149_5750;

/// An initialized interpreter. It lives inside the arena it was given.
#[derive(Debug)]
#[repr(C)]
pub struct Interpreter<'m, 'a> {
    magic: u32,
    /// Arena bytes in use (fits: arenas are limited to 4 GiB by the planner).
    used: u32,
    /// Operator index and opcode of the last failed invoke (`u32::MAX` when none).
    failed_op: [u32; 2],
    model: Model<'m>,
    offsets: Offsets<'a>,
    op_plan: &'a [u16],
    activations: &'a mut [u8],
    /// Checksum of every field above ([`Interpreter::checksum`]), set at the end of init and
    /// after every change of `failed_op`; [`Interpreter::check_integrity`] compares it.
    check: u32,
}

/// Byte sizes of the tables kept in the arena for a model (every sum checked at `of`).
#[derive(Clone, Copy)]
struct Layout {
    /// Buffers (tensors + per-op scratch).
    buffers: usize,
    /// Operators.
    ops: usize,
    /// Bytes of the `u16` run-plan (2 per operator, not rounded).
    plan_bytes: usize,
    /// The offset table at its widest (`u32` per buffer) and the run-plan, each rounded to 16:
    /// what precedes the work area while planning.
    front: usize,
    /// The planner's work tables ([`plan::work_bytes`]), rounded to 16.
    work_tables: usize,
    /// The offset table at its widest (`u32` per buffer), rounded to 16.
    wide_table: usize,
    /// Temporary planning memory: work tables, `u32` offsets and the run-plan.
    work: usize,
    /// Arena bytes needed while planning: header, `front`, then the work area.
    planning: usize,
}

impl Layout {
    fn of(model: &Model<'_>) -> Result<Layout> {
        let buffers = plan::num_buffers(model);
        let ops = model.num_operators();
        let plan_bytes = product(ops, 2)?;
        let op_plan = align16(plan_bytes)?;
        let wide_table = align16(product(buffers, 4)?)?;
        let work_tables = align16(plan::work_bytes(buffers))?;
        let work = sum(&[work_tables, wide_table, op_plan])?;
        let front = sum(&[wide_table, op_plan])?;
        let planning = sum(&[HEADER_BYTES, front, work])?;
        Ok(Layout { buffers, ops, plan_bytes, front, work_tables, wide_table, work, planning })
    }

    /// The offset table for an activation area of `act` bytes (not rounded).
    fn table(&self, act: usize) -> Result<usize> {
        product(self.buffers, Offsets::width(act))
    }

    /// The offset table followed by the run-plan, rounded to 16.
    fn tables(&self, act: usize) -> Result<usize> {
        align16(sum(&[self.table(act)?, self.plan_bytes])?)
    }

    /// Total arena bytes for an activation area of `act` bytes.
    fn total(&self, act: usize) -> Result<usize> {
        Ok(self.planned_total(act)?.max(self.planning))
    }

    /// Total arena bytes for an activation area of `act` bytes when init does not plan (a plan
    /// made ahead of time): no planning memory.
    fn planned_total(&self, act: usize) -> Result<usize> {
        sum(&[HEADER_BYTES, self.tables(act)?, act])
    }
}

/// Runs the planner inside `work_mem` (at least `Layout::work` bytes, 4-aligned); returns the
/// summary with the `u32` offsets and the run-plan left in `work_mem`'s tail tables.
/// Plans with `options`, honouring its budget ([`Options::budget`]): `plan` runs the planner
/// with the options it is given and returns the summary (its tables are the last run's).
fn within_budget(
    options: &Options,
    l: &Layout,
    mut plan: impl FnMut(&Options) -> Result<PlanSummary>,
) -> Result<PlanSummary> {
    if options.budget == 0 {
        return plan(options);
    }
    // The fewest fused operators that fit: none when the layer plan fits.
    let layer = Options { patch: false, budget: 0, ..*options };
    let s = plan(&layer)?;
    let layer_total = l.total(s.activation_bytes)?;
    if layer_total <= options.budget || !options.patch {
        return if layer_total <= options.budget { Ok(s) } else { Err(Error::OverBudget { required: layer_total }) };
    }
    let fused = Options { budget: 0, ..*options };
    let s = plan(&fused)?;
    let total = l.total(s.activation_bytes)?;
    if total <= options.budget {
        Ok(s)
    } else {
        Err(Error::OverBudget { required: total.min(layer_total) })
    }
}

fn plan_in(model: &Model<'_>, options: &Options, l: &Layout, work_mem: &mut [u8]) -> Result<PlanSummary> {
    within_budget(options, l, |o| plan_once(model, o, l, work_mem))
}

fn plan_once(model: &Model<'_>, options: &Options, l: &Layout, work_mem: &mut [u8]) -> Result<PlanSummary> {
    let (tables, rest) = take_front(work_mem, l.work_tables)?;
    let (offsets, op_plan) = take_front(rest, l.wide_table)?;
    let offsets: &mut [u32] = cast_mut(offsets)?;
    let op_plan: &mut [u16] = cast_mut(op_plan)?;
    let mut work = Work::carve(tables, l.buffers)?;
    let offsets = offsets.get_mut(..l.buffers).ok_or(Error::InvalidArgument)?;
    let op_plan = op_plan.get_mut(..l.ops).ok_or(Error::InvalidArgument)?;
    plan::build(model, options, &mut work, offsets, op_plan)
}

/// The `u32` offsets and run-plan a [`plan_in`] run left in `work_mem`.
fn planned<'w>(l: &Layout, work_mem: &'w [u8]) -> Result<(&'w [u32], &'w [u16])> {
    // Only the work area itself: bytes after it (an arena larger than needed) are not a table.
    let work_mem = work_mem.get(..l.work).ok_or(Error::InvalidArgument)?;
    let rest = work_mem.get(l.work_tables..).ok_or(Error::InvalidArgument)?;
    let (offsets, op_plan) = rest.split_at_checked(l.wide_table).ok_or(Error::InvalidArgument)?;
    let offsets: &[u32] = cast(offsets)?;
    let op_plan: &[u16] = cast(op_plan)?;
    let offsets = offsets.get(..l.buffers).ok_or(Error::InvalidArgument)?;
    Ok((offsets, op_plan.get(..l.ops).ok_or(Error::InvalidArgument)?))
}

/// Bytes as a table of `T` (the arena layout keeps every table aligned for its type).
fn cast<T: bytemuck::Pod>(b: &[u8]) -> Result<&[T]> {
    bytemuck::try_cast_slice(b).map_err(|_| Error::ArenaMisaligned)
}

/// Bytes as a writable table of `T`.
fn cast_mut<T: bytemuck::Pod>(b: &mut [u8]) -> Result<&mut [T]> {
    bytemuck::try_cast_slice_mut(b).map_err(|_| Error::ArenaMisaligned)
}

/// Exact arena bytes [`Interpreter::init`] needs for `model` with the default options.
///
/// Verifies the model and plans it. Without `std` it plans on the stack (about 30 bytes per
/// tensor and operator, at most [`MAX_STACK_PLAN_BUFFERS`] of them, else
/// [`Error::PlanNeedsArena`]); firmware usually takes this figure from `patchwise plan` on the
/// host instead.
pub fn arena_required(model: &[u8]) -> Result<usize> {
    arena_required_with(model, &Options::default())
}

/// Exact arena bytes [`Interpreter::init`] needs for `model` with `options`.
pub fn arena_required_with(model: &[u8], options: &Options) -> Result<usize> {
    let model = Model::parse(model)?;
    required_for(&model, options)
}

/// Bytes of the work buffer [`arena_required_in`] plans in: the planner's temporary tables for
/// `model` (a fraction of the arena; the arena itself may serve as the work buffer).
pub fn plan_work_bytes(model: &Model<'_>) -> Result<usize> {
    Ok(Layout::of(model)?.work)
}

/// True when [`arena_required`] can size `model` without a work buffer: always with `std`;
/// without it, models of at most [`MAX_STACK_PLAN_BUFFERS`] tensors + operators (planned on
/// the stack).
pub fn sizes_on_stack(model: &Model<'_>) -> Result<bool> {
    let l = Layout::of(model)?;
    Ok(cfg!(feature = "std") || (l.buffers <= MAX_STACK_PLAN_BUFFERS && l.work.div_ceil(4) <= STACK_PLAN_WORDS))
}

/// Words of the stack table [`arena_required`] plans in without `std`.
const STACK_PLAN_WORDS: usize = (plan::work_bytes(MAX_STACK_PLAN_BUFFERS) + 6 * MAX_STACK_PLAN_BUFFERS) / 4 + 16;

/// Exact arena bytes [`Interpreter::init`] needs for `model` with `options`, planning inside
/// the caller's `work` buffer instead of the stack: sizes every model init can run, without
/// `std` too. `work` must start on an [`ARENA_ALIGN`] boundary and hold at least
/// [`plan_work_bytes`] (else [`Error::ArenaTooSmall`] with that figure); its contents are
/// overwritten. The arena to be given to init may serve as `work`.
pub fn arena_required_in(model: &[u8], options: &Options, work: &mut [u8]) -> Result<usize> {
    if work.as_ptr() as usize % ARENA_ALIGN != 0 {
        return Err(Error::ArenaMisaligned);
    }
    let model = Model::parse(model)?;
    let l = Layout::of(&model)?;
    let work = work.get_mut(..l.work).ok_or(Error::ArenaTooSmall { required: l.work })?;
    l.total(plan_in(&model, options, &l, work)?.activation_bytes)
}

fn required_for(model: &Model<'_>, options: &Options) -> Result<usize> {
    let l = Layout::of(model)?;
    #[cfg(feature = "std")]
    {
        let mut work = std::vec![0u32; l.work.div_ceil(4)];
        let s = plan_in(model, options, &l, bytemuck::cast_slice_mut(&mut work))?;
        l.total(s.activation_bytes)
    }
    #[cfg(not(feature = "std"))]
    {
        const WORDS: usize = STACK_PLAN_WORDS;
        let words = l.work.div_ceil(4);
        if l.buffers > MAX_STACK_PLAN_BUFFERS || words > WORDS {
            // Still validate every operator: the error then says whether init would accept
            // the model (and which operator it would refuse).
            for o in 0..model.num_operators() {
                crate::ops::prepare(model, o, None)?;
            }
            return Err(Error::PlanNeedsArena);
        }
        let mut work = [0u32; WORDS];
        let work = work.get_mut(..words).ok_or(Error::TooLarge)?;
        let s = plan_in(model, options, &l, bytemuck::cast_slice_mut(work))?;
        l.total(s.activation_bytes)
    }
}

/// Exact arena bytes [`Interpreter::init_planned`] needs for `model` with the plan file `plan`
/// (verified against the model).
pub fn planned_arena_required(model: &[u8], plan: &[u8]) -> Result<usize> {
    let parsed = Model::parse(model)?;
    let p = PlanFile::parse(plan, model, &parsed)?;
    Layout::of(&parsed)?.planned_total(p.activation_bytes)
}

impl<'m, 'a> Interpreter<'m, 'a> {
    /// Verifies `model`, plans it and sets up an interpreter inside `arena`.
    ///
    /// The arena must start on a [`ARENA_ALIGN`]-byte boundary and hold at least
    /// [`arena_required`] bytes; the error [`Error::ArenaTooSmall`] carries that number. (One
    /// exception, without `std`: a model too large to plan on the stack given an arena too
    /// small to plan in gets the planning size, a lower bound; an init with that many bytes
    /// then reports the exact figure.)
    /// The model bytes may sit at any address and must stay unchanged while the interpreter
    /// is used (the borrow enforces it in Rust). Any interpreter previously initialized in the
    /// same arena is invalidated, even when this init fails.
    pub fn init(model: &'m [u8], arena: &'a mut [u8], options: &Options) -> Result<&'a mut Interpreter<'m, 'a>> {
        if arena.as_ptr() as usize % ARENA_ALIGN != 0 {
            return Err(Error::ArenaMisaligned);
        }
        let arena_len = arena.len();
        // Whatever interpreter lived in this arena is gone from here on, even if init fails.
        if let Some(magic) = arena.get_mut(..4) {
            magic.fill(0);
        }
        let model = Model::parse(model)?;
        let l = Layout::of(&model)?;
        if arena.len() < l.planning {
            let required = match required_for(&model, options) {
                Err(Error::PlanNeedsArena) => match arena.get_mut(..l.work) {
                    // Too large for the stack: plan in the arena, if it holds the work tables.
                    Some(work_mem) => l.total(plan_in(&model, options, &l, work_mem)?.activation_bytes)?,
                    None => l.planning,
                },
                r => r?,
            };
            return Err(Error::ArenaTooSmall { required });
        }
        let (head, rest) = take_front(arena, HEADER_BYTES)?;
        // Plan in the work area, which sits after the widest table and the run-plan...
        let work_mem = span_mut(rest, l.front, l.work).ok_or(Error::InvalidArgument)?;
        let summary = plan_in(&model, options, &l, work_mem)?;
        let act_bytes = summary.activation_bytes;
        let used = l.total(act_bytes)?;
        if arena_len < used {
            return Err(Error::ArenaTooSmall { required: used });
        }
        // ...then move the offsets (narrowed if they fit) and the run-plan to their final place
        // in front of it; the activation area starts right after them.
        let narrow = Offsets::width(act_bytes) == 2;
        let table = l.table(act_bytes)?;
        {
            let (dst, src) = take_front(rest, l.front)?;
            let (offsets32, plan_src) = planned(&l, src)?;
            let (dst_table, dst_plan) = take_front(dst, table)?;
            if narrow {
                const UNIT: u32 = BUFFER_ALIGN as u32;
                let t: &mut [u16] = cast_mut(dst_table)?;
                for (d, &o) in t.iter_mut().zip(offsets32) {
                    *d = if o == NO_OFFSET { u16::MAX } else { (o / UNIT) as u16 };
                }
            } else {
                let t: &mut [u32] = cast_mut(dst_table)?;
                for (d, &o) in t.iter_mut().zip(offsets32) {
                    *d = o;
                }
            }
            let p: &mut [u16] = cast_mut(dst_plan.get_mut(..l.plan_bytes).ok_or(Error::InvalidArgument)?)?;
            for (d, &h) in p.iter_mut().zip(plan_src) {
                *d = h;
            }
        }
        let (tables, activations) = take_front(rest, l.tables(act_bytes)?)?;
        let (table_bytes, plan_bytes) = take_front(tables, table)?;
        let (table_bytes, plan_bytes) = (&*table_bytes, &*plan_bytes);
        let offsets = if narrow {
            Offsets::Narrow(cast(table_bytes)?.get(..l.buffers).ok_or(Error::InvalidArgument)?)
        } else {
            Offsets::Wide(cast(table_bytes)?.get(..l.buffers).ok_or(Error::InvalidArgument)?)
        };
        let op_plan: &[u16] = cast(plan_bytes.get(..l.plan_bytes).ok_or(Error::InvalidArgument)?)?;
        let (activations, _) = take_front(activations, act_bytes)?;
        Self::seat(head, model, offsets, op_plan, activations, used)
    }

    /// Sets up an interpreter from a plan made ahead of time (`patchwise plan MODEL --emit
    /// FILE`, [`crate::planfile`]) instead of planning: init verifies the model and the plan
    /// (made for exactly these model bytes) and copies the plan's tables into the arena. The
    /// arena needs [`planned_arena_required`] bytes — no planning memory — and the planner is
    /// not linked into a firmware that only calls this. Errors as [`init`](Self::init), and
    /// [`Error::BadPlan`] for a plan that is corrupted or made for other model bytes.
    pub fn init_planned(model: &'m [u8], plan: &[u8], arena: &'a mut [u8]) -> Result<&'a mut Interpreter<'m, 'a>> {
        if arena.as_ptr() as usize % ARENA_ALIGN != 0 {
            return Err(Error::ArenaMisaligned);
        }
        // Whatever interpreter lived in this arena is gone from here on, even if init fails.
        if let Some(magic) = arena.get_mut(..4) {
            magic.fill(0);
        }
        let model_bytes = model;
        let model = Model::parse(model)?;
        let l = Layout::of(&model)?;
        let p = PlanFile::parse(plan, model_bytes, &model)?;
        // Every running operator's kernel variant is in this build and takes the operator (a
        // plan made for a library with other kernels or operators is refused here, not at
        // invoke).
        for o in 0..model.num_operators() {
            let run = p.op_run(o);
            if let Some(v) = run.variant() {
                let spec = crate::ops::prepare(&model, o, run.fused_pad(o))?;
                let variant = VariantId::from_u8(v).and_then(variants::get).ok_or(Error::BadPlan)?;
                if !variant.supports(&spec) {
                    return Err(Error::BadPlan);
                }
            }
        }
        let act_bytes = p.activation_bytes;
        let used = l.planned_total(act_bytes)?;
        if arena.len() < used {
            return Err(Error::ArenaTooSmall { required: used });
        }
        let (head, rest) = take_front(arena, HEADER_BYTES)?;
        let table = l.table(act_bytes)?;
        let (tables, activations) = take_front(rest, l.tables(act_bytes)?)?;
        let (table_bytes, plan_bytes) = take_front(tables, table)?;
        let offsets = if Offsets::width(act_bytes) == 2 {
            const UNIT: u32 = BUFFER_ALIGN as u32;
            let t: &mut [u16] = cast_mut(table_bytes)?;
            for (b, d) in t.iter_mut().enumerate() {
                let o = p.offset(b);
                *d = if o == NO_OFFSET { u16::MAX } else { (o / UNIT) as u16 };
            }
            Offsets::Narrow(&*t)
        } else {
            let t: &mut [u32] = cast_mut(table_bytes)?;
            for (b, d) in t.iter_mut().enumerate() {
                *d = p.offset(b);
            }
            Offsets::Wide(&*t)
        };
        let op_plan: &mut [u16] = cast_mut(plan_bytes.get_mut(..l.plan_bytes).ok_or(Error::InvalidArgument)?)?;
        for (o, d) in op_plan.iter_mut().enumerate() {
            *d = p.op_run(o).to_bits();
        }
        let (activations, _) = take_front(activations, act_bytes)?;
        Self::seat(head, model, offsets, op_plan, activations, used)
    }

    /// Writes the interpreter over `head` (the arena's first bytes) and hands it out.
    fn seat(
        head: &'a mut [u8],
        model: Model<'m>,
        offsets: Offsets<'a>,
        op_plan: &'a [u16],
        activations: &'a mut [u8],
        used: usize,
    ) -> Result<&'a mut Interpreter<'m, 'a>> {
        if head.len() < HEADER_BYTES {
            return Err(Error::Internal);
        }
        activations.fill(0);
        let used = u32::try_from(used).map_err(|_| Error::TooLarge)?;
        let mut interp = Interpreter {
            magic: HANDLE_MAGIC,
            used,
            failed_op: [u32::MAX; 2],
            model,
            offsets,
            op_plan,
            activations,
            check: 0,
        };
        // The checksum covers values only (no address of the handle itself): moving the
        // struct into the arena keeps it valid.
        interp.check = interp.checksum();
        let slot = head.as_mut_ptr() as *mut Interpreter<'m, 'a>;
        // SAFETY: `head` is HEADER_BYTES ≥ size_of::<Interpreter>() bytes, starts at the arena's
        // 16-byte-aligned first byte (align_of::<Interpreter>() ≤ 16, asserted above), and is
        // exclusively borrowed for 'a, so writing the struct there and handing out a `&'a mut`
        // to it aliases nothing. Interpreter has no Drop, so never dropping it leaks nothing.
        unsafe {
            slot.write(interp);
            Ok(&mut *slot)
        }
    }

    /// Runs the model once on the current input bytes. Inputs may be overwritten by the run
    /// (their bytes are reused once no operator needs them): write them before every invoke,
    /// or plan with [`Options::keep_inputs`]. Outputs may share an input's bytes
    /// ([`output_aliases_input`](Self::output_aliases_input)): read them before writing the
    /// next input, or plan with [`Options::outputs_apart`].
    /// A plan with external inputs ([`Options::external_input`]) runs only through
    /// [`invoke_with_inputs`](Self::invoke_with_inputs).
    pub fn invoke(&mut self) -> Result<()> {
        self.invoke_observed(None, &mut Unobserved)
    }

    /// Runs the model once on `inputs` (one per model input, in model order, each exactly the
    /// input tensor's bytes, any alignment). Inputs the plan keeps outside the arena
    /// ([`Options::external_input`]) are read where they are, and never written; the others
    /// are copied into the arena first.
    pub fn invoke_with_inputs(&mut self, inputs: &[&[u8]]) -> Result<()> {
        self.invoke_observed(Some(inputs), &mut Unobserved)
    }

    /// [`invoke`](Self::invoke) (`inputs` `None`) or [`invoke_with_inputs`](Self::invoke_with_inputs)
    /// (`Some`), telling `observer` when each step of the run-plan begins and ends: one
    /// operator, or one fused segment (its operators run together row by row, so they are
    /// timed together). A per-operator profiler is an [`Observer`] reading a clock.
    pub fn invoke_observed(&mut self, inputs: Option<&[&[u8]]>, observer: &mut impl Observer) -> Result<()> {
        self.check_integrity()?;
        let Some(inputs) = inputs else {
            for i in 0..self.model.num_inputs() {
                let t = self.model.input(i)?;
                let tensor = self.model.tensor(t)?;
                // An external input (bytes of its own but none in the arena): nothing bound to it.
                if self.offsets.get(t) == NO_OFFSET && tensor.data.is_none() && tensor.bytes() > 0 {
                    return Err(Error::InvalidArgument);
                }
            }
            return self.run(External::default(), observer);
        };
        if inputs.len() != self.model.num_inputs() {
            return Err(Error::InvalidArgument);
        }
        let mut external = External::default();
        for (i, &bytes) in inputs.iter().enumerate() {
            let t = self.model.input(i)?;
            if bytes.len() != self.model.tensor(t)?.bytes() {
                return Err(Error::InvalidArgument);
            }
            if self.model.tensor(t)?.data.is_some() {
                // A constant graph input: the model's bytes are what the operators read.
                continue;
            }
            if self.offsets.get(t) == NO_OFFSET {
                external.bind(t, bytes)?;
            } else {
                let dst = self.input_mut(i)?.data;
                if dst.len() != bytes.len() {
                    return Err(Error::InvalidArgument);
                }
                for (d, &b) in dst.iter_mut().zip(bytes) {
                    *d = b;
                }
            }
        }
        self.run(external, observer)
    }

    /// Runs every operator with `external` bound.
    fn run(&mut self, external: External<'_>, observer: &mut impl Observer) -> Result<()> {
        let mut mem = Memory { arena: self.activations, offsets: self.offsets, external };
        let mut o = 0;
        while let Some(&bits) = self.op_plan.get(o) {
            let how = OpRun::from_bits(bits);
            // The next operator to run: after this one, or after the segment it starts.
            let done = if how.is_skip() {
                Ok(o)
            } else {
                let last = if how.streams() { exec::segment_end(self.op_plan, o) } else { o };
                observer.begin(o, last);
                let done = if how.streams() {
                    // The observer was told `last`: the segment must end there.
                    exec::run_segment(&self.model, self.op_plan, o, &mut mem).and_then(|l| {
                        if l == last {
                            Ok(l)
                        } else {
                            Err(Error::Internal)
                        }
                    })
                } else {
                    exec::run_op(&self.model, o, how, &mut mem).map(|()| o)
                };
                observer.end(o, last);
                done
            };
            let e = match done {
                Ok(last) => {
                    o = last.saturating_add(1);
                    continue;
                }
                Err(e) => e,
            };
            // Every failure during invoke is the operator's (the model was verified at init);
            // a segment's is reported at its first operator.
            let opcode = self.model.operator(o).map_or(u32::MAX, |op| op.opcode);
            self.failed_op = [o as u32, opcode];
            self.check = self.checksum();
            return Err(match e {
                Error::KernelFailed { .. } => e,
                _ => Error::KernelFailed { op: o as u32, opcode },
            });
        }
        if self.failed_op != [u32::MAX; 2] {
            self.failed_op = [u32::MAX; 2];
            self.check = self.checksum();
        }
        Ok(())
    }

    /// Checksum of the handle's fields: every number and address it keeps, mixed word by word
    /// by a step that is a bijection of the running state for each word (xor, multiply by an
    /// odd constant, rotate), so any change of a single word (a flipped bit, among others)
    /// changes the result.
    fn checksum(&self) -> u32 {
        let mut h: u32 = 0x5057_4931;
        let mut mix = |w: usize| {
            let w = w as u64;
            h = (h ^ w as u32).wrapping_mul(0x9E37_79B1).rotate_left(15);
            // The upper half exists on 64-bit targets only.
            if usize::BITS > 32 {
                h = (h ^ (w >> 32) as u32).wrapping_mul(0x9E37_79B1).rotate_left(15);
            }
        };
        mix(self.magic as usize);
        mix(self.used as usize);
        mix(self.failed_op[0] as usize);
        mix(self.failed_op[1] as usize);
        self.model.fingerprint(&mut mix);
        let (width, table, entries) = self.offsets.raw();
        for w in [width, table, entries, self.op_plan.as_ptr() as usize, self.op_plan.len()] {
            mix(w);
        }
        mix(self.activations.as_ptr() as usize);
        mix(self.activations.len());
        h
    }

    /// [`Error::ArenaCorrupted`] unless the handle is as init left it: the live-handle magic,
    /// the checksum of its fields, and its tables and activation area inside the arena bytes
    /// it uses (after the handle, sized for the model). Every invoke and every C entry point
    /// taking a handle call it before reading anything through the handle's pointers; it
    /// reads only the handle's own bytes.
    pub fn check_integrity(&self) -> Result<()> {
        if self.magic != HANDLE_MAGIC || self.check != self.checksum() {
            return Err(Error::ArenaCorrupted);
        }
        let base = self as *const Self as usize;
        let start = base.checked_add(HEADER_BYTES).ok_or(Error::ArenaCorrupted)?;
        let end = base.checked_add(self.used as usize).ok_or(Error::ArenaCorrupted)?;
        // `[addr, addr + bytes)` lies in the arena after the handle.
        let inside = |addr: usize, bytes: Option<usize>| {
            bytes.and_then(|b| addr.checked_add(b)).is_some_and(|e| addr >= start && e <= end)
        };
        let (width, table, entries) = self.offsets.raw();
        let buffers = self.model.num_tensors().checked_add(self.model.num_operators());
        let plan = self.op_plan.as_ptr() as usize;
        let act = self.activations.as_ptr() as usize;
        if Some(entries) != buffers
            || !inside(table, entries.checked_mul(width))
            || self.op_plan.len() != self.model.num_operators()
            || !inside(plan, self.op_plan.len().checked_mul(2))
            || !inside(act, Some(self.activations.len()))
        {
            return Err(Error::ArenaCorrupted);
        }
        Ok(())
    }

    /// The error of the last failed [`invoke`](Self::invoke), cleared by a successful one.
    pub fn last_error(&self) -> Option<Error> {
        let [op, opcode] = self.failed_op;
        (op != u32::MAX).then_some(Error::KernelFailed { op, opcode })
    }

    /// True when `self` carries the live-handle magic (C API sanity check).
    pub fn is_live(&self) -> bool {
        self.magic == HANDLE_MAGIC
    }

    /// The verified model.
    pub fn model(&self) -> &Model<'m> {
        &self.model
    }
    /// Exact arena bytes in use (equals [`arena_required`]).
    pub fn arena_used(&self) -> usize {
        self.used as usize
    }
    /// Arena offset of buffer `b` inside the activation area ([`NO_OFFSET`] if none).
    pub fn buffer_offset(&self, b: usize) -> u32 {
        self.offsets.get(b)
    }
    /// Number of model inputs.
    pub fn num_inputs(&self) -> usize {
        self.model.num_inputs()
    }
    /// Number of model outputs.
    pub fn num_outputs(&self) -> usize {
        self.model.num_outputs()
    }

    fn view(&self, t: usize) -> Result<TensorView<'_>> {
        let tensor = self.model.tensor(t)?;
        let data = tensor_bytes(&self.model, self.activations, self.offsets, t)?;
        Ok(TensorView {
            data,
            shape: tensor.shape,
            dtype: tensor.dtype,
            scale: tensor.quant.scale(),
            zero_point: tensor.quant.zero_point(),
        })
    }

    /// Input `i` (model order).
    pub fn input(&self, i: usize) -> Result<TensorView<'_>> {
        self.view(self.model.input(i)?)
    }
    /// Output `i` (model order). Valid after a successful invoke.
    pub fn output(&self, i: usize) -> Result<TensorView<'_>> {
        self.view(self.model.output(i)?)
    }
    /// True when output `i` shares arena bytes with some input: writing that input (for the
    /// next invoke) overwrites the output, and the invoke itself may have overwritten the
    /// input while computing it. Plans with [`Options::outputs_apart`] never share them (but
    /// for a tensor that is both an input and an output), plans with [`Options::keep_inputs`]
    /// never write over an input. Inputs kept in the caller's memory
    /// ([`Options::external_input`]) share nothing.
    pub fn output_aliases_input(&self, i: usize) -> Result<bool> {
        let span = |t: usize| -> Result<Option<(usize, usize)>> {
            let tensor = self.model.tensor(t)?;
            let off = self.offsets.get(t);
            if tensor.data.is_some() || off == NO_OFFSET || tensor.bytes() == 0 {
                return Ok(None);
            }
            let start = off as usize;
            Ok(Some((start, start.checked_add(tensor.bytes()).ok_or(Error::TooLarge)?)))
        };
        let out_t = self.model.output(i)?;
        let Some((o0, o1)) = span(out_t)? else { return Ok(false) };
        for k in 0..self.model.num_inputs() {
            let in_t = self.model.input(k)?;
            if in_t == out_t {
                return Ok(true);
            }
            if let Some((i0, i1)) = span(in_t)? {
                if i0 < o1 && o0 < i1 {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
    /// Input `i` for writing.
    pub fn input_mut(&mut self, i: usize) -> Result<TensorMut<'_>> {
        let t = self.model.input(i)?;
        let tensor = self.model.tensor(t)?;
        let off = self.offsets.get(t);
        if off == NO_OFFSET {
            return Err(Error::InvalidArgument);
        }
        let data = span_mut(self.activations, off as usize, tensor.bytes()).ok_or(Error::InvalidArgument)?;
        Ok(TensorMut {
            data,
            shape: tensor.shape,
            dtype: tensor.dtype,
            scale: tensor.quant.scale(),
            zero_point: tensor.quant.zero_point(),
        })
    }
}

/// A heap buffer whose first byte is [`ARENA_ALIGN`]-aligned (host tooling and tests).
#[cfg(feature = "std")]
#[derive(Clone, Debug)]
pub struct HostArena(std::vec::Vec<u128>);

#[cfg(feature = "std")]
impl HostArena {
    /// At least `bytes` zeroed bytes.
    pub fn new(bytes: usize) -> HostArena {
        HostArena(std::vec![0u128; bytes.div_ceil(16)])
    }
    /// The whole buffer as bytes (length rounded up to 16).
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        bytemuck::cast_slice_mut(&mut self.0)
    }
}

/// The full memory plan of a model, for host tools (`patchwise plan`).
#[cfg(feature = "std")]
#[derive(Clone, Debug)]
pub struct PlanDetails {
    /// Size, lifetime, alias and overlap permission of each buffer: tensors `0..num_tensors`,
    /// then one scratch per op.
    pub buffers: std::vec::Vec<plan::BufferInfo>,
    /// Offset of each buffer inside the activation area ([`NO_OFFSET`] = none of its own).
    pub offsets: std::vec::Vec<u32>,
    /// How each operator runs (skipped, or the PAD folded in and the kernel chosen).
    pub op_plan: std::vec::Vec<OpRun>,
    /// Bytes of the activation area.
    pub activation_bytes: usize,
    /// The largest per-operator footprint (the search's lower bound), rounded to 16.
    pub lower_bound: usize,
    /// Bytes of the interpreter handle and the tables.
    pub bookkeeping_bytes: usize,
    /// Total arena bytes ([`arena_required_with`]).
    pub arena_bytes: usize,
}

/// Plans `model` with `options` and returns every buffer's placement (host tooling).
#[cfg(feature = "std")]
pub fn plan_details(model: &[u8], options: &Options) -> Result<PlanDetails> {
    let model = Model::parse(model)?;
    let l = Layout::of(&model)?;
    let nb = l.buffers;
    let mut work = std::vec![0u32; plan::work_bytes(nb).div_ceil(4)];
    let mut offsets = std::vec![0u32; nb];
    let mut op_plan = std::vec![0u16; model.num_operators()];
    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut work);
    let mut w = Work::carve(bytes, nb)?;
    let s = within_budget(options, &l, |o| plan::build(&model, o, &mut w, &mut offsets, &mut op_plan))?;
    let buffers = w.info.to_vec();
    plan::check(&buffers, &offsets, s.activation_bytes)?;
    Ok(PlanDetails {
        buffers,
        offsets,
        op_plan: op_plan.into_iter().map(OpRun::from_bits).collect(),
        activation_bytes: s.activation_bytes,
        lower_bound: s.lower_bound,
        bookkeeping_bytes: sum(&[HEADER_BYTES, l.tables(s.activation_bytes)?])?,
        arena_bytes: l.total(s.activation_bytes)?,
    })
}
