//! LOGISTIC and TANH on int16 tensors, bit-exact with TFLM's int16 reference kernels: both
//! interpolate one table of `σ(i/24)` (Q0.16, 256 entries; `tanh(x) = 2σ(2x) − 1`).
//!
//! The input is brought to steps of 1/4096 of `3/4 ×` the input range ([`Sigmoid16Params`]:
//! a power-of-two input scale takes a fixed multiplier of 3, any other scale an integer
//! multiplier below 32768 and a rounding right shift). The magnitude's top bits pick the
//! entry, the low 9 (LOGISTIC) or 8 (TANH) bits interpolate to the next; the sign restores
//! `1 − σ` (or `−tanh`), and the result is rounded back to Q0.15. Zero points are 0 and the
//! output scale is 1/32768, as TFLM requires.
//!
//! The table: entry `i` is `round(65536·σ(i/24) + e_i/2)`, `e_i` the largest amount by which
//! `σ` exceeds the straight line from entry `i` to `i + 1` (so interpolation errs by at most
//! half of it either way), the last entry 65535. [`sigmoid_entry`] computes it; a test checks
//! the constants.

use super::conv16::{io_get16, io_set16};
use super::io::Io;
use crate::{Error, Result};

/// Prepared int16 LOGISTIC or TANH.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sigmoid16Params {
    tanh: bool,
    multiplier: i32,
    left_shift: i32,
    len: usize,
}

/// `(round(log2 x), |fraction| < 1e-3)` in float, as TFLM's `CheckedLog2`.
fn checked_log2(x: f32) -> (i32, bool) {
    let l = libm::logf(x) * (1.0f32 / libm::logf(2.0));
    let r = libm::roundf(l);
    (r as i32, libm::fabsf(l - r) < 1e-3)
}

impl Sigmoid16Params {
    /// TFLM's int16 LOGISTIC (`tanh` false) or TANH Prepare for `len` values: zero points 0,
    /// output scale 2^-15, input scale finite and positive. Errors: [`Error::InvalidArgument`].
    pub fn new(
        tanh: bool,
        input_scale: f32,
        input_zp: i32,
        output_scale: f32,
        output_zp: i32,
        len: usize,
    ) -> Result<Sigmoid16Params> {
        // TFLM expects the multiplier below 2^15 (a debug check); larger ones (input scales
        // above about 2.7) would overflow its 32-bit product, so they are refused.
        let fine = |s: f32| s.is_finite() && s > 0.0;
        if input_zp != 0 || output_zp != 0 || !fine(input_scale) || !fine(output_scale) {
            return Err(Error::InvalidArgument);
        }
        let (out_log2, out_pot) = checked_log2(output_scale);
        if !out_pot || out_log2 != -15 {
            return Err(Error::InvalidArgument);
        }
        let (in_log2, pot) = checked_log2(input_scale);
        let shift = 12 + in_log2;
        let pot = pot && (shift == 0 || (tanh && shift == 1));
        let (multiplier, left_shift) = if pot {
            // The kernel then uses 3 << shift, no shift.
            (3 << shift, 0)
        } else {
            let mut m = input_scale as f64 * 4096.0 * 3.0;
            let mut s = 0;
            while m <= 32767.0 / 2.0 && s <= 30 {
                s += 1;
                m *= 2.0;
            }
            (m as i32, s)
        };
        if !(0..=32767).contains(&multiplier) {
            return Err(Error::InvalidArgument);
        }
        Ok(Sigmoid16Params { tanh, multiplier, left_shift, len })
    }
}

impl Sigmoid16Params {
    /// True for TANH, false for LOGISTIC.
    pub fn is_tanh(&self) -> bool {
        self.tanh
    }
}

/// Entry `i` of the table (see the module docs), from 512 samples of each interval.
pub fn sigmoid_entry(i: usize) -> u16 {
    if i >= 255 {
        return u16::MAX;
    }
    let s = |x: f64| 65536.0 / (1.0 + libm::exp(-x));
    let (a, b) = (s(i as f64 / 24.0), s((i + 1) as f64 / 24.0));
    let mut e = f64::MIN;
    for k in 0..=512 {
        let t = k as f64 / 512.0;
        e = e.max(s((i as f64 + t) / 24.0) - (a * (1.0 - t) + b * t));
    }
    libm::round(a + e / 2.0) as u16
}

