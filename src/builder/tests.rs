//! Round-trip tests through a tiny FlatBuffers reader written independently of the writer, and
//! an end-to-end check that TFLM (the oracle) loads and runs what the builder writes.

use super::*;

/// Minimal checked FlatBuffers reader: every access asserts bounds and alignment.
#[derive(Clone, Copy)]
struct Buf<'a>(&'a [u8]);

impl<'a> Buf<'a> {
    fn bytes<const N: usize>(self, at: usize) -> [u8; N] {
        assert!(at + N <= self.0.len(), "read past end at {at}");
        assert_eq!(at % N.min(8), 0, "misaligned {N}-byte read at {at}");
        let mut b = [0; N];
        b.copy_from_slice(&self.0[at..at + N]);
        b
    }
    fn u16(self, at: usize) -> u16 {
        u16::from_le_bytes(self.bytes(at))
    }
    fn u32(self, at: usize) -> u32 {
        u32::from_le_bytes(self.bytes(at))
    }
    fn i32(self, at: usize) -> i32 {
        i32::from_le_bytes(self.bytes(at))
    }
    /// Follows the uoffset stored at `at`.
    fn deref(self, at: usize) -> usize {
        let t = at + self.u32(at) as usize;
        assert!(t < self.0.len(), "offset out of range");
        t
    }
    fn root(self) -> Table<'a> {
        Table { b: self, pos: self.deref(0) }
    }
}

#[derive(Clone, Copy)]
struct Table<'a> {
    b: Buf<'a>,
    pos: usize,
}

impl<'a> Table<'a> {
    fn vtable(self) -> usize {
        let vt = self.pos as i64 - i64::from(self.b.i32(self.pos));
        assert!(vt >= 0);
        vt as usize
    }
    /// Position of field `slot`, if present.
    fn field(self, slot: usize) -> Option<usize> {
        let vt = self.vtable();
        let vt_len = self.b.u16(vt) as usize;
        let tbl_len = self.b.u16(vt + 2) as usize;
        assert!(vt_len >= 4 && vt_len % 2 == 0);
        if 4 + 2 * slot >= vt_len {
            return None;
        }
        let off = self.b.u16(vt + 4 + 2 * slot) as usize;
        assert!(off < tbl_len || off == 0, "field outside its table");
        (off != 0).then_some(self.pos + off)
    }
    fn u8(self, slot: usize, default: u8) -> u8 {
        self.field(slot).map_or(default, |p| self.b.bytes::<1>(p)[0])
    }
    fn i32(self, slot: usize, default: i32) -> i32 {
        self.field(slot).map_or(default, |p| self.b.i32(p))
    }
    fn u32(self, slot: usize, default: u32) -> u32 {
        self.field(slot).map_or(default, |p| self.b.u32(p))
    }
    fn f32(self, slot: usize, default: f32) -> f32 {
        self.field(slot).map_or(default, |p| f32::from_bits(self.b.u32(p)))
    }
    fn table(self, slot: usize) -> Option<Table<'a>> {
        self.field(slot).map(|p| Table { b: self.b, pos: self.b.deref(p) })
    }
    /// (element start, count) of a vector field; checks element alignment.
    fn vector(self, slot: usize, align: usize) -> Option<(usize, usize)> {
        self.field(slot).map(|p| {
            let v = self.b.deref(p);
            let n = self.b.u32(v) as usize;
            assert_eq!((v + 4) % align, 0, "vector elements misaligned");
            assert!(v + 4 + n <= self.b.0.len());
            (v + 4, n)
        })
    }
    fn vec_i32(self, slot: usize) -> Option<Vec<i32>> {
        self.vector(slot, 4).map(|(s, n)| (0..n).map(|i| self.b.i32(s + 4 * i)).collect())
    }
    fn vec_f32(self, slot: usize) -> Option<Vec<f32>> {
        self.vector(slot, 4).map(|(s, n)| (0..n).map(|i| f32::from_bits(self.b.u32(s + 4 * i))).collect())
    }
    fn vec_i64(self, slot: usize) -> Option<Vec<i64>> {
        self.vector(slot, 8).map(|(s, n)| (0..n).map(|i| i64::from_le_bytes(self.b.bytes(s + 8 * i))).collect())
    }
    fn vec_bytes(self, slot: usize, align: usize) -> Option<&'a [u8]> {
        self.vector(slot, align).map(|(s, n)| &self.b.0[s..s + n])
    }
    fn vec_tables(self, slot: usize) -> Vec<Table<'a>> {
        self.vector(slot, 4)
            .map_or(Vec::new(), |(s, n)| (0..n).map(|i| Table { b: self.b, pos: self.b.deref(s + 4 * i) }).collect())
    }
    fn string(self, slot: usize) -> Option<String> {
        self.vector(slot, 4).map(|(s, n)| {
            assert_eq!(self.b.0[s + n], 0, "string not 0-terminated");
            String::from_utf8(self.b.0[s..s + n].to_vec()).expect("utf-8")
        })
    }
}

