//! (docs/host.md) `fs::{read, write, list}` on real temporary directories: results, OS errors naming
//! the path, `--allow-read` / `--allow-write` checks (scoped grants, `..` escapes) made before
//! anything is touched, bad arguments, and no effect at the top level.

mod support;

use std::path::Path;

use flowscript_runtime::{Grant, Permissions};
use serde_json::json;
use support::host::*;

fn read_write() -> Permissions {
    Permissions {
        read: Grant::All,
        write: Grant::All,
        ..Permissions::default()
    }
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

const ROUND_TRIP: &str = r#"
let a = node("a", #{
    prep: |shared| shared.dir,
    exec: |dir| {
        fs::write(`${dir}/b.txt`, "bee");
        fs::write(`${dir}/a.txt`, "first");
        fs::write(`${dir}/a.txt`, "ä second");
        [fs::read(`${dir}/a.txt`), fs::list(dir)]
    },
    post: |shared, p, e| { shared.text = e[0]; shared.files = e[1]; },
});
flow("main", a)
"#;

#[tokio::test]
async fn write_overwrites_read_reads_and_list_is_sorted() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    let store = ok_store(ROUND_TRIP, json!({"dir": s(dir.path())}), read_write()).await;
    assert_eq!(store["text"], "ä second");
    let d = s(dir.path());
    assert_eq!(
        store["files"],
        json!([
            format!("{d}/a.txt"),
            format!("{d}/b.txt"),
            format!("{d}/sub")
        ])
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("b.txt")).expect("b"),
        "bee"
    );
}

#[tokio::test]
async fn a_large_file_is_read_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.txt");
    std::fs::write(&path, "x".repeat(8 << 20)).expect("write");
    let store = ok_store(
        &exec_script("fs::read(x).len()"),
        json!({"arg": s(&path)}),
        read_write(),
    )
    .await;
    assert_eq!(store["out"], 8 << 20);
}

#[tokio::test]
async fn reading_and_listing_need_allow_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.txt");
    for call in ["fs::read(x)", "fs::list(x)"] {
        let msg = err_message(
            &exec_script(call),
            json!({"arg": s(&missing)}),
            Permissions::default(),
        )
        .await;
        // Denied before the file system is touched: not "No such file".
        assert!(msg.contains("needs read permission"), "{msg}");
        assert!(msg.contains("--allow-read"), "{msg}");
        assert!(!msg.contains("No such file"), "{msg}");
    }
    let write_only = Permissions {
        write: Grant::All,
        ..Permissions::default()
    };
    let msg = err_message(
        &exec_script("fs::read(x)"),
        json!({"arg": s(&missing)}),
        write_only,
    )
    .await;
    assert!(msg.contains("--allow-read"), "{msg}");
}

#[tokio::test]
async fn writing_needs_allow_write_and_touches_nothing_when_denied() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("out.txt");
    let read_only = Permissions {
        read: Grant::All,
        ..Permissions::default()
    };
    let msg = err_message(
        &exec_script(r#"fs::write(x, "data")"#),
        json!({"arg": s(&target)}),
        read_only,
    )
    .await;
    assert!(msg.contains("needs write permission"), "{msg}");
    assert!(msg.contains("--allow-write"), "{msg}");
    assert!(!target.exists(), "a denied write created the file");
}

#[tokio::test]
async fn scoped_read_allows_inside_and_denies_outside_and_dotdot_escapes() {
    let allowed = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(allowed.path().join("in.txt"), "inside").expect("write");
    std::fs::write(outside.path().join("secret.txt"), "secret").expect("write");
    let perms = Permissions {
        read: only(&[allowed.path()]),
        ..Permissions::default()
    };
    let inside = s(&allowed.path().join("in.txt"));
    let store = ok_store(
        &exec_script("fs::read(x)"),
        json!({"arg": inside}),
        perms.clone(),
    )
    .await;
    assert_eq!(store["out"], "inside");

    let secret = outside.path().join("secret.txt");
    let escape = format!(
        "{}/../{}/secret.txt",
        s(allowed.path()),
        outside.path().file_name().expect("name").to_string_lossy()
    );
    assert!(
        Path::new(&escape).exists(),
        "the escape path is real: {escape}"
    );
    for path in [s(&secret), escape] {
        let msg = err_message(
            &exec_script("fs::read(x)"),
            json!({"arg": path}),
            perms.clone(),
        )
        .await;
        assert!(msg.contains("--allow-read="), "{msg}");
        assert!(!msg.contains("secret\""), "{msg}");
    }
    let msg = err_message(
        &exec_script("fs::list(x)"),
        json!({"arg": s(outside.path())}),
        perms,
    )
    .await;
    assert!(msg.contains("--allow-read"), "{msg}");
}