/// LOGISTIC or TANH over `len` int16 values (little-endian bytes) from input 0 of `io`, walking
/// forward: element `i` is read before it is written, so the output may share the input's
/// bytes from its start or before.
pub fn sigmoid_s16(p: &Sigmoid16Params, io: &mut Io<'_>) -> Result<()> {
    if io.input_len(0) < 2 * p.len || io.output_len() < 2 * p.len {
        return Err(Error::InvalidArgument);
    }
    for i in 0..p.len {
        let y = p.one(io_get16(io, 0, i));
        io_set16(io, i, y);
    }
    Ok(())
}

impl Sigmoid16Params {
    /// One value.
    #[inline(always)]
    fn one(&self, x: i32) -> i16 {
        let round = if self.left_shift > 0 { 1i32 << (self.left_shift - 1) } else { 0 };
        let v = x.wrapping_mul(self.multiplier).wrapping_add(round) >> self.left_shift;
        let a = v.unsigned_abs();
        if self.tanh {
            let r = match SIGMOID.get((a >> 8) as usize..(a >> 8) as usize + 2) {
                Some(&[ua, ub]) if a >> 8 < 255 => {
                    let (ua, ub) = (ua as u32, ub as u32);
                    ((ua << 8).wrapping_add((a & 0xff).wrapping_mul(ub.wrapping_sub(ua)))) as i32
                }
                _ => 0xFFFF << 8,
            };
            let r = if v >= 0 { r - (1 << 23) + (1 << 7) } else { -r + (1 << 23) + (1 << 7) - 1 };
            (r >> 8) as i16
        } else {
            let r = match SIGMOID.get((a >> 9) as usize..(a >> 9) as usize + 2) {
                Some(&[ua, ub]) if a >> 9 < 255 => {
                    let (ua, ub) = (ua as u32, ub as u32);
                    (ua << 9).wrapping_add((a & 0x1ff).wrapping_mul(ub.wrapping_sub(ua)))
                }
                _ => 0x7FFF << 10,
            };
            let r =
                if v >= 0 { r.wrapping_add(1 << 9) } else { (1u32 << 25).wrapping_sub(r).wrapping_add((1 << 9) - 1) };
            (r >> 10) as i16
        }
    }
}

/// `σ(i/24)` in Q0.16, interpolation-corrected ([`sigmoid_entry`]).
#[rustfmt::skip]
const SIGMOID: [u16; 256] = [
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
    43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
    51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
    61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
    64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
    65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
    65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
    65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_its_formula() {
        for (i, &v) in SIGMOID.iter().enumerate() {
            assert_eq!(v, sigmoid_entry(i), "entry {i}");
        }
    }

    #[test]
    fn zero_maps_to_half_and_zero() {
        // 0 and, in place, 4096 (1.0 at scale 2^-12): σ(1) = 0.73106 → 23955.5 of 32768, the table entry 24 rounded up.
        let mut buf = [0i8, 0, 0, 16];
        let p = Sigmoid16Params::new(false, 1.0 / 4096.0, 0, 1.0 / 32768.0, 0, 2).unwrap();
        let shared = [super::super::io::Src::Shared { offset: 0, len: 4 }, super::super::io::Src::Slice(&[])];
        let mut io = Io::shared(&mut buf, 0, 4, shared).unwrap();
        sigmoid_s16(&p, &mut io).unwrap();
        assert_eq!(
            [i16::from_le_bytes([buf[0] as u8, buf[1] as u8]), i16::from_le_bytes([buf[2] as u8, buf[3] as u8])],
            [16384, 23956]
        );
        let input = [0i8; 2];
        let mut out = [0i8; 2];
        let p = Sigmoid16Params::new(true, 1.0 / 4096.0, 0, 1.0 / 32768.0, 0, 1).unwrap();
        sigmoid_s16(&p, &mut Io::split(&input, &mut out)).unwrap();
        assert_eq!(i16::from_le_bytes([out[0] as u8, out[1] as u8]), 0);
        // Output scale other than 2^-15, or a zero point: refused as TFLM refuses them.
        assert!(Sigmoid16Params::new(true, 1.0 / 4096.0, 0, 1.0 / 16384.0, 0, 1).is_err());
        assert!(Sigmoid16Params::new(true, 1.0 / 4096.0, 3, 1.0 / 32768.0, 0, 1).is_err());
    }
}
