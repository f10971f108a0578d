//! The structure-aware mutator shared by the targets (`fuzz_mutator!`).
//!
//! One call makes one mutation of the model that sits at `data[prefix..size]`:
//! - most often it overwrites one field found by [`Walk`] in place, with a value chosen for
//!   what the field means (boundary values, off-by-one of a count, a value borrowed from
//!   another field of the same meaning, or random);
//! - or it rewrites flatbuffer framing (vector lengths, `uoffset`s, vtable `soffset`s and slots);
//! - or it rebuilds one table (operator, options, tensor, quantization, operator code) with a
//!   field added, removed or a vector grown/shrunk, appends it at the end of the model and
//!   redirects the `uoffset` that pointed at the old one;
//! - otherwise (no structure found, or by chance) it leaves the work to libFuzzer's own byte
//!   mutations.

use crate::fb::{fields, options_fields, Appender, Kind, Sem, Site, Spec, TabRec, Ty, Val, Walk, R};
use crate::fb::{Schema, BUILTIN_CODES, OPTION_TYPES};
use patchwise::schema::numbers::{builtin, operator};

/// xorshift64*: small and deterministic from libFuzzer's seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next_u64() % den < num
    }
    pub fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())]
    }
}

/// Mutates `data[prefix..size]` (a model) in place or by appending, within `max_size`; returns
/// the new size. `byte_mutate` is libFuzzer's own mutator (`fuzzer_mutate`), used as fallback
/// and on the prefix.
pub fn mutate(
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
    prefix: usize,
    byte_mutate: &dyn Fn(&mut [u8], usize, usize) -> usize,
) -> usize {
    if bytes_only() {
        return byte_mutate(data, size, max_size);
    }
    let mut rng = Rng::new(seed as u64 ^ ((size as u64) << 32));
    let size = size.min(data.len());
    let max_size = max_size.min(data.len());
    let prefix = prefix.min(size);
    if prefix > 0 && rng.chance(1, 8) {
        // Mutate the prefix (options byte, C API script) only.
        let mut p = data[..prefix].to_vec();
        let cap = p.len();
        p.resize(cap.max(1), 0);
        let n = byte_mutate(&mut p, cap, cap).min(cap);
        data[..n].copy_from_slice(&p[..n]);
        return size;
    }
    if rng.chance(1, 6) {
        return byte_mutate(data, size, max_size);
    }
    let walk = Walk::of(&data[prefix..size]);
    if walk.sites.len() < 4 {
        return byte_mutate(data, size, max_size);
    }
    let model_max = max_size - prefix;
    let model = &mut data[prefix..max_size];
    let new_len = match rng.below(100) {
        0..=59 => mutate_scalar(model, size - prefix, &walk, &mut rng),
        60..=71 => mutate_framing(model, size - prefix, &walk, &mut rng),
        72..=95 => rebuild_table(model, size - prefix, model_max, &walk, &mut rng),
        _ => truncate(size - prefix, &walk, &mut rng),
    };
    match new_len {
        Some(n) => prefix + n,
        None => byte_mutate(data, size, max_size),
    }
}

/// `PW_FUZZ_BYTES_ONLY=1`: plain libFuzzer byte mutations (to measure what the structure-aware
/// mutator adds).
fn bytes_only() -> bool {
    static ONLY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ONLY.get_or_init(|| std::env::var_os("PW_FUZZ_BYTES_ONLY").is_some())
}

fn write(model: &mut [u8], pos: usize, width: usize, v: u64) {
    let b = v.to_le_bytes();
    if let Some(dst) = model.get_mut(pos..pos + width) {
        dst.copy_from_slice(&b[..width]);
    }
}

fn read(model: &[u8], pos: usize, width: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(src) = model.get(pos..pos + width) {
        b[..width].copy_from_slice(src);
    }
    u64::from_le_bytes(b)
}

/// Sign-extends a `width`-byte value.
fn signed(v: u64, width: usize) -> i64 {
    let shift = 64 - 8 * width as u32;
    ((v << shift) as i64) >> shift
}

