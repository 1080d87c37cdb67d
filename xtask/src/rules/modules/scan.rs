//! The lexical half of the module rules: blank comments and literals, read use-trees and paths,
//! and list the child modules a file declares.

use std::collections::BTreeSet;

use super::ModPath;

/// Blanks comments, string and char literals (keeping line breaks), so only code is scanned.
pub(super) fn strip(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == '\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&b, i) {
            // raw string r"…" / r#"…"#
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            'raw: while j < b.len() {
                if b[j] == '"' && (0..hashes).all(|h| b.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break 'raw;
                }
                if b[j] == '\n' {
                    out.push('\n');
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                if b.get(i) == Some(&'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && char_literal_len(&b, i).is_some() {
            i += char_literal_len(&b, i).unwrap_or(1);
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// The length of a char literal at `i` (`'a'`, `'\n'`, `'\''`, `'\u{..}'`), or None for a
/// lifetime.
fn char_literal_len(b: &[char], i: usize) -> Option<usize> {
    if b.get(i + 1) == Some(&'\\') {
        let close = (i + 2..b.len().min(i + 12)).find(|&j| b[j] == '\'' && j > i + 2)?;
        Some(close - i + 1)
    } else if b.get(i + 2) == Some(&'\'') {
        Some(3)
    } else {
        None
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A small reader of use-trees: `a::b::{c, d::e as f, *}` → every full path.
pub(super) struct Reader<'a> {
    pub(super) s: &'a [char],
    pub(super) i: usize,
}

impl Reader<'_> {
    fn skip_ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }
    fn eat(&mut self, t: &str) -> bool {
        self.skip_ws();
        let t: Vec<char> = t.chars().collect();
        if self.s.get(self.i..self.i + t.len()) == Some(&t[..]) {
            self.i += t.len();
            true
        } else {
            false
        }
    }
    fn ident(&mut self) -> Option<String> {
        self.skip_ws();
        if self.eat("*") {
            return Some("*".into());
        }
        let start = self.i;
        while self.s.get(self.i).copied().is_some_and(is_ident) {
            self.i += 1;
        }
        (self.i > start).then(|| self.s[start..self.i].iter().collect())
    }
    /// Reads a tree after `prefix::`, pushing (path, alias) pairs.
    pub(super) fn tree(&mut self, prefix: &[String], out: &mut Vec<(ModPath, Option<String>)>) {
        let mut path = prefix.to_vec();
        loop {
            if self.eat("{") {
                loop {
                    if self.eat("}") {
                        return;
                    }
                    let before = self.i;
                    self.tree(&path, out);
                    self.eat(",");
                    if self.i == before {
                        return;
                    }
                }
            }
            let Some(id) = self.ident() else {
                out.push((path, None));
                return;
            };
            path.push(id);
            let save = self.i;
            if self.eat("::") && !self.eat("<") {
                continue;
            }
            self.i = save;
            let alias = if self.eat("as ") { self.ident() } else { None };
            out.push((path, alias));
            return;
        }
    }
}

/// Every path in `text` that starts at `crate::`, `super::`, `self::` or `child::` (for a
/// declared child module), resolved to an absolute path from the crate root.
pub(super) fn paths(module: &ModPath, text: &str, children: &BTreeSet<String>) -> Vec<ModPath> {
    let s: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if !is_ident(s[i]) || ident_before(&s, i) || (i >= 2 && s[i - 1] == ':' && s[i - 2] == ':')
        {
            i += 1;
            continue;
        }
        let start = i;
        while i < s.len() && is_ident(s[i]) {
            i += 1;
        }
        let word: String = s[start..i].iter().collect();
        let mut r = Reader { s: &s, i };
        if !r.eat("::") || r.eat("<") {
            continue;
        }
        let base: ModPath = match word.as_str() {
            "crate" => Vec::new(),
            "self" => module.clone(),
            "super" => module[..module.len().saturating_sub(1)].to_vec(),
            w if children.contains(w) => {
                let mut p = module.clone();
                p.push(w.to_owned());
                p
            }
            _ => continue,
        };
        let mut found = Vec::new();
        r.tree(&[], &mut found);
        for (rel, _) in found {
            let mut abs = base.clone();
            for seg in rel {
                if seg == "super" {
                    abs.pop();
                } else if seg != "self" {
                    abs.push(seg);
                }
            }
            out.push(abs);
        }
        i = r.i;
    }
    out
}

/// The modules `module` declares with `mod name;` or `mod name {`.
pub(super) fn children(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some(at) = words.iter().position(|w| *w == "mod")
            && let Some(name) = words.get(at + 1)
        {
            let name = name.trim_end_matches([';', '{']);
            if !name.is_empty() && name.chars().all(is_ident) {
                out.insert(name.to_owned());
            }
        }
    }
    out
}
