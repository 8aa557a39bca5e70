//! The built-ins flowscript replaces behave like Rhai's where Rhai's are right: sorting and
//! dedup with callbacks, `==` and printing of arrays and maps, string splits. And where Rhai's
//! are not: callback errors stop them, deep values are bounded, splits stop at the limit.

use flowscript_runtime::Runtime;
use rhai::{Dynamic, INT};

fn eval<T: Clone + Send + Sync + 'static>(src: &str) -> Result<T, String> {
    Runtime::new()
        .engine()
        .eval::<T>(src)
        .map_err(|e| e.to_string())
}

#[test]
fn sorting_with_a_callback_is_stable_and_sorts_like_rhai() {
    let v: rhai::Array = eval("let a = [3, 1, 2, 5, 4]; a.sort(|x, y| x - y); a").expect("sorted");
    let ints: Vec<INT> = v.iter().map(|d| d.as_int().unwrap_or(-1)).collect();
    assert_eq!(ints, [1, 2, 3, 4, 5]);
    let desc: String = eval(
        r#"let a = ["b", "a", "c"]; let o = a.order_by(|x, y| if x < y { 1 } else if x > y { -1 } else { 0 }); `${o}${a}`"#,
    )
    .expect("order");
    assert_eq!(desc, r#"["c", "b", "a"]["b", "a", "c"]"#);
    let stable: String = eval(
        r#"let a = [[1, "a"], [0, "b"], [1, "c"], [0, "d"]]; a.sort(|x, y| x[0] - y[0]); a.map(|p| p[1]).reduce(|s, c| s + c, "")"#,
    )
    .expect("stable");
    assert_eq!(stable, "bdac");
    let by_bool: String = eval("let a = [2, 1]; a.sort(|x, y| x < y); `${a}`").expect("bool");
    assert_eq!(by_bool, "[1, 2]");
}

#[test]
fn a_failing_comparator_stops_the_sort_and_its_error_comes_out() {
    let e = eval::<()>(r#"let a = [3, 1, 2]; a.sort(|x, y| throw "bad comparator");"#).unwrap_err();
    assert!(e.contains("bad comparator"), "{e}");
    let e = eval::<()>(r#"let a = [3, 1, 2]; a.sort(|x, y| "nope");"#).unwrap_err();
    assert!(e.contains("must return an integer"), "{e}");
    // The array is left as it was.
    let kept: String =
        eval(r#"let a = [3, 1, 2]; try { a.sort(|x, y| throw 1); } catch {} `${a}`"#)
            .expect("kept");
    assert_eq!(kept, "[3, 1, 2]");
    let e = eval::<()>(r#"let a = [1, 1, 2]; a.dedup(|p, x| throw "bad dedup");"#).unwrap_err();
    assert!(e.contains("bad dedup"), "{e}");
    let d: String =
        eval("let a = [1, 1, 2, 2, 2, 3, 1]; a.dedup(|p, x| p == x); `${a}`").expect("dedup");
    assert_eq!(d, "[1, 2, 3, 1]");
}

#[test]
fn equality_and_printing_of_arrays_and_maps_match_rhai() {
    assert!(eval::<bool>(r#"[1, "a", [2.5, #{b: ()}]] == [1, "a", [2.5, #{b: ()}]]"#).expect("eq"));
    assert!(eval::<bool>(r#"[1, 2] != [1, 3]"#).expect("ne"));
    assert!(!eval::<bool>(r#"#{a: 1} == #{a: 1, b: 2}"#).expect("eq"));
    assert!(!eval::<bool>(r#"[1] == ["1"]"#).expect("mixed types differ"));
    assert!(eval::<bool>("[1] == [1.0]").expect("numbers compare across types"));
    assert!(eval::<bool>(r#"[[1, 2], [3]].contains([3])"#).expect("contains uses =="));
    let text: String =
        eval(r#"let m = #{a: [1, "x", 'c', 2.5, true, ()]}; `${m} ${[m]}`"#).expect("text");
    assert_eq!(
        text,
        r#"#{"a": [1, "x", c, 2.5, true, ()]} [#{"a": [1, "x", c, 2.5, true, ()]}]"#
    );
    let json: String = eval(r#"#{a: [1, "x"]}.to_json()"#).expect("json");
    assert_eq!(json, r#"{"a":[1,"x"]}"#);
}

#[test]
fn deep_values_compare_and_print_within_bounds() {
    let src = "let v = []; for i in 0..5000 { v = [take(v)]; }";
    let e = eval::<bool>(&format!("{src} v == v")).unwrap_err();
    assert!(
        e.contains("cannot compare values nested more than 256 levels deep"),
        "{e}"
    );
    let len: INT = eval(&format!("{src} v.to_string().len()")).expect("printed");
    assert_eq!(len, 2 * 256 + 5);
}

#[test]
fn splits_match_rhai_and_stop_at_the_array_limit() {
    let parts: String = eval(
        r#"let s = "a,b,,c"; `${s.split(",")}|${s.split(',')}|${s.split(",", 2)}|${s.split_rev(",")}|${"x y  z".split()}|${"ab".to_chars()}|${"".split(",")}|${"abc".split("")}`"#,
    )
    .expect("split");
    assert_eq!(
        parts,
        r#"["a", "b", "", "c"]|["a", "b", "", "c"]|["a", "b,,c"]|["c", "", "b", "a"]|["x", "y", "z"]|[a, b]|[""]|["", "a", "b", "c", ""]"#
    );
    let e = eval::<Dynamic>(r#"let s = ""; s.pad(2_000_000, "x"); s.split("")"#).unwrap_err();
    assert!(e.to_lowercase().contains("array"), "{e}");
}

#[test]
fn pads_and_blobs_match_rhai_and_check_the_limits_first() {
    let text: String = eval(
        r#"let s = "x"; s.pad(6, "ab"); let t = "y"; t.pad(3, '-'); let a = [1]; a.pad(3, 0); let b = blob(2, 0x141); b.pad(3, 7); `${s}|${t}|${a}|${b.len()}|${b[0]}|${b[2]}`"#,
    )
    .expect("pads");
    assert_eq!(text, "xababa|y--|[1, 0, 0]|3|65|7");
    for src in [
        r#"let s = ""; s.pad(4_000_000_000, "x");"#,
        r#"let s = ""; s.pad(4_000_000_000, 'x');"#,
        "let a = []; a.pad(4_000_000_000, 1);",
        "let a = []; let big = []; big.pad(1000, 1); a.pad(2000, big);",
        "blob(4_000_000_000);",
        "let b = blob(); b.pad(4_000_000_000, 1);",
    ] {
        let e = eval::<()>(src).unwrap_err();
        assert!(
            e.contains("too large") || e.contains("Length") || e.contains("Size"),
            "{src}: {e}"
        );
    }
}
