//! The sliding window, keyed by the 32-bit sequence number (shared code in `hongyan-wire`).

pub(crate) type Window<T> = hongyan_wire::Window<u32, T>;
