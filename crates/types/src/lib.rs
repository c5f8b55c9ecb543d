//! Hongyan's domain vocabulary, shared by every layer above the wire.
//!
//! What it owns: message ids ([`MessageId`]), UTC timestamps and their Beijing-time views
//! ([`Timestamp`]), round-trip histograms of the link-quality figures ([`RttHistogram`]), mainland mobile numbers and the carrier they belong to ([`PhoneNumber`],
//! [`Carrier`], [`segments`]), message categories ([`Category`]) and states ([`MessageStatus`]).
//!
//! The records the store keeps and every layer reads (accounts, messages, reports, incidents,
//! users, ...) are in [`records`].
//!
//! What it does not do: no I/O, no clock reads (callers hand in the time), no knowledge of any
//! wire protocol or storage backend.
#![warn(missing_docs)]

mod category;
mod cidr;
mod id;
pub mod mask;
mod phone;
mod price;
mod quiet;
pub mod records;
mod rtt;
pub mod segments;
mod status;
mod time;

pub use category::{
    valid_category_code, BadCategoryName, Categories, Category, CategoryDef, CategoryKind, UnknownCategory,
    MAX_CATEGORY_CODE, MAX_CATEGORY_NAME,
};
pub use cidr::{BadCidr, Cidr};
pub use id::{IdGenerator, MessageId, NODE_SLOTS};
pub use phone::{Carrier, NumberError, PhoneNumber};
pub use price::{BadPrice, Money, PriceRule, PriceTable, MAX_PRICE};
pub use quiet::QuietHours;
pub use records::*;
pub use rtt::{BadHistogram, RttHistogram, RTT_BUCKETS};
pub use status::MessageStatus;
pub use time::Timestamp;
