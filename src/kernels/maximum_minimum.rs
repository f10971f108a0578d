//! MAXIMUM and MINIMUM (int8, broadcasting), as TFLM's reference: the raw int8 values are
//! compared; nothing is requantized (TFLM's Prepare checks no quantization).

use super::add::Broadcast;
use super::io::Io;
use crate::tensor::Shape;
use crate::Result;

/// Prepared int8 MAXIMUM or MINIMUM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinMaxParams {
    broadcast: Broadcast,
    /// MAXIMUM (else MINIMUM).
    maximum: bool,
}

impl MinMaxParams {
    /// `output = max(input1, input2)` (or `min`) over broadcast-compatible shapes.
    pub fn new(maximum: bool, input1: Shape, input2: Shape, output: Shape) -> Result<MinMaxParams> {
        Ok(MinMaxParams { broadcast: Broadcast::new(input1, input2, output)?, maximum })
    }

    /// The broadcast plan.
    pub fn broadcast(&self) -> &Broadcast {
        &self.broadcast
    }
}

/// Int8 MAXIMUM / MINIMUM over the broadcast plan (forward, in-place-safe as ADD's).
pub fn maximum_minimum_s8(p: &MinMaxParams, io: &mut Io<'_>) -> Result<()> {
    if p.maximum {
        p.broadcast.run(io, |a, b| a.max(b))
    } else {
        p.broadcast.run(io, |a, b| a.min(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_raw_values_with_broadcast() {
        let s = |d: &[usize]| Shape::new(d).unwrap();
        let p = MinMaxParams::new(true, s(&[2, 2]), s(&[2]), s(&[2, 2])).unwrap();
        let mut out = [0i8; 4];
        maximum_minimum_s8(&p, &mut Io::split2(&[-5, 7, 100, -128], &[0, 10], &mut out)).unwrap();
        assert_eq!(out, [0, 10, 100, 10]);
        let p = MinMaxParams::new(false, s(&[2, 2]), s(&[2]), s(&[2, 2])).unwrap();
        maximum_minimum_s8(&p, &mut Io::split2(&[-5, 7, 100, -128], &[0, 10], &mut out)).unwrap();
        assert_eq!(out, [-5, 7, 0, -128]);
    }
}
