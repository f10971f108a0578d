//! `patchwise`: host tool to run, plan, benchmark and demo models.
//!
//! ```text
//! patchwise run MODEL --input FILE [--input FILE…] --output FILE [--output FILE…]
//! patchwise plan MODEL [--json] [--svg FILE] [--emit PLAN]
//! patchwise bench MODEL [--iters N] [--warmup N] [--per-op] [--json]
//! patchwise inspect MODEL [--json]
//! patchwise demo
//! ```
//! Tensor files are raw little-endian bytes in model order. Exit status 0 on success; otherwise
//! a one-line error on stderr and status 1 (2 for usage errors, with a second line pointing to
//! `patchwise --help`).

mod inspect;
mod plan_view;
mod profile;

use patchwise::{arena_required, arena_required_with, HostArena, Interpreter, Options};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage:
  patchwise run MODEL --input FILE [--input FILE...] --output FILE [--output FILE...]
  patchwise plan MODEL [--json] [--svg FILE] [--emit PLAN]
  patchwise bench MODEL [--iters N] [--warmup N] [--per-op] [--json]
  patchwise inspect MODEL [--json]
  patchwise demo
memory options (run, plan, bench, inspect): --patch off|auto|all, --layer-by-layer, --external-input, --budget BYTES,
  --no-pad-fusion, --no-alias, --no-in-place, --no-overlap, --no-search, --keep-inputs (inputs intact across invoke),
  --outputs-apart (outputs never share bytes with inputs)";

enum Failure {
    Usage(String),
    Run(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            eprintln!("patchwise: {m}\nhint: patchwise --help lists the commands and options");
            ExitCode::from(2)
        }
        Err(Failure::Run(m)) => {
            eprintln!("patchwise: {m}");
            ExitCode::from(1)
        }
    }
}

fn run_err<E: std::fmt::Display>(ctx: &str) -> impl Fn(E) -> Failure + '_ {
    move |e| Failure::Run(format!("{ctx}: {e}"))
}

fn dispatch(args: &[String]) -> Result<(), Failure> {
    let Some(cmd) = args.first() else { return Err(Failure::Usage("no command".into())) };
    let rest = &args[1..];
    match cmd.as_str() {
        "run" => cmd_run(rest),
        "plan" => cmd_plan(rest),
        "bench" => cmd_bench(rest),
        "inspect" => cmd_inspect(rest),
        "demo" => cmd_demo(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(Failure::Usage(format!("unknown command '{other}'"))),
    }
}

/// Parsed command line: one positional model path plus flags.
#[derive(Default)]
struct Args {
    model: Option<String>,
    inputs: Vec<String>,
    outputs: Vec<String>,
    json: bool,
    iters: Option<usize>,
    per_op: bool,
    warmup: Option<usize>,
    svg: Option<String>,
    emit: Option<String>,
    options: Options,
}

/// Memory-planning flags accepted by run, plan and bench.
const MEMORY_FLAGS: &[&str] = &[
    "--patch",
    "--layer-by-layer",
    "--no-pad-fusion",
    "--no-alias",
    "--no-in-place",
    "--no-overlap",
    "--no-search",
    "--external-input",
    "--keep-inputs",
    "--outputs-apart",
    "--budget",
];

fn parse(rest: &[String], allowed: &[&str]) -> Result<Args, Failure> {
    let mut a = Args::default();
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        let flag = arg.as_str();
        if flag.starts_with("--") && !allowed.contains(&flag) {
            return Err(Failure::Usage(format!("unknown option '{flag}'")));
        }
        let mut value = || it.next().cloned().ok_or_else(|| Failure::Usage(format!("{flag} needs a value")));
        match flag {
            "--input" => a.inputs.push(value()?),
            "--output" => a.outputs.push(value()?),
            "--json" => a.json = true,
            "--per-op" => a.per_op = true,
            "--svg" => a.svg = Some(value()?),
            "--emit" => a.emit = Some(value()?),
            "--patch" => match value()?.as_str() {
                "off" => a.options.patch = false,
                "auto" => a.options.patch = true,
                "all" => (a.options.patch, a.options.patch_all) = (true, true),
                v => return Err(Failure::Usage(format!("--patch takes off, auto or all, not '{v}'"))),
            },
            "--layer-by-layer" => {
                let o = a.options;
                a.options = Options::layer_by_layer();
                (a.options.external_input, a.options.budget) = (o.external_input, o.budget);
                (a.options.keep_inputs, a.options.outputs_apart) = (o.keep_inputs, o.outputs_apart);
            }
            "--external-input" => a.options.external_input = true,
            "--keep-inputs" => a.options.keep_inputs = true,
            "--outputs-apart" => a.options.outputs_apart = true,
            "--budget" => {
                let v = value()?;
                a.options.budget = match v.parse() {
                    Ok(b) if b > 0 => b,
                    _ => return Err(Failure::Usage(format!("--budget takes a number of bytes above 0, not '{v}'"))),
                };
            }
            "--no-pad-fusion" => a.options.pad_fusion = false,
            "--no-alias" => a.options.alias = false,
            "--no-in-place" => a.options.in_place = false,
            "--no-overlap" => a.options.overlap = false,
            "--no-search" => a.options.search = false,
            "--iters" => {
                let v = value()?;
                let n: usize = v.parse().map_err(|_| Failure::Usage(format!("--iters takes a number, not '{v}'")))?;
                if n == 0 {
                    return Err(Failure::Usage("--iters must be at least 1".into()));
                }
                a.iters = Some(n);
            }
            "--warmup" => {
                let v = value()?;
                a.warmup = Some(v.parse().map_err(|_| Failure::Usage(format!("bad --warmup '{v}'")))?);
            }
            _ if a.model.is_none() && !flag.starts_with("--") => a.model = Some(arg.clone()),
            _ => return Err(Failure::Usage(format!("unexpected argument '{arg}'"))),
        }
    }
    Ok(a)
}

