//! Bounds-checked flatbuffer primitives over untrusted bytes.
//!
//! Every read checks its range and returns [`Error`] instead of panicking. The bytes may start at
//! any address: values are decoded with `from_le_bytes`, never by pointer casts. Offsets in a
//! flatbuffer are unsigned and point forward (tables, vectors, strings) or are signed only for
//! vtables, so a walk over a fixed schema always terminates.

use crate::error::{Error, Result};

#[inline]
fn bytes<const N: usize>(buf: &[u8], pos: usize) -> Result<[u8; N]> {
    let end = add(pos, N)?;
    buf.get(pos..end).and_then(|s| s.try_into().ok()).ok_or(Error::Truncated)
}

#[inline]
pub(crate) fn read_u16(buf: &[u8], pos: usize) -> Result<u16> {
    bytes::<2>(buf, pos).map(u16::from_le_bytes)
}

#[inline]
pub(crate) fn read_u32(buf: &[u8], pos: usize) -> Result<u32> {
    bytes::<4>(buf, pos).map(u32::from_le_bytes)
}

/// `a + b` as a position in the buffer; [`Error::BadOffset`] on overflow.
#[inline]
fn add(a: usize, b: usize) -> Result<usize> {
    a.checked_add(b).ok_or(Error::BadOffset)
}

/// `a × b` as a byte count; [`Error::BadOffset`] on overflow.
#[inline]
fn mul(a: usize, b: usize) -> Result<usize> {
    a.checked_mul(b).ok_or(Error::BadOffset)
}

/// Follows the unsigned offset stored at `pos` (relative to `pos`).
#[inline]
fn follow(buf: &[u8], pos: usize) -> Result<usize> {
    let off = read_u32(buf, pos)? as usize;
    let target = add(pos, off)?;
    if target >= buf.len() {
        return Err(Error::BadOffset);
    }
    Ok(target)
}

/// A table: its position and the extent of its vtable.
#[derive(Clone, Copy, Debug)]
pub struct Table<'a> {
    buf: &'a [u8],
    pos: usize,
    vtable: usize,
    vtable_len: usize,
    object_len: usize,
}

impl<'a> Table<'a> {
    /// The table at byte `pos`, with its vtable checked.
    pub fn at(buf: &'a [u8], pos: usize) -> Result<Table<'a>> {
        // The vtable sits at `pos − soff` (a signed offset).
        let soff = read_u32(buf, pos)? as i32;
        let vtable = soff
            .checked_neg()
            .and_then(|d| pos.checked_add_signed(d as isize))
            .filter(|&v| v < buf.len())
            .ok_or(Error::BadOffset)?;
        let vtable_len = read_u16(buf, vtable)? as usize;
        let object_len = read_u16(buf, add(vtable, 2)?)? as usize;
        if vtable_len < 4 || vtable_len % 2 != 0 || object_len < 4 {
            return Err(Error::BadVtable);
        }
        if vtable.checked_add(vtable_len).is_none_or(|e| e > buf.len())
            || pos.checked_add(object_len).is_none_or(|e| e > buf.len())
        {
            return Err(Error::Truncated);
        }
        Ok(Table { buf, pos, vtable, vtable_len, object_len })
    }

    /// The root table of a buffer.
    pub fn root(buf: &'a [u8]) -> Result<Table<'a>> {
        let pos = follow(buf, 0)?;
        Table::at(buf, pos)
    }

    /// Byte position of field `id` inside the table, if present; checks it holds `size` bytes.
    fn field(&self, id: usize, size: usize) -> Result<Option<usize>> {
        let slot = add(4, mul(2, id)?)?;
        if add(slot, 2)? > self.vtable_len {
            return Ok(None);
        }
        let off = read_u16(self.buf, add(self.vtable, slot)?)? as usize;
        if off == 0 {
            return Ok(None);
        }
        if off < 4 || add(off, size)? > self.object_len {
            return Err(Error::BadVtable);
        }
        add(self.pos, off).map(Some)
    }

    /// A `u8`/`bool`/`byte` field, or `default`.
    pub fn u8(&self, id: usize, default: u8) -> Result<u8> {
        match self.field(id, 1)? {
            Some(p) => bytes::<1>(self.buf, p).map(|[b]| b),
            None => Ok(default),
        }
    }

    /// An `i8` (schema `byte`) field, or `default`.
    pub fn i8(&self, id: usize, default: i8) -> Result<i8> {
        self.u8(id, default as u8).map(|v| v as i8)
    }

    /// A `bool` field, or `default`.
    pub fn bool(&self, id: usize, default: bool) -> Result<bool> {
        self.u8(id, default as u8).map(|v| v != 0)
    }

    /// A `u32` field, or `default`.
    pub fn u32(&self, id: usize, default: u32) -> Result<u32> {
        match self.field(id, 4)? {
            Some(p) => read_u32(self.buf, p),
            None => Ok(default),
        }
    }

    /// An `i32` field, or `default`.
    pub fn i32(&self, id: usize, default: i32) -> Result<i32> {
        self.u32(id, default as u32).map(|v| v as i32)
    }

    /// An `f32` field, or `default`.
    pub fn f32(&self, id: usize, default: f32) -> Result<f32> {
        self.u32(id, default.to_bits()).map(f32::from_bits)
    }

    /// A `u64` field, or `default`.
    pub fn u64(&self, id: usize, default: u64) -> Result<u64> {
        match self.field(id, 8)? {
            Some(p) => bytes::<8>(self.buf, p).map(u64::from_le_bytes),
            None => Ok(default),
        }
    }

    /// A sub-table field.
    pub fn table(&self, id: usize) -> Result<Option<Table<'a>>> {
        match self.field(id, 4)? {
            Some(p) => Table::at(self.buf, follow(self.buf, p)?).map(Some),
            None => Ok(None),
        }
    }

    /// A vector field whose elements are `elem_size` bytes each.
    pub fn vector(&self, id: usize, elem_size: usize) -> Result<Option<Vector<'a>>> {
        match self.field(id, 4)? {
            Some(p) => Vector::at(self.buf, follow(self.buf, p)?, elem_size).map(Some),
            None => Ok(None),
        }
    }

