//! The graph-building API of scripts: constructors, transitions and `end`.
//!
//! Rhai's `>>` binds tighter than `-`, so `a - "x" >> b` parses as `a - ("x" >> b)`: `"x" >> b`
//! makes a [`Pending`] labelled transition and `node - pending` wires it. Chains work because
//! `pending >> c` wires the pending's tail to `c` and keeps its head.

use rhai::{
    Dynamic, Engine, EvalAltResult, FuncRegistration, ImmutableString, Map, NativeCallContext,
    Position,
};

use crate::diagnostic::{Code, Diagnostic};
use crate::graph::{Branch, DEFAULT_ACTION, NodeKind, Target};
use crate::script::record::{EndMarker, NodeRef, Recorder, label_of, with_recorder};
use crate::value::describe;

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// A labelled transition waiting for its source: the value of `"x" >> b`.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    label: Option<String>,
    head: Target,
    tail: Target,
}

fn error(msg: impl Into<String>, pos: Position) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(msg.into().into(), pos).into()
}

/// Run `f` on the recorder, or fail: graph building belongs to the top level.
fn recording<R>(
    ctx: &NativeCallContext,
    what: &str,
    f: impl FnOnce(&mut Recorder) -> RhaiResult<R>,
) -> RhaiResult<R> {
    with_recorder(f).unwrap_or_else(|| {
        Err(error(
            format!("{what} can only be used while the graph is built (at the top level of the script), not inside a hook"),
            ctx.call_position(),
        ))
    })
}

fn target_of(value: &Dynamic) -> Option<Target> {
    if let Some(r) = value.read_lock::<NodeRef>() {
        Some(Target::Node(r.id))
    } else if value.is::<EndMarker>() {
        Some(Target::End)
    } else {
        None
    }
}

fn target_value(t: Target, r: &Recorder) -> Dynamic {
    match t {
        Target::End => Dynamic::from(EndMarker),
        Target::Node(id) => Dynamic::from(NodeRef {
            id,
            name: r.node_name(id).into(),
        }),
    }
}

fn invalid_target(r: &mut Recorder, found: &Dynamic, pos: Position) -> Dynamic {
    let d = Diagnostic::new(
        Code::InvalidTarget,
        r.span(pos),
        format!(
            "a transition must lead to a node, a flow or `end`, found {}",
            describe(found)
        ),
    )
    .with_help("write `a >> b`, `a - \"action\" >> b` or `a - \"action\" >> end`");
    r.diagnose(d);
    Dynamic::UNIT
}

fn invalid_label(r: &mut Recorder, found: &Dynamic, pos: Position) {
    let d = Diagnostic::new(
        Code::InvalidLabel,
        r.span(pos),
        format!(
            "a transition label must be a string, found {}",
            describe(found)
        ),
    )
    .with_help("write the action as a string: `a - \"done\" >> b`");
    r.diagnose(d);
}

/// `from >> to`: the default edge; returns `to` so chains work.
fn wire_default(ctx: &NativeCallContext, from: &Dynamic, to: &Dynamic) -> RhaiResult<Dynamic> {
    let pos = ctx.call_position();
    recording(ctx, "`>>`", |r| {
        if let Some(p) = from.read_lock::<Pending>() {
            let Some(t) = target_of(to) else {
                return Ok(invalid_target(r, to, pos));
            };
            let mut p = p.clone();
            match p.tail {
                Target::Node(tail) => r.add_edge(tail, DEFAULT_ACTION, t, pos),
                Target::End => return Err(error("`end` has no successors", pos)),
            }
            p.tail = t;
            return Ok(Dynamic::from(p));
        }
        if from.is::<EndMarker>() {
            return Err(error("`end` has no successors", pos));
        }
        match from.read_lock::<NodeRef>().map(|n| n.id) {
            Some(id) => match target_of(to) {
                Some(t) => {
                    r.add_edge(id, DEFAULT_ACTION, t, pos);
                    Ok(to.clone())
                }
                None => Ok(invalid_target(r, to, pos)),
            },
            None => {
                // `"x" >> b` (a label) or a non-string label such as `3 >> b`.
                let t = target_of(to);
                let label = label_of(from).filter(|_| !from.is_unit());
                if label.is_none() {
                    invalid_label(r, from, pos);
                }
                match t {
                    Some(t) => Ok(Dynamic::from(Pending {
                        label,
                        head: t,
                        tail: t,
                    })),
                    None => Ok(invalid_target(r, to, pos)),
                }
            }
        }
    })
}

