//! Bounds-checked reader of FlexBuffer maps: the format custom operators keep their options in
//! (`Operator.custom_options`).
//!
//! Only what operator options need: the root must be a map with string keys, and a value is
//! read as null (absent key), a signed or unsigned integer, a float or a bool, stored inline or
//! behind one indirection, 1, 2, 4 or 8 bytes wide (floats 4 or 8). Every read is checked
//! against the buffer and returns [`Error`] instead of panicking; no allocation. FlexBuffer
//! offsets point backwards, so a lookup always terminates.
//!
//! The conversions follow the FlexBuffers library's `AsInt32` / `AsFloat` / `AsBool`: an
//! absent key reads as 0, 0.0 or false; an integer read as a float is converted, a float read
//! as an integer is truncated toward zero.

use crate::error::{Error, Result};

/// Value type numbers of the FlexBuffers format (the upper six bits of a packed type byte).
pub mod fbt {
    pub const NULL: u8 = 0;
    pub const INT: u8 = 1;
    pub const UINT: u8 = 2;
    pub const FLOAT: u8 = 3;
    pub const KEY: u8 = 4;
    pub const STRING: u8 = 5;
    pub const INDIRECT_INT: u8 = 6;
    pub const INDIRECT_UINT: u8 = 7;
    pub const INDIRECT_FLOAT: u8 = 8;
    pub const MAP: u8 = 9;
    pub const VECTOR: u8 = 10;
    pub const BOOL: u8 = 26;
}

/// A scalar option value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// An absent key, or a stored null.
    Null,
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
}

impl Value {
    /// The value as a 64-bit integer (FlexBuffers' `AsInt64`: floats truncate toward zero,
    /// saturating; null and false are 0).
    pub fn as_i64(self) -> i64 {
        match self {
            Value::Null => 0,
            Value::Int(v) => v,
            Value::UInt(v) => v as i64,
            Value::Float(v) => v as i64,
            Value::Bool(b) => i64::from(b),
        }
    }

    /// The value as a 32-bit integer (`AsInt32`: the 64-bit value's low 32 bits).
    pub fn as_i32(self) -> i32 {
        self.as_i64() as i32
    }

    /// The value as a float (`AsFloat`: the double value rounded to float).
    pub fn as_f32(self) -> f32 {
        let d = match self {
            Value::Null => 0.0,
            Value::Int(v) => v as f64,
            Value::UInt(v) => v as f64,
            Value::Float(v) => v,
            Value::Bool(b) => f64::from(u8::from(b)),
        };
        d as f32
    }

    /// The value as a bool (`AsBool`: non-zero).
    pub fn as_bool(self) -> bool {
        match self {
            Value::Null => false,
            Value::Int(v) => v != 0,
            Value::UInt(v) => v != 0,
            Value::Float(v) => v as u64 != 0,
            Value::Bool(b) => b,
        }
    }

    /// True for [`Value::Null`] (an absent key).
    pub fn is_null(self) -> bool {
        matches!(self, Value::Null)
    }
}

/// Bytes `pos..pos + n` of `buf`.
fn slice(buf: &[u8], pos: usize, n: usize) -> Result<&[u8]> {
    let end = pos.checked_add(n).ok_or(Error::BadOffset)?;
    buf.get(pos..end).ok_or(Error::Truncated)
}

/// A little-endian unsigned integer of `width` (1, 2, 4 or 8) bytes at `pos`.
fn read_uint(buf: &[u8], pos: usize, width: usize) -> Result<u64> {
    let s = slice(buf, pos, width)?;
    let mut b = [0u8; 8];
    b.get_mut(..width).ok_or(Error::BadOffset)?.copy_from_slice(s);
    Ok(u64::from_le_bytes(b))
}

