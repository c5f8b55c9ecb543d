//! `hongyan account create NAME`

use std::sync::Arc;

use anyhow::{Context, Result};
use hongyan_engine::admin::{Actor, AdminError, NewAccount, Reviewed, RightsChange};
use hongyan_engine::{Engine, SystemClock};

use crate::cli::AccountOptions;

pub(crate) async fn create(opts: AccountOptions) -> Result<()> {
    let store = crate::cluster::admin_store(opts.config.as_deref(), &opts.data.dir, false).await?;
    let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
    // The same service as the API and the console: validated and audited (by the OS user).
    let text = opts.signature.clone().unwrap_or_else(|| opts.name.clone());
    let new = NewAccount {
        name: opts.name.clone(),
        signature: Some(text),
        extension: opts.extension.clone(),
        expires_at: None,
    };
    let cred = match engine.admin_create_account(&Actor::cli(), new).await {
        Ok(c) => c,
        Err(e) => return Err(cli_error(e)),
    };
    let rules = engine.admin_signatures(&Actor::cli(), cred.account.id).await.map_err(cli_error)?.1;
    let sig = rules.defaults.into_iter().next().map(|(_, s)| s);
    let sig = sig.context("the account's signature")?;
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

/// A refusal as the CLI prints it: the engine's reason, or the store's failure with context.
pub(crate) fn cli_error(e: AdminError) -> anyhow::Error {
    match e {
        AdminError::Store(e) => anyhow::Error::new(e).context("the store failed"),
        e => anyhow::anyhow!("{e}"),
    }
}

/// `hongyan signature …`
pub(crate) async fn signature(opts: crate::cli::SignatureOptions) -> Result<()> {
    use crate::cli::SignatureCommand as C;
    let store = crate::cluster::admin_store(opts.config.as_deref(), &opts.data.dir, false).await?;
    match opts.command {
        C::List { account } => {
            let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
            for s in engine.admin_signatures(&Actor::cli(), account).await.map_err(cli_error)?.0 {
                println!("{}\t【{}】\t{}\text={}", s.id, s.text, s.status.as_str(), s.extension);
            }
        }
        C::Add { account, text, extension } => {
            let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
            let s = engine.admin_add_signature(&Actor::cli(), account, &text, &extension).await.map_err(cli_error)?;
            println!("signature {} 【{}】 added, pending approval", s.id, s.text);
        }
        C::Approve { id } | C::Reject { id } => {
            let approve = matches!(opts.command, C::Approve { .. });
            let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
            engine.admin_decide(&Actor::cli(), Reviewed::Signature, id, approve, "").await.map_err(cli_error)?;
            println!("signature {id} {}", if approve { "approved" } else { "rejected" });
        }
        C::Default { account, id, category } => {
            let list = categories(opts.config.as_deref())?;
            let categories = match category {
                Some(name) => vec![list.parse(&name)?],
                None => list.iter().map(|d| d.category).collect(),
            };
            let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
            for c in categories {
                engine.admin_set_default_signature(&Actor::cli(), account, id, Some(c)).await.map_err(cli_error)?;
                println!("account {account}: {c} messages are signed with signature {id}");
            }
        }
        C::Position { account, position } => {
            let suffix = position == crate::content_cmd::Position::Suffix;
            let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
            engine.admin_set_signature_position(&Actor::cli(), account, suffix).await.map_err(cli_error)?;
            println!(
                "account {account}: signature goes {}",
                if suffix { "after the content" } else { "before the content" }
            );
        }
    }
    store.close().await?;
    Ok(())
}

/// `hongyan account limits ID …`: changes only the limits given.
pub(crate) async fn limits(o: crate::cli::LimitsOptions) -> Result<()> {
    let store = crate::cluster::admin_store(o.config.as_deref(), &o.data.dir, false).await?;
    let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
    let change = RightsChange {
        rate: o.rate.map(|l| l.0),
        daily_quota: o.daily.map(|l| l.0),
        monthly_quota: o.monthly.map(|l| l.0),
        verification_limits: [o.per_minute.map(Some), o.per_hour.map(Some), o.per_day.map(Some)],
        ..RightsChange::default()
    };
    let view = engine.admin_set_rights(&Actor::cli(), o.account, change).await.map_err(cli_error)?;
    store.close().await?;
    let l = hongyan_store::AccountLimits {
        rate: view.rate,
        daily_quota: view.daily_quota,
        monthly_quota: view.monthly_quota,
        verification_per_minute: view.verification_limits[0],
        verification_per_hour: view.verification_limits[1],
        verification_per_day: view.verification_limits[2],
    };
    let show = |v: Option<u64>| v.map_or_else(|| "none".to_owned(), |n| n.to_string());
    let (dm, dh, dd) = hongyan_engine::DEFAULT_VERIFICATION_LIMITS;
    println!(
        "account {}: rate {}/s, daily quota {}, monthly quota {} (segments); verification to one number: {}/min, {}/h, {}/day (0 = no limit); takes effect within 10 s",
        o.account,
        show(l.rate.map(u64::from)),
        show(l.daily_quota),
        show(l.monthly_quota),
        l.verification_per_minute.unwrap_or(dm),
        l.verification_per_hour.unwrap_or(dh),
        l.verification_per_day.unwrap_or(dd),
    );
    Ok(())
}

/// `hongyan blacklist …`
pub(crate) async fn blacklist(o: crate::cli::BlacklistOptions) -> Result<()> {
    use crate::cli::BlacklistCommand as C;
    let store = crate::cluster::admin_store(o.config.as_deref(), &o.data.dir, true).await?;
    let scope = o.account.map_or_else(|| "global list".to_owned(), |a| format!("account {a}"));
    match o.command {
        C::Add { number, reason } => {
            let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
            engine.admin_blacklist_add(&Actor::cli(), o.account, &number, &reason).await.map_err(cli_error)?;
            println!("{number} added to the {scope}");
        }
        C::Remove { number } => {
            let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
            engine.admin_blacklist_remove(&Actor::cli(), o.account, &number).await.map_err(cli_error)?;
            println!("{number} removed from the {scope}");
        }
        C::List => {
            let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
            for e in engine.admin_blacklist(&Actor::cli(), o.account).await.map_err(cli_error)? {
                println!("{}\t{}\t{}", e.number, e.created_at.to_rfc3339_beijing(), e.reason);
            }
        }
    }
    store.close().await?;
    Ok(())
}

/// The category list of the configuration file, or the defaults.
fn categories(config: Option<&std::path::Path>) -> Result<hongyan_types::Categories> {
    Ok(crate::serve::load_config(config)?.categories)
}

/// `hongyan account free-text ID on|off`
pub(crate) async fn free_text(
    config: Option<std::path::PathBuf>,
    data_dir: std::path::PathBuf,
    account: i64,
    allowed: bool,
) -> Result<()> {
    let store = crate::cluster::admin_store(config.as_deref(), &data_dir, false).await?;
    let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
    let change = RightsChange { free_text: Some(allowed), ..RightsChange::default() };
    engine.admin_set_rights(&Actor::cli(), account, change).await.map_err(cli_error)?;
    store.close().await?;
    println!("account {account}: {}", if allowed { "may send free text" } else { "may send approved templates only" });
    Ok(())
}

/// `hongyan template …`
pub(crate) async fn template(o: crate::cli::TemplateOptions) -> Result<()> {
    use crate::cli::TemplateCommand as C;
    let store = crate::cluster::admin_store(o.config.as_deref(), &o.data.dir, false).await?;
    match o.command {
        C::List { account } => {
            let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
            for t in engine.admin_templates(&Actor::cli(), account).await.map_err(cli_error)? {
                println!("{}\t{}\t{}\t{}\t{}", t.id, t.name, t.category, t.status.as_str(), t.body);
            }
        }
        C::Add { account, name, body, category } => {
            let category = categories(o.config.as_deref())?.parse(&category)?;
            let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
            let t =
                engine.admin_add_template(&Actor::cli(), account, &name, &body, category).await.map_err(cli_error)?;
            let vars = hongyan_engine::template::variables(&t.body)?;
            println!("template {} `{}` added, pending approval; variables: {}", t.id, t.name, vars.join(", "));
        }
        C::Approve { id } | C::Reject { id } => {
            let approve = matches!(o.command, C::Approve { .. });
            let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
            engine.admin_decide(&Actor::cli(), Reviewed::Template, id, approve, "").await.map_err(cli_error)?;
            println!("template {id} {}", if approve { "approved" } else { "rejected" });
        }
    }
    store.close().await?;
    Ok(())
}

/// A carrier as written in a portability file: our names, the usual abbreviations, or Chinese.
fn carrier_name(s: &str) -> Option<hongyan_types::Carrier> {
    use hongyan_types::Carrier as C;
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "china_mobile" | "cmcc" | "mobile" | "移动" | "中国移动" => C::ChinaMobile,
        "china_unicom" | "cucc" | "unicom" | "联通" | "中国联通" => C::ChinaUnicom,
        "china_telecom" | "ctcc" | "telecom" | "电信" | "中国电信" => C::ChinaTelecom,
        "china_broadnet" | "cbn" | "broadnet" | "广电" | "中国广电" => C::ChinaBroadnet,
        _ => return None,
    })
}

