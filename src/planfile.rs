//! Plans made ahead of time: the run-plan and offset table of one model, as bytes a firmware
//! keeps in flash next to the model, so that init only verifies and copies them.
//!
//! `patchwise plan MODEL --emit FILE` writes one ([`write`], host only); firmware passes it to
//! [`crate::Interpreter::init_planned`] (C: `pw_interpreter_init_planned`). Init then runs no
//! planner: a firmware that never calls the planning init links none of it (about 18 KB of
//! code on a Cortex-M4), and init costs the model's verification plus a checksum.
//!
//! Format (little-endian `u32` words, then `u16` run-plan entries padded to 4 bytes):
//!
//! | word | field |
//! |---|---|
//! | 0 | magic `"PWP1"` |
//! | 1 | format version (1) |
//! | 2 | byte length of the model it was planned for |
//! | 3 | checksum of those model bytes ([`checksum`]) |
//! | 4 | buffers (tensors + operators) |
//! | 5 | operators |
//! | 6 | activation-area bytes |
//! | 7 | checksum of the whole file but this word |
//! | 8 | reserved, 0 |
//! | 9.. | one `u32` arena offset per buffer ([`NO_OFFSET`] for none), then one `u16` run-plan entry per operator |
//!
//! Everything is checked before it is used: the model must be the one planned (length and
//! checksum), the counts must match it, every offset must be aligned and inside the activation
//! area, every run-plan entry must name a known kernel variant and an earlier PAD. A plan that
//! passes and still lies (a hand-edited offset) can give wrong numbers but never touches memory
//! outside the arena: the executor slices every buffer with bounds checks.

use crate::error::{Error, Result};
use crate::runplan::{OpRun, BUFFER_ALIGN, NO_OFFSET};
use crate::schema::Model;
use crate::variants::VariantId;

/// First word of a plan file.
pub const MAGIC: u32 = u32::from_le_bytes(*b"PWP1");
/// Format version written and accepted.
pub const VERSION: u32 = 1;
/// Words before the offset table.
const HEADER_WORDS: usize = 9;

/// A 32-bit checksum of `bytes` (Fletcher-style sums over little-endian words, the tail
/// zero-padded): cheap on a microcontroller (about one add pair per word) and enough to tell
/// a plan's model from another one. Not a defence against a deliberate forgery.
pub fn checksum(bytes: &[u8]) -> u32 {
    checksum_of(&[bytes])
}

/// [`checksum`] of the concatenation of `parts` (all but the last a whole number of words).
fn checksum_of(parts: &[&[u8]]) -> u32 {
    let (mut a, mut b, mut len) = (0x7057_u32, 0x5031_u32, 0u32);
    for part in parts {
        let mut words = part.chunks_exact(4);
        for w in &mut words {
            a = a.wrapping_add(le32(w));
            b = b.wrapping_add(a);
        }
        let mut tail = [0u8; 4];
        for (d, &s) in tail.iter_mut().zip(words.remainder()) {
            *d = s;
        }
        a = a.wrapping_add(u32::from_le_bytes(tail));
        b = b.wrapping_add(a);
        len = len.wrapping_add(part.len() as u32);
    }
    a = a.wrapping_add(len);
    b = b.wrapping_add(a);
    b.rotate_left(16) ^ a
}

/// The checksum a plan file carries in word 7: of every byte but that word's.
fn file_checksum(plan: &[u8]) -> Option<u32> {
    Some(checksum_of(&[plan.get(..28)?, plan.get(32..)?]))
}

/// A verified plan file: its tables, read where they are.
#[derive(Clone, Copy, Debug)]
pub struct PlanFile<'p> {
    /// Activation-area bytes.
    pub activation_bytes: usize,
    offsets: &'p [u8],
    op_plan: &'p [u8],
}

/// The little-endian `u32` of a 4-byte slice (any other length: `u32::MAX`, never used so).
fn le32(w: &[u8]) -> u32 {
    w.try_into().map_or(u32::MAX, u32::from_le_bytes)
}

fn word(bytes: &[u8], i: usize) -> Result<u32> {
    let at = i.checked_mul(4).ok_or(Error::BadPlan)?;
    let w = bytes.get(at..at.checked_add(4).ok_or(Error::BadPlan)?).ok_or(Error::BadPlan)?;
    Ok(le32(w))
}