fn check_header(bytes: &[u8]) -> Table<'_> {
    assert_eq!(&bytes[4..8], b"TFL3");
    // The length is a multiple of the largest alignment used: at least 4 (offsets), 16 as soon
    // as a buffer holds data.
    let has_data = bytes.len() > 8 && Buf(bytes).root().vec_tables(4).iter().any(|b| b.field(0).is_some());
    assert_eq!(bytes.len() % if has_data { 16 } else { 4 }, 0, "length not a multiple of the alignment");
    let model = Buf(bytes).root();
    assert_eq!(model.pos % 4, 0);
    assert_eq!(model.u32(0, 0), SCHEMA_VERSION);
    model
}

#[test]
fn prng_is_deterministic_and_in_range() {
    let mut a = Prng::new(7);
    let mut b = Prng::new(7);
    for _ in 0..1000 {
        assert_eq!(a.next_u64(), b.next_u64());
        let x = a.range_i32(-3, 5);
        assert!((-3..=5).contains(&x));
        let f = a.range_f32(0.5, 1.5);
        assert!((0.5..1.5).contains(&f));
        b.range_i32(-3, 5);
        b.range_f32(0.5, 1.5);
    }
    // SplitMix64 reference value for seed 0.
    assert_eq!(Prng::new(0).next_u64(), 0xe220_a839_7b1d_cdaf);
}

