//! The one place that touches protocol types: analysis answers (byte offsets) to LSP types
//! (UTF-16 positions) and back, using the document's rope.

use std::collections::HashMap;

use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

use crate::analysis::{self, Analysis, TextRange};

/// The byte offset of a protocol position (UTF-16 code units in the line), clamped to the text.
pub fn offset(rope: &Rope, pos: lsp::Position) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    // The line's own text ends before its line break.
    if len > 0 && slice.char(len - 1) == '\n' {
        len -= 1;
        if len > 0 && slice.char(len - 1) == '\r' {
            len -= 1;
        }
    }
    let cu = (pos.character as usize).min(slice.char_to_utf16_cu(len));
    let ch = slice.utf16_cu_to_char(cu);
    rope.char_to_byte(rope.line_to_char(line) + ch)
}

/// The protocol position of a byte offset.
pub fn position(rope: &Rope, offset: usize) -> lsp::Position {
    let offset = offset.min(rope.len_bytes());
    let ch = rope.byte_to_char(offset);
    let line = rope.char_to_line(ch);
    let col = ch - rope.line_to_char(line);
    let cu = rope.line(line).char_to_utf16_cu(col);
    lsp::Position::new(to_u32(line), to_u32(cu))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The protocol range of a byte range.
pub fn range(rope: &Rope, r: TextRange) -> lsp::Range {
    lsp::Range::new(position(rope, r.start), position(rope, r.end))
}

/// The byte range of a protocol range.
pub fn text_range(rope: &Rope, r: lsp::Range) -> TextRange {
    TextRange::new(offset(rope, r.start), offset(rope, r.end))
}

/// Diagnostics to publish.
pub fn diagnostics(rope: &Rope, a: &Analysis) -> Vec<lsp::Diagnostic> {
    a.diagnostics()
        .iter()
        .map(|d| diagnostic(rope, d))
        .collect()
}

fn diagnostic(rope: &Rope, d: &analysis::Diag) -> lsp::Diagnostic {
    let severity = match d.severity {
        analysis::DiagSeverity::Error => lsp::DiagnosticSeverity::ERROR,
        analysis::DiagSeverity::Warning => lsp::DiagnosticSeverity::WARNING,
        analysis::DiagSeverity::Info => lsp::DiagnosticSeverity::INFORMATION,
    };
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    lsp::Diagnostic {
        range: range(rope, d.range),
        severity: Some(severity),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        source: Some("flowscript".into()),
        message,
        ..Default::default()
    }
}

/// Completion items.
pub fn completions(items: Vec<analysis::Completion>) -> lsp::CompletionResponse {
    use analysis::CompletionKind as K;
    let items = items
        .into_iter()
        .enumerate()
        .map(|(i, c)| lsp::CompletionItem {
            kind: Some(match c.kind {
                K::Constructor => lsp::CompletionItemKind::CONSTRUCTOR,
                K::Function => lsp::CompletionItemKind::FUNCTION,
                K::Module => lsp::CompletionItemKind::MODULE,
                K::Node => lsp::CompletionItemKind::VARIABLE,
                K::Keyword => lsp::CompletionItemKind::KEYWORD,
                K::OptionKey => lsp::CompletionItemKind::PROPERTY,
                K::Action => lsp::CompletionItemKind::ENUM_MEMBER,
                K::SharedKey => lsp::CompletionItemKind::FIELD,
            }),
            detail: c.detail,
            documentation: c.documentation.map(|d| {
                lsp::Documentation::MarkupContent(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: d,
                })
            }),
            insert_text_format: Some(if c.snippet {
                lsp::InsertTextFormat::SNIPPET
            } else {
                lsp::InsertTextFormat::PLAIN_TEXT
            }),
            insert_text: c.insert,
            sort_text: Some(format!("{i:04}")),
            label: c.label,
            ..Default::default()
        })
        .collect();
    lsp::CompletionResponse::Array(items)
}

/// A hover.
pub fn hover(rope: &Rope, h: analysis::Hover) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: Some(range(rope, h.range)),
    }
}

/// A definition in the same document.
pub fn location(rope: &Rope, uri: &lsp::Uri, r: TextRange) -> lsp::GotoDefinitionResponse {
    lsp::GotoDefinitionResponse::Scalar(lsp::Location::new(uri.clone(), range(rope, r)))
}

/// Nested document symbols.
pub fn symbols(rope: &Rope, symbols: Vec<analysis::Symbol>) -> lsp::DocumentSymbolResponse {
    lsp::DocumentSymbolResponse::Nested(symbols.into_iter().map(|s| symbol(rope, s)).collect())
}

#[allow(deprecated)] // `deprecated` is a field every DocumentSymbol literal must name
fn symbol(rope: &Rope, s: analysis::Symbol) -> lsp::DocumentSymbol {
    let children: Vec<_> = s.children.into_iter().map(|c| symbol(rope, c)).collect();
    lsp::DocumentSymbol {
        name: s.name,
        detail: Some(s.detail),
        kind: match s.kind {
            analysis::SymbolKind::Flow => lsp::SymbolKind::MODULE,
            analysis::SymbolKind::Node => lsp::SymbolKind::OBJECT,
            analysis::SymbolKind::Function => lsp::SymbolKind::FUNCTION,
        },
        tags: None,
        deprecated: None,
        range: range(rope, s.range),
        selection_range: range(rope, s.selection),
        children: (!children.is_empty()).then_some(children),
    }
}

/// Quick-fix code actions.
pub fn code_actions(
    rope: &Rope,
    uri: &lsp::Uri,
    a: &Analysis,
    fixes: Vec<analysis::Fix>,
) -> lsp::CodeActionResponse {
    fixes
        .into_iter()
        .map(|f| {
            let edit = lsp::TextEdit::new(range(rope, f.range), f.replacement);
            let diag = a
                .diagnostics()
                .get(f.diagnostic)
                .map(|d| diagnostic(rope, d));
            lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: f.title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: diag.map(|d| vec![d]),
                edit: Some(lsp::WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                    ..Default::default()
                }),
                is_preferred: Some(true),
                ..Default::default()
            })
        })
        .collect()
}

/// The graph preview's answer.
pub fn preview(rope: &Rope, p: analysis::graph::Preview) -> super::GraphResult {
    let node = |n: analysis::graph::PreviewNode| super::graph::GraphNode {
        id: n.id,
        name: n.name,
        kind: n.kind.constructor().to_string(),
        range: range(rope, n.range),
    };
    super::GraphResult {
        mermaid: p.mermaid,
        stale: !p.current,
        nodes: p.nodes.into_iter().map(node).collect(),
        entry: p.entry.map(node),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_round_trip() {
        let text = "é𝄞x\nab\r\nc";
        let rope = Rope::from_str(text);
        // 𝄞 is two UTF-16 code units and four bytes.
        assert_eq!(position(&rope, 6), lsp::Position::new(0, 3));
        assert_eq!(offset(&rope, lsp::Position::new(0, 3)), 6);
        assert_eq!(offset(&rope, lsp::Position::new(0, 99)), 7);
        assert_eq!(offset(&rope, lsp::Position::new(1, 99)), 10);
        assert_eq!(offset(&rope, lsp::Position::new(2, 1)), 13);
        assert_eq!(offset(&rope, lsp::Position::new(9, 0)), text.len());
        assert_eq!(position(&rope, text.len()), lsp::Position::new(2, 1));
    }
}