fn read_model(a: &Args) -> Result<(String, Vec<u8>), Failure> {
    let path = a.model.clone().ok_or_else(|| Failure::Usage("no MODEL given".into()))?;
    let bytes = std::fs::read(&path).map_err(run_err(&path))?;
    Ok((path, bytes))
}

fn cmd_run(rest: &[String]) -> Result<(), Failure> {
    let a = parse(rest, &[&["--input", "--output"], MEMORY_FLAGS].concat())?;
    let (path, model) = read_model(&a)?;
    let need = arena_required_with(&model, &a.options).map_err(run_err(&path))?;
    let mut arena = HostArena::new(need);
    let interp = Interpreter::init(&model, arena.bytes_mut(), &a.options).map_err(run_err(&path))?;
    if a.inputs.len() != interp.num_inputs() {
        return Err(Failure::Run(format!(
            "model has {} inputs, {} --input given",
            interp.num_inputs(),
            a.inputs.len()
        )));
    }
    if a.outputs.len() != interp.num_outputs() {
        return Err(Failure::Run(format!(
            "model has {} outputs, {} --output given",
            interp.num_outputs(),
            a.outputs.len()
        )));
    }
    let mut inputs = Vec::new();
    for (i, file) in a.inputs.iter().enumerate() {
        let bytes = std::fs::read(file).map_err(run_err(file))?;
        let model = interp.model();
        let t = model.input(i).and_then(|t| model.tensor(t)).map_err(run_err("input"))?;
        if bytes.len() != t.bytes() {
            return Err(Failure::Run(format!(
                "{file}: {} bytes, input {i} ({} {:?}) needs {}",
                bytes.len(),
                t.dtype.name(),
                t.shape.dims(),
                t.bytes()
            )));
        }
        inputs.push(bytes);
    }
    let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
    interp.invoke_with_inputs(&refs).map_err(run_err("invoke"))?;
    for (j, file) in a.outputs.iter().enumerate() {
        let t = interp.output(j).map_err(run_err("output"))?;
        std::fs::write(file, t.data).map_err(run_err(file))?;
    }
    Ok(())
}

/// Extra arena bytes of `--keep-inputs` and of `--outputs-apart` over `options` without
/// either (each alone), for `plan` and `inspect`; without a budget (the smallest plans), which
/// the flags' plans may not fit.
fn io_costs(model: &[u8], options: &Options) -> Result<[usize; 2], patchwise::Error> {
    let mut base = *options;
    (base.keep_inputs, base.outputs_apart, base.budget) = (false, false, 0);
    let without = arena_required_with(model, &base)?;
    let mut keep = base;
    keep.keep_inputs = true;
    let mut apart = base;
    apart.outputs_apart = true;
    let extra = |o: &Options| arena_required_with(model, o).map(|n| n.saturating_sub(without));
    Ok([extra(&keep)?, extra(&apart)?])
}

