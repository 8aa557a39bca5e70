//! Code actions: a quick-fix for every diagnostic whose help says "did you mean `x`?".

use super::Analysis;
use super::document::TextRange;

/// A quick-fix: replace `range` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fix {
    /// The action's title.
    pub title: String,
    /// Which diagnostic it fixes (index into [`Analysis::diagnostics`]).
    pub diagnostic: usize,
    /// The text to replace.
    pub range: TextRange,
    /// The new text.
    pub replacement: String,
}

/// The fixes for diagnostics overlapping `range`.
pub fn fixes(a: &Analysis, range: TextRange) -> Vec<Fix> {
    a.diagnostics()
        .iter()
        .enumerate()
        .filter(|(_, d)| d.range.start <= range.end && range.start <= d.range.end)
        .filter_map(|(i, d)| {
            let (at, replacement) = d.fix.clone()?;
            let wrong = a.document().slice(at);
            Some(Fix {
                title: format!("Replace `{wrong}` with `{replacement}`"),
                diagnostic: i,
                range: at,
                replacement,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_becomes_a_fix() {
        let src = "let a = parallel(\"a\", #{ concurency: 2, retires: 2 });\nflow(\"main\", a)\n";
        let a = Analysis::new("t.flow.rhai", src);
        let all = fixes(&a, TextRange::new(0, src.len()));
        insta::assert_yaml_snapshot!(all);
        let at = src.find("retires").unwrap_or(0);
        let one = fixes(&a, TextRange::empty(at + 2));
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].replacement, "retries");
    }

    #[test]
    fn misspelt_labels_get_the_runtime_fix() {
        let src = "let a = node(\"a\", #{ post: |s, p, e| \"done\" });\nlet b = node(\"b\");\na - \"dnoe\" >> b;\nflow(\"main\", a)\n";
        let a = Analysis::new("t.flow.rhai", src);
        let at = src.find("dnoe").unwrap_or(0);
        let fixes = fixes(&a, TextRange::empty(at));
        let texts: Vec<String> = fixes
            .iter()
            .map(|f| format!("{} => {}", &src[f.range.start..f.range.end], f.replacement))
            .collect();
        assert!(
            texts.contains(&"\"dnoe\" => \"done\"".to_string()),
            "{texts:?}"
        );
    }
}
