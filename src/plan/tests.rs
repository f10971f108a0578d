//! Unit tests of placement and of the plan checker on synthetic buffer tables.

use super::place::place;
use super::{check, work_bytes, BufferInfo, Options, PlanSummary, Work, EXACT, NEVER, NO_BUFFER};

fn b(size: u32, first: u16, last: u16) -> BufferInfo {
    BufferInfo { size, first, last, ..BufferInfo::default() }
}

/// Runs the placer on `info` (aliases set to self) and checks the result independently.
fn run(mut info: Vec<BufferInfo>, options: &Options) -> (Vec<u32>, PlanSummary) {
    for (i, x) in info.iter_mut().enumerate() {
        x.alias = i as u16;
    }
    let n = info.len();
    let mut mem = vec![0u32; work_bytes(n).div_ceil(4)];
    let mut work = Work::carve(bytemuck::cast_slice_mut(&mut mem), n).unwrap();
    work.info.copy_from_slice(&info);
    let mut offsets = vec![0u32; n];
    let s = place(options, &mut work, &mut offsets).unwrap();
    check(work.info, &offsets, s.activation_bytes).unwrap();
    (offsets, s)
}

#[test]
fn disjoint_lifetimes_share_bytes() {
    let (off, s) = run(vec![b(100, 0, 0), b(52, 0, 1), b(100, 1, 2)], &Options::default());
    assert_eq!(off[0], off[2]);
    assert_eq!(s.activation_bytes, 152);
}

#[test]
fn first_fit_uses_gaps() {
    let (_, s) = run(vec![b(64, 0, 0), b(32, 0, 3), b(64, 1, 3), b(16, 2, 2)], &Options::layer_by_layer());
    assert_eq!(s.activation_bytes, 112);
}

#[test]
fn a_chain_of_overlapping_layers_stays_at_the_lower_bound() {
    // input → op0 → t1 → op1 → t2 → op2 → t3, each output allowed 8 bytes before (forward)
    // or 8 bytes after (backward) its dying input: the search alternates directions.
    let mut info = vec![b(1000, 0, 0), b(1000, 0, 1), b(1000, 1, 2), b(1000, 2, 2)];
    for (out, inp) in [(1, 0), (2, 1), (3, 2)] {
        info[out].partner = inp;
        info[out].forward = 8;
        info[out].backward = 8;
    }
    let (off, s) = run(info.clone(), &Options::default());
    assert_eq!(s.lower_bound, 1008);
    assert_eq!(s.activation_bytes, 1008, "offsets {off:?}");
    // Without permissions the same chain needs two full buffers.
    for x in &mut info {
        x.partner = NO_BUFFER;
    }
    let (_, s) = run(info, &Options::default());
    assert_eq!(s.activation_bytes, 2000);
}

#[test]
fn exact_partners_share_the_same_offset() {
    let mut info = vec![b(500, 0, 0), b(400, 0, 1), b(8, 0, 0)];
    info[1].partner = 0;
    info[1].forward = EXACT;
    info[1].backward = EXACT;
    let (off, s) = run(info, &Options::default());
    assert_eq!(off[0], off[1]);
    assert_eq!(s.activation_bytes, 508);
}

#[test]
fn the_checker_rejects_an_overlap_too_close() {
    let mut info = vec![b(100, 0, 0), b(100, 0, 1)];
    for (i, x) in info.iter_mut().enumerate() {
        x.alias = i as u16;
    }
    info[1].partner = 0;
    info[1].forward = 12;
    info[1].backward = NEVER;
    assert!(check(&info, &[12, 0], 112).is_ok());
    assert!(check(&info, &[12, 4], 112).is_err());
    assert!(check(&info, &[0, 12], 112).is_err());
}

/// The footprints of a window of operators, computed in one pass, equal the per-operator
/// definition on random tables: lifetimes, aliases, empty buffers, partners with every kind of
/// overlap distance (partner lifetimes inside, around and apart from the output's).
#[test]
fn footprints_in_one_pass_equal_the_definition() {
    use super::place::{footprint, footprints};
    let mut rng = crate::test_rng::XorShift::new(0x2545_F491_4F6C_DD1D);
    let mut next = move |n: u64| rng.below(n);
    for _ in 0..if cfg!(miri) { 20 } else { 2_000 } {
        let n = 1 + next(40) as usize;
        let ops = 1 + next(20) as u16;
        let mut info = vec![BufferInfo::default(); n];
        for (i, b) in info.iter_mut().enumerate() {
            let first = next(u64::from(ops)) as u16;
            let last = first + next(u64::from(ops - first)) as u16;
            let mut dist = || match next(4) {
                0 => NEVER,
                1 => EXACT,
                _ => next(600) as i32 - 200,
            };
            let (forward, backward) = (dist(), dist());
            *b = BufferInfo {
                size: if next(6) == 0 { 0 } else { next(5000) as u32 },
                first,
                last,
                alias: if next(8) == 0 { next(n as u64) as u16 } else { i as u16 },
                partner: if next(3) == 0 { next(n as u64 + 1) as u16 } else { NO_BUFFER },
                forward,
                backward,
            };
        }
        let lo = next(u64::from(ops)) as usize;
        let len = 1 + next(u64::from(ops) + 3) as usize;
        let mut got = vec![Default::default(); len];
        footprints(&info, lo, &mut got);
        for (k, f) in got.iter().enumerate() {
            assert_eq!(*f, footprint(&info, (lo + k) as u16), "{info:?} at op {}", lo + k);
        }
    }
}
