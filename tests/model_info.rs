//! The C API's model description and failure reports: `pw_model_summary`, `pw_model_tensor`,
//! `pw_model_operator`, `pw_opcode_name`, `pw_feature_name`, `pw_arena_required_in`,
//! `pw_interpreter_init_ex`, and the names in `pw_error_info`. The summary of every shared model
//! is compared with the TFLM oracle's description of it (`../shared/golden/<m>/meta.json`:
//! input/output names, shapes, types, quantization, operator counts by name).
//!
//! When ../shared is absent the shared-model tests are reported as ignored with the reason
//! ("skipped: ../shared/models not found"); build.rs decides that at compile time.
// Tests assert by panicking and compute freely on their own fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use patchwise::builder::*;
use patchwise::capi::*;
use patchwise::schema::opcodes::OpKind;
use patchwise::{arena_required, HostArena};
use patchwise_testkit::shared_dir;
use std::collections::BTreeMap;
use std::ffi::CStr;
use std::ptr::null_mut;

// ---- a small JSON reader for the oracle's meta.json ---------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(BTreeMap<String, Json>),
}

struct Reader<'a> {
    s: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn ws(&mut self) {
        while self.at < self.s.len() && self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }
    fn eat(&mut self, c: u8) {
        self.ws();
        assert_eq!(self.s[self.at], c, "JSON: expected '{}' at {}", c as char, self.at);
        self.at += 1;
    }
    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut out = Vec::new();
        while self.s[self.at] != b'"' {
            if self.s[self.at] == b'\\' {
                self.at += 1;
                out.push(match self.s[self.at] {
                    b'n' => b'\n',
                    b't' => b'\t',
                    c => c,
                });
            } else {
                out.push(self.s[self.at]);
            }
            self.at += 1;
        }
        self.at += 1;
        String::from_utf8(out).unwrap()
    }
    fn value(&mut self) -> Json {
        self.ws();
        match self.s[self.at] {
            b'{' => {
                self.at += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.s[self.at] == b'}' {
                    self.at += 1;
                    return Json::Obj(m);
                }
                loop {
                    let k = self.string();
                    self.eat(b':');
                    m.insert(k, self.value());
                    self.ws();
                    self.at += 1;
                    if self.s[self.at - 1] == b'}' {
                        return Json::Obj(m);
                    }
                }
            }
            b'[' => {
                self.at += 1;
                let mut v = Vec::new();
                self.ws();
                if self.s[self.at] == b']' {
                    self.at += 1;
                    return Json::Arr(v);
                }
                loop {
                    v.push(self.value());
                    self.ws();
                    self.at += 1;
                    if self.s[self.at - 1] == b']' {
                        return Json::Arr(v);
                    }
                }
            }
            b'"' => Json::Str(self.string()),
            b't' => {
                self.at += 4;
                Json::Bool(true)
            }
            b'f' => {
                self.at += 5;
                Json::Bool(false)
            }
            b'n' => {
                self.at += 4;
                Json::Null
            }
            _ => {
                let start = self.at;
                while self.at < self.s.len() && b"+-.eE0123456789".contains(&self.s[self.at]) {
                    self.at += 1;
                }
                Json::Num(std::str::from_utf8(&self.s[start..self.at]).unwrap().parse().unwrap())
            }
        }
    }
}

fn parse_json(text: &str) -> Json {
    Reader { s: text.as_bytes(), at: 0 }.value()
}

impl Json {
    fn get(&self, k: &str) -> &Json {
        match self {
            Json::Obj(m) => m.get(k).unwrap_or_else(|| panic!("no key {k}")),
            _ => panic!("not an object"),
        }
    }
    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(v) => v,
            _ => panic!("not an array"),
        }
    }
    fn num(&self) -> f64 {
        match self {
            Json::Num(x) => *x,
            _ => panic!("not a number: {self:?}"),
        }
    }
    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            _ => panic!("not a string"),
        }
    }
}

// ---- helpers -------------------------------------------------------------------------------