/// A little-endian signed integer of `width` bytes at `pos` (sign-extended).
fn read_int(buf: &[u8], pos: usize, width: usize) -> Result<i64> {
    let u = read_uint(buf, pos, width)?;
    let shift = 64u32.checked_sub(8u32.checked_mul(width as u32).ok_or(Error::BadOffset)?).ok_or(Error::BadOffset)?;
    Ok((u.wrapping_shl(shift) as i64).wrapping_shr(shift))
}

/// A float of `width` bytes (4 or 8) at `pos`.
fn read_float(buf: &[u8], pos: usize, width: usize) -> Result<f64> {
    match width {
        4 => Ok(f64::from(f32::from_bits(read_uint(buf, pos, 4)? as u32))),
        8 => Ok(f64::from_bits(read_uint(buf, pos, 8)?)),
        _ => Err(Error::BadOffset),
    }
}

/// The position an offset of `width` bytes stored at `pos` points to (backwards).
fn indirect(buf: &[u8], pos: usize, width: usize) -> Result<usize> {
    let off = usize::try_from(read_uint(buf, pos, width)?).map_err(|_| Error::BadOffset)?;
    pos.checked_sub(off).ok_or(Error::BadOffset)
}

/// The byte width a packed type's low two bits name.
fn packed_width(packed: u8) -> usize {
    match packed & 3 {
        0 => 1,
        1 => 2,
        2 => 4,
        _ => 8,
    }
}

/// A stored byte width (1, 2, 4 or 8), checked.
fn width_of(code: u64) -> Result<usize> {
    match code {
        1 | 2 | 4 | 8 => Ok(code as usize),
        _ => Err(Error::BadOffset),
    }
}

/// The bytes of the NUL-terminated key at `pos` (without the NUL).
fn key_at(buf: &[u8], pos: usize) -> Result<&[u8]> {
    let rest = buf.get(pos..).ok_or(Error::Truncated)?;
    let n = rest.iter().position(|&c| c == 0).ok_or(Error::Truncated)?;
    rest.get(..n).ok_or(Error::Truncated)
}

/// A verified FlexBuffer map (the root of an options buffer).
#[derive(Clone, Copy, Debug)]
pub struct Map<'a> {
    buf: &'a [u8],
    /// Position of value 0; values are `width` bytes apart, their type bytes follow them.
    pos: usize,
    width: usize,
    len: usize,
    /// Position of key offset 0, `keys_width` bytes apart.
    keys: usize,
    keys_width: usize,
}

