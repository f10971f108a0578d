//! Which kernel variant runs each operator.
//!
//! Among the variants that support an operator's spec (port tables first, the portable
//! kernels last), the plan takes the one whose footprint at this operator is smallest: input
//! and output at the tightest overlap the variant's access allows, plus its scratch. Ties go
//! to the earlier (preferred) variant; a port's variant is preferred while it costs at most
//! [`PORT_SLACK`] bytes more. With the portable table this is the one choice today's
//! kernels leave open: DEPTHWISE_CONV_2D walking pixels (a per-channel requantization table
//! beside the overlapping buffers) or channel by channel in place (one input plane of
//! scratch).

use super::overlap::{permission, Overlap};
use super::EXACT;
use crate::error::{Error, Result};
use crate::ops::OpSpec;
use crate::variants::{self, Access, Variant, VariantId};

/// The variant chosen for an operator and what the planner needs of it.
#[derive(Clone, Copy, Debug)]
pub struct Choice {
    pub id: VariantId,
    /// Scratch bytes during the operator.
    pub scratch: usize,
    /// How the output may overlap a dying input.
    pub overlap: Option<Overlap>,
}

/// Bytes a port's (faster) variant may add to an operator's footprint beyond the smallest
/// and still be chosen, anywhere in the model: its im2col columns, typically.
pub const PORT_SLACK: i64 = 128;

/// Calls `f` with every candidate variant of `spec`, its choice and its footprint. Variants
/// that walk memory alike get the same overlap permission: it is computed once per run of
/// equal accesses (a port's variant and its portable twin usually share it).
fn each_choice(spec: &OpSpec<'_>, mut f: impl FnMut(&Variant, Choice, i64)) -> Result<()> {
    let mut memo: Option<(Access, Option<Overlap>)> = None;
    for v in variants::candidates(spec) {
        let overlap = match memo {
            Some((a, o)) if a == v.access => o,
            _ => {
                let o = permission(spec, v.access);
                memo = Some((v.access, o));
                o
            }
        };
        let choice = Choice { id: v.id, scratch: (v.scratch)(spec)?, overlap };
        f(v, choice, footprint(spec, &choice));
    }
    Ok(())
}

/// The candidates [`Candidates::choose`] picks from: the variant of least footprint, and the
/// port's variant of least footprint (when a port is compiled in and supports the spec), each
/// with its footprint.
#[derive(Clone, Copy, Debug)]
pub struct Candidates {
    best: (Choice, i64),
    port: Option<(Choice, i64)>,
}

impl Candidates {
    /// The candidates of `spec` (the first of equal footprints).
    pub fn of(spec: &OpSpec<'_>) -> Result<Candidates> {
        let mut best: Option<(Choice, i64)> = None;
        let mut port: Option<(Choice, i64)> = None;
        each_choice(spec, |v, choice, fp| {
            if best.as_ref().is_none_or(|&(_, b)| fp < b) {
                best = Some((choice, fp));
            }
            if variants::is_port(v) && port.as_ref().is_none_or(|&(_, b)| fp < b) {
                port = Some((choice, fp));
            }
        })?;
        Ok(Candidates { best: best.ok_or(Error::Internal)?, port })
    }

    /// The smallest footprint any variant has (0 for operators that are not sliding windows):
    /// with the largest of these over a model, the budget of [`Candidates::choose`].
    pub fn least_footprint(&self) -> i64 {
        self.best.1
    }

    /// The variant to run: the smallest footprint; or, when a port is compiled in, the
    /// smallest of the port's variants if its footprint stays within `budget` (the model's
    /// largest least footprint: operators away from the peak take the faster kernel) or at
    /// most [`PORT_SLACK`] bytes above the smallest.
    pub fn choose(&self, budget: i64) -> Choice {
        match self.port {
            Some((p, fp)) if fp <= self.best.1.saturating_add(PORT_SLACK).max(budget) => p,
            _ => self.best.0,
        }
    }

    /// [`Candidates::choose`] when `budget` is only known to be at least `floor`: `None`
    /// while a larger budget could still change the choice.
    pub fn choose_above(&self, floor: i64) -> Option<Choice> {
        let choice = self.choose(floor);
        // Only the port's variant wins with a larger budget.
        (self.port.is_none_or(|(p, _)| p.id == choice.id)).then_some(choice)
    }
}

/// Bytes a sliding-window operator's input, output and scratch span with `choice`: the input
/// and the output at their tightest permitted overlap. Other operators have one variant per
/// spec and nothing to compare (0).
///
/// Plain `i64` arithmetic cannot wrap here: the images are verified tensors (below 2^31
/// bytes), scratch is below 2^32, and an overlap distance is either bounded by the images,
/// a sentinel of magnitude 2^31, or `NO_DISTANCE` (2^61): every sum stays below 2^62.
fn footprint(spec: &OpSpec<'_>, choice: &Choice) -> i64 {
    let Some(s) = spec.window() else { return 0 };
    let image = |[h, w]: [usize; 2], c: usize| s.batches.wrapping_mul(h).wrapping_mul(w).wrapping_mul(c) as i64;
    let (sa, sb) = (image(s.window.input(), s.in_channels), image(s.window.output(), s.out_channels));
    // Input at 0, output at x: the union of both ranges.
    let union = |x: i64| sa.max(x.wrapping_add(sb)).wrapping_sub(x.min(0));
    let tight = match choice.overlap {
        None => sa.wrapping_add(sb),
        Some(o) if o.forward == i64::from(EXACT) => sa.max(sb),
        Some(o) => union(o.forward.wrapping_neg()).min(union(o.backward)),
    };
    tight.wrapping_add(choice.scratch as i64)
}