/// `from - pending`: the labelled edge; returns the pending's tail.
fn wire_labelled(ctx: &NativeCallContext, from: &Dynamic, rhs: &Dynamic) -> RhaiResult<Dynamic> {
    let pos = ctx.call_position();
    recording(ctx, "`-`", |r| {
        let Some(id) = from.read_lock::<NodeRef>().map(|n| n.id) else {
            return Err(error(
                format!(
                    "a labelled transition starts at a node, found {}",
                    describe(from)
                ),
                pos,
            ));
        };
        let Some(p) = rhs.read_lock::<Pending>().map(|p| p.clone()) else {
            let d = Diagnostic::new(
                Code::InvalidTarget,
                r.span(pos),
                format!(
                    "`{} - …` needs a label and a target, found {}",
                    r.node_name(id),
                    describe(rhs)
                ),
            )
            .with_help("write `a - \"action\" >> b`");
            r.diagnose(d);
            return Ok(Dynamic::UNIT);
        };
        if let Some(label) = &p.label {
            r.add_edge(id, label, p.head, pos);
        }
        Ok(target_value(p.tail, r))
    })
}

/// `a.on(label, b)`.
fn wire_on(
    ctx: &NativeCallContext,
    from: NodeRef,
    label: &Dynamic,
    to: &Dynamic,
) -> RhaiResult<Dynamic> {
    let pos = ctx.call_position();
    recording(ctx, "`.on`", |r| {
        let Some(action) = label_of(label).filter(|_| !label.is_unit()) else {
            invalid_label(r, label, pos);
            return Ok(Dynamic::UNIT);
        };
        match target_of(to) {
            Some(t) => {
                r.add_edge(from.id, &action, t, pos);
                Ok(to.clone())
            }
            None => Ok(invalid_target(r, to, pos)),
        }
    })
}

fn constructor(
    ctx: &NativeCallContext,
    kind: NodeKind,
    name: &Dynamic,
    start: Option<&Dynamic>,
    opts: &Dynamic,
) -> RhaiResult<NodeRef> {
    let pos = ctx.call_position();
    let ctor = kind.constructor();
    recording(ctx, &format!("{ctor}()"), |r| {
        let Ok(name) = name.clone().into_string() else {
            return Err(error(
                format!(
                    "{ctor}() takes a name string first, found {}",
                    describe(name)
                ),
                pos,
            ));
        };
        let start_id = match start {
            None => None,
            Some(s) => match s.read_lock::<NodeRef>() {
                Some(n) => Some(n.id),
                None => {
                    return Err(error(
                        format!(
                            "{ctor}(\"{name}\", start, …) needs a start node or flow, found {}",
                            describe(s)
                        ),
                        pos,
                    ));
                }
            },
        };
        let empty = Map::new();
        let map_guard = opts.read_lock::<Map>();
        let map = match (&map_guard, opts.is_unit()) {
            (Some(m), _) => &**m,
            (None, true) => &empty,
            (None, false) => {
                return Err(error(
                    format!(
                        "{ctor}(\"{name}\", …) takes an option map such as #{{exec: |x| x}}, found {}",
                        describe(opts)
                    ),
                    pos,
                ));
            }
        };
        Ok(r.add_node(kind, &name, map, start_id, pos))
    })
}

