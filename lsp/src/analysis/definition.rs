//! Go-to-definition: a node variable to its `let`, a script function to its `fn` (also from
//! `Fn("name")`).

use super::Analysis;
use super::document::TextRange;

/// Where the symbol at `offset` is defined.
pub fn definition(a: &Analysis, offset: usize) -> Option<TextRange> {
    let doc = a.document();
    let text = doc.text();
    if let Some((i, tok)) = doc.ident_at(offset) {
        let word = tok.text(text);
        // A property or module function is not a variable.
        let qualified = doc
            .prev_code(i)
            .is_some_and(|(_, p)| p.is_punct(text, ".") || p.is_punct(text, "::"));
        if qualified {
            return None;
        }
        let calls_fn = doc.next_code(i).is_some_and(|(_, n)| n.is_punct(text, "("));
        if calls_fn {
            if let Some(f) = a.outline().function(word) {
                return Some(f.name_range);
            }
        }
        if let Some(range) = a.outline().binding(word).and_then(|c| c.var_range) {
            return Some(range);
        }
        return a.outline().function(word).map(|f| f.name_range);
    }
    // `Fn("name")`: the string names a script function.
    let (i, tok) = doc.token_containing(offset)?;
    let name = tok.str_value(text)?;
    let (p, open) = doc.prev_code(i)?;
    let (_, f) = doc.prev_code(p)?;
    if open.is_punct(text, "(") && f.is_ident(text, "Fn") {
        return a.outline().function(name).map(|f| f.name_range);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::at_cursor;

    fn target(fixture: &str) -> Option<String> {
        let (a, offset) = at_cursor(fixture);
        definition(&a, offset).map(|r| {
            let (line, col) = a.document().line_col(r.start);
            format!("{}@{line}:{col}", a.document().slice(r))
        })
    }

    #[test]
    fn variables_and_functions() {
        let src = "fn decide(s, p, e) { \"x\" }\nlet a = node(\"a\", #{ post: Fn(\"dec$1ide\") });\nlet b = node(\"b\");\na >> b$0;\nflow(\"main\", a)";
        assert_eq!(target(&src.replace("$1", "")).as_deref(), Some("b@2:4"));
        let src2 = src.replace("$0", "").replace("$1", "$0");
        assert_eq!(target(&src2).as_deref(), Some("decide@0:3"));
        assert_eq!(target("let x = fs::re$0ad(1);"), None);
    }
}
