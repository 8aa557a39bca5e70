//! Hook bodies on Rhai's `grain` bytecode VM.
//!
//! The AST walker runs a tight arithmetic loop at ~340 ns per iteration here, grain at ~175 ns,
//! but entering the VM costs more than entering the walker (it clones the global state and sets
//! up a frame). So functions with a loop run on grain, where iterations dominate, and loop-free
//! functions (most hooks: a lookup, a call, an assignment) stay on the walker. A function grain
//! cannot lower keeps its AST body either way, so the library means exactly what the script
//! does. Hooks are called against this library instead of the AST's own.

use rhai::{AST, ASTNode, Engine, Module, Scope, Stmt};

/// Replace, in `module`, the script's functions that contain loops with grain bytecode (where
/// grain lowers them); the rest keep their AST bodies.
pub(crate) fn lower_into(engine: &Engine, ast: &AST, module: &mut Module) {
    let loops = loop_positions(ast);
    if loops.is_empty() {
        return;
    }
    // Only the functions with loops, and no top level: it built the graph and must not run again.
    let mut loopy = Module::new();
    for (_, _, _, _, def) in ast.shared_lib().iter_script_fn_info() {
        if has_loop(def, &loops) {
            loopy.set_script_fn(def.as_ref().clone());
        }
    }
    if loopy.is_empty() {
        return;
    }
    let program = rhai::grain::Compiler::new().compile(&AST::new(Vec::new(), loopy));
    if let Ok(lowered) = Module::eval_grain_as_new(Scope::new(), program, engine) {
        for (_, _, _, _, def) in lowered.iter_script_fn_info() {
            module.set_script_fn(def.as_ref().clone());
        }
    }
}

/// Where the AST's loops (`for`, `while`, `loop`, `do`) are, as (line, column).
fn loop_positions(ast: &AST) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    ast.walk(&mut |nodes: &[ASTNode]| {
        if let Some(ASTNode::Stmt(s @ (Stmt::For(..) | Stmt::While(..) | Stmt::Do(..)))) =
            nodes.last()
        {
            found.extend(key(s.position()));
        }
        true
    });
    found
}

fn key(pos: rhai::Position) -> Option<(usize, usize)> {
    Some((pos.line()?, pos.position().unwrap_or(0)))
}

/// Whether a function's body contains one of `loops` (textually: a closure's loop counts for
/// the closure and for the function around it).
fn has_loop(def: &rhai::ScriptFuncDef, loops: &[(usize, usize)]) -> bool {
    match (key(def.body.start_position()), key(def.body.end_position())) {
        (Some(start), Some(end)) => loops.iter().any(|l| start <= *l && *l <= end),
        // Expression closures (`|x| x + 1`) have no block positions, and no loops.
        _ => false,
    }
}
