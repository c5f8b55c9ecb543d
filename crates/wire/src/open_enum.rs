//! The `open_enum!` macro behind every wire enumeration of the protocol crates.
//!
//! Each enumeration is a newtype over the wire integer with named consts, not a Rust `enum`:
//! carriers and vendors use values the specs do not list (CMPP and SMGP statuses past the
//! table, SGIP error codes 35–99, SMPP vendor command ids and TLV tags), and those must
//! decode, log readably and re-encode unchanged instead of failing the frame.

/// Declares an open enumeration: the newtype, its consts, `name()`, `label()`, and
/// Debug/Display that show the spec's name when there is one and the number otherwise.
/// Attributes before the name go on the newtype, so `#[derive(Default)]` gives it the value 0
/// as its default.
///
/// ```
/// hongyan_wire::open_enum! {
///     /// A status.
///     #[derive(Default)]
///     Status(u8), unknown = "status {}" {
///         /// Success.
///         OK = 0 => "success",
///     }
/// }
/// assert_eq!(format!("{:?} {}", Status::OK, Status::OK), "Status::OK success");
/// assert_eq!(format!("{:?} {}", Status(7), Status(7)), "Status(status 7) unknown status 7");
/// assert_eq!(Status::default(), Status::OK);
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident($inner:ty), unknown = $unknown:literal {
            $( $(#[$cmeta:meta])* $cname:ident = $value:expr => $label:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    Some(n) => write!(f, concat!(stringify!($name), "::{}"), n),
                    None => write!(f, concat!(stringify!($name), "(", $unknown, ")"), self.0),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.label() {
                    Some(l) => f.write_str(l),
                    None => write!(f, concat!("unknown ", $unknown), self.0),
                }
            }
        }
    };
}
