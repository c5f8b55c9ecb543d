//! CMPP_CONNECT_RESP (cmpp.md §6): Status is 1 byte in 2.0 and 4 bytes in 3.0.

use super::{read_status, write_status, Body};
use crate::auth::{authenticator_ismg, digest_eq};
use crate::{CommandId, Version};
use hongyan_wire::{DecodeError, Reader, Writer};

/// CMPP_CONNECT_RESP body. Total_Length 30 (2.0) or 33 (3.0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectResp {
    /// 0 OK; see the `STATUS_*` consts. Kept as the wire integer so vendor codes (≥ 5) survive.
    pub status: u32,
    /// AuthenticatorISMG; all zero when the login failed.
    pub authenticator: [u8; 16],
    /// Highest version the ISMG supports.
    pub version: Version,
}

impl ConnectResp {
    /// Status 0: login accepted.
    pub const STATUS_OK: u32 = 0;
    /// Status 1: message structure error.
    pub const STATUS_STRUCTURE_ERROR: u32 = 1;
    /// Status 2: illegal source address (SP_Id).
    pub const STATUS_BAD_SOURCE_ADDR: u32 = 2;
    /// Status 3: authentication error.
    pub const STATUS_AUTH_FAILED: u32 = 3;
    /// Status 4: version too high.
    pub const STATUS_VERSION_TOO_HIGH: u32 = 4;

    /// Builds the answer to a CONNECT whose AuthenticatorSource was `auth_source`.
    ///
    /// `layout` is the version whose layout the response is sent in; the digest hashes Status
    /// in that width. A refused login carries an all-zero authenticator, as the spec says.
    pub fn new(status: u32, auth_source: &[u8; 16], secret: &[u8], version: Version, layout: Version) -> Self {
        let authenticator =
            if status == Self::STATUS_OK { authenticator_ismg(status, auth_source, secret, layout) } else { [0; 16] };
        Self { status, authenticator, version }
    }

    /// True when the ISMG proved it knows `secret` (client side).
    ///
    /// Both Status widths are accepted: the 2.0 width is not settled between implementations
    /// and a 3.0 ISMG may answer a 2.0 client in either layout.
    pub fn verify(&self, auth_source: &[u8; 16], secret: &[u8]) -> bool {
        [Version::V30, Version::V20].into_iter().any(|layout| {
            let expected = authenticator_ismg(self.status, auth_source, secret, layout);
            digest_eq(&expected, &self.authenticator)
        })
    }
}

impl Body for ConnectResp {
    const COMMAND: CommandId = CommandId::CONNECT_RESP;

    fn decode(r: &mut Reader<'_>, version: Version) -> Result<Self, DecodeError> {
        Ok(Self {
            status: read_status(r, "Status", version)?,
            authenticator: r.array("AuthenticatorISMG")?,
            version: Version(r.u8("Version")?),
        })
    }

    fn encode(&self, w: &mut Writer, version: Version) {
        write_status(w, self.status, version);
        w.bytes(&self.authenticator).u8(self.version.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    fn source() -> [u8; 16] {
        hex("fe356902b82ebe33c2faaadab4b6d28c").try_into().unwrap()
    }

    #[test]
    fn v3_fixture() {
        let bytes = hex("00000021 80000001 00000001 00000000
            c3eece263d7c0ed773f9f3a058cfb910 30");
        let resp = ConnectResp::new(0, &source(), b"secret", Version::V30, Version::V30);
        let frame = Frame { sequence_id: 1, pdu: Pdu::ConnectResp(resp.clone()) };
        assert_eq!(frame.encode(Version::V30), bytes);
        assert_eq!(Frame::decode(&bytes, Version::V30).unwrap(), frame);
        assert!(resp.verify(&source(), b"secret"));
        assert!(!resp.verify(&source(), b"other"));
    }

    #[test]
    fn v2_fixture() {
        let bytes = hex("0000001e 80000001 00000001 00
            e008ee2ecc774d49a1c76aa19ad2e979 20");
        let resp = ConnectResp::new(0, &source(), b"secret", Version::V20, Version::V20);
        let frame = Frame { sequence_id: 1, pdu: Pdu::ConnectResp(resp.clone()) };
        assert_eq!(frame.encode(Version::V20), bytes);
        assert_eq!(Frame::decode(&bytes, Version::V20).unwrap(), frame);
        assert!(resp.verify(&source(), b"secret"));
    }

    #[test]
    fn refused_login_has_zero_authenticator() {
        let resp = ConnectResp::new(3, &source(), b"secret", Version::V30, Version::V30);
        assert_eq!(resp.authenticator, [0; 16]);
        assert!(!resp.verify(&source(), b"secret"));
    }

    #[test]
    fn round_trips_and_is_exact() {
        let resp = ConnectResp { status: 70_000, authenticator: [9; 16], version: Version(0x31) };
        let bytes = round_trip(Pdu::ConnectResp(resp.clone()), Version::V30, 33);
        assert_exact(&bytes, Version::V30);
        let resp = ConnectResp { status: 200, ..resp };
        let bytes = round_trip(Pdu::ConnectResp(resp), Version::V20, 30);
        assert_exact(&bytes, Version::V20);
    }
}