/// `branches(name, #{a: x, b: y}[, opts])`: a node whose branches start sub-runs at `x`, `y`.
fn branches(
    ctx: &NativeCallContext,
    name: &Dynamic,
    targets: &Dynamic,
    opts: &Dynamic,
) -> RhaiResult<NodeRef> {
    let node = constructor(ctx, NodeKind::Branches, name, None, opts)?;
    let pos = ctx.call_position();
    recording(ctx, "branches()", |r| {
        let Some(map) = targets.read_lock::<Map>() else {
            return Err(error(
                format!(
                    "branches(\"{}\", …) takes a map of branch names to nodes or flows, such as #{{a: flow_a, b: flow_b}}, found {}",
                    node.name,
                    describe(targets)
                ),
                pos,
            ));
        };
        let mut list = Vec::with_capacity(map.len());
        for (branch, target) in map.iter() {
            match target.read_lock::<NodeRef>() {
                Some(n) => list.push(Branch {
                    name: branch.to_string(),
                    start: n.id,
                }),
                None => {
                    let d = Diagnostic::new(
                        Code::InvalidTarget,
                        r.span(pos),
                        format!(
                            "branch `{branch}` of '{}' must be a node or a flow, found {}",
                            node.name,
                            describe(target)
                        ),
                    );
                    r.diagnose(d);
                }
            }
        }
        r.set_branches(node.id, list);
        Ok(node)
    })
}

/// Register the graph API: constructors, transitions, `end`.
pub(crate) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<NodeRef>("Node")
        .register_type_with_name::<EndMarker>("End")
        .register_type_with_name::<Pending>("Transition")
        .register_get("name", |n: &mut NodeRef| n.name.clone())
        .register_fn("to_string", |n: &mut NodeRef| format!("node '{}'", n.name))
        .register_fn("to_debug", |n: &mut NodeRef| format!("node '{}'", n.name))
        .register_fn("to_string", |_: &mut EndMarker| "end".to_string())
        .register_fn("to_debug", |_: &mut EndMarker| "end".to_string());

    // Constructors, `then` and `on` carry their docs and readable parameter names in the Rhai
    // metadata: the language server's hover and completion read them from there.
    for kind in [NodeKind::Node, NodeKind::Batch, NodeKind::Parallel] {
        let name = kind.constructor();
        documented(name, kind)
            .with_params_info(["name: String", "opts: Map", "Node"])
            .register_into_engine(
                engine,
                move |ctx: NativeCallContext, n: Dynamic, opts: Dynamic| {
                    constructor(&ctx, kind, &n, None, &opts)
                },
            );
        documented(name, kind)
            .with_params_info(["name: String", "Node"])
            .register_into_engine(engine, move |ctx: NativeCallContext, n: Dynamic| {
                constructor(&ctx, kind, &n, None, &Dynamic::UNIT)
            });
    }
    for kind in [NodeKind::Flow, NodeKind::BatchFlow, NodeKind::ParallelFlow] {
        let name = kind.constructor();
        documented(name, kind)
            .with_params_info(["name: String", "start: Node", "opts: Map", "Node"])
            .register_into_engine(
                engine,
                move |ctx: NativeCallContext, n: Dynamic, start: Dynamic, opts: Dynamic| {
                    constructor(&ctx, kind, &n, Some(&start), &opts)
                },
            );
        documented(name, kind)
            .with_params_info(["name: String", "start: Node", "Node"])
            .register_into_engine(
                engine,
                move |ctx: NativeCallContext, n: Dynamic, start: Dynamic| {
                    constructor(&ctx, kind, &n, Some(&start), &Dynamic::UNIT)
                },
            );
    }

    documented("branches", NodeKind::Branches)
        .with_params_info(["name: String", "targets: Map", "opts: Map", "Node"])
        .register_into_engine(
            engine,
            |ctx: NativeCallContext, n: Dynamic, targets: Dynamic, opts: Dynamic| {
                branches(&ctx, &n, &targets, &opts)
            },
        );
    documented("branches", NodeKind::Branches)
        .with_params_info(["name: String", "targets: Map", "Node"])
        .register_into_engine(
            engine,
            |ctx: NativeCallContext, n: Dynamic, targets: Dynamic| {
                branches(&ctx, &n, &targets, &Dynamic::UNIT)
            },
        );

    // `>>` for every left side that can start a transition: nodes, pending transitions, `end`,
    // and (for labels) anything else, which is checked to be a string.
    engine.register_fn(">>", |ctx: NativeCallContext, a: NodeRef, b: Dynamic| {
        wire_default(&ctx, &Dynamic::from(a), &b)
    });
    engine.register_fn(">>", |ctx: NativeCallContext, a: Pending, b: Dynamic| {
        wire_default(&ctx, &Dynamic::from(a), &b)
    });
    engine.register_fn(">>", |ctx: NativeCallContext, a: EndMarker, b: Dynamic| {
        wire_default(&ctx, &Dynamic::from(a), &b)
    });
    engine.register_fn(">>", |ctx: NativeCallContext, a: Dynamic, b: NodeRef| {
        wire_default(&ctx, &a, &Dynamic::from(b))
    });
    engine.register_fn(">>", |ctx: NativeCallContext, a: Dynamic, b: EndMarker| {
        wire_default(&ctx, &a, &Dynamic::from(b))
    });
    engine.register_fn(
        ">>",
        |ctx: NativeCallContext, a: ImmutableString, b: Dynamic| {
            wire_default(&ctx, &Dynamic::from(a), &b)
        },
    );
    engine.register_fn("-", |ctx: NativeCallContext, a: NodeRef, b: Dynamic| {
        wire_labelled(&ctx, &Dynamic::from(a), &b)
    });
    FuncRegistration::new("then")
        .with_comments(["/// `a.then(b)` is `a >> b`: the default edge; returns `b`."])
        .with_params_info(["self: Node", "next: Node", "Node"])
        .register_into_engine(engine, |ctx: NativeCallContext, a: NodeRef, b: Dynamic| {
            wire_default(&ctx, &Dynamic::from(a), &b)
        });
    FuncRegistration::new("on")
        .with_comments(["/// `a.on(\"x\", b)` is `a - \"x\" >> b`: a labelled edge; returns `b`."])
        .with_params_info(["self: Node", "action: String", "next: Node", "Node"])
        .register_into_engine(
            engine,
            |ctx: NativeCallContext, a: NodeRef, label: Dynamic, b: Dynamic| {
                wire_on(&ctx, a, &label, &b)
            },
        );
}

