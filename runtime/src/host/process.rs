//! `process::run(args[, options])`: start a program and wait for it without holding a thread.
//! `args` is an array of strings, the program first; options are `cwd` and `stdin` (strings).
//! Returns `#{status, stdout, stderr}`; a non-zero status is returned, not thrown. Needs
//! `--allow-run` (or `--allow-run=PROGRAM`). The child is killed when the wait is abandoned: the
//! run is cancelled or the exec attempt's `timeout` passes.

use std::process::Stdio;

use rhai::{Array, Dynamic, Engine, EvalAltResult, FuncRegistration, Map, Module};
use rhai::{INT, NativeCallContext};
use tokio::io::AsyncWriteExt;

use super::effect::{at_top_level, error, permit};
use super::wait;
use crate::script::value::describe;

const CALL: &str = "process::run";

/// What to run.
struct Spec {
    argv: Vec<String>,
    cwd: Option<String>,
    stdin: Option<String>,
}

fn parse_argv(ctx: &NativeCallContext, args: Dynamic) -> Result<Vec<String>, Box<EvalAltResult>> {
    let usage = "an array of strings, the program first, e.g. [\"ls\", \"-l\"]";
    let Some(items) = args.read_lock::<Array>().map(|a| a.clone()) else {
        return Err(error(
            ctx,
            format!("{CALL}() takes {usage}, found {}", describe(&args)),
        ));
    };
    if items.is_empty() {
        return Err(error(ctx, format!("{CALL}() takes {usage}, found []")));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            if v.is_string() {
                Ok(v.into_string().unwrap_or_default())
            } else {
                Err(error(
                    ctx,
                    format!(
                        "{CALL}(): args[{i}] must be a string, found {}",
                        describe(&v)
                    ),
                ))
            }
        })
        .collect()
}

fn parse_options(
    ctx: &NativeCallContext,
    argv: Vec<String>,
    opts: Dynamic,
) -> Result<Spec, Box<EvalAltResult>> {
    let Some(map) = opts.read_lock::<Map>().map(|m| m.clone()) else {
        return Err(error(
            ctx,
            format!(
                "{CALL}() takes options as a map such as #{{cwd: \"dir\", stdin: \"text\"}}, found {}",
                describe(&opts)
            ),
        ));
    };
    let mut spec = Spec {
        argv,
        cwd: None,
        stdin: None,
    };
    for (key, value) in map {
        let slot = match key.as_str() {
            "cwd" => &mut spec.cwd,
            "stdin" => &mut spec.stdin,
            other => {
                return Err(error(
                    ctx,
                    format!("{CALL}(): unknown option `{other}` (options are cwd and stdin)"),
                ));
            }
        };
        if value.is_unit() {
            continue;
        }
        if !value.is_string() {
            return Err(error(
                ctx,
                format!(
                    "{CALL}(): option `{key}` must be a string, found {}",
                    describe(&value)
                ),
            ));
        }
        *slot = Some(value.into_string().unwrap_or_default());
    }
    Ok(spec)
}

/// Start the program, feed its stdin, and collect its output. Dropping this future kills the
/// child (`kill_on_drop`).
async fn execute(spec: Spec) -> Result<Dynamic, String> {
    let program = &spec.argv[0];
    if let Some(cwd) = &spec.cwd
        && !tokio::fs::metadata(cwd).await.is_ok_and(|m| m.is_dir())
    {
        return Err(format!("{CALL}(): cwd {:?} is not a directory", cwd));
    }
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(&spec.argv[1..])
        .stdin(if spec.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(cwd) = &spec.cwd {
        cmd.current_dir(cwd);
    }
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{CALL}(): program {program:?} not found"),
        _ => format!("{CALL}(): could not start {program:?}: {e}"),
    })?;
    let pipe = child.stdin.take();
    let feed = async move {
        if let (Some(mut pipe), Some(text)) = (pipe, spec.stdin) {
            // A program that exits without reading all of its input is not an error.
            let _ = pipe.write_all(text.as_bytes()).await;
        }
    };
    let ((), out) = tokio::join!(feed, child.wait_with_output());
    let out = out.map_err(|e| format!("{CALL}(): waiting for {program:?} failed: {e}"))?;
    let mut result = Map::new();
    result.insert("status".into(), Dynamic::from_int(status_code(&out.status)));
    result.insert(
        "stdout".into(),
        Dynamic::from(String::from_utf8_lossy(&out.stdout).into_owned()),
    );
    result.insert(
        "stderr".into(),
        Dynamic::from(String::from_utf8_lossy(&out.stderr).into_owned()),
    );
    Ok(Dynamic::from_map(result))
}

/// The exit code, or 128 + the signal that ended the process (as shells report it).
fn status_code(status: &std::process::ExitStatus) -> INT {
    if let Some(code) = status.code() {
        return INT::from(code);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return 128 + INT::from(sig);
        }
    }
    -1
}

fn run_with(
    ctx: NativeCallContext,
    args: Dynamic,
    opts: Dynamic,
) -> Result<Dynamic, Box<EvalAltResult>> {
    if at_top_level(&ctx, CALL) {
        return Ok(Dynamic::UNIT);
    }
    let argv = parse_argv(&ctx, args)?;
    let spec = parse_options(&ctx, argv, opts)?;
    let program = spec.argv[0].clone();
    let shown = serde_json::to_string(&spec.argv).unwrap_or_default();
    permit(&ctx, |p| p.check_run(&format!("{CALL}({shown})"), &program))?;
    wait(&ctx, CALL, move || Box::pin(execute(spec)))
}

/// Register the `process` module.
pub fn register(engine: &mut Engine) {
    let mut module = Module::new();
    FuncRegistration::new("run")
        .with_params_info(["args: Array", "Map"])
        .with_comments(["/// Run a program (`args[0]`) and return `#{status, stdout, stderr}`. Needs `--allow-run`."])
        .set_into_module(&mut module, |ctx: NativeCallContext, args: Dynamic| {
            run_with(ctx, args, Dynamic::from_map(Map::new()))
        });
    FuncRegistration::new("run")
        .with_params_info(["args: Array", "options: Map", "Map"])
        .with_comments(["/// Like `run(args)`, with options `cwd` and `stdin` (strings)."])
        .set_into_module(&mut module, run_with);
    engine.register_static_module("process", module.into());
}