fn cstr(p: *const core::ffi::c_char) -> &'static str {
    assert!(!p.is_null());
    // SAFETY: the library returns static NUL-terminated strings.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap()
}

/// A `(pointer, length)` name as a string (the pointer may be NULL only with length 0).
fn name(p: *const core::ffi::c_char, len: usize) -> String {
    if len == 0 {
        return String::new();
    }
    // SAFETY: the library points `len` bytes into the model or its constants, both alive here.
    String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) }).into_owned()
}

fn summary(model: &[u8]) -> pw_model_info {
    let mut s = std::mem::MaybeUninit::<pw_model_info>::zeroed();
    // SAFETY: true length; `s` writable.
    let st = unsafe { pw_model_summary(model.as_ptr(), model.len(), std::ptr::null(), s.as_mut_ptr()) };
    assert_eq!(st, PW_OK);
    // SAFETY: written on PW_OK.
    unsafe { s.assume_init() }
}

fn tensor(model: &[u8], which: u32, index: usize) -> Result<pw_tensor_info, pw_status> {
    let mut t = std::mem::MaybeUninit::<pw_tensor_info>::zeroed();
    // SAFETY: true length; `t` writable.
    let st = unsafe { pw_model_tensor(model.as_ptr(), model.len(), which, index, t.as_mut_ptr()) };
    // SAFETY: zero-initialized, written on PW_OK.
    if st == PW_OK {
        Ok(unsafe { t.assume_init() })
    } else {
        Err(st)
    }
}

fn operator(model: &[u8], index: usize) -> Result<pw_operator_info, pw_status> {
    let mut o = std::mem::MaybeUninit::<pw_operator_info>::zeroed();
    // SAFETY: true length; `o` writable.
    let st = unsafe { pw_model_operator(model.as_ptr(), model.len(), index, o.as_mut_ptr()) };
    if st == PW_OK {
        // SAFETY: written on PW_OK.
        Ok(unsafe { o.assume_init() })
    } else {
        Err(st)
    }
}

fn dtype_name(t: pw_type) -> &'static str {
    match t {
        PW_TYPE_FLOAT32 => "float32",
        PW_TYPE_INT8 => "int8",
        PW_TYPE_INT32 => "int32",
        PW_TYPE_UINT8 => "uint8",
        PW_TYPE_INT16 => "int16",
        PW_TYPE_INT64 => "int64",
        PW_TYPE_BOOL => "bool",
        _ => "?",
    }
}

/// `pw_interpreter_init_ex` into `arena[..len]`; returns the status and the info.
fn init_ex(model: &[u8], arena: &mut HostArena, len: usize) -> (pw_status, pw_error_info, *mut pw_interpreter) {
    let bytes = arena.bytes_mut();
    assert!(len <= bytes.len());
    let mut h: *mut pw_interpreter = null_mut();
    let mut info = std::mem::MaybeUninit::<pw_error_info>::zeroed();
    // SAFETY: true lengths; the arena is ours and outlives every use of the handle below.
    let st = unsafe {
        pw_interpreter_init_ex(
            model.as_ptr(),
            model.len(),
            bytes.as_mut_ptr().cast(),
            len,
            std::ptr::null(),
            &mut h,
            info.as_mut_ptr(),
        )
    };
    // SAFETY: init_ex writes `info` whenever it is non-NULL.
    (st, unsafe { info.assume_init() }, h)
}

