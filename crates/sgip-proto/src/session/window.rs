//! The sliding window, keyed by SGIP's three-part sequence (shared code in `hongyan-wire`).

pub(crate) type Window<T> = hongyan_wire::Window<crate::Sequence, T>;
