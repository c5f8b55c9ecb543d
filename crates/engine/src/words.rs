//! The sensitive-word list: content containing one of these words is refused, with the word
//! named. The list can be replaced while the platform runs (e.g. after the file changes).

use std::sync::RwLock;

use hongyan_store::{Category, StoreError, Template};

use crate::template::{self, TemplateError};
use crate::Engine;

#[derive(Default)]
pub(crate) struct Words {
    // std RwLock: read per request, written on reload; never held across an await.
    lower: RwLock<Vec<(String, String)>>,
}

/// Why a template was not added.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AddTemplateError {
    /// The body is not a valid template.
    #[error(transparent)]
    Body(#[from] TemplateError),
    /// The store refused (e.g. the name is taken).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Engine {
    /// Replaces the sensitive-word list (matching ignores case).
    pub fn set_sensitive_words(&self, words: &[String]) {
        let list = words.iter().filter(|w| !w.trim().is_empty()).map(|w| (w.to_lowercase(), w.clone())).collect();
        *self.words.lower.write().expect("words lock") = list;
    }

    /// The first sensitive word `text` contains, as the list spells it.
    pub(crate) fn sensitive_word(&self, text: &str) -> Option<String> {
        let list = self.words.lower.read().expect("words lock");
        if list.is_empty() {
            return None;
        }
        let lower = text.to_lowercase();
        list.iter().find(|(l, _)| lower.contains(l.as_str())).map(|(_, w)| w.clone())
    }

    /// Adds a template for approval after checking its body.
    pub async fn add_template(
        &self,
        account_id: i64,
        name: &str,
        body: &str,
        category: Category,
    ) -> Result<Template, AddTemplateError> {
        template::check_body(body)?;
        Ok(self.store.add_template(account_id, name, body, category, self.clock.now()).await?)
    }
}
