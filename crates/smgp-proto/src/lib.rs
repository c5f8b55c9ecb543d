//! SMGP 3.0 wire protocol (work in progress).
