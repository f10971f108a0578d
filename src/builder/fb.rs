//! A minimal FlatBuffers *writer*: just enough of the binary format to emit TFLite models.
//!
//! The buffer is built back to front, as FlatBuffers intends: children (vectors, strings,
//! sub-tables) are written first and end up at higher addresses than the tables that point at
//! them, so every `uoffset` is a positive forward distance.
//!
//! Positions are kept as [`Off`]: the distance from the *end* of the finished buffer. They do not
//! move when the buffer grows at the front. Alignment is also measured from the end; `finish`
//! pads the front so that the total length is a multiple of the largest alignment ever
//! requested, which makes end-relative alignment equal to start-relative alignment.
//!
//! Layout rules followed (from the FlatBuffers binary format):
//! - scalars are little-endian and aligned to their size;
//! - a table starts with an `i32` soffset to its vtable (`vtable = table - soffset`); the vtable
//!   is `[u16 vtable bytes, u16 table bytes, u16 field offset per slot…]`, 0 = field absent;
//! - a vector is a `u32` element count followed by the elements, the elements aligned to
//!   `max(element size, requested alignment)`; a string is a vector of bytes plus a 0 byte;
//! - identical vtables are shared (the reader must accept soffsets of either sign).

/// A written object's position, counted in bytes from the end of the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Off(pub u32);

/// Back-to-front FlatBuffers writer.
pub struct FbWriter {
    /// Storage; the live bytes are `buf[head..]`.
    buf: Vec<u8>,
    head: usize,
    /// Largest alignment requested so far (the finished length is a multiple of it).
    min_align: usize,
    /// Fields of the table being built: (field id = vtable slot, position of the field).
    fields: Vec<(usize, u32)>,
    /// Size of the buffer when the current table was started.
    table_start: u32,
    /// Positions of every vtable written so far (for sharing identical ones).
    vtables: Vec<u32>,
}

impl Default for FbWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl FbWriter {
    /// An empty writer.
    pub fn new() -> Self {
        FbWriter {
            buf: vec![0; 1024],
            head: 1024,
            min_align: 4,
            fields: Vec::new(),
            table_start: 0,
            vtables: Vec::new(),
        }
    }

    /// Bytes written so far.
    pub fn size(&self) -> u32 {
        (self.buf.len() - self.head) as u32
    }

    /// Makes room for `n` more bytes in front of the live data.
    fn reserve(&mut self, n: usize) {
        if self.head >= n {
            return;
        }
        let used = self.buf.len() - self.head;
        let mut cap = self.buf.len().max(64);
        while cap - used < n {
            cap *= 2;
        }
        let mut grown = vec![0u8; cap];
        grown[cap - used..].copy_from_slice(&self.buf[self.head..]);
        self.buf = grown;
        self.head = cap - used;
    }

    /// Prepends raw bytes (no alignment).
    fn put(&mut self, bytes: &[u8]) {
        self.reserve(bytes.len());
        self.head -= bytes.len();
        self.buf[self.head..self.head + bytes.len()].copy_from_slice(bytes);
    }

    /// Prepends `n` zero bytes.
    fn pad(&mut self, n: usize) {
        self.reserve(n);
        self.head -= n;
        self.buf[self.head..self.head + n].fill(0);
    }

    /// Pads so that after `additional` more bytes the size is a multiple of `align`.
    fn prep(&mut self, align: usize, additional: usize) {
        self.min_align = self.min_align.max(align);
        let size = self.buf.len() - self.head + additional;
        let pad = (align - size % align) % align;
        self.pad(pad);
    }

    /// Prepends one aligned scalar given as its little-endian bytes; returns its position.
    fn scalar<const N: usize>(&mut self, le: [u8; N]) -> u32 {
        self.prep(N, 0);
        self.put(&le);
        self.size()
    }

    /// Prepends a `u32` offset pointing forward at `target`.
    fn uoffset(&mut self, target: Off) {
        self.prep(4, 0);
        let here = self.size() + 4;
        self.put(&here.wrapping_sub(target.0).to_le_bytes());
    }

    /// Writes a string (length, UTF-8 bytes, terminating 0).
    pub fn string(&mut self, s: &str) -> Off {
        self.prep(4, s.len() + 1);
        self.put(&[0]);
        self.put(s.as_bytes());
        self.put(&(s.len() as u32).to_le_bytes());
        Off(self.size())
    }

    /// Writes a vector of fixed-size elements given as concatenated little-endian bytes.
    /// `elem_size` is the element width; `align` the alignment of the first element (at least
    /// `elem_size`, e.g. 16 for TFLite buffer data).
    pub fn raw_vector(&mut self, bytes: &[u8], elem_size: usize, align: usize) -> Off {
        let count = bytes.len() / elem_size.max(1);
        self.prep(4, bytes.len());
        self.prep(align.max(elem_size).max(1), bytes.len());
        self.put(bytes);
        self.put(&(count as u32).to_le_bytes());
        Off(self.size())
    }