#[test]
fn round_trip_every_field() {
    let mut b = ModelBuilder::new();
    b.set_description("round trip");
    let x = b.add_tensor(TensorSpec::int8("x", &[1, 5, 5, 3], 0.25, -7));
    let w_data: Vec<i8> = (0..4 * 3 * 3 * 3).map(|i| (i as i8).wrapping_mul(37)).collect();
    let w = b.add_const_i8("w", &[4, 3, 3, 3], &w_data, QuantSpec::per_channel(vec![0.5, 0.25, 0.125, 1.0], 0));
    let bias = b.add_const_tensor(
        "b",
        &[4],
        TensorType::Int32,
        Some(QuantSpec::per_channel(vec![0.1, 0.2, 0.3, 0.4], 0)),
        i32_bytes(&[1, -2, 300_000, i32::MIN]),
    );
    let y = b.add_tensor(TensorSpec::int8("y", &[1, 3, 2, 4], 0.5, 3));
    let conv = Conv2DOptions {
        padding: Padding::Valid,
        stride_w: 2,
        stride_h: 1,
        activation: Activation::Relu6,
        dilation_w: 1,
        dilation_h: 2,
    };
    assert_eq!(b.add_op(BuiltinOp::CONV_2D, &[x, w, bias], &[y], OpOptions::Conv2D(conv)), 0);
    let scalar = b.add_const_tensor("s", &[], TensorType::Float32, None, f32_bytes(&[1.5]));
    let z = b.add_tensor(TensorSpec::new("z", &[1, 3, 2, 4], TensorType::Float32));
    b.add_op(BuiltinOp::DEQUANTIZE, &[y], &[z], OpOptions::Dequantize);
    let big = b.add_tensor(TensorSpec::new("g", &[1, 3, 2, 4], TensorType::Float32));
    b.add_op_with_version(BuiltinOp(150), 2, &[z, scalar], &[big], OpOptions::None);
    let c = b.add_tensor(TensorSpec::new("c", &[2], TensorType::Int64).with_data(i64_bytes(&[-1, 1 << 40])));
    b.add_custom_op("MyOp", &[big, -1, c], &[big]);
    // A second CONV_2D reuses opcode 0; all remaining option kinds in one list.
    b.add_op(BuiltinOp::CONV_2D, &[x, w, -1], &[y], OpOptions::Conv2D(Conv2DOptions::default()));
    let others = [
        OpOptions::DepthwiseConv2D(DepthwiseConv2DOptions {
            depth_multiplier: 2,
            dilation_w: 3,
            activation: Activation::Relu,
            ..Default::default()
        }),
        OpOptions::Pool2D(Pool2DOptions { padding: Padding::Same, filter_width: 3, ..Default::default() }),
        OpOptions::FullyConnected(FullyConnectedOptions { activation: Activation::ReluN1To1, keep_num_dims: true }),
        OpOptions::Softmax { beta: 0.5 },
        OpOptions::Concatenation { axis: -1, activation: Activation::None },
        OpOptions::Add { activation: Activation::Relu },
        OpOptions::Reshape { new_shape: Some(vec![1, -1]) },
        OpOptions::Reshape { new_shape: None },
        OpOptions::Mul { activation: Activation::Relu6 },
        OpOptions::Pad,
        OpOptions::Transpose,
        OpOptions::Reducer { keep_dims: true },
        OpOptions::Squeeze { squeeze_dims: vec![1, 2] },
        OpOptions::PadV2,
        OpOptions::ResizeNearestNeighbor { align_corners: false, half_pixel_centers: true },
        OpOptions::Quantize,
        OpOptions::HardSwish,
    ];
    for o in &others {
        b.add_op(BuiltinOp::RELU, &[x], &[y], o.clone());
    }
    b.set_io(&[x], &[y, big]);
    let bytes = b.finish();
    assert_eq!(bytes, b.finish(), "finish is deterministic");

    let model = check_header(&bytes);
    assert_eq!(model.string(3).as_deref(), Some("round trip"));

    // Buffers: 0 is empty, then one per constant tensor, data 16-byte aligned.
    let buffers = model.vec_tables(4);
    assert_eq!(buffers.len(), 5);
    assert!(buffers[0].field(0).is_none());
    let data: Vec<&[u8]> = buffers[1..].iter().map(|t| t.vec_bytes(0, 16).expect("data")).collect();
    assert_eq!(data[0], &i8_bytes(&w_data)[..]);
    assert_eq!(data[1], &i32_bytes(&[1, -2, 300_000, i32::MIN])[..]);
    assert_eq!(data[2], &f32_bytes(&[1.5])[..]);
    assert_eq!(data[3], &i64_bytes(&[-1, 1 << 40])[..]);

    // Operator codes: CONV_2D, DEQUANTIZE, 150 (v2), CUSTOM "MyOp", RELU.
    let codes: Vec<(u8, i32, i32, Option<String>)> =
        model.vec_tables(1).iter().map(|t| (t.u8(0, 0), t.i32(3, 0), t.i32(2, 1), t.string(1))).collect();
    assert_eq!(
        codes,
        vec![
            (3, 3, 1, None),
            (6, 6, 1, None),
            (127, 150, 2, None),
            (32, 32, 1, Some("MyOp".to_string())),
            (19, 19, 1, None),
        ]
    );

    let subgraphs = model.vec_tables(2);
    assert_eq!(subgraphs.len(), 1);
    let sg = subgraphs[0];
    assert_eq!(sg.string(4).as_deref(), Some("main"));
    assert_eq!(sg.vec_i32(1), Some(vec![x]));
    assert_eq!(sg.vec_i32(2), Some(vec![y, big]));

    let tensors = sg.vec_tables(0);
    assert_eq!(tensors.len(), b.tensor_count());
    let t = |i: i32| tensors[i as usize];
    assert_eq!(t(x).string(3).as_deref(), Some("x"));
    assert_eq!(t(x).vec_i32(0), Some(vec![1, 5, 5, 3]));
    assert_eq!(t(x).u8(1, 0), TensorType::Int8 as u8);
    assert_eq!(t(x).u32(2, 0), 0);
    assert_eq!(t(x).u8(8, 0), 1, "has_rank");
    let xq = t(x).table(4).expect("quantization");
    assert_eq!(xq.vec_f32(2), Some(vec![0.25]));
    assert_eq!(xq.vec_i64(3), Some(vec![-7]));
    assert_eq!(xq.i32(6, 0), 0);
    assert_eq!(t(w).u32(2, 0), 1);
    assert_eq!(t(bias).u32(2, 0), 2);
    assert_eq!(t(bias).u8(1, 0), TensorType::Int32 as u8);
    let bq = t(bias).table(4).expect("bias quantization");
    assert_eq!(bq.vec_f32(2), Some(vec![0.1, 0.2, 0.3, 0.4]));
    assert_eq!(bq.vec_i64(3), Some(vec![0; 4]));
    assert_eq!(t(scalar).vec_i32(0), Some(vec![]));
    assert!(t(scalar).field(1).is_none(), "FLOAT32 is the default type");
    assert!(t(scalar).table(4).is_none());
    assert_eq!(t(c).u8(1, 0), TensorType::Int64 as u8);
    assert_eq!(t(c).u32(2, 0), 4);

    let ops = sg.vec_tables(3);
    assert_eq!(ops.len(), 5 + others.len());
    let opcode_of: Vec<u32> = ops.iter().map(|o| o.u32(0, 0)).collect();
    assert_eq!(&opcode_of[..5], &[0, 1, 2, 3, 0]);
    assert!(opcode_of[5..].iter().all(|&i| i == 4));
    assert_eq!(ops[0].vec_i32(1), Some(vec![x, w, bias]));
    assert_eq!(ops[0].vec_i32(2), Some(vec![y]));
    assert_eq!(ops[3].vec_i32(1), Some(vec![big, -1, c]));
    assert_eq!(ops[2].u8(3, 0), 0);
    assert!(ops[2].field(4).is_none());

    let conv0 = ops[0].table(4).expect("options");
    assert_eq!(ops[0].u8(3, 0), 1);
    assert_eq!((conv0.u8(0, 0), conv0.i32(1, 0), conv0.i32(2, 0), conv0.u8(3, 0)), (1, 2, 1, 3));
    assert_eq!((conv0.i32(4, 1), conv0.i32(5, 1)), (1, 2));
    let conv1 = ops[4].table(4).expect("options");
    assert_eq!((conv1.u8(0, 0), conv1.i32(1, 0), conv1.i32(2, 0)), (0, 1, 1));
    assert!(conv1.field(4).is_none() && conv1.field(5).is_none(), "defaults omitted");

    let o: Vec<Table> = ops[5..].iter().map(|op| op.table(4).expect("options")).collect();
    let types: Vec<u8> = ops[5..].iter().map(|op| op.u8(3, 0)).collect();
    assert_eq!(types, vec![2, 5, 8, 9, 10, 11, 17, 17, 21, 22, 26, 27, 30, 43, 74, 89, 91]);
    assert_eq!((o[0].i32(1, 0), o[0].i32(3, 0), o[0].u8(4, 0), o[0].i32(5, 1), o[0].i32(6, 1)), (1, 2, 1, 3, 1));
    assert_eq!((o[1].u8(0, 0), o[1].i32(1, 0), o[1].i32(3, 0), o[1].i32(4, 0), o[1].u8(5, 0)), (0, 2, 3, 2, 0));
    assert_eq!((o[2].u8(0, 0), o[2].u8(1, 0), o[2].u8(2, 0)), (2, 0, 1));
    assert_eq!(o[3].f32(0, 0.0), 0.5);
    assert_eq!((o[4].i32(0, 0), o[4].u8(1, 0)), (-1, 0));
    assert_eq!(o[5].u8(0, 0), 1);
    assert_eq!(o[6].vec_i32(0), Some(vec![1, -1]));
    assert!(o[7].field(0).is_none());
    assert_eq!(o[8].u8(0, 0), 3);
    assert_eq!(o[11].u8(0, 0), 1);
    assert_eq!(o[12].vec_i32(0), Some(vec![1, 2]));
    assert_eq!((o[14].u8(0, 0), o[14].u8(1, 0)), (0, 1));
    for empty in [&o[9], &o[10], &o[13], &o[15], &o[16]] {
        assert!(empty.field(0).is_none());
    }
}

