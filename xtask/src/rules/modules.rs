//! Module-level rules over every `crates/*/src/**/*.rs`: no import circles between the modules
//! of one crate, and no module over [`MAX_LINES`] lines without a reason at its top.
//!
//! **The rule for circles.** Module A depends on module B when A names an item of B: `use
//! crate::b::…`, a path `crate::b::…`, `super::…`, `self::…`, or a bare `b::…` where `b` is a
//! child module A declares. A name re-exported by `pub use` is followed to the module that
//! defines it. A child naming its ancestors' own items is *not* an edge: a child module is part
//! of its parent's implementation (Rust's privacy is built for `mod a { use super::Thing }`),
//! so the rule is about siblings and cousins, and about a parent reaching into a child that
//! reaches back out to a third module. Any circle left in that graph fails the test, named.
//!
//! **Limits.** This is a text scan, not a compiler: comments and string literals are skipped,
//! but paths built by macros, `use` aliases of whole modules re-entering under another name,
//! inline `mod x { … }` blocks (counted as their file), `#[path]` attributes and glob
//! re-exports (`pub use b::*`, followed to `b` as a whole) are read approximately.
//! Only `pub use` is followed as a re-export; a name reached through `pub(crate) use` counts as
//! the re-exporting module's own (that module depends on the owner, so a circle still shows,
//! unless the re-exporter is an ancestor of the user). `#[cfg(test)]` code counts like any
//! other: a test module is still a module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod scan;
use scan::{Reader, children, paths, strip};

/// The size above which a module needs a reason at its top.
const MAX_LINES: usize = 400;

/// The marker a module over [`MAX_LINES`] carries in a `//!` line, with its reason.
const ONE_PIECE: &str = "one piece";

type ModPath = Vec<String>;

/// One crate's source: module path → source text with comments and strings blanked.
struct Crate {
    name: String,
    modules: BTreeMap<ModPath, String>,
}

fn crates() -> Vec<Crate> {
    let mut out = Vec::new();
    let dir = crate::root().join("crates");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for krate in entries {
        let src = krate.join("src");
        if !src.is_dir() {
            continue;
        }
        let mut modules = BTreeMap::new();
        for file in rust_files(&src) {
            let rel = file.strip_prefix(&src).unwrap();
            let text = std::fs::read_to_string(&file).unwrap();
            modules.insert(module_path(rel), strip(&text));
        }
        out.push(Crate {
            name: krate.file_name().unwrap().to_string_lossy().into_owned(),
            modules,
        });
    }
    out
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `lib.rs`/`main.rs` → the crate root `[]`; `a/b.rs` → `[a, b]`; `bin/x.rs` → `[bin, x]`.
fn module_path(rel: &Path) -> ModPath {
    let mut parts: ModPath = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        parts.clear();
    }
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    parts
}

/// `pub use` re-exports of each module: (module, exported name) → the path it stands for.
fn reexports(krate: &Crate) -> BTreeMap<(ModPath, String), ModPath> {
    let mut out = BTreeMap::new();
    for (module, text) in &krate.modules {
        let kids = children(text);
        let s: Vec<char> = text.chars().collect();
        let needle: Vec<char> = "pub use ".chars().collect();
        let mut i = 0;
        while i + needle.len() <= s.len() {
            if s[i..i + needle.len()] != needle[..] {
                i += 1;
                continue;
            }
            let mut r = Reader {
                s: &s,
                i: i + needle.len(),
            };
            let mut found = Vec::new();
            r.tree(&[], &mut found);
            for (rel, alias) in found {
                let Some(first) = rel.first() else { continue };
                let mut abs: ModPath = match first.as_str() {
                    "crate" => Vec::new(),
                    "self" => module.clone(),
                    "super" => module[..module.len().saturating_sub(1)].to_vec(),
                    w if kids.contains(w) => {
                        let mut p = module.clone();
                        p.push(w.to_owned());
                        p
                    }
                    _ => continue, // another crate
                };
                let skip = usize::from(!kids.contains(first.as_str()));
                for seg in rel.iter().skip(skip) {
                    if seg == "super" {
                        abs.pop();
                    } else if seg != "self" {
                        abs.push(seg.clone());
                    }
                }
                let name = alias.or_else(|| rel.last().cloned()).unwrap_or_default();
                if name != "*" {
                    out.insert((module.clone(), name), abs);
                }
            }
            i = r.i.max(i + 1);
        }
    }
    out
}

/// The module an absolute item path lands in: the longest module prefix, after following
/// re-exports.
fn owner(krate: &Crate, re: &BTreeMap<(ModPath, String), ModPath>, path: &[String]) -> ModPath {
    let mut path = path.to_vec();
    for _ in 0..8 {
        let mut m = path.clone();
        while !krate.modules.contains_key(&m) {
            m.pop();
        }
        let Some(next) = path.get(m.len()) else {
            return m;
        };
        match re.get(&(m.clone(), next.clone())) {
            Some(target) => {
                let mut p = target.clone();
                p.extend(path[m.len() + 1..].iter().cloned());
                path = p;
            }
            None => return m,
        }
    }
    path
}

