//! `hongyan signature|template|blacklist …`: their options and flags. What they do is in
//! `account.rs`; the admin API does the same for the console.

use std::path::PathBuf;

use lexopt::prelude::*;

use crate::cli::{default_data_dir, digits, int, signature_text, string};

/// `hongyan template …`
pub(crate) enum TemplateCommand {
    List { account: i64 },
    Add { account: i64, name: String, body: String, category: Option<String> },
    Decide { id: i64, approve: bool },
}

pub(crate) struct TemplateOptions {
    pub(crate) data_dir: PathBuf,
    /// Where the category list comes from (the defaults without it).
    pub(crate) config: Option<PathBuf>,
    pub(crate) command: TemplateCommand,
}

/// `hongyan blacklist …`
pub(crate) enum BlacklistCommand {
    Add { number: String, reason: String },
    Remove { number: String },
    List,
}

pub(crate) struct BlacklistOptions {
    pub(crate) data_dir: PathBuf,
    /// For `[encryption]`: the list's numbers are sealed.
    pub(crate) config: Option<PathBuf>,
    pub(crate) account: Option<i64>,
    pub(crate) command: BlacklistCommand,
}

/// `hongyan signature …`: what an administrator does with signatures until the admin API.
pub(crate) enum SignatureCommand {
    List { account: i64 },
    Add { account: i64, text: String, extension: String },
    Decide { id: i64, approve: bool },
    Default { account: i64, id: i64, category: Option<String> },
    Position { account: i64, suffix: bool },
}

pub(crate) struct SignatureOptions {
    pub(crate) data_dir: PathBuf,
    /// Where the category list comes from (the defaults without it).
    pub(crate) config: Option<PathBuf>,
    pub(crate) command: SignatureCommand,
}

pub(crate) fn blacklist(p: &mut lexopt::Parser) -> Result<BlacklistOptions, lexopt::Error> {
    let number = |p: &mut lexopt::Parser| -> Result<String, lexopt::Error> {
        let raw = string(p.value()?, "NUMBER")?;
        hongyan_types::PhoneNumber::parse(&raw)
            .map(|n| n.national().to_owned())
            .map_err(|e| format!("`{raw}`: {e}").into())
    };
    let command = match p.next()? {
        Some(Value(v)) if v == "add" => {
            BlacklistCommand::Add { number: number(p)?, reason: "added by an administrator".into() }
        }
        Some(Value(v)) if v == "remove" => BlacklistCommand::Remove { number: number(p)? },
        Some(Value(v)) if v == "list" => BlacklistCommand::List,
        _ => return Err("expected `blacklist add|remove NUMBER` or `blacklist list`".into()),
    };
    let mut o = BlacklistOptions { data_dir: default_data_dir(), config: None, account: None, command };
    while let Some(arg) = p.next()? {
        match (arg, &mut o.command) {
            (Long("data-dir"), _) => o.data_dir = p.value()?.into(),
            (Long("config"), _) => o.config = Some(p.value()?.into()),
            (Long("account"), _) => o.account = Some(int(p, "--account")?),
            (Long("reason"), BlacklistCommand::Add { reason, .. }) => *reason = string(p.value()?, "--reason")?,
            (other, _) => return Err(other.unexpected()),
        }
    }
    Ok(o)
}

pub(crate) fn template(p: &mut lexopt::Parser) -> Result<TemplateOptions, lexopt::Error> {
    let command = match p.next()? {
        Some(Value(v)) if v == "list" => TemplateCommand::List { account: int(p, "ACCOUNT_ID")? },
        Some(Value(v)) if v == "add" => {
            let account = int(p, "ACCOUNT_ID")?;
            let name = string(p.value()?, "NAME")?;
            let body = string(p.value()?, "BODY")?;
            TemplateCommand::Add { account, name, body, category: None }
        }
        Some(Value(v)) if v == "approve" => TemplateCommand::Decide { id: int(p, "ID")?, approve: true },
        Some(Value(v)) if v == "reject" => TemplateCommand::Decide { id: int(p, "ID")?, approve: false },
        _ => return Err("expected `template list|add|approve|reject`".into()),
    };
    let mut o = TemplateOptions { data_dir: default_data_dir(), config: None, command };
    while let Some(arg) = p.next()? {
        match (arg, &mut o.command) {
            (Long("data-dir"), _) => o.data_dir = p.value()?.into(),
            (Long("config"), _) => o.config = Some(p.value()?.into()),
            (Long("category"), TemplateCommand::Add { category, .. }) => {
                *category = Some(string(p.value()?, "--category")?)
            }
            (other, _) => return Err(other.unexpected()),
        }
    }
    if let TemplateCommand::Add { category: None, .. } = o.command {
        return Err(
            "template add needs --category NAME (verification, notification, marketing or one from --config)".into()
        );
    }
    Ok(o)
}

pub(crate) fn signature(p: &mut lexopt::Parser) -> Result<SignatureOptions, lexopt::Error> {
    let sub = match p.next()? {
        Some(Value(v)) => string(v, "subcommand")?,
        _ => return Err("expected `signature list|add|approve|reject|default|position`".into()),
    };
    let command = match sub.as_str() {
        "list" => SignatureCommand::List { account: int(p, "ACCOUNT_ID")? },
        "add" => {
            let account = int(p, "ACCOUNT_ID")?;
            let text = signature_text(string(p.value()?, "TEXT")?)?;
            SignatureCommand::Add { account, text, extension: String::new() }
        }
        "approve" => SignatureCommand::Decide { id: int(p, "ID")?, approve: true },
        "reject" => SignatureCommand::Decide { id: int(p, "ID")?, approve: false },
        "default" => SignatureCommand::Default { account: int(p, "ACCOUNT_ID")?, id: int(p, "ID")?, category: None },
        "position" => {
            let account = int(p, "ACCOUNT_ID")?;
            let suffix = match string(p.value()?, "position")?.as_str() {
                "prefix" => false,
                "suffix" => true,
                other => return Err(format!("position is prefix or suffix, not `{other}`").into()),
            };
            SignatureCommand::Position { account, suffix }
        }
        other => return Err(format!("unknown signature subcommand `{other}`").into()),
    };
    let mut o = SignatureOptions { data_dir: default_data_dir(), config: None, command };
    while let Some(arg) = p.next()? {
        match (arg, &mut o.command) {
            (Long("data-dir"), _) => o.data_dir = p.value()?.into(),
            (Long("config"), _) => o.config = Some(p.value()?.into()),
            (Long("extension"), SignatureCommand::Add { extension, .. }) => {
                *extension = digits(string(p.value()?, "--extension")?)?
            }
            (Long("category"), SignatureCommand::Default { category, .. }) => {
                *category = Some(string(p.value()?, "--category")?)
            }
            (other, _) => return Err(other.unexpected()),
        }
    }
    Ok(o)
}