#[test]
fn vtables_are_shared() {
    let mut b = ModelBuilder::new();
    let x = b.add_tensor(TensorSpec::int8("x", &[1, 4], 0.5, 0));
    let mut ys = Vec::new();
    for i in 0..20 {
        let y = b.add_tensor(TensorSpec::int8(&format!("y{i}"), &[1, 4], 0.5, 0));
        b.add_op(BuiltinOp::RELU, &[x], &[y], OpOptions::None);
        ys.push(y);
    }
    b.set_io(&[x], &ys);
    let bytes = b.finish();
    let sg = check_header(&bytes).vec_tables(2)[0];
    let tensors = sg.vec_tables(0);
    let vts: std::collections::BTreeSet<usize> = tensors.iter().map(|t| t.vtable()).collect();
    assert_eq!(vts.len(), 1, "21 identical tensor layouts share one vtable");
    let ops = sg.vec_tables(3);
    assert_eq!(ops.len(), 20);
    assert!(ops.iter().all(|o| o.vec_i32(1) == Some(vec![x])));
}

#[test]
fn empty_and_unaligned_buffers() {
    let mut b = ModelBuilder::new();
    let odd = b.add_buffer(vec![1, 2, 3]);
    let empty = b.add_buffer(Vec::new());
    let t0 = b.add_tensor_on_buffer(TensorSpec::new("a", &[3], TensorType::UInt8), odd);
    let t1 = b.add_tensor_on_buffer(TensorSpec::new("b", &[0], TensorType::Bool), empty);
    let t2 = b.add_tensor(TensorSpec::new("c", &[5], TensorType::Int16).with_data(i16_bytes(&[1, -1, 2, -2, 3])));
    b.set_io(&[t0], &[t1, t2]);
    let bytes = b.finish();
    let model = check_header(&bytes);
    let bufs = model.vec_tables(4);
    assert_eq!(bufs.len(), 4);
    assert_eq!(bufs[1].vec_bytes(0, 16), Some(&[1u8, 2, 3][..]));
    assert!(bufs[2].field(0).is_none());
    assert_eq!(bufs[3].vec_bytes(0, 16), Some(&i16_bytes(&[1, -1, 2, -2, 3])[..]));
    let tensors = model.vec_tables(2)[0].vec_tables(0);
    assert_eq!(tensors[t2 as usize].u32(2, 0), 3);
    assert_eq!(tensors[t2 as usize].u8(1, 0), TensorType::Int16 as u8);
}