// ---- the shared models against the oracle's description -----------------------------------

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn summary_matches_the_oracle_on_every_shared_model() {
    let golden = shared_dir().join("golden");
    let mut checked = 0;
    for entry in std::fs::read_dir(&golden).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(meta) = std::fs::read_to_string(dir.join("meta.json")) else { continue };
        let meta = parse_json(&meta);
        let m = dir.file_name().unwrap().to_string_lossy().into_owned();
        let model = std::fs::read(shared_dir().join("models").join(meta.get("model").str())).unwrap();
        let s = summary(&model);
        assert_eq!(s.verify_status, PW_OK, "{m}");
        assert_eq!(s.arena_required, arena_required(&model).unwrap(), "{m}");
        assert!(s.plan_work_bytes > 0 && s.plan_work_bytes <= s.arena_required, "{m}: {s:?}");
        assert_eq!((s.unsupported_ops, s.features_missing), (0, 0), "{m}");
        for (which, key, count) in [(PW_MODEL_INPUT, "inputs", s.inputs), (PW_MODEL_OUTPUT, "outputs", s.outputs)] {
            let want = meta.get(key).arr();
            assert_eq!(count as usize, want.len(), "{m} {key}");
            for (i, w) in want.iter().enumerate() {
                let t = tensor(&model, which, i).unwrap();
                assert_eq!(name(t.name, t.name_len), w.get("name").str(), "{m} {key} {i}");
                assert_eq!(dtype_name(t.dtype), w.get("dtype").str(), "{m} {key} {i}");
                let shape: Vec<i32> = w.get("shape").arr().iter().map(|d| d.num() as i32).collect();
                assert_eq!(&t.dims[..t.rank as usize], shape.as_slice(), "{m} {key} {i}");
                assert!(t.dims[t.rank as usize..].iter().all(|&d| d == 0));
                let elems: usize = shape.iter().map(|&d| d as usize).product();
                let size = if t.dtype == PW_TYPE_FLOAT32 || t.dtype == PW_TYPE_INT32 { 4 } else { 1 };
                assert_eq!(t.bytes, elems * size, "{m} {key} {i}");
                // Not quantized: the oracle gives empty lists, the C API zeros.
                match (w.get("scale"), w.get("zero_point")) {
                    (Json::Arr(a), Json::Arr(b)) if a.is_empty() && b.is_empty() => {
                        assert_eq!((t.scale, t.zero_point, t.quant_scales), (0.0, 0, 0), "{m} {key} {i}");
                    }
                    (scale, zero_point) => {
                        assert_eq!(t.scale as f64, scale.num() as f32 as f64, "{m} {key} {i}");
                        assert_eq!(t.zero_point as f64, zero_point.num(), "{m} {key} {i}");
                        assert_eq!(t.quant_scales, 1, "{m} {key} {i}");
                    }
                }
                assert_eq!(t.is_constant, 0);
                // The same tensor by its index.
                let by_index = tensor(&model, PW_MODEL_TENSOR, t.tensor_index as usize).unwrap();
                assert_eq!((by_index.bytes, by_index.dims, by_index.name), (t.bytes, t.dims, t.name));
            }
            assert_eq!(tensor(&model, which, count as usize).err(), Some(PW_ERR_INVALID_ARGUMENT), "{m}");
        }
        assert_eq!(tensor(&model, PW_MODEL_TENSOR, s.tensors as usize).err(), Some(PW_ERR_INVALID_ARGUMENT));
        assert_eq!(tensor(&model, 3, 0).err(), Some(PW_ERR_INVALID_ARGUMENT));
        // Operators by name, counted, as the oracle counts them.
        let mut counts: BTreeMap<String, f64> = BTreeMap::new();
        let mut needed = 0u64;
        for o in 0..s.operators as usize {
            let op = operator(&model, o).unwrap();
            let n = name(op.name, op.name_len);
            assert_eq!(n, cstr(pw_opcode_name(op.opcode)), "{m} op {o}");
            assert_eq!(op.supported, 1, "{m} op {o}");
            if op.feature != u32::MAX {
                needed |= 1 << op.feature;
            }
            assert!(op.output_tensor < s.tensors, "{m} op {o}");
            *counts.entry(n).or_default() += 1.0;
        }
        assert_eq!(operator(&model, s.operators as usize).err(), Some(PW_ERR_INVALID_ARGUMENT), "{m}");
        let want: BTreeMap<String, f64> = match meta.get("operators") {
            Json::Obj(o) => o.iter().map(|(k, v)| (k.clone(), v.num())).collect(),
            _ => panic!("{m}: operators"),
        };
        assert_eq!(counts, want, "{m}: operators by name");
        assert_eq!(s.features_needed, needed, "{m}");
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} shared models have goldens");
}

