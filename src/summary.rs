//! What a model is, without an arena: its inputs, outputs and operators, the operator cargo
//! features it needs, and the arena it takes (the C API's `pw_model_summary` and
//! `patchwise inspect` both read it from here).

use crate::error::Result;
use crate::interpreter::{arena_required_with, plan_work_bytes, Options};
use crate::schema::opcodes::{OpKind, INT16_FEATURE};
use crate::schema::{DType, Model};

/// A model at a glance (subgraph 0, the one that runs).
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    pub inputs: usize,
    pub outputs: usize,
    pub operators: usize,
    pub tensors: usize,
    /// Operators this build cannot run: unknown to patchwise, or their feature is off.
    pub unsupported_ops: usize,
    /// Bit `i` set: the model needs feature [`OpKind::FEATURES`]`[i]`.
    pub features_needed: u64,
    /// The needed features this build lacks.
    pub features_missing: u64,
    /// What init would say given a large enough arena: the exact arena bytes for the options,
    /// or its error ([`crate::Error::PlanNeedsArena`] without `std` for a model above the
    /// stack-planning limit: [`crate::arena_required_in`] sizes it in a work buffer).
    pub arena: Result<usize>,
    /// Bytes of the work buffer [`crate::arena_required_in`] plans in.
    pub plan_work_bytes: usize,
}

/// The operator features `model` needs and those this build lacks (bit `i` = feature
/// [`OpKind::FEATURES`]`[i]`), and the number of operators it cannot run.
pub fn features(model: &Model<'_>) -> Result<(u64, u64, usize)> {
    let (mut needed, mut missing, mut unsupported) = (0u64, 0u64, 0usize);
    for o in 0..model.num_operators() {
        let kind = OpKind::from_code(model.operator(o)?.opcode);
        if let Some(bit) = kind.and_then(OpKind::feature_index).and_then(|i| 1u64.checked_shl(i as u32)) {
            needed |= bit;
            if kind.is_some_and(|k| !k.enabled()) {
                missing |= bit;
            }
        }
        if !kind.is_some_and(OpKind::enabled) {
            unsupported = unsupported.saturating_add(1);
        }
    }
    // The 16x8 forms: any int16 tensor (activations; int16 weights alone run nowhere).
    let mut int16 = false;
    for t in 0..model.num_tensors() {
        // A tensor that does not read is refused by init; it needs no feature here.
        int16 |= model.tensor(t).is_ok_and(|t| t.dtype == DType::I16);
    }
    let int16_bit = OpKind::FEATURES.iter().position(|&f| f == INT16_FEATURE).and_then(|i| 1u64.checked_shl(i as u32));
    if let (true, Some(bit)) = (int16, int16_bit) {
        needed |= bit;
        if !cfg!(feature = "int16") {
            missing |= bit;
        }
    }
    Ok((needed, missing, unsupported))
}

/// The names of the features in `mask`, in [`OpKind::FEATURES`] order.
pub fn feature_names(mask: u64) -> impl Iterator<Item = &'static str> {
    OpKind::FEATURES
        .iter()
        .enumerate()
        .filter(move |(i, _)| mask.checked_shr(*i as u32).is_some_and(|m| m & 1 != 0))
        .map(|(_, f)| *f)
}

/// Summarizes `bytes` (verified as [`Model::parse`] does; an error only when it does not parse).
pub fn summarize(bytes: &[u8], options: &Options) -> Result<Summary> {
    let model = Model::parse(bytes)?;
    let (features_needed, features_missing, unsupported_ops) = features(&model)?;
    Ok(Summary {
        inputs: model.num_inputs(),
        outputs: model.num_outputs(),
        operators: model.num_operators(),
        tensors: model.num_tensors(),
        unsupported_ops,
        features_needed,
        features_missing,
        arena: arena_required_with(bytes, options),
        plan_work_bytes: plan_work_bytes(&model)?,
    })
}