/// A registration of constructor `name` carrying the docs of `kind` (every overload gets them).
fn documented(name: &str, kind: NodeKind) -> FuncRegistration {
    FuncRegistration::new(name).with_comments([constructor_doc(kind)])
}

/// The doc comment of a constructor, as `///` lines (the language server shows it on hover).
fn constructor_doc(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Node => {
            "/// A node: `prep` → `exec` (retried per `retries`, `wait`, `backoff`) → `post`, once per visit."
        }
        NodeKind::Batch => {
            "/// A batch node: `prep` returns an array; `exec` runs once per item, in order; `post` gets the array of results."
        }
        NodeKind::Parallel => {
            "/// A parallel node: `prep` returns an array; one `exec` per item, gathered concurrently (at most `concurrency` at once)."
        }
        NodeKind::Flow => {
            "/// A flow: runs the graph from `start` until an action has no edge or reaches `end`. A flow is a node too."
        }
        NodeKind::BatchFlow => {
            "/// A batch flow: `prep` returns an array of param maps; one sub-run of the start graph per map, in order."
        }
        NodeKind::ParallelFlow => {
            "/// A parallel flow: one sub-run of the start graph per param map, concurrently (at most `concurrency`)."
        }
        NodeKind::Branches => {
            "/// Different sub-flows concurrently: each `key: node` of `targets` starts a branch; `post` gets a map of their results."
        }
    }
}

/// Register `end` as a keyword: a value usable anywhere, even inside script functions.
pub(crate) fn register_end(engine: &mut Engine) {
    // Custom syntax with one keyword: no variable lookup cost, works in every scope.
    let result = engine.register_custom_syntax(["end"], false, |_, _| Ok(Dynamic::from(EndMarker)));
    debug_assert!(result.is_ok(), "`end` keyword registration failed");
}