/// Each module's dependencies on other modules of its crate, by the rule at the top.
fn graph(krate: &Crate) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let re = reexports(krate);
    let mut g = BTreeMap::new();
    for (module, text) in &krate.modules {
        let kids = children(text);
        let mut deps = BTreeSet::new();
        for p in paths(module, text, &kids) {
            let target = owner(krate, &re, &p);
            let is_ancestor = module.starts_with(&target);
            if !is_ancestor {
                deps.insert(target);
            }
        }
        g.insert(module.clone(), deps);
    }
    g
}

fn show(m: &ModPath) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

/// One circle per strongly connected part of the graph, as `a -> b -> … -> a`.
fn circles(g: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for start in g.keys() {
        if seen.contains(start) {
            continue;
        }
        // shortest way back to `start`, breadth first
        let mut prev: BTreeMap<&ModPath, &ModPath> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut closed = None;
        while let Some(at) = queue.pop_front() {
            for next in &g[at] {
                if next == start {
                    closed = Some(at);
                    break;
                }
                if !prev.contains_key(next) {
                    prev.insert(next, at);
                    queue.push_back(next);
                }
            }
            if closed.is_some() {
                break;
            }
        }
        if let Some(last) = closed {
            // walk back from the module that closes the circle to `start`
            let mut back = Vec::new();
            let mut at = last;
            while at != start {
                back.push(at.clone());
                at = prev[at];
            }
            back.reverse();
            let mut chain = vec![start.clone()];
            chain.extend(back);
            chain.push(start.clone());
            seen.extend(chain.iter().cloned());
            out.push(chain.iter().map(show).collect::<Vec<_>>().join(" -> "));
        }
    }
    out
}

#[test]
fn no_import_circles_between_modules() {
    let mut found = Vec::new();
    for krate in crates() {
        for circle in circles(&graph(&krate)) {
            found.push(format!("{}: {circle}", krate.name));
        }
    }
    assert!(
        found.is_empty(),
        "import circles between modules (see xtask/src/rules/modules.rs for the rule):\n{}",
        found.join("\n")
    );
}

#[test]
fn no_module_over_the_limit_without_a_reason() {
    let mut found = Vec::new();
    for krate in crates() {
        let src = crate::root().join("crates").join(&krate.name).join("src");
        for file in rust_files(&src) {
            let text = std::fs::read_to_string(&file).unwrap();
            let lines = text.lines().count();
            let reason = text
                .lines()
                .take_while(|l| l.starts_with("//!") || l.trim().is_empty())
                .any(|l| l.starts_with("//!") && l.to_lowercase().contains(ONE_PIECE));
            let rel = file.strip_prefix(crate::root()).unwrap_or(&file);
            let shown = rel.to_string_lossy().replace('\\', "/");
            if lines > MAX_LINES && !reason {
                found.push(format!("{shown} ({lines} lines)"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "modules over {MAX_LINES} lines with no `//! … {ONE_PIECE} …` reason at the top:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_a_circle_and_its_limits() {
    let text = |s: &str| strip(s);
    let krate = Crate {
        name: "demo".into(),
        modules: BTreeMap::from([
            (vec![], text("mod a; mod b; mod c; pub use a::Thing;")),
            (
                vec!["a".into()],
                text("use crate::{b::{self, B}, c::C as Sea};\npub struct Thing;"),
            ),
            (
                vec!["b".into()],
                text(
                    "// use crate::c;\nfn f() -> crate::Thing { todo!() }\nconst S: &str = \"crate::c::X\";",
                ),
            ),
            (vec!["c".into()], text("mod d; pub struct C;")),
            (
                vec!["c".into(), "d".into()],
                text("use super::super::b::B; use super::C;"),
            ),
        ]),
    };
    let g = graph(&krate);
    let a = vec!["a".to_owned()];
    let b = vec!["b".to_owned()];
    let c = vec!["c".to_owned()];
    let d = vec!["c".to_owned(), "d".to_owned()];
    assert_eq!(g[&a], BTreeSet::from([b.clone(), c.clone()]));
    // the re-export `crate::Thing` is followed to `a`; comments and strings are not code
    assert_eq!(g[&b], BTreeSet::from([a.clone()]));
    // a child naming its parent's items is not an edge
    assert_eq!(g[&c], BTreeSet::new());
    assert_eq!(g[&d], BTreeSet::from([b.clone()]));
    assert_eq!(circles(&g), vec!["a -> b -> a".to_owned()]);
}
