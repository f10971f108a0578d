//! `patchwise bench MODEL --per-op`: where an invoke's time goes, step by step.
//!
//! A step is what the run-plan runs at once: one operator, or one fused segment (its operators
//! run together row by row, so only their sum has a time). The clock is read around each step
//! through [`patchwise::Observer`]; each step's time is the median over the iterations.

use crate::plan_view::{self, View};
use patchwise::{Interpreter, Observer};
use std::fmt::Write as _;
use std::time::Instant;

/// The steps of one invoke: `(first operator, last operator, microseconds)`.
struct Clock {
    start: Instant,
    steps: Vec<(usize, usize, f64)>,
}

impl Observer for Clock {
    fn begin(&mut self, _: usize, _: usize) {
        self.start = Instant::now();
    }
    fn end(&mut self, first: usize, last: usize) {
        self.steps.push((first, last, self.start.elapsed().as_secs_f64() * 1e6));
    }
}

/// One step of the profile.
pub struct Step {
    pub first: usize,
    pub last: usize,
    /// Operator names of its running operators, in order.
    pub ops: Vec<String>,
    /// Kernel variant of each running operator.
    pub kernels: Vec<&'static str>,
    pub macs: u64,
    pub median_us: f64,
}

pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|x, y| x.total_cmp(y));
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Runs `iters` observed invokes on `inputs`; returns the median of whole invokes and the steps
/// with their median times (both from the same invokes, so the shares add up).
pub fn profile(
    interp: &mut Interpreter<'_, '_>,
    view: &View<'_>,
    inputs: &[Vec<u8>],
    external: bool,
    iters: usize,
) -> Result<(f64, Vec<Step>), String> {
    let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
    let mut runs: Vec<Vec<(usize, usize, f64)>> = Vec::with_capacity(iters);
    let mut totals = Vec::with_capacity(iters);
    for _ in 0..iters {
        let mut clock = Clock { start: Instant::now(), steps: Vec::new() };
        let t0 = if external {
            let t0 = Instant::now();
            interp.invoke_observed(Some(&refs), &mut clock).map_err(|e| format!("invoke: {e}"))?;
            t0
        } else {
            for (i, bytes) in refs.iter().enumerate() {
                interp.input_mut(i).map_err(|e| format!("input: {e}"))?.data.copy_from_slice(bytes);
            }
            let t0 = Instant::now();
            interp.invoke_observed(None, &mut clock).map_err(|e| format!("invoke: {e}"))?;
            t0
        };
        totals.push(t0.elapsed().as_secs_f64() * 1e6);
        runs.push(clock.steps);
    }
    let total = median(&mut totals);
    let Some(first_run) = runs.first() else { return Ok((total, Vec::new())) };
    let mut steps = Vec::new();
    for (k, &(first, last, _)) in first_run.iter().enumerate() {
        let mut times: Vec<f64> = runs.iter().filter_map(|r| r.get(k).map(|s| s.2)).collect();
        let rows = view.rows.iter().filter(|r| (first..=last).contains(&r.index) && !r.kernel.is_empty());
        let (mut ops, mut kernels, mut macs) = (Vec::new(), Vec::new(), 0);
        for r in rows {
            ops.push(r.name.clone());
            kernels.push(r.kernel);
            macs += r.macs;
        }
        steps.push(Step { first, last, ops, kernels, macs, median_us: median(&mut times) });
    }
    Ok((total, steps))
}

/// The profile as a table (`total_us`: the median of whole invokes, for the shares).
pub fn text(path: &str, iters: usize, total_us: f64, steps: &[Step]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{path}: {iters} invokes, median {total_us:.1} us; per step (one operator, or a fused segment), median:"
    );
    let _ = writeln!(
        s,
        "{:>9}  {:<40} {:<28} {:>11} {:>10} {:>6} {:>7}",
        "ops", "operator", "kernel", "MACs", "us", "%", "ns/MAC"
    );
    for st in steps {
        let ops = if st.first == st.last { st.first.to_string() } else { format!("{}..{}", st.first, st.last) };
        let per_mac = if st.macs > 0 { format!("{:.3}", st.median_us * 1e3 / st.macs as f64) } else { "-".into() };
        let share = if total_us > 0.0 { 100.0 * st.median_us / total_us } else { 0.0 };
        let _ = writeln!(
            s,
            "{ops:>9}  {:<40} {:<28} {:>11} {:>10.1} {share:>6.1} {per_mac:>7}",
            st.ops.join("+"),
            st.kernels.join("+"),
            st.macs,
            st.median_us
        );
    }
    let sum: f64 = steps.iter().map(|s| s.median_us).sum();
    let macs: u64 = steps.iter().map(|s| s.macs).sum();
    let _ = writeln!(
        s,
        "steps: {sum:.1} us of {total_us:.1} us, {macs} MACs; instructions per MAC: no instruction counter on the host (the firmware's FEATURES=profile build counts them)"
    );
    s
}

/// The profile as JSON.
pub fn json(path: &str, iters: usize, total_us: f64, arena: usize, steps: &[Step]) -> String {
    let rows: Vec<String> = steps
        .iter()
        .map(|st| {
            let names: Vec<String> = st.ops.iter().map(|n| plan_view::json_str(n.as_bytes())).collect();
            let kernels: Vec<String> = st.kernels.iter().map(|n| plan_view::json_str(n.as_bytes())).collect();
            let share = if total_us > 0.0 { 100.0 * st.median_us / total_us } else { 0.0 };
            format!(
                "{{\"first_op\": {}, \"last_op\": {}, \"ops\": [{}], \"kernels\": [{}], \"macs\": {}, \"median_us\": {:.2}, \"percent\": {share:.2}}}",
                st.first,
                st.last,
                names.join(", "),
                kernels.join(", "),
                st.macs,
                st.median_us
            )
        })
        .collect();
    format!(
        "{{\"model\": {}, \"iters\": {iters}, \"median_us\": {total_us:.1}, \"arena_bytes\": {arena}, \"instructions_per_mac\": null, \"steps\": [{}]}}",
        plan_view::json_str(path.as_bytes()),
        rows.join(", ")
    )
}