fn interesting_f32(rng: &mut Rng, cur: f32) -> f32 {
    rng.pick(&[
        0.0,
        -0.0,
        -1.0,
        1.0,
        0.5,
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MIN_POSITIVE,
        1e-45,
        1e-30,
        1e-10,
        1e10,
        1e30,
        f32::MAX,
        cur * 2.0,
        cur * 0.5,
        -cur,
        cur * 256.0,
        cur / 65536.0,
    ])
}

/// A replacement value for a scalar of meaning `sem` whose current value is `cur`.
fn value_for(sem: Sem, width: usize, cur: i64, walk: &Walk, model: &[u8], rng: &mut Rng) -> i64 {
    const CUSTOM: i64 = builtin::CUSTOM as i64;
    const PLACEHOLDER: i64 = builtin::PLACEHOLDER_FOR_GREATER_OP_CODES as i64;
    // One time in four: a value borrowed from another field with the same meaning.
    if rng.chance(1, 4) {
        let others: Vec<&Site> = walk.same_sem(sem).collect();
        if !others.is_empty() {
            let s = others[rng.below(others.len())];
            if let Kind::Scalar { width: w, .. } = s.kind {
                return signed(read(model, s.pos, w as usize), w as usize);
            }
        }
    }
    let nt = walk.n_tensors as i64;
    let rnd = rng.next_u64();
    let rnd_below = |n: usize| (rnd % n.max(1) as u64) as i64;
    let common = [0i64, 1, -1, cur.wrapping_add(1), cur.wrapping_sub(1)];
    let pick = |rng: &mut Rng, v: &[i64]| if rng.chance(1, 5) { rng.pick(&common) } else { rng.pick(v) };
    match sem {
        Sem::ShapeDim => pick(
            rng,
            &[
                0,
                1,
                -1,
                2,
                3,
                4,
                7,
                8,
                16,
                255,
                0x7fff,
                0xffff,
                0x10000,
                0x40000,
                i32::MAX as i64,
                i32::MIN as i64,
                cur.wrapping_mul(2),
            ],
        ),
        Sem::TensorType => pick(rng, &[0, 1, 2, 3, 4, 6, 7, 9, 10, 16, 17, -1, 127, rnd_below(20)]),
        Sem::BufferIndex => {
            let nb = walk.n_buffers as i64;
            pick(rng, &[0, 1, nb - 1, nb, nb + 1, u32::MAX as i64, rnd_below(walk.n_buffers)])
        }
        Sem::ZeroPoint => pick(
            rng,
            &[
                0,
                -128,
                127,
                -129,
                128,
                255,
                i32::MAX as i64,
                i32::MAX as i64 + 1,
                i32::MIN as i64,
                i32::MIN as i64 - 1,
                i64::MIN,
                i64::MAX,
                32767,
                -32768,
            ],
        ),
        Sem::QuantDim => pick(rng, &[-1, 0, 1, 2, 3, 4, 5, 6, 7, i32::MAX as i64, i32::MIN as i64]),
        Sem::TensorIdx | Sem::IoIdx => {
            pick(rng, &[-1, -2, 0, nt - 1, nt, nt + 1, i32::MAX as i64, i32::MIN as i64, rnd_below(walk.n_tensors)])
        }
        Sem::OpcodeIdx => {
            let nc = walk.n_opcodes as i64;
            pick(rng, &[0, nc - 1, nc, nc + 1, u32::MAX as i64, rnd_below(walk.n_opcodes)])
        }
        Sem::BuiltinCode => {
            if rng.chance(2, 3) {
                rng.pick(&BUILTIN_CODES) as i64
            } else {
                pick(rng, &[CUSTOM, PLACEHOLDER, 128, 150, 200, 255, -1, i32::MAX as i64, rnd_below(210)])
            }
        }
        Sem::DeprecatedCode => {
            if rng.chance(2, 3) {
                rng.pick(&BUILTIN_CODES[..20]) as i64
            } else {
                pick(rng, &[CUSTOM, PLACEHOLDER, -1, -128, rnd_below(128)])
            }
        }
        Sem::OptionsType => {
            if rng.chance(3, 4) {
                rng.pick(&OPTION_TYPES) as i64
            } else {
                rng.below(256) as i64
            }
        }
        Sem::Version => pick(rng, &[3, 2, 4, 0]),
        Sem::Padding => pick(rng, &[0, 1, 2, -1, 127]),
        Sem::Activation => pick(rng, &[0, 1, 2, 3, 4, 5, 6, -1, 127]),
        Sem::Stride | Sem::Dilation | Sem::Filter | Sem::DepthMult => pick(
            rng,
            &[
                0,
                1,
                2,
                3,
                4,
                5,
                7,
                8,
                16,
                -1,
                -2,
                0x10000,
                1 << 20,
                i32::MAX as i64,
                i32::MIN as i64,
                cur.wrapping_mul(2),
            ],
        ),
        Sem::Axis | Sem::ConstI32 => pick(
            rng,
            &[-7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x10000, i32::MAX as i64, i32::MIN as i64],
        ),
        Sem::WeightsFormat => pick(rng, &[0, 1, 2, -1]),
        Sem::Bool => pick(rng, &[0, 1, 2, 255]),
        Sem::BufOffset | Sem::BufSize => {
            let len = model.len() as i64;
            pick(
                rng,
                &[0, 1, 2, 16, len - 1, len, len + 1, len / 2, u32::MAX as i64, i64::MAX, -1, cur.wrapping_mul(2)],
            )
        }
        Sem::ConstByte => rng.below(256) as i64,
        Sem::Scale | Sem::Beta | Sem::Generic => {
            let max = if width >= 8 { i64::MAX } else { (1i64 << (8 * width - 1)) - 1 };
            let min = if width >= 8 { i64::MIN } else { -(1i64 << (8 * width - 1)) };
            pick(rng, &[0, 1, -1, max, min, rnd as i64])
        }
    }
}