// ---- sizes in every failed init ------------------------------------------------------------

#[test]
#[cfg_attr(not(shared_models), ignore = "skipped: ../shared/models not found")]
fn a_too_small_arena_on_a_large_model_reports_the_exact_size() {
    let model = std::fs::read(shared_dir().join("models/mcunet_detection.tflite")).unwrap();
    let s = summary(&model);
    // Above the stack-planning limit (the no_std C library sizes it only in a work buffer).
    assert!(s.tensors + s.operators > 256, "{s:?}");
    // Sizing in a caller-given work buffer of plan_work_bytes, and not one byte less.
    let mut work = HostArena::new(s.plan_work_bytes);
    let mut bytes = 0usize;
    let w = work.bytes_mut();
    // SAFETY: true lengths.
    let st = unsafe {
        pw_arena_required_in(
            model.as_ptr(),
            model.len(),
            std::ptr::null(),
            w.as_mut_ptr().cast(),
            s.plan_work_bytes,
            &mut bytes,
        )
    };
    assert_eq!(st, PW_OK);
    assert_eq!(bytes, s.arena_required);
    let mut untouched = 7usize;
    // SAFETY: as above.
    let st = unsafe {
        pw_arena_required_in(
            model.as_ptr(),
            model.len(),
            std::ptr::null(),
            w.as_mut_ptr().cast(),
            s.plan_work_bytes - 16,
            &mut untouched,
        )
    };
    assert_eq!((st, untouched), (PW_ERR_ARENA_TOO_SMALL, 7));
    // SAFETY: as above, misaligned by one byte.
    let st = unsafe {
        pw_arena_required_in(
            model.as_ptr(),
            model.len(),
            std::ptr::null(),
            w.as_mut_ptr().add(1).cast(),
            4096,
            &mut untouched,
        )
    };
    assert_eq!(st, PW_ERR_ARENA_MISALIGNED);

    // Every too-small arena reports the exact size, which then works.
    let need = bytes;
    let mut arena = HostArena::new(need);
    for len in [need - 16, need / 2, s.plan_work_bytes, 4096, 100, 0] {
        let (st, info, _) = init_ex(&model, &mut arena, len);
        assert_eq!(st, PW_ERR_ARENA_TOO_SMALL, "{len}");
        assert_eq!(info.status, PW_ERR_ARENA_TOO_SMALL);
        // The host (std) build always sizes exactly; the no_std C library too, except below
        // plan_work_bytes (examples-c/host/misuse.c checks that case).
        assert_eq!((info.arena_required, info.arena_required_exact), (need, 1), "{len}");
        assert_eq!((info.op_index, info.tensor_index, info.op_name_len), (u32::MAX, u32::MAX, 0));
    }
    let (st, info, h) = init_ex(&model, &mut arena, need);
    assert_eq!(st, PW_OK);
    assert_eq!((info.status, info.arena_required, info.arena_required_exact), (PW_OK, need, 1));
    // SAFETY: a live handle on a live arena.
    assert_eq!(unsafe { pw_interpreter_invoke(h) }, PW_OK);
    // init_ex needs its info pointer, and then does nothing.
    let mut h2: *mut pw_interpreter = null_mut();
    // SAFETY: true lengths; `info` NULL on purpose.
    let st = unsafe {
        pw_interpreter_init_ex(
            model.as_ptr(),
            model.len(),
            arena.bytes_mut().as_mut_ptr().cast(),
            need,
            std::ptr::null(),
            &mut h2,
            null_mut(),
        )
    };
    assert_eq!((st, h2), (PW_ERR_NULL_POINTER, null_mut()));
    // SAFETY: the first handle is still live (nothing touched the arena).
    assert_eq!(unsafe { pw_interpreter_invoke(h) }, PW_OK);
}

// ---- names and plain words ----------------------------------------------------------------