/// The text lines of [`io_costs`].
fn io_costs_text([keep, apart]: [usize; 2]) -> String {
    format!(
        "keep inputs          +{keep} bytes (--keep-inputs: inputs intact across invoke)\n\
         outputs apart        +{apart} bytes (--outputs-apart: outputs never share bytes with inputs)\n"
    )
}

/// `json` (one object ending in `}` and a newline) with the fields of [`io_costs`] added.
fn with_io_costs_json(json: &str, [keep, apart]: [usize; 2]) -> String {
    let body = json.trim_end().strip_suffix('}').unwrap_or(json);
    format!("{body}, \"keep_inputs_extra_bytes\": {keep}, \"outputs_apart_extra_bytes\": {apart}}}\n")
}

fn plan_text(model_bytes: &[u8], options: &Options, json: bool) -> Result<String, Failure> {
    let v = plan_view::build(model_bytes, options).map_err(run_err("plan"))?;
    let costs = io_costs(model_bytes, options).map_err(run_err("plan"))?;
    if json {
        Ok(with_io_costs_json(&plan_view::json(&v).map_err(run_err("plan"))?, costs))
    } else {
        Ok(plan_view::text(&v) + &io_costs_text(costs))
    }
}

fn cmd_plan(rest: &[String]) -> Result<(), Failure> {
    let a = parse(rest, &[&["--json", "--svg", "--emit"], MEMORY_FLAGS].concat())?;
    let (path, model) = read_model(&a)?;
    let with_path = |f: Failure| match f {
        Failure::Run(m) => Failure::Run(format!("{path}: {m}")),
        f => f,
    };
    // The drawing's file is opened before planning, so that a path that cannot be written
    // fails at once, not after a long plan.
    let svg_file = match &a.svg {
        Some(svg_path) => Some((svg_path, std::fs::File::create(svg_path).map_err(run_err(svg_path))?)),
        None => None,
    };
    let text = plan_text(&model, &a.options, a.json).map_err(with_path)?;
    print!("{text}");
    if let Some((svg_path, mut file)) = svg_file {
        use std::io::Write as _;
        let ours = plan_view::build(&model, &a.options).map_err(run_err(&path))?;
        let tflm = plan_view::build(&model, &Options::layer_by_layer()).map_err(run_err(&path))?;
        file.write_all(plan_view::svg(&ours, &tflm).as_bytes()).map_err(run_err(svg_path))?;
    }
    if let Some(emit) = &a.emit {
        let bytes = patchwise::planfile::write(&model, &a.options).map_err(run_err(&path))?;
        std::fs::write(emit, bytes).map_err(run_err(emit))?;
    }
    Ok(())
}

fn cmd_inspect(rest: &[String]) -> Result<(), Failure> {
    let a = parse(rest, &[&["--json"], MEMORY_FLAGS].concat())?;
    let (path, model) = read_model(&a)?;
    let i = inspect::inspect(&model, &a.options).map_err(run_err(&path))?;
    // The costs of the sharing options, when the model runs at all.
    let costs = io_costs(&model, &a.options).ok();
    match (a.json, costs) {
        (true, Some(c)) => print!("{}", with_io_costs_json(&inspect::json(&path, &i), c)),
        (true, None) => print!("{}", inspect::json(&path, &i)),
        (false, Some(c)) => print!("{}{}", inspect::text(&path, &i), io_costs_text(c)),
        (false, None) => print!("{}", inspect::text(&path, &i)),
    }
    Ok(())
}

/// A deterministic pattern for every input (benchmarks do not depend on values much).
fn bench_inputs(interp: &Interpreter<'_, '_>) -> Result<Vec<Vec<u8>>, Failure> {
    let model = interp.model();
    let mut inputs = Vec::new();
    for i in 0..interp.num_inputs() {
        let t = model.input(i).and_then(|t| model.tensor(t)).map_err(run_err("input"))?;
        let bytes = if t.dtype == patchwise::DType::F32 {
            (0..t.bytes() / 4).flat_map(|k| (((k * 37 % 255) as f32 / 255.0) * 2.0 - 1.0).to_le_bytes()).collect()
        } else {
            (0..t.bytes()).map(|k| (k * 37 % 251) as u8).collect()
        };
        inputs.push(bytes);
    }
    Ok(inputs)
}

