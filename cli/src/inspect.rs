//! `patchwise inspect`: what a model is, without running it (the library's model summary, as
//! C firmware gets it from `pw_model_summary` / `pw_model_tensor` / `pw_model_operator`).

use crate::plan_view::{cargo_args, json_str};
use patchwise::schema::opcodes::OpKind;
use patchwise::schema::{Model, Tensor};
use patchwise::summary::{feature_names, summarize};
use patchwise::{Error, Options};
use std::fmt::Write as _;

/// One model input or output.
struct Io<'m> {
    tensor: usize,
    t: Tensor<'m>,
}

/// Everything `inspect` prints.
pub struct Inspection<'m> {
    inputs: Vec<Io<'m>>,
    outputs: Vec<Io<'m>>,
    tensors: usize,
    /// Per operator: name, opcode, runs in this build, feature.
    operators: Vec<(String, u32, bool, Option<&'static str>)>,
    /// Sorted operator features the model needs.
    features: Vec<&'static str>,
    /// Arena bytes with the options given, or why init would refuse the model.
    arena: Result<usize, Error>,
}

pub fn inspect<'m>(bytes: &'m [u8], options: &Options) -> Result<Inspection<'m>, Error> {
    let model = Model::parse(bytes)?;
    let s = summarize(bytes, options)?;
    let io = |t: usize| -> Result<Io<'m>, Error> { Ok(Io { tensor: t, t: model.tensor(t)? }) };
    let inputs = (0..model.num_inputs()).map(|i| io(model.input(i)?)).collect::<Result<_, _>>()?;
    let outputs = (0..model.num_outputs()).map(|i| io(model.output(i)?)).collect::<Result<_, _>>()?;
    let mut operators = Vec::new();
    for o in 0..model.num_operators() {
        let op = model.operator(o)?;
        let name = String::from_utf8_lossy(model.operator_name(o)?).into_owned();
        let name = if name.is_empty() { format!("builtin code {}", op.opcode) } else { name };
        let kind = OpKind::from_code(op.opcode);
        operators.push((name, op.opcode, kind.is_some_and(OpKind::enabled), kind.and_then(OpKind::feature)));
    }
    let mut features: Vec<&'static str> = feature_names(s.features_needed).collect();
    features.sort_unstable();
    Ok(Inspection { inputs, outputs, tensors: s.tensors, operators, features, arena: s.arena })
}

fn shape(t: &Tensor<'_>) -> String {
    let dims: Vec<String> = t.shape.dims().iter().map(|d| d.to_string()).collect();
    format!("[{}]", dims.join(", "))
}

/// Operator names with their counts, in first-appearance order.
fn counts(i: &Inspection<'_>) -> Vec<(String, usize)> {
    let mut c: Vec<(String, usize)> = Vec::new();
    for (name, ..) in &i.operators {
        match c.iter_mut().find(|(n, _)| n == name) {
            Some((_, k)) => *k += 1,
            None => c.push((name.clone(), 1)),
        }
    }
    c
}

pub fn text(path: &str, i: &Inspection<'_>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "model                {path}");
    let _ = writeln!(s, "tensors              {}", i.tensors);
    for (what, list) in [("input", &i.inputs), ("output", &i.outputs)] {
        for (k, io) in list.iter().enumerate() {
            let t = &io.t;
            let label = format!("{what} {k}");
            let _ = writeln!(
                s,
                "{label:<20} tensor {} \"{}\" {} {} ({} bytes), scale {}, zero point {}",
                io.tensor,
                String::from_utf8_lossy(t.name),
                t.dtype.name(),
                shape(t),
                t.bytes(),
                t.quant.scale(),
                t.quant.zero_point()
            );
        }
    }
    let by_name: Vec<String> = counts(i).iter().map(|(n, k)| format!("{n} x{k}")).collect();
    let _ = writeln!(s, "operators            {}: {}", i.operators.len(), by_name.join(", "));
    let unsupported: Vec<String> =
        i.operators.iter().enumerate().filter(|(_, o)| !o.2).map(|(k, o)| format!("{k} ({})", o.0)).collect();
    if !unsupported.is_empty() {
        let _ = writeln!(s, "not supported        operators {}", unsupported.join(", "));
    }
    let _ = writeln!(s, "cargo features       {}", cargo_args(&i.features));
    match i.arena {
        Ok(n) => {
            let _ = writeln!(s, "arena bytes          {n}");
        }
        Err(e) => {
            let _ = writeln!(s, "runs                 no: {e}");
        }
    }
    s
}

fn io_json(list: &[Io<'_>]) -> String {
    let items: Vec<String> = list
        .iter()
        .map(|io| {
            let t = &io.t;
            format!(
                "{{\"tensor\": {}, \"name\": {}, \"dtype\": {}, \"shape\": {}, \"bytes\": {}, \"scale\": {}, \"zero_point\": {}}}",
                io.tensor,
                json_str(t.name),
                json_str(t.dtype.name().as_bytes()),
                shape(t),
                t.bytes(),
                json_f32(t.quant.scale()),
                t.quant.zero_point()
            )
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// A float as JSON (the shortest representation that reads back the same `f32`).
fn json_f32(x: f32) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else {
        "null".to_string()
    }
}

pub fn json(path: &str, i: &Inspection<'_>) -> String {
    let ops: Vec<String> = i
        .operators
        .iter()
        .enumerate()
        .map(|(k, (name, opcode, supported, feature))| {
            format!(
                "{{\"index\": {k}, \"name\": {}, \"opcode\": {opcode}, \"supported\": {supported}, \"feature\": {}}}",
                json_str(name.as_bytes()),
                feature.map_or("null".to_string(), |f| json_str(f.as_bytes()))
            )
        })
        .collect();
    let by_name: Vec<String> = counts(i).iter().map(|(n, k)| format!("{}: {k}", json_str(n.as_bytes()))).collect();
    let features: Vec<String> = i.features.iter().map(|f| json_str(f.as_bytes())).collect();
    let (arena, error) = match i.arena {
        Ok(n) => (n.to_string(), "null".to_string()),
        Err(e) => ("null".to_string(), json_str(e.to_string().as_bytes())),
    };
    format!(
        "{{\"model\": {}, \"inputs\": {}, \"outputs\": {}, \"tensor_count\": {}, \"operator_count\": {}, \
         \"operator_counts\": {{{}}}, \"operators\": [{}], \"features\": [{}], \"cargo_features\": {}, \
         \"arena_bytes\": {arena}, \"error\": {error}}}\n",
        json_str(path.as_bytes()),
        io_json(&i.inputs),
        io_json(&i.outputs),
        i.tensors,
        i.operators.len(),
        by_name.join(", "),
        ops.join(", "),
        features.join(", "),
        json_str(cargo_args(&i.features).as_bytes())
    )
}
