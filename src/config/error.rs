use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;
use toml_edit::{Document, Item, Table};

use super::Issue;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error("{0}")]
    Invalid(Located),
    /// Several rules broken at once: every one is listed, so the file is fixed in one go.
    #[error("{} problems:\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Several(Vec<Located>),
}

/// A problem pinned to a place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub path: PathBuf,
    /// 1-based; `None` when the key is not written in the file (its default broke a rule).
    pub line: Option<usize>,
    /// Dotted key, e.g. `warehouse.timeout_ms`.
    pub key: Option<String>,
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(key) = &self.key {
            write!(f, "`{key}`: ")?;
        }
        write!(f, "{}\n  fix: {}", self.problem, self.fix)
    }
}

impl ConfigError {
    /// The (first) problem and where it is.
    pub fn located(&self) -> Option<&Located> {
        match self {
            Self::Invalid(l) => Some(l),
            Self::Several(all) => all.first(),
            Self::Io { .. } => None,
        }
    }

    /// Every problem and where it is.
    pub fn all_located(&self) -> Vec<&Located> {
        match self {
            Self::Invalid(l) => vec![l],
            Self::Several(all) => all.iter().collect(),
            Self::Io { .. } => Vec::new(),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

pub(super) fn from_toml(e: toml::de::Error, text: &str, path: &Path) -> ConfigError {
    let message = e.message().trim().to_owned();
    let offset = e.span().map(|s| s.start);
    let key = offset.and_then(|o| key_at(text, o));
    // A typed value that did not parse: say how it is written.
    let typed = key
        .as_deref()
        .and_then(super::how_to_write)
        .filter(|_| !message.starts_with("unknown field"));
    let fix = if let Some(hint) = typed {
        hint
    } else if message.starts_with("unknown field") {
        "remove it or correct its spelling (the keys this section accepts are listed above)"
    } else if message.starts_with("unknown variant") {
        "use one of the values listed above"
    } else if message.starts_with("invalid type") {
        "give a value of the expected type (see the comments in the shipped kiosk.toml)"
    } else {
        "correct the TOML syntax at that line"
    };
    ConfigError::Invalid(Located {
        path: path.to_path_buf(),
        line: offset.map(|o| line_of(text, o)),
        key,
        problem: message,
        fix: fix.to_owned(),
    })
}

pub(super) fn from_issues(issues: Vec<Issue>, text: &str, path: &Path) -> ConfigError {
    let mut located: Vec<Located> = issues
        .into_iter()
        .map(|issue| Located {
            path: path.to_path_buf(),
            line: key_offset(text, &issue.key).map(|o| line_of(text, o)),
            key: Some(issue.key.into_owned()),
            problem: issue.problem,
            fix: issue.fix,
        })
        .collect();
    // In the order of the file, keys not written in it last.
    located.sort_by_key(|l| l.line.unwrap_or(usize::MAX));
    if located.len() == 1 {
        ConfigError::Invalid(located.remove(0))
    } else {
        ConfigError::Several(located)
    }
}

/// Where the dotted `key` is written in `text`, if it is.
fn key_offset(text: &str, key: &str) -> Option<usize> {
    let doc = Document::parse(text).ok()?;
    let mut table: &Table = doc.as_table();
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        let (k, item) = table.get_key_value(part)?;
        if parts.peek().is_none() {
            return k.span().map(|s| s.start);
        }
        table = item.as_table()?;
    }
    None
}

/// The dotted key whose name or value covers byte `offset` (deepest match).
fn key_at(text: &str, offset: usize) -> Option<String> {
    let doc = Document::parse(text).ok()?;
    find_in_table(doc.as_table(), offset, "")
}

fn find_in_table(table: &Table, offset: usize, prefix: &str) -> Option<String> {
    for (name, item) in table.iter() {
        let dotted = if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        };
        if let Item::Table(sub) = item {
            if let Some(found) = find_in_table(sub, offset, &dotted) {
                return Some(found);
            }
            continue;
        }
        let key_span = table.key(name).and_then(|k| k.span());
        let covers =
            |span: Option<std::ops::Range<usize>>| span.is_some_and(|s| s.contains(&offset));
        if covers(key_span) || covers(item.span()) {
            return Some(dotted);
        }
    }
    None
}