impl<'p> PlanFile<'p> {
    /// Checks `plan` against `model_bytes` (the model it must have been made for, parsed as
    /// `model`). Errors: [`Error::BadPlan`] for a plan that is not one, is corrupted or
    /// belongs to another model.
    pub fn parse(plan: &'p [u8], model_bytes: &[u8], model: &Model<'_>) -> Result<PlanFile<'p>> {
        let bad = Error::BadPlan;
        if word(plan, 0)? != MAGIC || word(plan, 1)? != VERSION || word(plan, 8)? != 0 {
            return Err(bad);
        }
        let (buffers, ops) = (word(plan, 4)? as usize, word(plan, 5)? as usize);
        if buffers != crate::plan::num_buffers(model) || ops != model.num_operators() {
            return Err(bad);
        }
        let body = plan.get(HEADER_WORDS * 4..).ok_or(bad)?;
        let table = buffers.checked_mul(4).ok_or(bad)?;
        let runs = ops.checked_mul(2).ok_or(bad)?;
        if body.len() != table.checked_add(runs.next_multiple_of(4)).ok_or(bad)?
            || file_checksum(plan) != Some(word(plan, 7)?)
        {
            return Err(bad);
        }
        if word(plan, 2)? as usize != model_bytes.len() || word(plan, 3)? != checksum(model_bytes) {
            return Err(bad);
        }
        let activation_bytes = word(plan, 6)? as usize;
        let (offsets, rest) = body.split_at_checked(table).ok_or(bad)?;
        let op_plan = rest.get(..runs).ok_or(bad)?;
        let f = PlanFile { activation_bytes, offsets, op_plan };
        for b in 0..buffers {
            let o = f.offset(b);
            if o != NO_OFFSET && (o as usize % BUFFER_ALIGN != 0 || o as usize > activation_bytes) {
                return Err(bad);
            }
        }
        for o in 0..ops {
            let run = f.op_run(o);
            let known = run.is_skip() || run.variant().and_then(VariantId::from_u8).is_some();
            let pad_ok = run.fused_pad(o).is_none_or(|p| p < o);
            if !known || !pad_ok {
                return Err(bad);
            }
        }
        Ok(f)
    }

    /// Arena offset of buffer `b` ([`NO_OFFSET`] if none or out of range).
    pub fn offset(&self, b: usize) -> u32 {
        b.checked_mul(4).and_then(|at| self.offsets.get(at..at.checked_add(4)?)).map_or(NO_OFFSET, le32)
    }

    /// The run-plan entry of operator `o` (a skip if out of range).
    pub fn op_run(&self, o: usize) -> OpRun {
        o.checked_mul(2)
            .and_then(|at| self.op_plan.get(at..at.checked_add(2)?))
            .map_or(OpRun::SKIP, |w| OpRun::from_bits(w.try_into().map_or(u16::MAX, u16::from_le_bytes)))
    }
}

/// The plan file of `model_bytes` planned with `options` (host only).
#[cfg(feature = "std")]
pub fn write(model_bytes: &[u8], options: &crate::Options) -> Result<std::vec::Vec<u8>> {
    let d = crate::plan_details(model_bytes, options)?;
    let words = |v: usize| u32::try_from(v).map_err(|_| Error::TooLarge);
    let mut body = std::vec::Vec::new();
    for &o in &d.offsets {
        body.extend_from_slice(&o.to_le_bytes());
    }
    for r in &d.op_plan {
        body.extend_from_slice(&r.to_bits().to_le_bytes());
    }
    while body.len() % 4 != 0 {
        body.push(0);
    }
    let header = [
        MAGIC,
        VERSION,
        words(model_bytes.len())?,
        checksum(model_bytes),
        words(d.offsets.len())?,
        words(d.op_plan.len())?,
        words(d.activation_bytes)?,
        0, // the file checksum, below
        0,
    ];
    let mut out: std::vec::Vec<u8> = header.iter().flat_map(|w| w.to_le_bytes()).collect();
    out.extend_from_slice(&body);
    let sum = file_checksum(&out).ok_or(Error::Internal)?;
    out.get_mut(28..32).ok_or(Error::Internal)?.copy_from_slice(&sum.to_le_bytes());
    Ok(out)
}
