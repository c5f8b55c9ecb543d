//! `hongyan account create NAME`

use std::sync::Arc;

use anyhow::{Context, Result};
use hongyan_engine::{Engine, SystemClock};
use hongyan_store::{Store, StoreError};
use hongyan_store_sqlite::SqliteStore;

use crate::cli::AccountOptions;

pub(crate) async fn create(opts: AccountOptions) -> Result<()> {
    let path = opts.data_dir.join("hongyan.db");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))?);
    let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
    let cred = match engine.create_account(&opts.name).await {
        Ok(c) => c,
        Err(StoreError::Conflict(_)) => anyhow::bail!("an account named `{}` already exists", opts.name),
        Err(e) => return Err(e).context("creating the account"),
    };
    let text = opts.signature.clone().unwrap_or_else(|| opts.name.clone());
    let sig = engine.sign_with(cred.account.id, &text, &opts.extension).await.context("adding the signature")?;
    store.close().await?;
    if opts.json {
        let out = serde_json::json!({
            "account": cred.account.name, "account_id": cred.account.id,
            "key_id": cred.key_id, "secret": cred.secret,
            "signature": { "id": sig.id, "text": sig.text, "extension": sig.extension },
        });
        println!("{out}");
    } else {
        println!("account `{}` created (id {})", cred.account.name, cred.account.id);
        println!("signature: 【{}】 (id {}, approved, default for every category)", sig.text, sig.id);
        println!("key_id: {}", cred.key_id);
        println!("secret: {}", cred.secret);
        println!("The secret is shown only this once; only its hash is stored.");
    }
    Ok(())
}

/// `hongyan signature …`
pub(crate) async fn signature(opts: crate::cli::SignatureOptions) -> Result<()> {
    use crate::cli::SignatureCommand as C;
    use hongyan_store::SignatureStatus;
    let path = opts.data_dir.join("hongyan.db");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))?);
    let now = hongyan_engine::Clock::now(&SystemClock);
    match opts.command {
        C::List { account } => {
            for s in store.list_signatures(account).await? {
                println!("{}\t【{}】\t{}\text={}", s.id, s.text, s.status.as_str(), s.extension);
            }
        }
        C::Add { account, text, extension } => {
            let s = store.add_signature(account, &text, &extension, now).await.context("adding the signature")?;
            println!("signature {} 【{}】 added, pending approval", s.id, s.text);
        }
        C::Decide { id, approve } => {
            let status = if approve { SignatureStatus::Approved } else { SignatureStatus::Rejected };
            if !store.decide_signature(id, status, now).await? {
                anyhow::bail!("no signature {id}");
            }
            println!("signature {id} {}", status.as_str());
        }
        C::Default { account, id, category } => {
            let categories = category.map_or_else(|| hongyan_types::Category::ALL.to_vec(), |c| vec![c]);
            for c in categories {
                if !store.set_default_signature(account, c, id).await? {
                    anyhow::bail!("signature {id} is not an approved signature of account {account}");
                }
                println!("account {account}: {c} messages are signed with signature {id}");
            }
        }
        C::Position { account, suffix } => {
            store.set_signature_suffix(account, suffix).await?;
            println!(
                "account {account}: signature goes {}",
                if suffix { "after the content" } else { "before the content" }
            );
        }
    }
    store.close().await?;
    Ok(())
}