    /// Writes a vector of `i32`.
    pub fn vec_i32(&mut self, v: &[i32]) -> Off {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.raw_vector(&bytes, 4, 4)
    }

    /// Writes a vector of `f32`.
    pub fn vec_f32(&mut self, v: &[f32]) -> Off {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.raw_vector(&bytes, 4, 4)
    }

    /// Writes a vector of `i64` (8-byte aligned elements).
    pub fn vec_i64(&mut self, v: &[i64]) -> Off {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.raw_vector(&bytes, 8, 8)
    }

    /// Writes a vector of offsets to already written objects (tables or strings).
    pub fn vec_offsets(&mut self, items: &[Off]) -> Off {
        self.prep(4, 4 * items.len());
        for &item in items.iter().rev() {
            self.uoffset(item);
        }
        self.put(&(items.len() as u32).to_le_bytes());
        Off(self.size())
    }

    /// Starts a table. Its children must already be written; tables do not nest.
    pub fn start_table(&mut self) {
        self.fields.clear();
        self.table_start = self.size();
    }

    fn field(&mut self, slot: usize, pos: u32) {
        self.fields.push((slot, pos));
    }

    /// Adds a `u8`/enum field unless it equals the schema default.
    pub fn add_u8(&mut self, slot: usize, v: u8, default: u8) {
        if v != default {
            let p = self.scalar(v.to_le_bytes());
            self.field(slot, p);
        }
    }

    /// Adds an `i8` (`byte`) field unless it equals the schema default.
    pub fn add_i8(&mut self, slot: usize, v: i8, default: i8) {
        if v != default {
            let p = self.scalar(v.to_le_bytes());
            self.field(slot, p);
        }
    }

    /// Adds a `bool` field unless it equals the schema default.
    pub fn add_bool(&mut self, slot: usize, v: bool, default: bool) {
        self.add_u8(slot, u8::from(v), u8::from(default));
    }

    /// Adds an `i32` field unless it equals the schema default.
    pub fn add_i32(&mut self, slot: usize, v: i32, default: i32) {
        if v != default {
            let p = self.scalar(v.to_le_bytes());
            self.field(slot, p);
        }
    }

    /// Adds a `u32` field unless it equals the schema default.
    pub fn add_u32(&mut self, slot: usize, v: u32, default: u32) {
        if v != default {
            let p = self.scalar(v.to_le_bytes());
            self.field(slot, p);
        }
    }

    /// Adds an `f32` field unless it equals the schema default (bitwise).
    pub fn add_f32(&mut self, slot: usize, v: f32, default: f32) {
        if v.to_bits() != default.to_bits() {
            let p = self.scalar(v.to_le_bytes());
            self.field(slot, p);
        }
    }

    /// Adds an offset field pointing at an already written object.
    pub fn add_offset(&mut self, slot: usize, target: Off) {
        self.uoffset(target);
        let p = self.size();
        self.field(slot, p);
    }

    /// Finishes the table: writes its soffset and (or shares) its vtable.
    pub fn end_table(&mut self) -> Off {
        self.prep(4, 0);
        self.put(&0i32.to_le_bytes());
        let obj = self.size();
        let slots = self.fields.iter().map(|&(s, _)| s + 1).max().unwrap_or(0);
        let mut vt = vec![0u16; 2 + slots];
        vt[0] = (4 + 2 * slots) as u16;
        vt[1] = (obj - self.table_start) as u16;
        for &(slot, pos) in &self.fields {
            vt[2 + slot] = (obj - pos) as u16;
        }
        let vt_bytes: Vec<u8> = vt.iter().flat_map(|x| x.to_le_bytes()).collect();
        let existing = self.vtables.iter().copied().find(|&p| {
            let at = self.buf.len() - p as usize;
            self.buf.get(at..at + vt_bytes.len()) == Some(&vt_bytes[..])
        });
        let vt_pos = match existing {
            Some(p) => p,
            None => {
                self.put(&vt_bytes);
                let p = self.size();
                self.vtables.push(p);
                p
            }
        };
        // soffset = table address - vtable address = vt_pos - obj in end-relative positions.
        let soff = (i64::from(vt_pos) - i64::from(obj)) as i32;
        let at = self.buf.len() - obj as usize;
        self.buf[at..at + 4].copy_from_slice(&soff.to_le_bytes());
        self.fields.clear();
        Off(obj)
    }

    /// Writes the file identifier and the root offset and returns the finished bytes.
    pub fn finish(mut self, root: Off, identifier: &[u8; 4]) -> Vec<u8> {
        let align = self.min_align;
        self.prep(align, 8);
        self.put(identifier);
        self.uoffset(root);
        self.buf.split_off(self.head)
    }
}
