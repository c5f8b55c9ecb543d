//! SGIP_BIND (sgip.md §5): log in. Message Length 61. The password travels in plain text.

use super::{check_len, Body, EncodeError, RESERVE_LEN};
use crate::LoginType;
use hongyan_wire::{DecodeError, Reader, Writer};

/// Size of Login Name and Login Password.
const LOGIN_LEN: usize = 16;

/// SGIP_BIND body.
#[derive(Clone, PartialEq, Eq)]
pub struct Bind {
    /// Login Type: 1 when the SP binds to the SMG, 2 when the SMG binds to the SP.
    pub login_type: LoginType,
    /// Login Name (16), assigned by the server side.
    pub login_name: Vec<u8>,
    /// Login Password (16), plain text.
    pub login_password: Vec<u8>,
    /// Reserve, kept as sent.
    pub reserve: [u8; RESERVE_LEN],
}

impl Bind {
    /// A login with an empty Reserve.
    pub fn new(login_type: LoginType, login_name: &[u8], login_password: &[u8]) -> Self {
        Self {
            login_type,
            login_name: login_name.to_vec(),
            login_password: login_password.to_vec(),
            reserve: [0; RESERVE_LEN],
        }
    }

    /// True when name and password are the expected ones (server side). Compares in time
    /// that does not depend on where the password first differs.
    pub fn verify(&self, login_name: &[u8], login_password: &[u8]) -> bool {
        let same_name = self.login_name == login_name;
        let same_password = self.login_password.len() == login_password.len()
            && self.login_password.iter().zip(login_password).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        same_name & same_password
    }

    /// Checks every field fits its wire size, so encoding cuts nothing.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_len("Login Name", &self.login_name, LOGIN_LEN)?;
        check_len("Login Password", &self.login_password, LOGIN_LEN)
    }
}

/// Debug without the password, so a logged Bind does not leak it.
impl std::fmt::Debug for Bind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bind")
            .field("login_type", &self.login_type)
            .field("login_name", &String::from_utf8_lossy(&self.login_name))
            .field("login_password", &"<hidden>")
            .field("reserve", &self.reserve)
            .finish()
    }
}

impl Body for Bind {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            login_type: LoginType(r.u8("Login Type")?),
            login_name: r.fixed_str("Login Name", LOGIN_LEN)?,
            login_password: r.fixed_str("Login Password", LOGIN_LEN)?,
            reserve: r.array("Reserve")?,
        })
    }

    /// Over-long fields are cut (see [`Bind::validate`]) so the frame stays well formed.
    fn encode(&self, w: &mut Writer) {
        w.u8(self.login_type.0);
        w.fixed(&self.login_name, LOGIN_LEN).fixed(&self.login_password, LOGIN_LEN);
        w.bytes(&self.reserve);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip, SEQ};
    use crate::{Frame, Pdu};

    /// Login Type 1, name "hongyan", password "pa55word", sequence SEQ.
    const FIXTURE: &str = "0000003d 00000001 b36a7b1f 42c4f1d9 00000001
        01
        686f6e6779616e000000000000000000
        70613535776f72640000000000000000
        0000000000000000";

    #[test]
    fn fixture() {
        let bind = Bind::new(LoginType::SP_TO_SMG, b"hongyan", b"pa55word");
        let frame = Frame { sequence: SEQ, pdu: Pdu::Bind(bind.clone()) };
        assert_eq!(frame.encode(), hex(FIXTURE));
        assert_eq!(Frame::decode(&hex(FIXTURE)).unwrap(), frame);
        assert!(bind.verify(b"hongyan", b"pa55word"));
        assert!(!bind.verify(b"hongyan", b"pa55wore"));
        assert!(!bind.verify(b"hongyan", b"pa55"));
        assert!(!bind.verify(b"other", b"pa55word"));
        assert!(!format!("{bind:?}").contains("pa55word"));
    }

    #[test]
    fn round_trips_and_is_exact() {
        let bind = Bind {
            login_type: LoginType::SMG_TO_SP,
            login_name: vec![b'n'; 16],
            login_password: vec![b'p'; 16],
            reserve: [0xff; 8],
        };
        assert_eq!(bind.validate(), Ok(()));
        assert_exact(&round_trip(Pdu::Bind(bind), 61));
    }

    #[test]
    fn validate_reports_fields_that_would_be_cut() {
        let bind = Bind::new(LoginType(99), b"a-login-name-too-long", b"pw");
        assert_eq!(bind.validate(), Err(EncodeError::TooLong { field: "Login Name", len: 21, max: 16 }));
    }
}