#[test]
fn demo_model_is_deterministic_and_well_formed() {
    let bytes = demo_model();
    assert_eq!(bytes, demo_model());
    let model = check_header(&bytes);
    let sg = model.vec_tables(2)[0];
    let tensors = sg.vec_tables(0);
    let io = |slot| -> Vec<Vec<i32>> {
        sg.vec_i32(slot)
            .unwrap_or_default()
            .iter()
            .map(|&i| tensors[i as usize].vec_i32(0).unwrap_or_default())
            .collect()
    };
    assert_eq!(io(1), vec![vec![1, 48, 48, 3]]);
    assert_eq!(io(2), vec![vec![1, 10]]);
    let codes: Vec<i32> =
        sg.vec_tables(3).iter().map(|op| model.vec_tables(1)[op.u32(0, 0) as usize].i32(3, 0)).collect();
    assert_eq!(codes, vec![3, 4, 3, 3, 4, 3, 3, 4, 3, 0, 40, 9, 25]);
}

/// End-to-end: TFLM (PyPI `tflite-micro`, the project's oracle) loads and runs the demo model.
/// Skipped, with a note, when `python3` or the `tflite_micro` package is missing.
#[test]
fn tflm_runs_demo_model() {
    use std::process::Command;
    let dir = std::env::temp_dir().join(format!("patchwise-builder-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("demo.tflite");
    std::fs::write(&path, demo_model()).expect("write model");
    let script = r#"
import sys
try:
    import numpy as np
    from tflite_micro import runtime
except ImportError:
    print("SKIP"); sys.exit(0)
it = runtime.Interpreter.from_bytes(open(sys.argv[1], "rb").read(), arena_size=1 << 22)
d = it.get_input_details(0)
x = np.random.default_rng(0).integers(-128, 128, size=d["shape"], dtype=np.int8)
it.set_input(x, 0)
it.invoke()
y = it.get_output(0).astype(np.int32)
print("OK", list(y.shape), int((y + 128).sum()), len(set(y.ravel().tolist())))
"#;
    let out = Command::new("python3").arg("-c").arg(script).arg(&path).output();
    let _ = std::fs::remove_dir_all(&dir);
    let Ok(out) = out else {
        eprintln!("python3 not found: TFLM end-to-end check skipped");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "TFLM failed: {}", String::from_utf8_lossy(&out.stderr));
    if stdout.trim() == "SKIP" {
        eprintln!("tflite_micro not installed: TFLM end-to-end check skipped");
        return;
    }
    let words: Vec<&str> = stdout.split_whitespace().collect();
    assert_eq!(&words[..3], &["OK", "[1,", "10]"], "{stdout}");
    let total: i32 = words[3].parse().expect("sum");
    let distinct: usize = words[4].parse().expect("distinct");
    assert!((240..=272).contains(&total), "softmax outputs sum to ~256: {stdout}");
    assert!(distinct >= 5, "outputs are not saturated: {stdout}");
}
