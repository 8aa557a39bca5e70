//! The walker that reads a script's [`ScriptFacts`] from its unoptimised AST without running
//! it. The reach is deliberately syntactic: a value counts as known only when it is a literal at
//! a return point; everything else is [`Returned::Unknown`].

use rhai::{AST, Dynamic, Expr, Stmt, StmtBlock};

use crate::graph::NodeKind;
use crate::graph::facts::{FnFacts, OptionKey, Read, Returned, ScriptFacts, key};
use crate::span::{Source, Span};

impl ScriptFacts {
    /// Read the facts from an AST compiled without optimisation (optimisation folds literal
    /// maps into constants and loses their keys' positions).
    /// Spans come from `source`, already covering their tokens.
    pub fn collect(ast: &AST, source: &Source) -> Self {
        let mut facts = Self::default();
        let mut walker = Walker {
            source,
            facts: &mut facts,
            params: &[],
            reads: Vec::new(),
        };
        walker.block(ast.statements());
        for (_, _, name, _, def) in ast.shared_lib().iter_script_fn_info() {
            let params: Vec<&str> = def.params.iter().map(|p| p.as_str()).collect();
            let mut walker = Walker {
                source,
                facts: &mut facts,
                params: &params,
                reads: Vec::new(),
            };
            let returns = walker.body(def);
            let reads = std::mem::take(&mut walker.reads);
            facts
                .functions
                .entry(name.to_string())
                .or_default()
                .push(FnFacts {
                    params: params.len(),
                    returns,
                    reads,
                });
        }
        facts
    }
}

struct Walker<'a> {
    source: &'a Source,
    facts: &'a mut ScriptFacts,
    params: &'a [&'a str],
    reads: Vec<Read>,
}

