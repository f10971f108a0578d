//! `verify`: `Model::parse` on arbitrary bytes, then every view it exposes.
//!
//! Invariants: parsing never panics; the result does not depend on the bytes' alignment; a
//! model that parses has every tensor, operator and I/O index readable and consistent (the
//! verifier promises that the accessors cannot fail afterwards).
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target};
use patchwise::schema::Model;

fuzz_target!(|data: &[u8]| {
    let parsed = Model::parse(data);
    // Same bytes at an odd address: same verdict.
    let mut shifted = vec![0u8; data.len() + 3];
    shifted[3..].copy_from_slice(data);
    let again = Model::parse(&shifted[3..]);
    assert_eq!(parsed.as_ref().err(), again.as_ref().err());
    let Ok(m) = parsed else { return };
    walk(&m);
    assert_eq!(again.map(|a| a.num_tensors()).ok(), Some(m.num_tensors()));
});

fn walk(m: &Model<'_>) {
    let nt = m.num_tensors();
    assert!(m.num_inputs() > 0 && m.num_outputs() > 0);
    for i in 0..nt {
        let t = m.tensor(i).expect("verified tensor");
        let bytes = t.bytes();
        assert!(bytes as u64 <= patchwise::schema::MAX_TENSOR_BYTES);
        assert_eq!(bytes, t.elements() * t.dtype.size());
        assert!(t.shape.rank() <= 6);
        if let Some(d) = t.data {
            assert_eq!(d.len(), bytes, "tensor {i}: constant data size");
        }
        let q = t.quant;
        for c in 0..q.scales.len() {
            let s = q.scales.get(c);
            assert!(s.is_finite() && s >= 0.0, "tensor {i}: scale {s}");
        }
        for c in 0..q.zero_point_count().max(1) {
            std::hint::black_box(q.zero_point_at(c));
        }
        std::hint::black_box((q.scale(), q.zero_point(), q.is_per_channel(), t.is_variable, t.name.len()));
    }
    assert!(m.tensor(nt).is_err());
    for i in 0..m.num_inputs() {
        assert!(m.input(i).expect("verified input") < nt);
    }
    for i in 0..m.num_outputs() {
        assert!(m.output(i).expect("verified output") < nt);
    }
    assert!(m.input(m.num_inputs()).is_err());
    assert!(m.output(m.num_outputs()).is_err());
    for o in 0..m.num_operators() {
        let op = m.operator(o).expect("verified operator");
        for i in 0..op.num_inputs() {
            if let Some(t) = op.input(i) {
                assert!(t < nt, "op {o} input {i}");
            }
        }
        for i in 0..op.num_outputs() {
            if let Some(t) = op.output(i) {
                assert!(t < nt, "op {o} output {i}");
            }
        }
        assert_eq!(op.input(op.num_inputs()), None);
        if let Some(opts) = op.options {
            // Arbitrary reads of the options table: errors are fine, panics are not.
            for id in 0..12 {
                let _ = std::hint::black_box((opts.i8(id, 0), opts.i32(id, 0), opts.f32(id, 0.0), opts.u64(id, 0)));
                let _ = std::hint::black_box(opts.vector(id, 4).map(|v| v.map(|v| (v.len(), v.i32(0)))));
                let _ = std::hint::black_box(opts.table(id).map(|t| t.is_some()));
            }
        }
    }
    assert!(m.operator(m.num_operators()).is_err());
}

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    patchwise_fuzz::mutate::mutate(data, size, max_size, seed, 0, &|d, s, m| libfuzzer_sys::fuzzer_mutate(d, s, m))
});
