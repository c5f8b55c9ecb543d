//! `hongyan signature|template|blacklist …`: their options and flags. What they do is in
//! `account.rs`; the admin API does the same for the console.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::cli::{digits, signature_text, DataDir};

/// A subcommand `C` on the store, with the configuration its categories come from.
#[derive(Args)]
pub(crate) struct WithCategories<C: Subcommand> {
    #[command(subcommand)]
    pub(crate) command: C,
    #[command(flatten)]
    pub(crate) data: DataDir,
    /// Where the category list comes from (the defaults without it); with `[cluster]`, the
    /// change is made in the cluster's database
    #[arg(long, value_name = "FILE", global = true)]
    pub(crate) config: Option<PathBuf>,
}

/// `hongyan template …` and its options.
pub(crate) type TemplateOptions = WithCategories<TemplateCommand>;

/// `hongyan template …`
#[derive(Subcommand)]
pub(crate) enum TemplateCommand {
    /// An account's templates: id, name, category, status, body
    List {
        #[arg(value_name = "ACCOUNT_ID")]
        account: i64,
    },
    /// Add a template, pending approval; `{name}` in the body is a variable
    Add {
        #[arg(value_name = "ACCOUNT_ID")]
        account: i64,
        name: String,
        body: String,
        /// verification, notification, marketing, or a category of --config
        #[arg(long)]
        category: String,
    },
    /// Approve a template
    Approve { id: i64 },
    /// Reject a template
    Reject { id: i64 },
}

#[derive(Args)]
pub(crate) struct BlacklistOptions {
    #[command(subcommand)]
    pub(crate) command: BlacklistCommand,
    /// The account's own list; the global list without it
    #[arg(long, value_name = "ID", global = true)]
    pub(crate) account: Option<i64>,
    #[command(flatten)]
    pub(crate) data: DataDir,
    /// For `[encryption]`: the list's numbers are sealed; with `[cluster]`, the list is the
    /// cluster's
    #[arg(long, value_name = "FILE", global = true)]
    pub(crate) config: Option<PathBuf>,
}

/// `hongyan blacklist …`
#[derive(Subcommand)]
pub(crate) enum BlacklistCommand {
    /// Refuse sending to a number
    Add {
        #[arg(value_parser = national)]
        number: String,
        /// Why, shown in the list and the audit log
        #[arg(long, value_name = "TEXT", default_value = "added by an administrator")]
        reason: String,
    },
    /// Allow a number again
    Remove {
        #[arg(value_parser = national)]
        number: String,
    },
    /// The list's numbers
    List,
}

/// A mobile number in any usual form, as its 11 national digits.
fn national(raw: &str) -> Result<String, String> {
    hongyan_types::PhoneNumber::parse(raw).map(|n| n.national().to_owned()).map_err(|e| e.to_string())
}

/// `hongyan signature …` and its options.
pub(crate) type SignatureOptions = WithCategories<SignatureCommand>;

/// `hongyan signature …`: what an administrator does with signatures without the console.
#[derive(Subcommand)]
pub(crate) enum SignatureCommand {
    /// An account's signatures
    List {
        #[arg(value_name = "ACCOUNT_ID")]
        account: i64,
    },
    /// Add a signature, pending approval (2–20 characters; the platform adds 【】)
    Add {
        #[arg(value_name = "ACCOUNT_ID")]
        account: i64,
        #[arg(value_parser = signature_text)]
        text: String,
        /// Its extension code, up to 6 digits
        #[arg(long, value_name = "DIGITS", value_parser = digits, default_value = "")]
        extension: String,
    },
    /// Approve a signature
    Approve { id: i64 },
    /// Reject a signature
    Reject { id: i64 },
    /// Make an approved signature the account's default (for one category with --category)
    Default {
        #[arg(value_name = "ACCOUNT_ID")]
        account: i64,
        id: i64,
        #[arg(long)]
        category: Option<String>,
    },
    /// Put the account's signatures before or after the text
    Position {
        #[arg(value_name = "ACCOUNT_ID")]
        account: i64,
        #[arg(value_enum)]
        position: Position,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Position {
    Prefix,
    Suffix,
}
