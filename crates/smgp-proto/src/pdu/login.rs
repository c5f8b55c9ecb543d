//! Login (smgp.md §5): the SP's ClientID, its MD5 proof of the shared secret, the LoginMode
//! and the version it speaks.

use super::Body;
use crate::auth::{authenticator_client, digest_eq};
use crate::{LoginMode, RequestId, Version};
use hongyan_wire::{DecodeError, Reader, Writer};

/// Size of ClientID.
const CLIENT_ID_LEN: usize = 8;

/// Login body. PacketLength 42.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// ClientID (8): the account, without padding.
    pub client_id: Vec<u8>,
    /// AuthenticatorClient, see [`crate::authenticator_client`].
    pub authenticator: [u8; 16],
    /// LoginMode: send only, receive only or both.
    pub login_mode: LoginMode,
    /// TimeStamp: MMDDHHMMSS as an integer; the same value is hashed into the authenticator.
    pub timestamp: u32,
    /// ClientVersion, 0x30 for 3.0.
    pub version: Version,
}

impl Login {
    /// Builds a 3.0 login for `client_id` with its authenticator.
    ///
    /// `client_id` is cut to the 8 bytes ClientID holds before it is hashed, so the digest
    /// is over exactly the bytes the server will read back.
    pub fn new(client_id: &[u8], secret: &[u8], login_mode: LoginMode, timestamp: u32) -> Self {
        let client_id = client_id[..client_id.len().min(CLIENT_ID_LEN)].to_vec();
        let authenticator = authenticator_client(&client_id, secret, timestamp);
        Self { client_id, authenticator, login_mode, timestamp, version: Version::V30 }
    }

    /// True when the authenticator was made with `secret` (server side).
    pub fn verify(&self, secret: &[u8]) -> bool {
        let expected = authenticator_client(&self.client_id, secret, self.timestamp);
        digest_eq(&expected, &self.authenticator)
    }
}

impl Body for Login {
    const REQUEST_ID: RequestId = RequestId::LOGIN;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            client_id: r.fixed_str("ClientID", CLIENT_ID_LEN)?,
            authenticator: r.array("AuthenticatorClient")?,
            login_mode: LoginMode(r.u8("LoginMode")?),
            timestamp: r.u32("TimeStamp")?,
            version: Version(r.u8("ClientVersion")?),
        })
    }

    fn encode(&self, w: &mut Writer) {
        w.fixed(&self.client_id, CLIENT_ID_LEN).bytes(&self.authenticator);
        w.u8(self.login_mode.0).u32(self.timestamp).u8(self.version.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    /// The smgp.md §5 vector as a whole frame: `12345678` / `pass` / 03-01 00:00:00, mode 2.
    const VECTOR: &str = "0000002a 00000001 00000001 3132333435363738
        d7e0f8ade4058a6879016a88433d72e1 02 11f0e540 30";

    #[test]
    fn spec_vector_encodes_and_decodes() {
        let login = Login::new(b"12345678", b"pass", LoginMode::TRANSMIT, 301_000_000);
        assert_eq!(login.authenticator.to_vec(), hex("d7e0f8ade4058a6879016a88433d72e1"));
        let frame = Frame { sequence_id: 1, pdu: Pdu::Login(login.clone()) };
        assert_eq!(frame.encode(), hex(VECTOR));
        assert_eq!(Frame::decode(&hex(VECTOR)).unwrap(), frame);
        assert!(login.verify(b"pass"));
        assert!(!login.verify(b"Pass"));
    }

    #[test]
    fn round_trips_and_is_exact() {
        let login = Login::new(b"sp1", b"pw", LoginMode::RECEIVE, 1_231_235_959);
        assert_eq!(login.client_id, b"sp1");
        assert_exact(&round_trip(Pdu::Login(login), 42));
        let odd =
            Login { login_mode: LoginMode(9), version: Version(0x13), ..Login::new(b"a", b"", LoginMode::SEND, 0) };
        round_trip(Pdu::Login(odd), 42);
    }

    #[test]
    fn long_client_id_is_cut_before_hashing() {
        let login = Login::new(b"1234567890", b"pass", LoginMode::TRANSMIT, 301_000_000);
        assert_eq!(login.client_id, b"12345678");
        assert_eq!(login.authenticator.to_vec(), hex("d7e0f8ade4058a6879016a88433d72e1"));
    }
}