impl Walker<'_> {
    fn span(&self, pos: rhai::Position) -> Span {
        self.source.token(pos)
    }

    /// A function body: walk it and collect its return values (explicit returns and the tail).
    fn body(&mut self, def: &rhai::Shared<rhai::ScriptFuncDef>) -> Vec<Returned> {
        // Rhai does not export the body's type, so reach its statements through a one-function
        // AST's walk: the nodes at depth 1 are the body's statements, in order.
        let mut module = rhai::Module::new();
        module.set_script_fn(def.clone());
        let one = AST::new(Vec::new(), module);
        let mut returns = Vec::new();
        let mut last_tail = vec![Returned::Unit(Span::point(self.source.file(), 0, 0))];
        one.walk(&mut |path: &[rhai::ASTNode]| {
            if let [rhai::ASTNode::Stmt(stmt)] = path {
                self.stmt(stmt);
                collect_returns(stmt, self, &mut returns);
                last_tail.clear();
                tail(stmt, self, &mut last_tail);
            }
            true
        });
        returns.extend(last_tail);
        returns
    }

    fn block(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::If(fc, _) | Stmt::While(fc, _) | Stmt::Do(fc, ..) | Stmt::TryCatch(fc, _) => {
                self.expr(&fc.expr, false);
                self.block(fc.body.statements());
                self.block(fc.branch.statements());
            }
            Stmt::Switch(x, _) => {
                self.expr(&x.0, false);
                for case in &x.1.expressions {
                    self.expr(&case.lhs, false);
                    self.expr(&case.rhs, false);
                }
            }
            Stmt::For(x, _) => {
                self.expr(&x.2.expr, false);
                self.block(x.2.body.statements());
            }
            Stmt::Var(x, ..) => self.expr(&x.1, false),
            Stmt::Assignment(x) => {
                let target = &x.1.lhs;
                if let Some(key) = written_key(target) {
                    self.facts.written.insert(key);
                }
                self.target(target);
                self.expr(&x.1.rhs, false);
            }
            Stmt::FnCall(call, pos) => self.call(call, *pos),
            Stmt::Block(b) => self.block(b.statements()),
            Stmt::Expr(e) => self.expr(e, false),
            Stmt::BreakLoop(Some(e), ..) | Stmt::Return(Some(e), ..) => self.expr(e, false),
            Stmt::Import(x, _) => self.expr(&x.0, false),
            _ => {}
        }
    }

    /// An assignment target: its indexes are reads, its head is a write.
    fn target(&mut self, target: &Expr) {
        if let Expr::Dot(x, ..) | Expr::Index(x, ..) = target {
            self.chain_args(&x.rhs);
        }
    }

    fn call(&mut self, call: &rhai::FnCallExpr, pos: rhai::Position) {
        if let (">>" | "-", [lhs, rhs]) = (call.name.as_str(), call.args.as_slice()) {
            let label = match (call.name.as_str(), rhs) {
                ("-", Expr::FnCall(inner, _)) if inner.name.as_str() == ">>" => {
                    match inner.args.first() {
                        Some(Expr::StringConstant(_, at)) => Some(self.span(*at)),
                        _ => None,
                    }
                }
                _ => None,
            };
            self.transition(pos, lhs, rhs, label);
        }
        if let Some(at) = NodeKind::ALL
            .iter()
            .find(|k| k.constructor() == call.name.as_str())
            .map(|k| k.options_arg())
            && let Some(Expr::Map(map, _)) = call.args.get(at)
        {
            let keys = map
                .0
                .iter()
                .map(|(ident, value)| OptionKey {
                    key: ident.name.to_string(),
                    key_span: self.span(ident.pos),
                    value_span: self.span(value.position()),
                })
                .collect();
            self.facts.option_keys.insert(key(pos), keys);
        }
        for a in &call.args {
            self.expr(a, false);
        }
    }

    fn expr(&mut self, expr: &Expr, guarded: bool) {
        match expr {
            Expr::Dot(x, ..) | Expr::Index(x, ..) => {
                if let Some(read) = self.read_of(expr, guarded) {
                    self.reads.push(read);
                }
                if let (Expr::Dot(..), Expr::MethodCall(call, at)) = (expr, &x.rhs)
                    && matches!(call.name.as_str(), "then" | "on")
                    && let Some(last) = call.args.last()
                {
                    let label = match (call.name.as_str(), call.args.first()) {
                        ("on", Some(Expr::StringConstant(_, l))) => Some(self.span(*l)),
                        _ => None,
                    };
                    self.transition(*at, &x.lhs, last, label);
                }
                if let Expr::Dot(..) = expr
                    && let Some((method, key)) = method_key(&x.rhs)
                    && matches!(method, "push" | "update")
                {
                    self.facts.written.insert(key);
                }
                self.expr(&x.lhs, false);
                self.chain_args(&x.rhs);
            }
            Expr::Coalesce(list, _) => {
                for (i, e) in list.iter().enumerate() {
                    self.expr(e, i + 1 < list.len());
                }
            }
            Expr::InterpolatedString(list, _) | Expr::Array(list, _) => {
                for e in list.iter() {
                    self.expr(e, false);
                }
            }
            Expr::And(list, _) | Expr::Or(list, _) => {
                for e in list.iter() {
                    self.expr(e, false);
                }
            }
            Expr::Map(m, _) => {
                for (_, e) in &m.0 {
                    self.expr(e, false);
                }
            }
            Expr::FnCall(call, pos) => self.call(call, *pos),
            Expr::MethodCall(call, _) => {
                for a in &call.args {
                    self.expr(a, false);
                }
            }
            Expr::Stmt(block) => self.block(block.statements()),
            Expr::Custom(c, _) => {
                for e in &c.inputs {
                    self.expr(e, false);
                }
            }
            _ => {}
        }
    }

    fn transition(&mut self, at: rhai::Position, lhs: &Expr, last: &Expr, label: Option<Span>) {
        let range = self.source.range(leftmost(lhs), rightmost(last));
        if let Some(label) = label {
            let whole = (range.line, range.column, range.end_line, range.end_column);
            self.facts.labels.insert(whole, label);
        }
        self.facts.transitions.insert(key(at), range);
    }

    /// The non-head parts of a chain's right side: index expressions and method arguments.
    fn chain_args(&mut self, rhs: &Expr) {
        match rhs {
            Expr::Dot(x, ..) | Expr::Index(x, ..) => {
                self.chain_args(&x.lhs);
                self.chain_args(&x.rhs);
            }
            Expr::MethodCall(call, _) => {
                for a in &call.args {
                    self.expr(a, false);
                }
            }
            Expr::Property(..) => {}
            other => self.expr(other, false),
        }
    }

    /// `param.key…` or `param["key"]…` as a read of a parameter.
    fn read_of(&self, expr: &Expr, guarded: bool) -> Option<Read> {
        let (Expr::Dot(x, ..) | Expr::Index(x, ..)) = expr else {
            return None;
        };
        let Expr::Variable(var, ..) = &x.lhs else {
            return None;
        };
        let param = self.params.iter().rposition(|p| *p == var.1.as_str())?;
        let (key, pos, indexed) = match (expr, head(&x.rhs)) {
            (Expr::Dot(..), Expr::Property(p, pos)) => (p.2.to_string(), *pos, false),
            (Expr::Index(..), Expr::StringConstant(s, pos)) => (s.to_string(), *pos, true),
            _ => return None,
        };
        Some(Read {
            param,
            key,
            span: self.span(pos),
            guarded,
            indexed,
        })
    }
}

/// Where an expression's first token is.
fn leftmost(expr: &Expr) -> rhai::Position {
    match expr {
        Expr::FnCall(call, _) if call.op_token.is_some() && call.args.len() == 2 => {
            leftmost(&call.args[0])
        }
        Expr::Dot(x, ..) | Expr::Index(x, ..) => leftmost(&x.lhs),
        other => other.position(),
    }
}

