//! A FlexBuffer map writer for custom operators' options (host-only; the reader is
//! [`crate::schema::flexbuf`]).

use crate::schema::flexbuf::fbt;

/// One option value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FlexValue {
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
    Null,
}

/// A map of string keys to scalars, written as the root of a FlexBuffer. Keys are sorted on
/// [`FlexMap::finish`], as readers binary-search them.
#[derive(Clone, Debug, Default)]
pub struct FlexMap {
    entries: Vec<(String, FlexValue)>,
}

impl FlexMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value` (replacing an earlier value of the key).
    pub fn set(&mut self, key: &str, value: FlexValue) -> &mut Self {
        self.entries.retain(|(k, _)| k != key);
        self.entries.push((key.to_string(), value));
        self
    }

    /// An int value.
    pub fn int(&mut self, key: &str, v: i64) -> &mut Self {
        self.set(key, FlexValue::Int(v))
    }

    /// A float value (stored as a 4-byte float unless [`FlexMap::finish_wide`]).
    pub fn float(&mut self, key: &str, v: f32) -> &mut Self {
        self.set(key, FlexValue::Float(f64::from(v)))
    }

    /// A bool value.
    pub fn bool(&mut self, key: &str, v: bool) -> &mut Self {
        self.set(key, FlexValue::Bool(v))
    }

    /// The FlexBuffer bytes, values 4 bytes wide (floats as float32).
    pub fn finish(&self) -> Vec<u8> {
        self.encode(4)
    }

    /// The FlexBuffer bytes, values 8 bytes wide (floats as float64).
    pub fn finish_wide(&self) -> Vec<u8> {
        self.encode(8)
    }

    fn encode(&self, width: usize) -> Vec<u8> {
        let mut entries = self.entries.clone();
        entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let bits: u8 = if width == 8 { 3 } else { 2 };
        let mut b = Vec::new();
        let mut key_pos = Vec::new();
        for (k, _) in &entries {
            key_pos.push(b.len());
            b.extend_from_slice(k.as_bytes());
            b.push(0);
        }
        // The keys vector: 4-byte offsets, preceded by its size.
        pad(&mut b, 4);
        b.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        let keys = b.len();
        for (i, &k) in key_pos.iter().enumerate() {
            let at = keys + 4 * i;
            b.extend_from_slice(&((at - k) as u32).to_le_bytes());
        }
        // The map: keys offset, keys width, size, then the values and their type bytes.
        pad(&mut b, width);
        let field = b.len();
        put(&mut b, (field - keys) as u64, width);
        put(&mut b, 4, width);
        put(&mut b, entries.len() as u64, width);
        let map = b.len();
        let mut types = Vec::new();
        for (_, v) in &entries {
            let (t, raw) = match *v {
                FlexValue::Int(x) => (fbt::INT, x as u64),
                FlexValue::UInt(x) => (fbt::UINT, x),
                FlexValue::Float(x) if width == 8 => (fbt::FLOAT, x.to_bits()),
                FlexValue::Float(x) => (fbt::FLOAT, u64::from((x as f32).to_bits())),
                FlexValue::Bool(x) => (fbt::BOOL, u64::from(x)),
                FlexValue::Null => (fbt::NULL, 0),
            };
            put(&mut b, raw, width);
            types.push((t << 2) | bits);
        }
        b.extend_from_slice(&types);
        // The root: a 4-byte offset back to the map, the map's packed type, the root width.
        pad(&mut b, 4);
        let root = b.len();
        put(&mut b, (root - map) as u64, 4);
        b.push((fbt::MAP << 2) | bits);
        b.push(4);
        b
    }
}

fn pad(b: &mut Vec<u8>, to: usize) {
    while b.len() % to != 0 {
        b.push(0);
    }
}

fn put(b: &mut Vec<u8>, v: u64, width: usize) {
    b.extend_from_slice(&v.to_le_bytes()[..width]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::flexbuf::{Map, Value};

    #[test]
    fn the_reader_reads_what_the_writer_writes() {
        let mut m = FlexMap::new();
        m.int("max_detections", 10).float("y_scale", 10.0).bool("use_regular_nms", true).int("neg", -7);
        m.set("u", FlexValue::UInt(4_000_000_000)).set("n", FlexValue::Null).float("iou", 0.6);
        for bytes in [m.finish(), m.finish_wide()] {
            let r = Map::root(&bytes).unwrap();
            assert_eq!(r.len(), 7);
            assert_eq!(r.get(b"max_detections").unwrap(), Value::Int(10));
            assert_eq!(r.get(b"y_scale").unwrap().as_f32(), 10.0);
            assert_eq!(r.get(b"iou").unwrap().as_f32(), 0.6);
            assert!(r.get(b"use_regular_nms").unwrap().as_bool());
            assert_eq!(r.get(b"neg").unwrap().as_i32(), -7);
            assert_eq!(r.get(b"u").unwrap(), Value::UInt(4_000_000_000));
            assert!(r.get(b"n").unwrap().is_null());
            assert!(r.get(b"missing").unwrap().is_null());
            // Every truncation and every byte flip: an error or a value, never a panic.
            for n in 0..bytes.len() {
                if let Ok(t) = Map::root(&bytes[..n]) {
                    let _ = t.get(b"iou");
                }
            }
            for i in 0..bytes.len() {
                let mut c = bytes.clone();
                c[i] ^= 0xa5;
                if let Ok(t) = Map::root(&c) {
                    for k in [&b"iou"[..], b"neg", b"u", b"zz"] {
                        let _ = t.get(k);
                    }
                }
            }
        }
    }
}