/// Writes `inputs` into the arena (or binds them, for external inputs) and invokes; returns
/// the time of the invoke alone (the copy into the arena excluded).
fn timed_invoke(interp: &mut Interpreter<'_, '_>, inputs: &[Vec<u8>], external: bool) -> Result<f64, Failure> {
    let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
    if external {
        let t0 = Instant::now();
        interp.invoke_with_inputs(&refs).map_err(run_err("invoke"))?;
        return Ok(t0.elapsed().as_secs_f64() * 1e6);
    }
    for (i, bytes) in refs.iter().enumerate() {
        interp.input_mut(i).map_err(run_err("input"))?.data.copy_from_slice(bytes);
    }
    let t0 = Instant::now();
    interp.invoke().map_err(run_err("invoke"))?;
    Ok(t0.elapsed().as_secs_f64() * 1e6)
}

fn cmd_bench(rest: &[String]) -> Result<(), Failure> {
    let a = parse(rest, &[&["--iters", "--warmup", "--json", "--per-op"], MEMORY_FLAGS].concat())?;
    let (path, model) = read_model(&a)?;
    let iters = a.iters.unwrap_or(20);
    let need = arena_required_with(&model, &a.options).map_err(run_err(&path))?;
    let mut arena = HostArena::new(need);
    let interp = Interpreter::init(&model, arena.bytes_mut(), &a.options).map_err(run_err(&path))?;
    let inputs = bench_inputs(interp)?;
    let mut times = Vec::with_capacity(iters);
    for _ in 0..a.warmup.unwrap_or(2) {
        timed_invoke(interp, &inputs, a.options.external_input)?;
    }
    for _ in 0..iters {
        times.push(timed_invoke(interp, &inputs, a.options.external_input)?);
    }
    // Per-invoke times in run order, for callers that pool several runs (bench/run.sh).
    let runs: Vec<String> = times.iter().map(|t| format!("{t:.1}")).collect();
    let median = profile::median(&mut times);
    let (min, max) = (times[0], times[iters - 1]);
    if a.per_op {
        let view = plan_view::build(&model, &a.options).map_err(run_err(&path))?;
        let (total, steps) =
            profile::profile(interp, &view, &inputs, a.options.external_input, iters).map_err(Failure::Run)?;
        if a.json {
            println!("{}", profile::json(&path, iters, total, need, &steps));
        } else {
            print!("{}", profile::text(&path, iters, total, &steps));
        }
        return Ok(());
    }
    if a.json {
        println!(
            "{{\"model\": {}, \"iters\": {iters}, \"median_us\": {median:.1}, \"min_us\": {min:.1}, \"max_us\": {max:.1}, \"arena_bytes\": {need}, \"times_us\": [{}]}}",
            plan_view::json_str(path.as_bytes()),
            runs.join(", ")
        );
    } else {
        println!("{path}: {iters} invokes, median {median:.1} us (min {min:.1}, max {max:.1}), arena {need} bytes");
    }
    Ok(())
}

fn cmd_demo(rest: &[String]) -> Result<(), Failure> {
    if let Some(x) = rest.first() {
        return Err(Failure::Usage(format!("demo takes no argument ('{x}')")));
    }
    let model = patchwise::builder::demo_model();
    println!("patchwise demo: a MobileNet-style int8 model built in memory ({} bytes)\n", model.len());
    print!("{}", plan_text(&model, &Options::default(), false)?);
    let need = arena_required(&model).map_err(run_err("demo"))?;
    let mut arena = HostArena::new(need);
    let interp = Interpreter::init(&model, arena.bytes_mut(), &Options::default()).map_err(run_err("demo"))?;
    let inputs = bench_inputs(interp)?;
    let us = timed_invoke(interp, &inputs, false)?;
    for j in 0..interp.num_outputs() {
        let t = interp.output(j).map_err(run_err("output"))?;
        let vals: Vec<i8> = t.data.iter().map(|&b| b as i8).collect();
        println!("\noutput {j} {:?} (scale {}, zero point {}): {:?}", t.shape.dims(), t.scale, t.zero_point, vals);
    }
    println!("one invoke: {us:.1} us, arena {need} bytes");
    Ok(())
}