/// Where an expression's last token starts (for the simple operands transitions take).
fn rightmost(expr: &Expr) -> rhai::Position {
    match expr {
        Expr::FnCall(call, _) if call.op_token.is_some() && call.args.len() == 2 => {
            rightmost(&call.args[1])
        }
        Expr::Dot(x, ..) | Expr::Index(x, ..) => rightmost(&x.rhs),
        other => other.position(),
    }
}

/// The leftmost element of a chain's right side.
fn head(rhs: &Expr) -> &Expr {
    match rhs {
        Expr::Dot(x, ..) | Expr::Index(x, ..) => head(&x.lhs),
        other => other,
    }
}

/// The key an assignment target writes: `v.key…` or `v["key"]…`.
fn written_key(target: &Expr) -> Option<String> {
    match target {
        Expr::Dot(x, ..) => match head(&x.rhs) {
            Expr::Property(p, _) => Some(p.2.to_string()),
            _ => None,
        },
        Expr::Index(x, ..) => match head(&x.rhs) {
            Expr::StringConstant(s, _) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// `v.method("key", …)`: the method's name and literal first argument.
fn method_key(rhs: &Expr) -> Option<(&str, String)> {
    let Expr::MethodCall(call, _) = head(rhs) else {
        return None;
    };
    match call.args.first() {
        Some(Expr::StringConstant(s, _)) => Some((call.name.as_str(), s.to_string())),
        _ => None,
    }
}

/// Explicit `return`s anywhere in a function body (closures are separate functions).
fn collect_returns(stmt: &Stmt, w: &Walker, out: &mut Vec<Returned>) {
    let blocks = |b: &StmtBlock, out: &mut Vec<Returned>| {
        for s in b.statements() {
            collect_returns(s, w, out);
        }
    };
    match stmt {
        Stmt::Return(Some(e), ..) => classify(e, w, out),
        Stmt::Return(None, _, pos) => out.push(Returned::Unit(w.span(*pos))),
        Stmt::If(fc, _) | Stmt::While(fc, _) | Stmt::Do(fc, ..) | Stmt::TryCatch(fc, _) => {
            blocks(&fc.body, out);
            blocks(&fc.branch, out);
        }
        Stmt::For(x, _) => blocks(&x.2.body, out),
        Stmt::Block(b) => blocks(b, out),
        _ => {}
    }
}

/// The values a block can end with.
fn tail_block(block: &StmtBlock, w: &Walker, out: &mut Vec<Returned>) {
    match block.statements().last() {
        None => out.push(Returned::Unit(w.span(block.position()))),
        Some(last) => tail(last, w, out),
    }
}

fn tail(stmt: &Stmt, w: &Walker, out: &mut Vec<Returned>) {
    match stmt {
        Stmt::Expr(e) => classify(e, w, out),
        Stmt::If(fc, _) | Stmt::TryCatch(fc, _) => {
            tail_block(&fc.body, w, out);
            tail_block(&fc.branch, w, out);
        }
        Stmt::Switch(x, pos) => {
            for case in &x.1.expressions {
                classify(&case.rhs, w, out);
            }
            if x.1.def_case.is_none() {
                out.push(Returned::Unit(w.span(*pos)));
            }
        }
        Stmt::Block(b) => tail_block(b, w, out),
        // Collected by `collect_returns`.
        Stmt::Return(..) => {}
        Stmt::Var(_, _, pos) | Stmt::Noop(pos) => out.push(Returned::Unit(w.span(*pos))),
        Stmt::Assignment(x) => out.push(Returned::Unit(w.span(x.1.lhs.position()))),
        _ => out.push(Returned::Unknown),
    }
}

/// What an expression in return position evaluates to, as far as its syntax shows.
fn classify(expr: &Expr, w: &Walker, out: &mut Vec<Returned>) {
    let span = || w.span(expr.position());
    let r = match expr {
        Expr::StringConstant(s, _) => Returned::Text(s.to_string(), span()),
        Expr::Unit(_) => Returned::Unit(span()),
        Expr::Array(..) => Returned::Array(span()),
        Expr::Map(..) => Returned::Other("a map", span()),
        Expr::IntegerConstant(..) => Returned::Other("an integer", span()),
        Expr::FloatConstant(..) => Returned::Other("a number", span()),
        Expr::BoolConstant(..) | Expr::And(..) | Expr::Or(..) => {
            Returned::Other("a boolean", span())
        }
        Expr::CharConstant(..) => Returned::Other("a character", span()),
        Expr::InterpolatedString(..) => Returned::Other("a string", span()),
        Expr::DynamicConstant(d, _) => constant(d, span()),
        Expr::Stmt(block) => return tail_block(block, w, out),
        _ => Returned::Unknown,
    };
    out.push(r);
}

fn constant(d: &Dynamic, span: Span) -> Returned {
    if d.is_unit() {
        Returned::Unit(span)
    } else if d.is_array() {
        Returned::Array(span)
    } else if let Ok(s) = d.clone().into_immutable_string() {
        Returned::Text(s.to_string(), span)
    } else if d.is_map() {
        Returned::Other("a map", span)
    } else {
        Returned::Unknown
    }
}
