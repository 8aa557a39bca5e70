//! The function library hooks are called against: the script's own functions, with loops on
//! grain bytecode ([`super::grain`]) and native `shared.<name>` accessors for every property
//! name the script uses.
//!
//! Why the accessors: Rhai resolves `obj.name` on a custom type by looking up a getter, and only
//! when that fails (building an error message on the way) falls back to the indexer. For the
//! store that failed lookup was ~10% of a hook's cost and the whole chain ~40%; a getter per
//! name the script mentions resolves directly. Maps and other types are unaffected (the
//! accessors are typed to the store).

use rhai::{AST, ASTNode, Dynamic, Engine, EvalAltResult, Expr};

use crate::value::store::Store;

/// Build the hook library for `ast`.
pub(crate) fn build(engine: &Engine, ast: &AST) -> AST {
    let mut module = (**ast.shared_lib()).clone();
    super::grain::lower_into(engine, ast, &mut module);
    for name in property_names(ast) {
        let get = name.clone();
        module.set_getter_fn(&name, move |s: &mut Store| Ok(s.get(&get)));
        let set = name.clone();
        module.set_setter_fn(&name, move |s: &mut Store, v: Dynamic| {
            s.set(&set, v)
                .map_err(|m| EvalAltResult::ErrorRuntime(m.into(), rhai::Position::NONE).into())
        });
    }
    module.build_index();
    AST::new_from_module(module)
}

/// Every `x.name` property name in the script, deduplicated.
fn property_names(ast: &AST) -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    ast.walk(&mut |nodes: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::Property(p, _))) = nodes.last() {
            names.insert(p.2.to_string());
        }
        true
    });
    names.into_iter().collect()
}
