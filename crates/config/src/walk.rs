//! Typed extraction from a TOML table that records every problem instead of stopping.
//!
//! Each getter *removes* its key from the table, so whatever is left at [`Table::finish`] is
//! an unknown key.

use std::str::FromStr;

use crate::{Problem, Problems};

/// Collects problems while a file is walked.
#[derive(Debug, Default)]
pub(crate) struct Walker {
    problems: Vec<Problem>,
}

/// A table being walked, with its path for messages.
#[derive(Debug)]
pub(crate) struct Table {
    path: String,
    inner: toml::Table,
}

impl Walker {
    pub(crate) fn table(&mut self, inner: toml::Table, path: &str) -> Table {
        Table { path: path.to_owned(), inner }
    }

    pub(crate) fn problem(&mut self, path: String, message: impl Into<String>) {
        self.problems.push(Problem { path, message: message.into() });
    }

    pub(crate) fn into_result<T>(self, value: T) -> Result<T, Problems> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(Problems(self.problems))
        }
    }
}

fn type_name(v: &toml::Value) -> &'static str {
    v.type_str()
}

impl Table {
    pub(crate) fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn take(&mut self, key: &str) -> Option<toml::Value> {
        self.inner.remove(key)
    }

    fn wrong(&self, w: &mut Walker, key: &str, want: &str, got: &toml::Value) {
        w.problem(self.key_path(key), format!("expected {want}, found {}", type_name(got)));
    }

    pub(crate) fn opt_str(&mut self, w: &mut Walker, key: &str) -> Option<String> {
        match self.take(key)? {
            toml::Value::String(s) => Some(s),
            other => {
                self.wrong(w, key, "a string", &other);
                None
            }
        }
    }

    pub(crate) fn req_str(&mut self, w: &mut Walker, key: &str) -> Option<String> {
        let v = self.opt_str(w, key);
        if v.is_none() && !w.problems.iter().any(|p| p.path == self.key_path(key)) {
            w.problem(self.key_path(key), "is required");
        }
        v
    }

    pub(crate) fn opt_bool(&mut self, w: &mut Walker, key: &str) -> Option<bool> {
        match self.take(key)? {
            toml::Value::Boolean(b) => Some(b),
            other => {
                self.wrong(w, key, "true or false", &other);
                None
            }
        }
    }

    pub(crate) fn opt_int(&mut self, w: &mut Walker, key: &str, min: i64, max: i64) -> Option<i64> {
        match self.take(key)? {
            toml::Value::Integer(i) if (min..=max).contains(&i) => Some(i),
            toml::Value::Integer(i) => {
                w.problem(self.key_path(key), format!("{i} is out of range ({min}..={max})"));
                None
            }
            other => {
                self.wrong(w, key, "an integer", &other);
                None
            }
        }
    }

    pub(crate) fn opt_parse<T: FromStr>(&mut self, w: &mut Walker, key: &str, want: &str) -> Option<T> {
        let s = self.opt_str(w, key)?;
        match s.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                w.problem(self.key_path(key), format!("`{s}` is not {want}"));
                None
            }
        }
    }

    pub(crate) fn opt_str_array(&mut self, w: &mut Walker, key: &str) -> Option<Vec<String>> {
        match self.take(key)? {
            toml::Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    match item {
                        toml::Value::String(s) => out.push(s),
                        other => w.problem(
                            format!("{}[{i}]", self.key_path(key)),
                            format!("expected a string, found {}", type_name(&other)),
                        ),
                    }
                }
                Some(out)
            }
            other => {
                self.wrong(w, key, "an array of strings", &other);
                None
            }
        }
    }

    pub(crate) fn opt_table(&mut self, w: &mut Walker, key: &str) -> Option<Self> {
        match self.take(key)? {
            toml::Value::Table(t) => Some(w.table(t, &self.key_path(key))),
            other => {
                self.wrong(w, key, "a table", &other);
                None
            }
        }
    }

    /// `[[key]]` entries, each with the path `key[i]`.
    pub(crate) fn array_of_tables(&mut self, w: &mut Walker, key: &str) -> Vec<Self> {
        let Some(v) = self.take(key) else { return Vec::new() };
        let toml::Value::Array(items) = v else {
            self.wrong(w, key, &format!("[[{key}]] tables"), &v);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let path = format!("{}[{i}]", self.key_path(key));
            match item {
                toml::Value::Table(t) => out.push(w.table(t, &path)),
                other => w.problem(path, format!("expected a table, found {}", type_name(&other))),
            }
        }
        out
    }

    /// Every key not taken is unknown.
    pub(crate) fn finish(self, w: &mut Walker) {
        for key in self.inner.keys() {
            w.problem(self.key_path(key), "unknown key");
        }
    }
}
