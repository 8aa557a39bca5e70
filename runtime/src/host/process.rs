//! `process::run(args[, options])`: start a program and wait for it without holding a thread.
//! `args` is an array of strings, the program first; options are `cwd` and `stdin` (strings).
//! Returns `#{status, stdout, stderr}`; a non-zero status is returned, not thrown. Needs
//! `--allow-run` (or `--allow-run=PROGRAM`); a `cwd` also needs read permission for that folder.
//! A bare program name is found in `PATH`'s absolute entries only. The child is killed when the
//! wait is abandoned: the run is cancelled or the exec attempt's `timeout` passes.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use rhai::{Array, Dynamic, Engine, EvalAltResult, FuncRegistration, Map, Module};
use rhai::{INT, NativeCallContext};
use tokio::io::AsyncWriteExt;

use super::effect::{at_top_level, error, permit};
use super::permissions::Permissions;
use super::{HostError, wait};
use crate::value::describe;

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

/// Where `program` is: a path (it has a `/`) is taken relative to the process's working
/// folder; a bare name is looked up in the absolute entries of `PATH` only, so a relative entry
/// (or an empty one, which means the working folder) cannot swap in another binary.
fn locate(program: &str) -> Result<PathBuf, HostError> {
    if program.contains('/') {
        let path = Path::new(program);
        return Ok(if path.is_absolute() {
            path.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|e| {
                    HostError::io(format!(
                        "{CALL}(): no working folder to find {program:?} in: {e}"
                    ))
                })?
                .join(path)
        });
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(|| {
            HostError::io(format!(
                "{CALL}(): program {program:?} not found in PATH (relative PATH entries are not searched)"
            ))
        })
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// The program's absolute path and the canonical working folder, after checking `cwd` against
/// the read grants (a child started in a folder can read it).
fn prepare(
    perms: &Permissions,
    program: &str,
    cwd: Option<&str>,
    shown: &str,
) -> Result<(PathBuf, Option<PathBuf>), HostError> {
    let program = locate(program)?;
    let cwd = match cwd {
        None => None,
        Some(cwd) => {
            let call = format!("{CALL}({shown}) with cwd {cwd:?}");
            let dir = perms
                .check_read(&call, Path::new(cwd))
                .map_err(HostError::from)?
                .ok()
                .filter(|d| d.is_dir())
                .ok_or_else(|| {
                    HostError::io(format!("{CALL}(): cwd {cwd:?} is not a directory"))
                })?;
            Some(dir)
        }
    };
    Ok((program, cwd))
}

/// Start the program, feed its stdin, and collect its output. Dropping this future kills the
/// child (`kill_on_drop`).
async fn execute(spec: Spec, perms: Arc<Permissions>, shown: String) -> Result<Dynamic, HostError> {
    let name = spec.argv[0].clone();
    let (program, cwd) = {
        let (name, cwd) = (name.clone(), spec.cwd.clone());
        super::fs::blocking(CALL, move || prepare(&perms, &name, cwd.as_deref(), &shown)).await?
    };
    let mut cmd = tokio::process::Command::new(&program);
    cmd.args(&spec.argv[1..])
        .stdin(if spec.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(cwd) = &cwd {
        cmd.current_dir(cwd);
    }
    let program = &name;
    let mut child = cmd.spawn().map_err(|e| {
        HostError::io(match e.kind() {
            std::io::ErrorKind::NotFound => format!("{CALL}(): program {program:?} not found"),
            _ => format!("{CALL}(): could not start {program:?}: {e}"),
        })
    })?;
    let pipe = child.stdin.take();
    let feed = async move {
        if let (Some(mut pipe), Some(text)) = (pipe, spec.stdin) {
            // A program that exits without reading all of its input is not an error.
            let _ = pipe.write_all(text.as_bytes()).await;
        }
    };
    let ((), out) = tokio::join!(feed, child.wait_with_output());
    let out =
        out.map_err(|e| HostError::io(format!("{CALL}(): waiting for {program:?} failed: {e}")))?;
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
    let (perms, _) = super::fs::run_context();
    wait(&ctx, CALL, move || Box::pin(execute(spec, perms, shown)))
}

/// Register the `process` module.
pub(super) fn register(engine: &mut Engine) {
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