impl<'a> Map<'a> {
    /// The root map of `buf`; an error if the root is not a map or its layout leaves `buf`.
    /// Every key is checked to be a NUL-terminated string inside `buf`.
    pub fn root(buf: &'a [u8]) -> Result<Map<'a>> {
        let n = buf.len();
        let root_width = width_of(u64::from(*buf.last().ok_or(Error::Truncated)?))?;
        let packed = *buf.get(n.checked_sub(2).ok_or(Error::Truncated)?).ok_or(Error::Truncated)?;
        if packed >> 2 != fbt::MAP {
            return Err(Error::BadOffset);
        }
        let width = packed_width(packed);
        let root = n.checked_sub(2).and_then(|e| e.checked_sub(root_width)).ok_or(Error::Truncated)?;
        let pos = indirect(buf, root, root_width)?;
        let len_at = pos.checked_sub(width).ok_or(Error::BadOffset)?;
        let len = usize::try_from(read_uint(buf, len_at, width)?).map_err(|_| Error::BadOffset)?;
        // The values and their type bytes must lie inside the buffer.
        let values = len.checked_mul(width).ok_or(Error::BadOffset)?;
        slice(buf, pos, values.checked_add(len).ok_or(Error::BadOffset)?)?;
        let keys_field = pos.checked_sub(width.checked_mul(3).ok_or(Error::BadOffset)?).ok_or(Error::BadOffset)?;
        let keys = indirect(buf, keys_field, width)?;
        let keys_width = width_of(read_uint(buf, keys_field.checked_add(width).ok_or(Error::BadOffset)?, width)?)?;
        let keys_len_at = keys.checked_sub(keys_width).ok_or(Error::BadOffset)?;
        let keys_len = read_uint(buf, keys_len_at, keys_width)?;
        if keys_len != len as u64 {
            return Err(Error::BadOffset);
        }
        slice(buf, keys, len.checked_mul(keys_width).ok_or(Error::BadOffset)?)?;
        let m = Map { buf, pos, width, len, keys, keys_width };
        for i in 0..len {
            m.key(i)?;
        }
        Ok(m)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Key `i` (bytes without the NUL).
    pub fn key(&self, i: usize) -> Result<&'a [u8]> {
        let at = i.checked_mul(self.keys_width).and_then(|o| o.checked_add(self.keys)).ok_or(Error::BadOffset)?;
        key_at(self.buf, indirect(self.buf, at, self.keys_width)?)
    }

    /// Value `i`.
    pub fn value(&self, i: usize) -> Result<Value> {
        if i >= self.len {
            return Err(Error::InvalidArgument);
        }
        let w = self.width;
        let at = i.checked_mul(w).and_then(|o| o.checked_add(self.pos)).ok_or(Error::BadOffset)?;
        let types = self.len.checked_mul(w).and_then(|o| o.checked_add(self.pos)).ok_or(Error::BadOffset)?;
        let packed = *self.buf.get(types.checked_add(i).ok_or(Error::BadOffset)?).ok_or(Error::Truncated)?;
        // An indirect value's own width is the packed type's low bits.
        let own = packed_width(packed);
        let b = self.buf;
        Ok(match packed >> 2 {
            fbt::NULL => Value::Null,
            fbt::INT => Value::Int(read_int(b, at, w)?),
            fbt::UINT => Value::UInt(read_uint(b, at, w)?),
            fbt::FLOAT => Value::Float(read_float(b, at, w)?),
            fbt::BOOL => Value::Bool(read_uint(b, at, w)? != 0),
            fbt::INDIRECT_INT => Value::Int(read_int(b, indirect(b, at, w)?, own)?),
            fbt::INDIRECT_UINT => Value::UInt(read_uint(b, indirect(b, at, w)?, own)?),
            fbt::INDIRECT_FLOAT => Value::Float(read_float(b, indirect(b, at, w)?, own)?),
            _ => return Err(Error::BadOffset),
        })
    }

    /// The value of `key` ([`Value::Null`] when absent), found by binary search over the
    /// sorted keys as the FlexBuffers library does.
    pub fn get(&self, key: &[u8]) -> Result<Value> {
        let (mut lo, mut hi) = (0usize, self.len);
        while lo < hi {
            let mid = lo.checked_add(hi.checked_sub(lo).ok_or(Error::Internal)? / 2).ok_or(Error::Internal)?;
            match key.cmp(self.key(mid)?) {
                core::cmp::Ordering::Equal => return self.value(mid),
                core::cmp::Ordering::Less => hi = mid,
                core::cmp::Ordering::Greater => lo = mid.checked_add(1).ok_or(Error::Internal)?,
            }
        }
        Ok(Value::Null)
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    /// A map `{"a": Int(-3) (1 byte), "bb": Float(0.5) (4 bytes), "c": Bool(true)}` laid out by
    /// hand, element width 4 (so the int is stored 4 bytes wide).
    fn sample() -> Vec<u8> {
        let mut b = Vec::new();
        // keys
        let ka = b.len();
        b.extend_from_slice(b"a\0");
        let kbb = b.len();
        b.extend_from_slice(b"bb\0");
        let kc = b.len();
        b.extend_from_slice(b"c\0");
        // keys vector, width 1: size then 3 offsets
        b.push(3);
        let keys = b.len();
        for (i, k) in [ka, kbb, kc].into_iter().enumerate() {
            b.push((keys + i - k) as u8);
        }
        while b.len() % 4 != 0 {
            b.push(0);
        }
        // map prefix (width 4): keys offset, keys width, size
        let kf = b.len();
        b.extend_from_slice(&((kf - keys) as u32).to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&3u32.to_le_bytes());
        let map = b.len();
        b.extend_from_slice(&(-3i32).to_le_bytes());
        b.extend_from_slice(&0.5f32.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&[fbt::INT << 2, (fbt::FLOAT << 2) | 2, fbt::BOOL << 2]);
        // root: offset to the map (width 1), packed type MAP with width 4, root width 1
        let root = b.len();
        b.push((root - map) as u8);
        b.push((fbt::MAP << 2) | 2);
        b.push(1);
        b
    }

    #[test]
    fn reads_a_hand_made_map() {
        let b = sample();
        let m = Map::root(&b).unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m.get(b"a").unwrap(), Value::Int(-3));
        assert_eq!(m.get(b"bb").unwrap(), Value::Float(0.5));
        assert_eq!(m.get(b"c").unwrap(), Value::Bool(true));
        assert_eq!(m.get(b"zz").unwrap(), Value::Null);
        assert_eq!(m.get(b"").unwrap(), Value::Null);
        assert_eq!(m.get(b"b").unwrap(), Value::Null);
        assert_eq!(m.get(b"a").unwrap().as_f32(), -3.0);
        assert_eq!(m.get(b"bb").unwrap().as_i32(), 0);
        assert!(m.get(b"c").unwrap().as_bool());
        assert_eq!(m.get(b"nope").unwrap().as_i32(), 0);
        assert!(m.get(b"nope").unwrap().is_null());
    }

    #[test]
    fn conversions_follow_flexbuffers() {
        assert_eq!(Value::Float(-2.9).as_i32(), -2);
        assert_eq!(Value::UInt(u64::MAX).as_i64(), -1);
        assert_eq!(Value::Int(0x1_0000_0005).as_i32(), 5);
        assert_eq!(Value::Bool(true).as_f32(), 1.0);
        assert!(!Value::Float(0.0).as_bool());
        assert!(Value::Int(-1).as_bool());
        assert_eq!(Value::Float(0.1).as_f32(), 0.1f32);
    }

    #[test]
    fn every_truncation_is_an_error() {
        let b = sample();
        for n in 0..b.len() {
            // A prefix moves the root: it must fail or at worst read a map fully inside it.
            if let Ok(m) = Map::root(&b[..n]) {
                for i in 0..m.len() {
                    let _ = m.value(i);
                }
            }
        }
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let b = sample();
        // Every single-byte change, to several values: errors or values, never a panic.
        for i in 0..b.len() {
            for v in [0u8, 1, 2, 3, 0x7f, 0x80, 0xfe, 0xff] {
                let mut c = b.clone();
                c[i] = v;
                if let Ok(m) = Map::root(&c) {
                    for k in [&b"a"[..], b"bb", b"c", b"x"] {
                        let _ = m.get(k);
                    }
                }
            }
        }
        assert!(Map::root(&[]).is_err());
        assert!(Map::root(&[1]).is_err());
        assert!(Map::root(&[0, 0x24, 1]).is_err());
        // Root width 3 is not a width.
        assert!(Map::root(&[0, 0, 0, 0x24, 3]).is_err());
        // Not a map: an int root.
        assert!(Map::root(&[5, fbt::INT << 2, 1]).is_err());
        // A map whose offset points before the buffer.
        assert!(Map::root(&[200, (fbt::MAP << 2), 1]).is_err());
    }

    #[test]
    fn a_size_past_the_end_is_an_error() {
        let mut b = sample();
        let n = b.len();
        // The map's size field is the 4 bytes before the values: make it huge.
        let map = n - 3 - b[n - 3] as usize;
        b[map - 4..map].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Map::root(&b).is_err());
    }
}
