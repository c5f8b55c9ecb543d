//! `[cluster]`: run as one node of several on PostgreSQL instead of alone on SQLite.

use crate::walk::{self, Walker};

/// `[cluster]`: the store of record is PostgreSQL, shared by every node; this node's name
/// tells the others (and the operator) who holds which carrier link and which job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// `postgres = "postgres://user:password@host:5432/db"` (or the `key=value` form).
    pub postgres: String,
    /// `node = "name"`: unique in the cluster; letters, digits, `-` and `_`, at most 40.
    pub node: String,
}

/// Whether `name` may name a node.
fn valid_node(name: &str) -> bool {
    !name.is_empty() && name.len() <= 40 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(crate) fn parse(w: &mut Walker, mut t: walk::Table) -> Option<Cluster> {
    let postgres_path = t.key_path("postgres");
    let postgres = t.req_str(w, "postgres");
    let node_path = t.key_path("node");
    let node = t.req_str(w, "node");
    t.finish(w);
    if let Some(n) = node.as_deref().filter(|n| !valid_node(n)) {
        w.problem(node_path, format!("`{n}` is not a node name: letters, digits, `-` and `_`, at most 40"));
        return None;
    }
    if postgres.as_deref().is_some_and(str::is_empty) {
        w.problem(postgres_path, "is empty");
        return None;
    }
    Some(Cluster { postgres: postgres?, node: node? })
}