/// Parses `NUMBER,CARRIER` lines (an optional header line, blank lines and `#` comments are
/// skipped). Every bad line is reported; one bad line means nothing is imported.
pub(crate) fn parse_portability(text: &str) -> Result<Vec<(String, hongyan_types::Carrier)>, Vec<String>> {
    let (mut ok, mut problems) = (Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') || (i == 0 && line.to_ascii_lowercase().starts_with("number")) {
            continue;
        }
        let Some((number, carrier)) = line.split_once(',') else {
            problems.push(format!("line {}: expected NUMBER,CARRIER", i + 1));
            continue;
        };
        match (hongyan_types::PhoneNumber::parse(number), carrier_name(carrier)) {
            (Ok(n), Some(c)) => ok.push((n.national().to_owned(), c)),
            (Err(e), _) => problems.push(format!("line {}: {e}", i + 1)),
            (_, None) => problems.push(format!("line {}: unknown carrier `{}`", i + 1, carrier.trim())),
        }
    }
    if problems.is_empty() {
        Ok(ok)
    } else {
        Err(problems)
    }
}

/// `hongyan portability import FILE`: effective for new requests at once.
pub(crate) async fn portability_import(
    config: Option<std::path::PathBuf>,
    data_dir: std::path::PathBuf,
    file: std::path::PathBuf,
) -> Result<()> {
    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let entries = match parse_portability(&text) {
        Ok(e) => e,
        Err(problems) => anyhow::bail!("{} has problems, nothing imported:\n{}", file.display(), problems.join("\n")),
    };
    let store = crate::cluster::admin_store(config.as_deref(), &data_dir, false).await?;
    let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
    let n = engine.admin_import_ported(&Actor::cli(), entries).await.map_err(cli_error)?;
    store.close().await?;
    println!("{n} ported numbers imported; new requests use them at once");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portability_files_are_checked_line_by_line() {
        let good =
            "number,carrier\n13800138000,中国电信\n+86 186-1234-5678,CMCC\n# note\n\n19212345678,china_broadnet\n";
        let entries = parse_portability(good).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[1], ("18612345678".to_owned(), hongyan_types::Carrier::ChinaMobile));
        let bad = parse_portability("13800138000,移动\n123,移动\n13900139000,mars\nno comma\n").unwrap_err();
        assert_eq!(bad.len(), 3, "{bad:?}");
        assert!(bad[0].starts_with("line 2:") && bad[1].contains("mars") && bad[2].contains("NUMBER,CARRIER"));
    }
}