#[tokio::test]
async fn scoped_write_allows_inside_only() {
    let allowed = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    let perms = Permissions {
        write: only(&[allowed.path()]),
        ..Permissions::default()
    };
    let inside = allowed.path().join("new.txt");
    ok_store(
        &exec_script(r#"fs::write(x, "ok")"#),
        json!({"arg": s(&inside)}),
        perms.clone(),
    )
    .await;
    assert_eq!(std::fs::read_to_string(&inside).expect("written"), "ok");
    let out = outside.path().join("new.txt");
    let msg = err_message(
        &exec_script(r#"fs::write(x, "no")"#),
        json!({"arg": s(&out)}),
        perms,
    )
    .await;
    assert!(msg.contains("--allow-write="), "{msg}");
    assert!(!out.exists());
}

#[tokio::test]
async fn os_errors_name_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = s(&dir.path().join("missing.txt"));
    let msg = err_message(
        &exec_script("fs::read(x)"),
        json!({"arg": missing}),
        read_write(),
    )
    .await;
    assert!(msg.contains(&format!("fs::read(\"{missing}\")")), "{msg}");
    assert!(msg.contains("No such file or directory"), "{msg}");

    let unwritable = s(&dir.path().join("no/such/dir/out.txt"));
    let msg = err_message(
        &exec_script(r#"fs::write(x, "t")"#),
        json!({"arg": unwritable}),
        read_write(),
    )
    .await;
    assert!(msg.contains(&unwritable), "{msg}");
    assert!(msg.contains("os error"), "{msg}");

    let msg = err_message(
        &exec_script(r#"fs::write(x, "t")"#),
        json!({"arg": s(dir.path())}),
        read_write(),
    )
    .await;
    assert!(msg.to_lowercase().contains("is a directory"), "{msg}");

    let file = dir.path().join("f.txt");
    std::fs::write(&file, "x").expect("write");
    let msg = err_message(
        &exec_script("fs::list(x)"),
        json!({"arg": s(&file)}),
        read_write(),
    )
    .await;
    assert!(
        msg.contains("fs::list") && msg.contains("Not a directory"),
        "{msg}"
    );

    std::fs::write(&file, [0xff, 0xfe, 0x00]).expect("write");
    let msg = err_message(
        &exec_script("fs::read(x)"),
        json!({"arg": s(&file)}),
        read_write(),
    )
    .await;
    assert!(msg.contains("UTF-8"), "{msg}");
}

#[tokio::test]
async fn errors_reach_fallback_as_messages() {
    let src = r#"
        let a = node("a", #{
            prep: |shared| shared.arg,
            exec: |p| fs::read(p),
            fallback: |p, err| `fallback: ${err}`,
            post: |shared, p, e| { shared.out = e; },
        });
        a
    "#;
    let store = ok_store(
        src,
        json!({"arg": "/definitely/not/here.txt"}),
        read_write(),
    )
    .await;
    let out = store["out"].as_str().expect("string");
    assert!(
        out.starts_with("fallback: fs::read(\"/definitely/not/here.txt\"): "),
        "{out}"
    );
}

#[tokio::test]
async fn bad_arguments_are_clear_errors() {
    let all = Permissions::all();
    let msg = err_message(&exec_script("fs::read(x)"), json!({"arg": 5}), all.clone()).await;
    assert!(
        msg.contains("fs::read() takes a path string, found i64 5"),
        "{msg}"
    );
    let msg = err_message(
        &exec_script("fs::list(x)"),
        json!({"arg": null}),
        all.clone(),
    )
    .await;
    assert!(msg.contains("fs::list() takes a directory path"), "{msg}");
    let msg = err_message(
        &exec_script(r#"fs::write("/tmp/x", x)"#),
        json!({"arg": [1]}),
        all,
    )
    .await;
    assert!(
        msg.contains("fs::write() takes the text to write as a string"),
        "{msg}"
    );
}

#[test]
fn fs_at_the_top_level_is_diagnosed_and_not_performed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("top.txt");
    let lit = serde_json::to_string(&s(&target)).expect("literal");
    for call in [
        format!("fs::write({lit}, \"x\")"),
        format!("fs::read({lit})"),
        format!(
            "fs::list({})",
            serde_json::to_string(&s(dir.path())).expect("literal")
        ),
    ] {
        let src = format!("let a = node(\"a\");\n{call};\nflow(\"main\", a)");
        let (codes, loaded) = load_codes(&src);
        assert!(!loaded, "{call} should not load");
        assert_eq!(codes, ["effect-at-top-level"], "{call}");
    }
    assert!(!target.exists(), "the top-level write was performed");
}
