//! `invoke`: plan, init and run arbitrary models.
//!
//! For a model `arena_required` accepts below a cap (4 MiB):
//! - init with one byte less fails with `ArenaTooSmall { required }` equal to the figure;
//! - options: the defaults half of the time, else a combination picked from the model's hash;
//! - init with exactly the figure (arena pre-filled with garbage) succeeds and
//!   `arena_used()` equals it;
//! - inputs get deterministic bytes (passed from caller memory when the options keep inputs
//!   outside the arena); two invokes give the same outcome and the same outputs;
//! - for small models, the same run on a layer-by-layer plan (every memory trick off) in a
//!   zeroed arena gives bit-identical outputs (the planner's tricks never change results);
//! - every input/output view has `elements × size` bytes and sits inside the arena.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target};
use patchwise::{arena_required_with, Error, HostArena, Interpreter, Options};
use patchwise_fuzz::{fill, fnv};

const CAP: usize = 4 << 20;
/// Below this the layer-by-layer comparison run is made too.
const COMPARE_CAP: usize = 1 << 20;

type Outcome = (Result<(), Error>, Vec<Vec<u8>>);

fn run(model: &[u8], arena: &mut [u8], opts: &Options, seed: u64, need: usize, invokes: usize) -> Option<[Outcome; 2]> {
    let (lo, hi) = (arena.as_ptr() as usize, arena.as_ptr() as usize + arena.len());
    let interp = match Interpreter::init(model, arena, opts) {
        Ok(i) => i,
        Err(e) => panic!("arena_required gave {need} but init fails: {e:?}"),
    };
    assert_eq!(interp.arena_used(), need);
    let mut outs: Vec<Outcome> = Vec::new();
    for _ in 0..invokes {
        // With external inputs every input is passed from caller memory (the same bytes).
        let mut external: Vec<Vec<u8>> = Vec::new();
        for i in 0..interp.num_inputs() {
            match interp.input_mut(i) {
                Ok(t) => {
                    assert_eq!(t.data.len(), t.shape.num_elements() * t.dtype.size());
                    let p = t.data.as_ptr() as usize;
                    assert!(t.data.is_empty() || (p >= lo && p + t.data.len() <= hi), "input {i} outside the arena");
                    fill(t.data, seed ^ i as u64);
                    external.push(t.data.to_vec());
                }
                // A model input that is also a constant, or has no arena bytes (external), is
                // not writable.
                Err(e) => {
                    assert_eq!(e, Error::InvalidArgument);
                    let model = interp.model();
                    let bytes = model.input(i).and_then(|t| model.tensor(t)).map_or(0, |t| t.bytes());
                    let mut v = vec![0u8; bytes];
                    fill(&mut v, seed ^ i as u64);
                    external.push(v);
                }
            }
        }
        let r = if opts.external_input {
            let refs: Vec<&[u8]> = external.iter().map(Vec::as_slice).collect();
            interp.invoke_with_inputs(&refs)
        } else {
            interp.invoke()
        };
        match r {
            // More inputs in caller memory than one invoke binds (memory::MAX_EXTERNAL).
            Err(Error::TooLarge) if opts.external_input => {}
            Err(e) => {
                assert!(matches!(e, Error::KernelFailed { .. }), "invoke error {e:?}");
                assert_eq!(interp.last_error(), Some(e));
            }
            Ok(()) => assert_eq!(interp.last_error(), None),
        }
        let mut o = Vec::new();
        for i in 0..interp.num_outputs() {
            match interp.output(i) {
                Ok(v) => {
                    assert_eq!(v.data.len(), v.shape.num_elements() * v.dtype.size());
                    o.push(v.data.to_vec());
                }
                Err(e) => {
                    assert_eq!(e, Error::InvalidArgument);
                    o.push(Vec::new());
                }
            }
        }
        outs.push((r, o));
    }
    assert!(interp.input(interp.num_inputs()).is_err());
    assert!(interp.output(interp.num_outputs()).is_err());
    let a = outs.first()?.clone();
    let b = outs.last()?.clone();
    Some([a, b])
}

fuzz_target!(|data: &[u8]| {
    let seed = fnv(data);
    // Default options half of the time, else any combination of the planner's tricks.
    let mut opts =
        if seed & 0x100 == 0 { Options::default() } else { patchwise::capi::options_from_flags(u32::from(seed as u8)) };
    // Patching off a quarter of the time.
    opts.patch = seed & 0x600 != 0x600;
    let Ok(need) = arena_required_with(data, &opts) else { return };
    if need > CAP {
        return;
    }
    let mut arena = HostArena::new(need);
    assert!(arena.bytes_mut().len() >= need);
    // One byte short: the exact figure in the error.
    match Interpreter::init(data, &mut arena.bytes_mut()[..need - 1], &opts) {
        Err(Error::ArenaTooSmall { required }) => assert_eq!(required, need),
        other => panic!("init with {} of {need} bytes: {:?}", need - 1, other.map(|_| ())),
    }
    arena.bytes_mut().fill(seed as u8 | 1);
    let [first, second] = run(data, &mut arena.bytes_mut()[..need], &opts, seed, need, 2).unwrap();
    assert_eq!(first.0, second.0, "invoke outcome differs between runs");
    // The same plan made ahead of time: init_planned in exactly its figure, the same outcome;
    // a plan with one byte changed is refused (the file checksum) or, never, crashes.
    let plan = patchwise::planfile::write(data, &opts).expect("planfile for an accepted model");
    let planned = patchwise::planned_arena_required(data, &plan).expect("planned_arena_required");
    assert!(planned <= need, "planned {planned} > planning {need}");
    {
        let mut arena3 = HostArena::new(planned);
        let interp = Interpreter::init_planned(data, &plan, &mut arena3.bytes_mut()[..planned]).expect("init_planned");
        assert_eq!(interp.arena_used(), planned);
        let mut bad = plan.clone();
        let at = (seed as usize >> 12) % bad.len();
        bad[at] ^= 1 << ((seed >> 8) & 7);
        assert_eq!(
            patchwise::planned_arena_required(data, &bad).err(),
            Some(Error::BadPlan),
            "a plan with byte {at} changed is accepted"
        );
    }
    // Outputs only depend on the inputs when every activation is written before it is read
    // (an operator reading its own output, or a tensor nobody writes, sees earlier bytes).
    let well_formed = patchwise_fuzz::single_assignment(data, false);
    if first.0.is_ok() && well_formed {
        assert_eq!(first.1, second.1, "outputs differ between two invokes");
    }
    // Layer-by-layer plan: same results (for well-formed graphs, as above).
    if !well_formed {
        return;
    }
    let lbl = Options::layer_by_layer();
    let Ok(need2) = arena_required_with(data, &lbl) else { panic!("layer-by-layer planning rejects the model") };
    if need2 > COMPARE_CAP {
        return;
    }
    let mut arena2 = HostArena::new(need2);
    let [third, _] = run(data, &mut arena2.bytes_mut()[..need2], &lbl, seed, need2, 1).unwrap();
    assert_eq!(first.0.is_ok(), third.0.is_ok(), "invoke outcome depends on the plan: {:?} vs {:?}", first.0, third.0);
    if first.0.is_ok() {
        assert!(first.1 == third.1, "outputs depend on the memory plan");
    }
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    patchwise_fuzz::mutate::mutate(data, size, max_size, seed, 0, &|d, s, m| libfuzzer_sys::fuzzer_mutate(d, s, m))
});
