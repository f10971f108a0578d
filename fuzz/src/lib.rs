//! Shared code of patchwise's fuzz targets: the structure-aware mutator ([`mutate`]), its
//! tolerant flatbuffer walker ([`fb`]) and small helpers the targets share.
//!
//! This crate does not depend on libFuzzer itself (the targets pass `fuzzer_mutate` in), so its
//! unit tests and the seed generator build on the stable toolchain.

pub mod fb;
pub mod mutate;

/// FNV-1a, to derive deterministic input data from the model bytes.
pub fn fnv(data: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &b in data {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Fills `out` with pseudo-random bytes from `seed`.
pub fn fill(out: &mut [u8], seed: u64) {
    let mut r = mutate::Rng::new(seed);
    for chunk in out.chunks_mut(8) {
        let v = r.next_u64().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}

/// Length of the C API target's prefix (script length byte + script) in an input.
pub fn capi_prefix(data: &[u8]) -> usize {
    data.first().map_or(0, |&n| (1 + n as usize).min(data.len()))
}

/// True when every non-constant tensor an operator reads is a graph input (or, with
/// `with_state`, a variable tensor: state from the previous invoke) or the output of an earlier
/// operator, no tensor has two producers, graph inputs are not produced, and every graph output
/// is produced, constant or an input. Only such graphs have outputs that depend on the inputs
/// alone.
pub fn single_assignment(model: &[u8], with_state: bool) -> bool {
    let Ok(m) = patchwise::schema::Model::parse(model) else { return false };
    let nt = m.num_tensors();
    let mut written = vec![false; nt];
    let constant = |t: usize| m.tensor(t).map_or(true, |t| t.data.is_some());
    for i in 0..m.num_inputs() {
        let Ok(t) = m.input(i) else { return false };
        written[t] = true;
    }
    if with_state {
        for (t, w) in written.iter_mut().enumerate() {
            *w |= m.tensor(t).is_ok_and(|t| t.is_variable);
        }
    }
    for o in 0..m.num_operators() {
        let Ok(op) = m.operator(o) else { return false };
        for i in 0..op.num_inputs() {
            if let Some(t) = op.input(i) {
                if t >= nt || (!written[t] && !constant(t)) {
                    return false;
                }
            }
        }
        for i in 0..op.num_outputs() {
            if let Some(t) = op.output(i) {
                // A variable tensor may be updated (written) by the graph as well.
                let state = with_state && m.tensor(t).is_ok_and(|t| t.is_variable);
                if t >= nt || (written[t] && !state) {
                    return false;
                }
                written[t] = true;
            }
        }
    }
    (0..m.num_outputs()).all(|i| m.output(i).is_ok_and(|t| written[t] || constant(t)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fb::{Kind, Sem, Walk};

    fn demo() -> Vec<u8> {
        patchwise::builder::demo_model()
    }

    #[test]
    fn option_types_and_codes_cover_every_supported_operator() {
        use patchwise::schema::opcodes::OpKind;
        for k in OpKind::ALL {
            assert!(fb::OPTION_TYPES.contains(&k.options_type()), "{k:?}");
            assert!(fb::BUILTIN_CODES.contains(&(k.code() as i32)), "{k:?}");
        }
        assert!(fb::OPTION_TYPES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn walk_finds_the_model_structure() {
        let m = demo();
        let w = Walk::of(&m);
        let model = patchwise::schema::Model::parse(&m).unwrap();
        assert_eq!(w.n_tensors, model.num_tensors());
        assert_eq!(w.n_ops, model.num_operators());
        let dims = w.same_sem(Sem::ShapeDim).count();
        assert!(dims > model.num_tensors(), "{dims} shape dims");
        assert!(w.same_sem(Sem::Stride).count() > 0);
        assert!(w.same_sem(Sem::TensorIdx).count() > 0);
        assert!(w.sites.iter().any(|s| s.kind == Kind::VtEntry));
    }

    #[test]
    fn rebuilt_tables_still_parse_when_unchanged() {
        // Appending a faithful copy of every table and redirecting to it keeps the model valid.
        let m = demo();
        let w = Walk::of(&m);
        let want = patchwise::arena_required(&m).unwrap();
        let mut checked = 0;
        for t in w.tables.iter().filter(|t| t.ref_pos != 0) {
            let mut out = m.clone();
            let spec = fb::Spec::read(fb::R(&m), &t.tab, t.schema, 3);
            let pos = fb::Appender { out: &mut out }.table(&spec);
            let off = (pos - t.ref_pos) as u32;
            out[t.ref_pos..t.ref_pos + 4].copy_from_slice(&off.to_le_bytes());
            assert_eq!(patchwise::arena_required(&out), Ok(want), "{:?}", t.schema);
            checked += 1;
        }
        assert!(checked > 20);
    }

    #[test]
    fn mutations_never_panic_and_respect_max_size() {
        let m = demo();
        let max = m.len() + 4096;
        let mut buf = vec![0u8; max];
        let byte = |d: &mut [u8], s: usize, _m: usize| {
            if s > 0 {
                d[s / 2] ^= 0x55;
            }
            s
        };
        let mut valid = 0;
        for seed in 0..3000u32 {
            buf[..m.len()].copy_from_slice(&m);
            let n = mutate::mutate(&mut buf, m.len(), max, seed, 0, &byte);
            assert!(n <= max);
            if patchwise::arena_required(&buf[..n]).is_ok() {
                valid += 1;
            }
        }
        // Most structure-aware mutations keep a parseable, plannable model.
        assert!(valid > 300, "{valid} valid");
    }
}
