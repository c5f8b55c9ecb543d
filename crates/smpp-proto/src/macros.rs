//! The `open_enum!` macro: wire enumerations as open newtypes.
//!
//! Each is a newtype over the wire integer with named consts, not a Rust `enum`: SMSC vendors
//! use values the spec does not list (vendor command ids 0x00010200.., statuses 0x400..,
//! TLV tags 0x1400..), and those must decode, log readably and re-encode unchanged instead of
//! failing the frame.

/// Declares an open enumeration: the newtype, its consts, `name()`, `label()`, and
/// Debug/Display that show the spec's name when there is one and the number otherwise.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident($inner:ty), unknown = $unknown:literal {
            $( $(#[$cmeta:meta])* $cname:ident = $value:expr => $label:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub $inner);

        impl $name {
            $( $(#[$cmeta])* pub const $cname: Self = Self($value); )*

            /// The const's name for this value, or `None` for a value this crate does not know.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $( Self::$cname => Some(stringify!($cname)), )*
                    _ => None,
                }
            }

            /// A human-readable description, or `None` for a value this crate does not know.
            pub fn label(self) -> Option<&'static str> {
                match self {
                    $( Self::$cname => Some($label), )*
                    _ => None,
                }
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(n) => write!(f, concat!(stringify!($name), "::{}"), n),
                    None => write!(f, concat!(stringify!($name), "(", $unknown, ")"), self.0),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.label() {
                    Some(l) => f.write_str(l),
                    None => write!(f, concat!("unknown ", $unknown), self.0),
                }
            }
        }
    };
}
