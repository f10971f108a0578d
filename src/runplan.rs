//! What init leaves in the arena for invoke: one offset per buffer and one entry per operator.
//!
//! The planner ([`crate::plan`]) writes these tables; the executor ([`crate::exec`]) reads
//! them. Neither needs the other: this module is the contract between them.
//!
//! Buffers are numbered `0..num_tensors` for the tensors of subgraph 0, then
//! `num_tensors..num_tensors + num_ops` for each operator's scratch.

/// Offset value of a buffer that needs no arena bytes (constant, aliased, unused or empty).
pub const NO_OFFSET: u32 = u32::MAX;

/// Alignment of every buffer offset inside the activation area.
pub const BUFFER_ALIGN: usize = 4;

/// How the interpreter runs one operator: one `u16` run-plan entry, decided at init so that
/// invoke does no planning work.
///
/// Low byte: the id of the kernel variant that runs the operator (`crate::variants::VariantId`
/// as a byte), or 0xff for an operator that does not run (a PAD folded into its consumer, an
/// aliased RESHAPE/SQUEEZE). High byte: bit 7 set when the operator runs row by row inside a
/// fused segment together with the next running operator (`crate::tiling`: a segment is a run
/// of entries with the bit, closed by the first running entry without it); bits 0..=6: how
/// many operators back the PAD folded into this one sits (1..=127), or 0 when none is (a PAD
/// further back is not folded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpRun(u16);

impl OpRun {
    /// Low byte of a skipped operator.
    const SKIP_BITS: u8 = 0xff;
    /// Skip the operator.
    pub const SKIP: OpRun = OpRun(Self::SKIP_BITS as u16);

    /// Run variant `v` (not 0xff), nothing folded in.
    pub const fn run(v: u8) -> OpRun {
        OpRun(v as u16)
    }
    /// The entry as stored in the arena.
    pub const fn to_bits(self) -> u16 {
        self.0
    }
    /// An entry as stored in the arena.
    pub const fn from_bits(bits: u16) -> OpRun {
        OpRun(bits)
    }
    /// True for a skipped operator.
    pub fn is_skip(self) -> bool {
        self.0 & 0xff == Self::SKIP_BITS as u16
    }
    /// Bit of the "streams into the next operator" flag.
    const STREAM: u16 = 0x8000;
    /// Bits of the folded PAD's distance.
    const PAD_BACK: u16 = 0x7f00;

    /// The same entry with the PAD operator `pad` folded into operator `op`; `None` when the
    /// PAD is not 1..=127 operators before `op`.
    pub fn with_fused_pad(self, op: usize, pad: usize) -> Option<OpRun> {
        let back = u8::try_from(op.checked_sub(pad)?).ok().filter(|&b| b > 0 && b <= 0x7f)?;
        Some(OpRun((self.0 & !Self::PAD_BACK) | u16::from(back) << 8))
    }
    /// The PAD operator folded into operator `op`, if any.
    pub fn fused_pad(self, op: usize) -> Option<usize> {
        match (self.0 & Self::PAD_BACK) >> 8 {
            0 => None,
            back => op.checked_sub(usize::from(back)),
        }
    }
    /// The same entry running inside a fused segment, not as its last operator.
    pub fn with_stream(self) -> OpRun {
        OpRun(self.0 | Self::STREAM)
    }
    /// True when the operator runs inside a fused segment and is not its last operator.
    pub fn streams(self) -> bool {
        self.0 & Self::STREAM != 0 && !self.is_skip()
    }
    /// The same entry running variant `v`.
    pub fn with_variant(self, v: u8) -> OpRun {
        OpRun((self.0 & 0xff00) | u16::from(v))
    }
    /// The variant the plan chose (`None` for a skipped operator).
    pub fn variant(self) -> Option<u8> {
        let v = (self.0 & 0xff) as u8;
        (v != Self::SKIP_BITS).then_some(v)
    }
}

/// The persistent offset table: `u16` in units of [`BUFFER_ALIGN`] bytes when the activation
/// area is below 256 KiB, else `u32` bytes. [`NO_OFFSET`] for buffers without bytes.
#[derive(Clone, Copy, Debug)]
pub enum Offsets<'a> {
    Narrow(&'a [u16]),
    Wide(&'a [u32]),
}

/// Largest activation area a narrow offset table can address.
pub const NARROW_LIMIT: usize = 0xfffe * BUFFER_ALIGN;

impl Offsets<'_> {
    /// Bytes per entry for an activation area of `activation_bytes`.
    pub const fn width(activation_bytes: usize) -> usize {
        if activation_bytes <= NARROW_LIMIT {
            2
        } else {
            4
        }
    }

    /// Entry width in bytes (2 or 4), address of the first entry and number of entries.
    pub fn raw(&self) -> (usize, usize, usize) {
        match self {
            Offsets::Narrow(t) => (2, t.as_ptr() as usize, t.len()),
            Offsets::Wide(t) => (4, t.as_ptr() as usize, t.len()),
        }
    }

    /// Offset of buffer `b` ([`NO_OFFSET`] if none or out of range).
    #[inline]
    pub fn get(&self, b: usize) -> u32 {
        match self {
            // A narrow entry is at most 0xfffe units of 4 bytes: the product fits a `u32`.
            Offsets::Narrow(t) => match t.get(b) {
                Some(&v) if v != u16::MAX => u32::from(v).saturating_mul(BUFFER_ALIGN as u32),
                _ => NO_OFFSET,
            },
            Offsets::Wide(t) => t.get(b).copied().unwrap_or(NO_OFFSET),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip() {
        let v = 2;
        let e = OpRun::run(v).with_fused_pad(7, 6).unwrap();
        assert_eq!((e.variant(), e.fused_pad(7), e.is_skip()), (Some(v), Some(6), false));
        assert_eq!(OpRun::from_bits(e.to_bits()), e);
        assert_eq!(e.with_variant(0).fused_pad(7), Some(6));
        assert!(OpRun::run(v).with_fused_pad(300, 7).is_none());
        assert!(OpRun::run(v).with_fused_pad(200, 7).is_none());
        let s = e.with_stream();
        assert!(s.streams() && !e.streams() && !OpRun::SKIP.with_stream().streams());
        assert_eq!((s.variant(), s.fused_pad(7)), (Some(v), Some(6)));
        assert!(OpRun::run(v).with_fused_pad(3, 3).is_none());
        assert!(OpRun::SKIP.is_skip() && OpRun::SKIP.variant().is_none());
        assert_eq!(OpRun::run(v).fused_pad(0), None);
    }
}