    /// A string field, as raw bytes (names are informative only, not required to be UTF-8).
    pub fn string(&self, id: usize) -> Result<Option<&'a [u8]>> {
        Ok(self.vector(id, 1)?.map(|v| v.bytes()))
    }
}

/// A vector: element count and the bytes of its elements.
#[derive(Clone, Copy, Debug)]
pub struct Vector<'a> {
    buf: &'a [u8],
    start: usize,
    len: usize,
    elem_size: usize,
}

/// A vector's position without the buffer it lives in (8 bytes; for compact long-lived views).
#[derive(Clone, Copy, Debug, Default)]
pub struct VecRef {
    start: u32,
    len: u32,
}

impl<'a> Vector<'a> {
    /// The compact position of this vector (the buffer is supplied again by [`Vector::at_ref`]).
    pub fn to_ref(&self) -> VecRef {
        VecRef { start: self.start as u32, len: self.len as u32 }
    }
}

impl VecRef {
    /// Its two numbers (for the interpreter handle's checksum).
    pub fn words(&self) -> [u32; 2] {
        [self.start, self.len]
    }
}

impl<'a> Vector<'a> {
    /// The vector at a compact position in `buf`, re-checked against `buf`'s length.
    pub fn at_ref(buf: &'a [u8], r: VecRef, elem_size: usize) -> Vector<'a> {
        let (start, len) = (r.start as usize, r.len as usize);
        let fits = len.checked_mul(elem_size).and_then(|n| n.checked_add(start)).is_some_and(|e| e <= buf.len());
        if fits {
            Vector { buf, start, len, elem_size }
        } else {
            Vector { buf, start: 0, len: 0, elem_size }
        }
    }

    fn at(buf: &'a [u8], pos: usize, elem_size: usize) -> Result<Vector<'a>> {
        let len = read_u32(buf, pos)? as usize;
        let start = add(pos, 4)?;
        let total = mul(len, elem_size)?;
        if start.checked_add(total).is_none_or(|e| e > buf.len()) {
            return Err(Error::Truncated);
        }
        Ok(Vector { buf, start, len, elem_size })
    }

    /// Byte position of element `i`, checked against the length and the element size.
    fn element(&self, i: usize, elem_size: usize) -> Result<usize> {
        if i >= self.len || self.elem_size != elem_size {
            return Err(Error::BadOffset);
        }
        add(self.start, mul(elem_size, i)?)
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the vector has no element.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The elements' bytes (`len × elem_size`, checked at construction).
    pub fn bytes(&self) -> &'a [u8] {
        let end = self.len.checked_mul(self.elem_size).and_then(|n| n.checked_add(self.start));
        end.and_then(|end| self.buf.get(self.start..end)).unwrap_or(&[])
    }

    /// Byte position of the vector's data inside the whole buffer.
    pub fn data_offset(&self) -> usize {
        self.start
    }

    /// Element `i` as `u32`/`i32` (for 4-byte vectors).
    pub fn u32(&self, i: usize) -> Result<u32> {
        read_u32(self.buf, self.element(i, 4)?)
    }

    /// Element `i` as `i32`.
    pub fn i32(&self, i: usize) -> Result<i32> {
        self.u32(i).map(|v| v as i32)
    }

    /// Element `i` as `i64` (for 8-byte vectors).
    pub fn i64(&self, i: usize) -> Result<i64> {
        bytes::<8>(self.buf, self.element(i, 8)?).map(i64::from_le_bytes)
    }

    /// Element `i` of a vector of tables.
    pub fn table(&self, i: usize) -> Result<Table<'a>> {
        Table::at(self.buf, follow(self.buf, self.element(i, 4)?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_offset_out_of_bounds() {
        assert_eq!(Table::root(&[0xff, 0, 0, 0]).err(), Some(Error::BadOffset));
        assert_eq!(Table::root(&[1, 0]).err(), Some(Error::Truncated));
    }
}
