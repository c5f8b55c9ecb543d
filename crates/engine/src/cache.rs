//! One small cache for what is read per account (or per key) on every request and changes
//! rarely: an entry is used for `ttl` after it was read from the store, then read again, so
//! a change made elsewhere (another process, the CLI) applies within that time; a change made
//! through this engine forgets the entry at once.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use hongyan_store::Timestamp;

/// Values by key, each fresh for `ttl_ms` after it was put.
#[derive(Debug)]
pub(crate) struct TtlCache<K, V> {
    ttl_ms: i64,
    // std Mutex: a map look-up or insert, never held across an await.
    entries: Mutex<HashMap<K, (V, Timestamp)>>,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub(crate) fn new(ttl_ms: i64) -> Self {
        Self { ttl_ms, entries: Mutex::new(HashMap::new()) }
    }

    /// The value for `key` if it was put less than the TTL before `now`.
    pub(crate) fn get<Q>(&self, key: &Q, now: Timestamp) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let entries = self.entries.lock().expect("cache");
        let (v, at) = entries.get(key)?;
        (now.as_millis() - at.as_millis() < self.ttl_ms).then(|| v.clone())
    }

    /// Keeps `value` for `key`, read from the store at `now`.
    pub(crate) fn put(&self, key: K, value: V, now: Timestamp) {
        self.entries.lock().expect("cache").insert(key, (value, now));
    }

    /// Forgets `key`, so the next look-up reads the store.
    pub(crate) fn forget<Q>(&self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.entries.lock().expect("cache").remove(key);
    }

    /// Forgets every entry.
    pub(crate) fn clear(&self) {
        self.entries.lock().expect("cache").clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_fresh_for_the_ttl_then_read_again() {
        let c: TtlCache<String, u32> = TtlCache::new(10_000);
        let at = |ms| Timestamp::from_millis(ms);
        assert_eq!(c.get("k", at(0)), None);
        c.put("k".into(), 7, at(1_000));
        assert_eq!((c.get("k", at(10_999)), c.get("k", at(11_000))), (Some(7), None));
        c.forget("k");
        assert_eq!(c.get("k", at(1_001)), None);
        c.put("a".into(), 1, at(0));
        c.clear();
        assert_eq!(c.get("a", at(0)), None);
    }
}