/// x -> CONV_2D(w) -> y, all tensors of `dtype` (quantized when int8).
fn conv_model(dtype: TensorType) -> Vec<u8> {
    let mut b = ModelBuilder::new();
    let q = |spec: TensorSpec| {
        if dtype == TensorType::Int8 {
            spec.with_quant(QuantSpec::per_tensor(0.5, 0))
        } else {
            spec
        }
    };
    let x = b.add_tensor(q(TensorSpec::new("image", &[1, 4, 4, 2], dtype)));
    let w = b.add_tensor(q(TensorSpec::new("filter", &[3, 1, 1, 2], dtype)).with_data(vec![0; 6 * dtype.size()]));
    let y = b.add_tensor(q(TensorSpec::new("features", &[1, 4, 4, 3], dtype)));
    b.add_op(BuiltinOp::CONV_2D, &[x, w], &[y], OpOptions::Conv2D(Conv2DOptions::default()));
    b.set_io(&[x], &[y]);
    b.finish()
}

fn verify(model: &[u8]) -> pw_error_info {
    let mut info = std::mem::MaybeUninit::<pw_error_info>::zeroed();
    // SAFETY: true length; `info` writable.
    unsafe { pw_model_verify(model.as_ptr(), model.len(), std::ptr::null(), info.as_mut_ptr()) };
    // SAFETY: always written when non-NULL.
    unsafe { info.assume_init() }
}

#[test]
fn a_float32_model_is_told_to_quantize() {
    assert_eq!(verify(&conv_model(TensorType::Int8)).status, PW_OK);
    let model = conv_model(TensorType::Float32);
    let info = verify(&model);
    assert_eq!(info.status, PW_ERR_MODEL_NOT_QUANTIZED);
    assert_eq!((info.op_index, info.opcode), (0, 3));
    assert_eq!(name(info.op_name, info.op_name_len), "CONV_2D");
    assert_eq!(name(info.tensor_name, info.tensor_name_len), "image");
    let text = cstr(pw_status_str(PW_ERR_MODEL_NOT_QUANTIZED));
    assert!(text.contains("runs int8") && text.contains("full-integer post-training quantization"), "{text}");
    let e = arena_required(&model).unwrap_err();
    let msg = e.to_string();
    assert!(msg.starts_with("operator 0 (CONV_2D)") && msg.contains("int8-quantized"), "{msg}");
    assert!(msg.contains("full-integer post-training quantization"), "{msg}");
    // The summary still describes it.
    let s = summary(&model);
    assert_eq!((s.verify_status, s.arena_required, s.operators), (PW_ERR_MODEL_NOT_QUANTIZED, 0, 1));
    assert_eq!(dtype_name(tensor(&model, PW_MODEL_INPUT, 0).unwrap().dtype), "float32");
}

#[test]
fn custom_and_unsupported_operators_are_named() {
    let mut b = ModelBuilder::new();
    let x = b.add_tensor(TensorSpec::int8("in", &[4], 1.0, 0));
    let y = b.add_tensor(TensorSpec::int8("mid", &[4], 1.0, 0));
    let z = b.add_tensor(TensorSpec::int8("out", &[4], 1.0, 0));
    b.add_custom_op("TFLite_Unknown_Custom", &[x], &[y]);
    b.add_op(BuiltinOp(8), &[y], &[z], OpOptions::None);
    b.set_io(&[x], &[z]);
    let model = b.finish();
    let s = summary(&model);
    assert_eq!((s.operators, s.unsupported_ops, s.verify_status), (2, 2, PW_ERR_MODEL_UNSUPPORTED_OP));
    assert_eq!(s.features_needed, 0);
    let custom = operator(&model, 0).unwrap();
    assert_eq!((custom.opcode, custom.supported, custom.feature), (32, 0, u32::MAX));
    assert_eq!(name(custom.name, custom.name_len), "TFLite_Unknown_Custom");
    let floor = operator(&model, 1).unwrap();
    assert_eq!(name(floor.name, floor.name_len), "FLOOR");
    let info = verify(&model);
    assert_eq!((info.status, info.op_index), (PW_ERR_MODEL_UNSUPPORTED_OP, 0));
    assert_eq!(name(info.op_name, info.op_name_len), "TFLite_Unknown_Custom");
    assert_eq!(info.tensor_name_len, 0);
}

