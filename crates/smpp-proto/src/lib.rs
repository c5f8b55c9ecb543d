//! SMPP 3.4 PDUs and sans-I/O sessions (work in progress).
#![warn(missing_docs)]