fn mutate_scalar(model: &mut [u8], len: usize, walk: &Walk, rng: &mut Rng) -> Option<usize> {
    let scalars: Vec<&Site> = walk.sites.iter().filter(|s| matches!(s.kind, Kind::Scalar { .. })).collect();
    if scalars.is_empty() {
        return None;
    }
    let s = *scalars[rng.below(scalars.len())];
    let Kind::Scalar { width, sem, float } = s.kind else { return None };
    let w = width as usize;
    let cur = read(model, s.pos, w);
    if float && w == 4 {
        let v = interesting_f32(rng, f32::from_bits(cur as u32));
        write(model, s.pos, 4, v.to_bits() as u64);
    } else {
        let v = value_for(sem, w, signed(cur, w), walk, &model[..len], rng);
        write(model, s.pos, w, v as u64);
    }
    Some(len)
}

fn mutate_framing(model: &mut [u8], len: usize, walk: &Walk, rng: &mut Rng) -> Option<usize> {
    let frames: Vec<&Site> = walk.sites.iter().filter(|s| !matches!(s.kind, Kind::Scalar { .. })).collect();
    if frames.is_empty() {
        return None;
    }
    let s = *frames[rng.below(frames.len())];
    let p = s.pos;
    match s.kind {
        Kind::VecLen { elem } => {
            let cur = read(model, p, 4) as i64;
            let room = (len.saturating_sub(p + 4) / (elem.max(1) as usize)) as i64;
            let v = rng.pick(&[
                0,
                1,
                cur.wrapping_sub(1),
                cur.wrapping_add(1),
                cur.wrapping_mul(2),
                7,
                room,
                room + 1,
                u32::MAX as i64,
                0x3fff_ffff,
                0x4000_0000,
            ]);
            write(model, p, 4, v as u64);
        }
        Kind::UOffset => {
            let cur = read(model, p, 4) as i64;
            let t = if walk.targets.is_empty() { 0 } else { rng.pick(&walk.targets) } as i64;
            let v = rng.pick(&[
                0,
                1,
                4,
                cur.wrapping_add(4),
                cur.wrapping_sub(4),
                u32::MAX as i64,
                len as i64 - p as i64,
                len as i64 - p as i64 - 1,
                t - p as i64,
                t - p as i64,
            ]);
            write(model, p, 4, v as u64);
        }
        Kind::SOffset => {
            let cur = read(model, p, 4) as u32 as i32 as i64;
            let vt = if walk.vtables.is_empty() { 0 } else { rng.pick(&walk.vtables) } as i64;
            let v = rng.pick(&[
                0,
                cur.wrapping_neg(),
                cur.wrapping_add(2),
                cur.wrapping_sub(2),
                cur.wrapping_add(4),
                cur.wrapping_sub(4),
                i32::MIN as i64,
                i32::MAX as i64,
                p as i64 - vt,
                p as i64 - vt,
            ]);
            write(model, p, 4, v as u64);
        }
        Kind::VtHeader => {
            let cur = read(model, p, 2) as i64;
            let v = rng.pick(&[
                0,
                1,
                2,
                3,
                4,
                5,
                cur.wrapping_add(2),
                cur.wrapping_sub(2),
                cur.wrapping_add(1),
                0xffff,
                cur.wrapping_mul(2),
            ]);
            write(model, p, 2, v as u64);
        }
        Kind::VtEntry => {
            let cur = read(model, p, 2) as i64;
            // Another slot of the same vtable (aliases two fields), or an edge of the object.
            let vt_start = walk.vtables.iter().copied().filter(|&v| v <= p).max().unwrap_or(p);
            let obj = read(model, vt_start + 2, 2) as i64;
            let other =
                read(model, vt_start + 4 + 2 * rng.below(((p - vt_start).saturating_sub(2) / 2).max(1)), 2) as i64;
            let v = rng.pick(&[
                0,
                cur.wrapping_add(1),
                cur.wrapping_sub(1),
                cur.wrapping_add(4),
                cur.wrapping_sub(4),
                obj,
                obj - 1,
                obj - 4,
                2,
                3,
                0xffff,
                other,
                other,
            ]);
            write(model, p, 2, v as u64);
        }
        Kind::Scalar { .. } => return None,
    }
    Some(len)
}

