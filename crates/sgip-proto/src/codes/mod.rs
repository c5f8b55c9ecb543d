//! Open wire enumerations.
//!
//! Each is a newtype over the wire integer with named consts, not a Rust `enum`: SMG vendors
//! use values the spec does not list (error codes 35–99, for one), and those must decode, log
//! readably and re-encode unchanged instead of failing the frame.

mod command;
mod fields;
mod result;

pub use command::CommandId;
pub use fields::{FeeType, LoginType, MessageCoding, ReportFlag, ReportState, ReportType, UserCondition};
pub use result::{ErrorCode, ResultCode};
