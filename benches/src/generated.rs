//! Generated flow scripts of a given size, for the `check` and language-server latency benches:
//! stages with all three hooks, options, labelled edges and nested flows, like a real pipeline
//! grown long.

/// A valid script of about `lines` lines (never fewer) that checks clean: groups of ten stages,
/// each group a sub-flow, the groups chained into the entry flow.
pub fn pipeline(lines: usize) -> String {
    let mut out = String::from("// generated pipeline\n");
    let mut group: Vec<usize> = Vec::new();
    let mut groups = 0usize;
    let mut stage = 0usize;
    while out.lines().count() + 3 < lines || !group.is_empty() {
        let read = if stage == 0 {
            "shared.seed ?? 1".to_string()
        } else {
            format!("shared.v{}", stage - 1)
        };
        out += &format!(
            "// stage {stage}\n\
             let s{stage} = node(\"s{stage}\", #{{\n    \
                 retries: 2, wait: 0.0,\n    \
                 prep: |shared| {read},\n    \
                 exec: |x| {{ let y = x * 3 + {stage}; y % 1000 }},\n    \
                 post: |shared, x, y| {{\n        \
                     shared.v{stage} = y;\n        \
                     if y > 500 {{ \"high\" }} else {{ \"low\" }}\n    \
                 }},\n\
             }});\n"
        );
        if let Some(&prev) = group.last() {
            out += &format!("s{prev} - \"high\" >> s{stage};\ns{prev} - \"low\" >> s{stage};\n");
        }
        group.push(stage);
        stage += 1;
        if group.len() == 10 || out.lines().count() + 3 >= lines {
            out += &format!("let g{groups} = flow(\"g{groups}\", s{});\n", group[0]);
            if groups > 0 {
                out += &format!("g{} >> g{groups};\n", groups - 1);
            }
            groups += 1;
            group.clear();
        }
    }
    out += "flow(\"main\", g0)\n";
    out
}