/// Cuts the model at a structure boundary.
fn truncate(len: usize, walk: &Walk, rng: &mut Rng) -> Option<usize> {
    let s = walk.sites[rng.below(walk.sites.len())];
    let cut = (s.pos + rng.below(4)).min(len);
    (cut > 8).then_some(cut)
}

/// A scalar of type `ty` with an interesting value.
fn scalar_val(ty: Ty, walk: &Walk, rng: &mut Rng) -> Option<Val> {
    let w = ty.width()?;
    let bytes = match ty {
        Ty::F32(_) => interesting_f32(rng, 1.0).to_bits().to_le_bytes().to_vec(),
        Ty::I8(s) | Ty::U8(s) | Ty::I32(s) | Ty::U32(s) | Ty::U64(s) | Ty::I64(s) => {
            let v = value_for(s, w, 1, walk, &[], rng);
            v.to_le_bytes()[..w].to_vec()
        }
        _ => return None,
    };
    Some(Val::Scalar(bytes))
}

/// A fresh vector for a field of type `Vec(elem, sem)`.
fn vector_val(elem: u8, sem: Sem, walk: &Walk, rng: &mut Rng) -> Val {
    let n = rng.pick(&[0usize, 1, 2, 3, 4, 4, 5, 6, 7]);
    let mut data = Vec::new();
    for _ in 0..n {
        let v = if sem == Sem::Scale {
            interesting_f32(rng, 1.0).to_bits() as i64
        } else {
            value_for(sem, elem as usize, 1, walk, &[], rng)
        };
        data.extend_from_slice(&v.to_le_bytes()[..elem as usize]);
    }
    Val::Vector(elem, data)
}

