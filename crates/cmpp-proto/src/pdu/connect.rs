//! CMPP_CONNECT (cmpp.md §5): SP login. Same layout in 2.0 and 3.0, which is what lets a
//! server decode it before it knows which version the client speaks.

use super::Body;
use crate::auth::{authenticator_source, digest_eq};
use crate::{CommandId, Version};
use hongyan_wire::{DecodeError, Reader, Writer};

/// Size of Source_Addr.
const SOURCE_ADDR_LEN: usize = 6;

/// CMPP_CONNECT body. Total_Length 39.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connect {
    /// Source_Addr: the SP_Id (6-digit enterprise code), without padding.
    pub source_addr: Vec<u8>,
    /// AuthenticatorSource, see [`crate::authenticator_source`].
    pub authenticator: [u8; 16],
    /// Version the client asks for (0x20, 0x30).
    pub version: Version,
    /// MMDDHHMMSS as an integer; the same value is hashed into the authenticator.
    pub timestamp: u32,
}

impl Connect {
    /// Builds a login for `sp_id` with its authenticator.
    ///
    /// `sp_id` is cut to the 6 bytes Source_Addr holds before it is hashed, so the digest
    /// is over exactly the bytes the server will read back.
    pub fn new(sp_id: &[u8], secret: &[u8], version: Version, timestamp: u32) -> Self {
        let source_addr = sp_id[..sp_id.len().min(SOURCE_ADDR_LEN)].to_vec();
        let authenticator = authenticator_source(&source_addr, secret, timestamp);
        Self { source_addr, authenticator, version, timestamp }
    }

    /// True when the authenticator was made with `secret` (server side).
    pub fn verify(&self, secret: &[u8]) -> bool {
        let expected = authenticator_source(&self.source_addr, secret, self.timestamp);
        digest_eq(&expected, &self.authenticator)
    }
}

impl Body for Connect {
    const COMMAND: CommandId = CommandId::CONNECT;

    fn decode(r: &mut Reader<'_>, _version: Version) -> Result<Self, DecodeError> {
        Ok(Self {
            source_addr: r.fixed_str("Source_Addr", SOURCE_ADDR_LEN)?,
            authenticator: r.array("AuthenticatorSource")?,
            version: Version(r.u8("Version")?),
            timestamp: r.u32("Timestamp")?,
        })
    }

    fn encode(&self, w: &mut Writer, _version: Version) {
        w.fixed(&self.source_addr, SOURCE_ADDR_LEN).bytes(&self.authenticator).u8(self.version.0).u32(self.timestamp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    /// cmpp.md §5: the complete 3.0 CONNECT with Sequence_Id 1.
    const VECTOR: &str = "00000027 00000001 00000001 393031323334
        fe356902b82ebe33c2faaadab4b6d28c 30 3c811708";

    #[test]
    fn spec_vector_encodes_and_decodes() {
        let connect = Connect::new(b"901234", b"secret", Version::V30, 1_015_093_000);
        let frame = Frame { sequence_id: 1, pdu: Pdu::Connect(connect.clone()) };
        assert_eq!(frame.encode(Version::V30), hex(VECTOR));
        // CONNECT reads the same whatever version the server assumed.
        assert_eq!(Frame::decode(&hex(VECTOR), Version::V20).unwrap(), frame);
        assert!(connect.verify(b"secret"));
        assert!(!connect.verify(b"secreT"));
    }

    #[test]
    fn round_trips_and_is_exact() {
        for version in [Version::V20, Version::V30] {
            let connect = Connect::new(b"123", b"pw", Version::V20, 101_000_000);
            let bytes = round_trip(Pdu::Connect(connect), version, 39);
            assert_exact(&bytes, version);
        }
    }

    #[test]
    fn long_sp_id_is_cut_before_hashing() {
        let connect = Connect::new(b"90123456", b"secret", Version::V30, 1_015_093_000);
        assert_eq!(connect.source_addr, b"901234");
        assert_eq!(connect.authenticator.to_vec(), hex("fe356902b82ebe33c2faaadab4b6d28c"));
    }
}
