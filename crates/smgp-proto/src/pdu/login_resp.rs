//! Login_Resp (smgp.md §5): Status, the SMGW's MD5 proof and its highest version.

use super::Body;
use crate::auth::{authenticator_server, digest_eq};
use crate::{RequestId, Status, Version};
use hongyan_wire::{DecodeError, Reader, Writer};

/// Login_Resp body. PacketLength 33.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginResp {
    /// 0 login accepted; 21 authentication error, 22 version too high, ….
    pub status: Status,
    /// AuthenticatorServer; all zero when the login failed.
    pub authenticator: [u8; 16],
    /// ServerVersion: highest version the SMGW supports.
    pub version: Version,
}

impl LoginResp {
    /// Builds the answer to a Login whose AuthenticatorClient was `auth_client`. A refused
    /// login carries an all-zero ("empty") authenticator: there is nothing to prove to a
    /// client that failed to prove itself.
    pub fn new(status: Status, auth_client: &[u8; 16], secret: &[u8], version: Version) -> Self {
        let authenticator = if status.is_ok() { authenticator_server(status, auth_client, secret) } else { [0; 16] };
        Self { status, authenticator, version }
    }

    /// True when the SMGW proved it knows `secret` (client side).
    pub fn verify(&self, auth_client: &[u8; 16], secret: &[u8]) -> bool {
        digest_eq(&authenticator_server(self.status, auth_client, secret), &self.authenticator)
    }
}

impl Body for LoginResp {
    const REQUEST_ID: RequestId = RequestId::LOGIN_RESP;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            status: Status(r.u32("Status")?),
            authenticator: r.array("AuthenticatorServer")?,
            version: Version(r.u8("ServerVersion")?),
        })
    }

    fn encode(&self, w: &mut Writer) {
        w.u32(self.status.0).bytes(&self.authenticator).u8(self.version.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    fn client() -> [u8; 16] {
        hex("d7e0f8ade4058a6879016a88433d72e1").try_into().unwrap()
    }

    #[test]
    fn fixture() {
        let bytes = hex("00000021 80000001 00000001 00000000 427c9934ed52d5237c994b374f10f43a 30");
        let resp = LoginResp::new(Status::OK, &client(), b"pass", Version::V30);
        let frame = Frame { sequence_id: 1, pdu: Pdu::LoginResp(resp.clone()) };
        assert_eq!(frame.encode(), bytes);
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert!(resp.verify(&client(), b"pass"));
        assert!(!resp.verify(&client(), b"other"));
    }

    #[test]
    fn refused_login_has_zero_authenticator() {
        let resp = LoginResp::new(Status::AUTH_ERROR, &client(), b"pass", Version::V30);
        assert_eq!(resp.authenticator, [0; 16]);
        assert!(!resp.verify(&client(), b"pass"));
    }

    #[test]
    fn round_trips_and_is_exact() {
        let resp = LoginResp { status: Status(70_000), authenticator: [9; 16], version: Version(0x31) };
        assert_exact(&round_trip(Pdu::LoginResp(resp), 33));
    }
}
