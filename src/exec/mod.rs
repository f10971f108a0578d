//! Execution: runs one planned operator on the arena.
//!
//! At invoke the operator's spec is prepared again from the model (the same validation init
//! ran; nothing per operator is kept in the arena but its run-plan entry), the variant the
//! plan chose is looked up by its id, and it runs on the operator's bound memory. Nothing here
//! plans: offsets and variants come from the run-plan ([`crate::runplan`]).

mod segment;

pub use segment::{run_segment, segment_end};

use crate::error::{Error, Result};
use crate::memory::Memory;
use crate::ops;
use crate::runplan::OpRun;
use crate::schema::Model;
use crate::variants::{self, Region, VariantId};

/// Runs operator `index` of `model` as its run-plan entry `entry` says.
pub fn run_op(model: &Model<'_>, index: usize, entry: OpRun, mem: &mut Memory<'_>) -> Result<()> {
    let spec = ops::prepare(model, index, entry.fused_pad(index))?;
    let id = entry.variant().and_then(VariantId::from_u8).ok_or(Error::Internal)?;
    let v = variants::get(id).ok_or(Error::Internal)?;
    if !v.supports(&spec) {
        return Err(Error::Internal);
    }
    let scratch = (v.scratch)(&spec)?;
    let mut bound = mem.bind(model, index, scratch)?;
    (v.run)(&spec, &mut bound, &Region::Whole)
}
