//! Diagnostics that survive a syntax error: while the text does not parse, the graph and
//! data-flow findings of the last version that did stay published, moved through every edit
//! since. Each analysis moves its predecessor's findings through the one edit between their
//! texts (what changed between a common prefix and a common suffix), so a typed character
//! shifts what follows it and a finding whose range the edit touched is dropped.

use super::diagnostics::Diag;
use super::document::TextRange;

/// The single edit that turns `old` into `new`: the bytes `start..old_end` of `old` became
/// `start..new_end` of `new`. Both ends sit on character boundaries of both texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Edit {
    start: usize,
    old_end: usize,
    new_end: usize,
}

impl Edit {
    fn between(old: &str, new: &str) -> Self {
        let (a, b) = (old.as_bytes(), new.as_bytes());
        let mut start = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        while !(old.is_char_boundary(start) && new.is_char_boundary(start)) {
            start -= 1;
        }
        let room = a.len().min(b.len()) - start;
        let mut suffix = a
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take(room)
            .take_while(|(x, y)| x == y)
            .count();
        while !(old.is_char_boundary(a.len() - suffix) && new.is_char_boundary(b.len() - suffix)) {
            suffix -= 1;
        }
        Self {
            start,
            old_end: a.len() - suffix,
            new_end: b.len() - suffix,
        }
    }

    /// Where `range` of the old text is in the new one; `None` when the edit touched it.
    fn map(&self, range: TextRange) -> Option<TextRange> {
        if range.end <= self.start {
            Some(range)
        } else if range.start >= self.old_end {
            let shift = |o: usize| o - self.old_end + self.new_end;
            Some(TextRange::new(shift(range.start), shift(range.end)))
        } else {
            None
        }
    }
}

/// `kept`, found in `old`, moved to where they are in `new`; those the edit touched are gone.
pub fn moved(kept: &[Diag], old: &str, new: &str) -> Vec<Diag> {
    if old == new {
        return kept.to_vec();
    }
    let edit = Edit::between(old, new);
    kept.iter()
        .filter_map(|d| {
            let range = edit.map(d.range)?;
            let fix = d
                .fix
                .as_ref()
                .and_then(|(r, text)| Some((edit.map(*r)?, text.clone())));
            Some(Diag {
                range,
                fix,
                ..d.clone()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::diagnostics::DiagSeverity;

    fn diag(start: usize, end: usize) -> Diag {
        Diag {
            range: TextRange::new(start, end),
            severity: DiagSeverity::Warning,
            code: "unused-node".into(),
            message: "m".into(),
            help: None,
            fix: Some((TextRange::new(start, end), "x".into())),
        }
    }

    fn ranges(kept: &[Diag]) -> Vec<(usize, usize)> {
        kept.iter().map(|d| (d.range.start, d.range.end)).collect()
    }

    #[test]
    fn edits_shift_what_follows_and_drop_what_they_touch() {
        let old = "let a = 1;\nlet b = 2;\nlet c = 3;\n";
        // b (15..16) and c (26..27); delete the `;` of line 1 (9..10).
        let kept = [diag(15, 16), diag(26, 27), diag(4, 5)];
        let new = "let a = 1\nlet b = 2;\nlet c = 3;\n";
        assert_eq!(
            ranges(&moved(&kept, old, new)),
            [(14, 15), (25, 26), (4, 5)]
        );
        // Replacing `b` drops its finding; `c`'s moves by the byte gained.
        let new = "let a = 1;\nlet qq = 2;\nlet c = 3;\n";
        let out = moved(&kept, old, new);
        assert_eq!(ranges(&out), [(27, 28), (4, 5)]);
        assert_eq!(
            out[0].fix.as_ref().map(|(r, _)| (r.start, r.end)),
            Some((27, 28))
        );
        // Typing right after a range leaves it where it was.
        let new = "let a = 1;\nlet b = 2;\nlet c = 3;\n// more\n";
        assert_eq!(ranges(&moved(&kept, old, new)), ranges(&kept));
        // Inserting right before a range shifts it.
        let new = "let a = 1;\nlet b = 2;\nlet  c = 3;\n";
        assert_eq!(
            ranges(&moved(&kept, old, new)),
            [(15, 16), (27, 28), (4, 5)]
        );
    }

    #[test]
    fn edits_never_split_a_character() {
        let old = "é x";
        let new = "è x";
        let e = Edit::between(old, new);
        assert_eq!((e.start, e.old_end, e.new_end), (0, 2, 2));
        assert_eq!(ranges(&moved(&[diag(3, 4)], old, new)), [(3, 4)]);
        let e = Edit::between("aaa", "aa");
        assert!(e.old_end >= e.start && e.new_end >= e.start);
    }

    #[test]
    fn a_syntax_error_keeps_the_last_parsed_findings_in_place() {
        use crate::analysis::Analysis;
        let good = "let a = node(\"a\", #{ prep: |s| s.missing });\nlet b = node(\"b\");\nflow(\"main\", a)\n";
        let first = Analysis::new("t.flow.rhai", good);
        let codes = |a: &Analysis| {
            let mut c: Vec<String> = a.diagnostics().iter().map(|d| d.code.clone()).collect();
            c.sort();
            c
        };
        assert_eq!(codes(&first), ["unused-node", "unwritten-key"]);
        // A line inserted at the top does not parse: the syntax error plus the two findings,
        // each moved down by the inserted line.
        let broken = format!("let x = ;\n{good}");
        let second = Analysis::with_previous("t.flow.rhai", &broken, Some(&first));
        assert_eq!(codes(&second), ["syntax", "unused-node", "unwritten-key"]);
        fn at<'a>(a: &'a Analysis, code: &str) -> &'a str {
            let d = a.diagnostics().iter().find(|d| d.code == code).expect(code);
            &a.document().text()[d.range.start..d.range.end]
        }
        assert_eq!(at(&second, "unwritten-key"), "missing");
        assert_eq!(at(&second, "unused-node"), at(&first, "unused-node"));
        // Still broken, and the key edited: its finding goes, the other stays.
        let fixed = broken.replace("missing", "other");
        let quick = Analysis::quick("t.flow.rhai", &fixed, Some(&second));
        let third = Analysis::with_previous("t.flow.rhai", &fixed, Some(&quick));
        assert_eq!(codes(&third), ["syntax", "unused-node"]);
        // Parsing again: only this text's findings.
        let healed = fixed.replacen("let x = ;\n", "", 1);
        let fourth = Analysis::with_previous("t.flow.rhai", &healed, Some(&third));
        assert_eq!(codes(&fourth), ["unused-node", "unwritten-key"]);
        assert_eq!(at(&fourth, "unwritten-key"), "other");
    }
}