/// Changes one field of `spec` (a table of type `schema`).
fn edit_spec(spec: &mut Spec, schema: Schema, walk: &Walk, rng: &mut Rng) {
    let known = fields(schema);
    let op_ty = |spec: &Spec| match spec.get(operator::BUILTIN_OPTIONS_TYPE) {
        Some(Val::Scalar(b)) => b[0],
        _ => 0,
    };
    match rng.below(6) {
        // Drop a field.
        0 if !spec.fields.is_empty() => {
            let id = spec.fields[rng.below(spec.fields.len())].0;
            spec.remove(id);
        }
        // Operator: new options of some supported type, filled with interesting values.
        1 if schema == Schema::Operator => {
            let t = if rng.chance(1, 2) { op_ty(spec) } else { rng.pick(&OPTION_TYPES) };
            let mut o = Spec { schema: Some(Schema::Options(t)), fields: Vec::new() };
            for &(id, ty) in options_fields(t) {
                if rng.chance(2, 3) {
                    let v = match ty {
                        Ty::Vec(e, s) => Some(vector_val(e, s, walk, rng)),
                        _ => scalar_val(ty, walk, rng),
                    };
                    if let Some(v) = v {
                        o.set(id, v);
                    }
                }
            }
            spec.set(operator::BUILTIN_OPTIONS_TYPE, Val::Scalar(vec![t]));
            spec.set(operator::BUILTIN_OPTIONS, Val::Table(o));
        }
        // Grow / shrink / permute a vector field.
        2 | 3 => {
            let vecs: Vec<usize> =
                spec.fields.iter().filter(|(_, v)| matches!(v, Val::Vector(..))).map(|(i, _)| *i).collect();
            if vecs.is_empty() {
                return edit_spec_add(spec, known, walk, rng);
            }
            let id = rng.pick(&vecs);
            let sem = known.iter().find(|(i, _)| *i == id).map_or(Sem::Generic, |(_, t)| match t {
                Ty::Vec(_, s) => *s,
                _ => Sem::Generic,
            });
            if let Some((_, Val::Vector(e, data))) = spec.fields.iter_mut().find(|(i, _)| *i == id) {
                let e = *e as usize;
                let n = data.len() / e;
                match rng.below(4) {
                    0 if n > 0 => data.truncate((n - 1) * e),
                    1 if n > 0 => {
                        let k = rng.below(n);
                        let dup = data[k * e..(k + 1) * e].to_vec();
                        data.extend_from_slice(&dup);
                    }
                    2 if n > 1 => {
                        let (a, b) = (rng.below(n), rng.below(n));
                        for j in 0..e {
                            data.swap(a * e + j, b * e + j);
                        }
                    }
                    _ => {
                        let v = value_for(sem, e, 1, walk, &[], rng);
                        data.extend_from_slice(&v.to_le_bytes()[..e]);
                    }
                }
            }
        }
        _ => edit_spec_add(spec, known, walk, rng),
    }
}

/// Adds (or replaces) a field of a known type.
fn edit_spec_add(spec: &mut Spec, known: &[(usize, Ty)], walk: &Walk, rng: &mut Rng) {
    let candidates: Vec<(usize, Ty)> = known
        .iter()
        .copied()
        .filter(|(_, t)| {
            matches!(t, Ty::I8(_) | Ty::U8(_) | Ty::I32(_) | Ty::U32(_) | Ty::U64(_) | Ty::F32(_) | Ty::Vec(..))
        })
        .collect();
    if candidates.is_empty() {
        return;
    }
    let (id, ty) = rng.pick(&candidates);
    let v = match ty {
        Ty::Vec(e, s) => Some(vector_val(e, s, walk, rng)),
        _ => scalar_val(ty, walk, rng),
    };
    if let Some(v) = v {
        spec.set(id, v);
    }
}

fn rebuild_table(model: &mut [u8], len: usize, max: usize, walk: &Walk, rng: &mut Rng) -> Option<usize> {
    let tables: Vec<&TabRec> = walk
        .tables
        .iter()
        .filter(|t| {
            t.ref_pos != 0
                && matches!(
                    t.schema,
                    Schema::Operator
                        | Schema::Options(_)
                        | Schema::Tensor
                        | Schema::Quant
                        | Schema::OperatorCode
                        | Schema::Buffer
                )
        })
        .collect();
    if tables.is_empty() {
        return None;
    }
    let t = *tables[rng.below(tables.len())];
    let r = R(&model[..len]);
    let mut spec = Spec::read(r, &t.tab, t.schema, 2);
    edit_spec(&mut spec, t.schema, walk, rng);
    let mut out = model[..len].to_vec();
    let pos = Appender { out: &mut out }.table(&spec);
    if out.len() > max || pos <= t.ref_pos {
        return None;
    }
    let off = (pos - t.ref_pos) as u32;
    out[t.ref_pos..t.ref_pos + 4].copy_from_slice(&off.to_le_bytes());
    model[..out.len()].copy_from_slice(&out);
    Some(out.len())
}
