//! Hook bodies on Rhai's `grain` bytecode VM.
//!
//! The AST walker runs a tight arithmetic loop at ~340 ns per iteration here, grain at ~175 ns.
//! Every script function of the AST (closures included) is lowered to bytecode; a function grain
//! cannot lower keeps its AST body, so the library means exactly what the script does. Hooks are
//! then called against this library instead of the AST's own.

use rhai::{AST, Engine, Module, Scope};

/// An AST with no top level whose library holds the script's functions, bytecode where grain
/// lowered them and AST bodies elsewhere. `None` when the script has no functions or grain
/// could not export them (the caller keeps using the AST).
pub fn lower(engine: &Engine, ast: &AST) -> Option<AST> {
    let lib = ast.shared_lib();
    if lib.is_empty() {
        return None;
    }
    // Only the functions: the top level built the graph and must not run again.
    let functions_only = AST::new(Vec::new(), lib.clone());
    let program = rhai::grain::Compiler::new().compile(&functions_only);
    let mut module = Module::eval_grain_as_new(Scope::new(), program, engine).ok()?;
    for (_, _, name, params, def) in lib.iter_script_fn_info() {
        if module.get_script_fn(name, params).is_none() {
            module.set_script_fn(def.as_ref().clone());
        }
    }
    module.build_index();
    Some(AST::new_from_module(module))
}
