//! Running a model on golden inputs and comparing every output bit for bit.

/// Runs `model` on the inputs of golden `case` in `dir` and compares every output bit for bit.
/// Returns a description of the first mismatch.
pub fn run_case(model: &[u8], dir: &std::path::Path, case: usize) -> Result<(), String> {
    run_case_with(model, dir, case, &patchwise::Options::default())
}

/// [`run_case`] with explicit planner options.
pub fn run_case_with(
    model: &[u8],
    dir: &std::path::Path,
    case: usize,
    options: &patchwise::Options,
) -> Result<(), String> {
    use patchwise::{arena_required_with, HostArena, Interpreter};
    let need = arena_required_with(model, options).map_err(|e| format!("arena_required: {e}"))?;
    let mut arena = HostArena::new(need);
    let interp = Interpreter::init(model, arena.bytes_mut(), options).map_err(|e| format!("init: {e}"))?;
    if interp.arena_used() != need {
        return Err(format!("arena_used {} != arena_required {}", interp.arena_used(), need));
    }
    run_on(interp, dir, case, options.external_input)
}

/// [`run_case`] through a plan made ahead of time ([`patchwise::planfile`]) for `options`:
/// `init_planned` in exactly `planned_arena_required` bytes.
pub fn run_case_planned(
    model: &[u8],
    dir: &std::path::Path,
    case: usize,
    options: &patchwise::Options,
) -> Result<(), String> {
    use patchwise::{planned_arena_required, HostArena, Interpreter};
    let plan = patchwise::planfile::write(model, options).map_err(|e| format!("plan file: {e}"))?;
    let need = planned_arena_required(model, &plan).map_err(|e| format!("planned_arena_required: {e}"))?;
    let mut arena = HostArena::new(need);
    let interp =
        Interpreter::init_planned(model, &plan, arena.bytes_mut()).map_err(|e| format!("init_planned: {e}"))?;
    if interp.arena_used() != need {
        return Err(format!("arena_used {} != planned_arena_required {}", interp.arena_used(), need));
    }
    run_on(interp, dir, case, options.external_input)
}

/// Runs golden `case` of `dir` on an initialized interpreter and compares every output.
fn run_on(
    interp: &mut patchwise::Interpreter<'_, '_>,
    dir: &std::path::Path,
    case: usize,
    external: bool,
) -> Result<(), String> {
    let mut inputs = Vec::new();
    for i in 0..interp.num_inputs() {
        let path = dir.join(format!("case{case}.in{i}.bin"));
        inputs.push(std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    if external {
        // Inputs stay in caller memory: invoke reads them where they are.
        let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
        interp.invoke_with_inputs(&refs).map_err(|e| format!("invoke_with_inputs: {e}"))?;
    } else {
        for (i, bytes) in inputs.iter().enumerate() {
            let t = interp.input_mut(i).map_err(|e| format!("input {i}: {e}"))?;
            if t.data.len() != bytes.len() {
                return Err(format!("input {i}: {} bytes, golden has {}", t.data.len(), bytes.len()));
            }
            t.data.copy_from_slice(bytes);
        }
        interp.invoke().map_err(|e| format!("invoke: {e}"))?;
    }
    for j in 0..interp.num_outputs() {
        let path = dir.join(format!("case{case}.out{j}.bin"));
        let want = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let got = interp.output(j).map_err(|e| format!("output {j}: {e}"))?.data;
        if got != want.as_slice() {
            let first = got.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(0);
            let diffs = got.iter().zip(&want).filter(|(a, b)| a != b).count();
            return Err(format!(
                "case {case} output {j}: {diffs} of {} bytes differ, first at byte {first} (got {}, want {})",
                want.len(),
                got.get(first).copied().unwrap_or(0),
                want.get(first).copied().unwrap_or(0)
            ));
        }
    }
    Ok(())
}