#[test]
fn opcode_and_feature_names() {
    assert_eq!(cstr(pw_opcode_name(3)), "CONV_2D");
    assert_eq!(cstr(pw_opcode_name(32)), "CUSTOM");
    assert_eq!(cstr(pw_opcode_name(161)), "RIGHT_SHIFT");
    assert_eq!(cstr(pw_opcode_name(162)), "UNKNOWN");
    assert_eq!(cstr(pw_opcode_name(u32::MAX)), "UNKNOWN");
    for k in OpKind::ALL {
        assert_eq!(cstr(pw_opcode_name(k.code())), k.name());
    }
    for (i, f) in OpKind::FEATURES.iter().enumerate() {
        assert_eq!(cstr(pw_feature_name(i as u32)), *f);
    }
    assert!(pw_feature_name(PW_FEATURE_COUNT).is_null());
    assert_eq!(PW_FEATURE_COUNT as usize, OpKind::FEATURES.len());
}

#[test]
fn an_init_error_names_operator_and_tensor() {
    // An operator error: the op and its name; a tensor error: the tensor and its name.
    let model = conv_model(TensorType::Float32);
    let mut arena = HostArena::new(4096);
    let (st, info, _) = init_ex(&model, &mut arena, 4096);
    assert_eq!((st, info.status, info.op_index, info.opcode), (PW_ERR_MODEL_NOT_QUANTIZED, st, 0, 3));
    assert_eq!(name(info.op_name, info.op_name_len), "CONV_2D");
    assert_eq!(name(info.tensor_name, info.tensor_name_len), "image");
    assert_eq!(info.arena_required, 0);
    let mut b = ModelBuilder::new();
    let x = b.add_tensor(TensorSpec::int8("ok", &[4], 1.0, 0));
    let bad = b.add_tensor(
        TensorSpec::new("bad quantization", &[4], TensorType::Int8).with_quant(QuantSpec::per_tensor(-1.0, 0)),
    );
    b.add_op(BuiltinOp::RELU, &[x], &[bad], OpOptions::None);
    b.set_io(&[x], &[bad]);
    let model = b.finish();
    let (st, info, _) = init_ex(&model, &mut arena, 4096);
    assert_eq!((st, info.tensor_index, info.op_index), (PW_ERR_MODEL_BAD_TENSOR, 1, u32::MAX));
    assert_eq!(name(info.tensor_name, info.tensor_name_len), "bad quantization");
    // Argument errors carry no more than the status.
    let (st, info, _) = init_ex(&model, &mut arena, 0);
    assert_eq!(st, info.status);
    // A summary of a model that does not parse is its error, nothing written.
    let mut s = std::mem::MaybeUninit::<pw_model_info>::zeroed();
    // SAFETY: true length; `s` writable.
    let st = unsafe { pw_model_summary(model.as_ptr(), 7, std::ptr::null(), s.as_mut_ptr()) };
    assert_eq!(st, PW_ERR_MODEL_TRUNCATED);
    // SAFETY: NULL out-pointers are refused.
    unsafe {
        assert_eq!(pw_model_summary(model.as_ptr(), model.len(), std::ptr::null(), null_mut()), PW_ERR_NULL_POINTER);
        assert_eq!(pw_model_tensor(model.as_ptr(), model.len(), PW_MODEL_INPUT, 0, null_mut()), PW_ERR_NULL_POINTER);
        assert_eq!(pw_model_operator(model.as_ptr(), model.len(), 0, null_mut()), PW_ERR_NULL_POINTER);
        assert_eq!(pw_model_summary(std::ptr::null(), 10, std::ptr::null(), s.as_mut_ptr()), PW_ERR_NULL_POINTER);
    }
}
