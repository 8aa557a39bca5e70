//! `env(name)`: an environment variable's value, or `()` when it is not set. Needs
//! `--allow-env` (or `--allow-env=NAME`).

use rhai::{Dynamic, Engine, EvalAltResult, FuncRegistration, NativeCallContext};

use super::effect::{at_top_level, call_text, permit, string_arg};

/// The variable's value (lossily decoded), or `()`.
fn env(ctx: NativeCallContext, name: Dynamic) -> Result<Dynamic, Box<EvalAltResult>> {
    if at_top_level(&ctx, "env") {
        return Ok(Dynamic::UNIT);
    }
    let name = string_arg(&ctx, "env", "a variable name as a", name)?;
    permit(&ctx, |p| p.check_env(&call_text("env", &name), &name))?;
    // Names the OS cannot hold are simply not set (and must not reach `var_os`).
    if name.is_empty() || name.contains(['=', '\0']) {
        return Ok(Dynamic::UNIT);
    }
    Ok(std::env::var_os(&name).map_or(Dynamic::UNIT, |v| {
        Dynamic::from(v.to_string_lossy().into_owned())
    }))
}

/// Register `env`.
pub(super) fn register(engine: &mut Engine) {
    FuncRegistration::new("env")
        .with_params_info(["name: String", "Dynamic"])
        .with_comments([
            "/// The environment variable's value, or `()` when it is not set. Needs `--allow-env`.",
        ])
        .register_into_engine(engine, env);
}
